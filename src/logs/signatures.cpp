#include "logs/signatures.h"

#include <hs.h>

#include <array>
#include <functional>
#include <stdexcept>
#include <string>

namespace ig::logs {

namespace {

// Ends a path pattern: the end of the target, or its query string.
#define END "(?:\\?|$)"

}  // namespace

const std::vector<Signature>& target_signatures() {
  static const std::vector<Signature> kTable = {
      // Secrets and source left in the web root (the path ends with them).
      {kSensitiveFile, "/\\.env(?:\\.[a-z0-9_.-]+|~)?" END, ".env"},
      {kSensitiveFile, "/\\.git(?:/(?:config|HEAD|index|logs/HEAD|packed-refs))?/?" END, ".git"},
      {kSensitiveFile, "/\\.(?:svn|hg|bzr)(?:/[a-z._-]+)?/?" END, "vcs metadata"},
      {kSensitiveFile, "/\\.ht(?:passwd|access)" END, ".htpasswd"},
      {kSensitiveFile, "/\\.(?:bash|zsh|sh|mysql|psql|python)_history" END, "shell history"},
      {kSensitiveFile, "/\\.ssh(?:/(?:id_rsa|id_dsa|id_ecdsa|id_ed25519|authorized_keys|known_hosts))?/?" END, ".ssh"},
      {kSensitiveFile, "/id_(?:rsa|dsa|ecdsa|ed25519)(?:\\.pub)?" END, "private key"},
      {kSensitiveFile, "/\\.aws/(?:credentials|config)" END, "cloud credentials"},
      {kSensitiveFile, "/(?:\\.docker/config\\.json|\\.kube/config|\\.npmrc|\\.pypirc|\\.s3cfg|\\.netrc|\\.pgpass)" END,
       "credentials file"},
      {kSensitiveFile,
       "/\\.(?:bashrc|bash_profile|profile|zshrc|cshrc|cache|config|cvs|cvsignore|forward|rhosts|listing|history|"
       "viminfo|lesshst|gitconfig|gitignore|git-credentials|ftpconfig|remote-sync\\.json|travis\\.yml|"
       "gitlab-ci\\.yml|dockerenv|dockerignore|terraform|tfstate|htdigest|user\\.ini|composer)/?" END,
       "dotfile"},
      {kSensitiveFile, "\\.tfstate(?:\\.backup)?" END, "Terraform state"},
      {kSensitiveFile, "/(?:\\.vscode/sftp\\.json|\\.DS_Store|\\.idea/workspace\\.xml)" END, "editor metadata"},
      {kSensitiveFile, "/wp-config\\.php(?:\\.bak|\\.old|\\.orig|\\.save|\\.swp|\\.txt|~)" END, "wp-config backup"},
      {kSensitiveFile, "\\.(?:sql|sqlite|sqlite3|db|mdb|dump)(?:\\.(?:gz|zip|bz2|xz|7z|tar|tgz))?" END, "database dump"},
      {kSensitiveFile, "\\.(?:bak|backup|old|orig|save|swp|tmp)" END, "backup file"},
      {kSensitiveFile, "/(?:backup|backups|site|www|web|db|database|dump)\\.(?:zip|tar|tar\\.gz|tgz|rar|7z)" END,
       "site archive"},
      {kSensitiveFile, "/(?:secrets?|credentials|aws-key|service-account)\\.(?:ya?ml|json|txt)" END, "secrets file"},
      {kSensitiveFile, "/(?:docker-compose|compose)\\.ya?ml" END, "compose file"},
      {kSensitiveFile, "/(?:web\\.config|phpinfo\\.php|info\\.php|debug\\.log|error_log|adminer\\.php)" END,
       "server internals"},
      {kSensitiveFile, "/(?:server-status|server-info)" END, "server status page"},
      {kSensitiveFile, "/actuator/(?:env|heapdump|configprops|mappings|threaddump|logfile)" END, "Spring actuator"},
      // Traversal anywhere in the target, encoded or not.
      {kTraversal, "\\.\\./", "../"},
      {kTraversal, "\\.\\.\\\\", "..\\"},
      {kTraversal, "\\.\\.;/", "..;/"},
      {kTraversal, "(?:%2e|\\.)(?:%2e|\\.)(?:%2f|%5c)", "%2e%2e%2f"},
      {kTraversal, "%2e%2e/", "%2e%2e/"},
      {kTraversal, "%252e%252e", "double-encoded .."},
      {kTraversal, "%c0%ae%c0%ae", "overlong-encoded .."},
      {kTraversal, "(?:/|%2f)etc(?:/|%2f)(?:passwd|shadow|group|hosts)", "/etc/passwd"},
      {kTraversal, "/proc/self/(?:environ|cmdline|fd)", "/proc/self"},
      {kTraversal, "(?:win|boot|system)\\.ini", "win.ini"},
      {kTraversal, "=(?:file|php|zip|phar|expect|data|glob)://", "stream wrapper"},
      // Web shells dropped by earlier compromises (the file name alone).
      {kWebShell,
       "/(?:shell|c99|c100|r57|wso|wso2|b374k|alfa|alfa-rex|alfacgiapi|1337|webshell|indoxploit|priv8|leaf|"
       "symlink|up|uploader|cmd|ws|x|xx|xxx|sh|bypass|mini|minishell|marijuana|hax|haxor|zone-h|fox|wp-shell)"
       "\\.(?:php|php5|phtml|asp|aspx|jsp)" END,
       "web shell"},
      {kWebShell, "/[a-z0-9_-]*shell[a-z0-9_-]*\\.(?:php|php5|phtml|asp|aspx|jsp)" END, "web shell"},
      // Injection probes in the query.
      {kInjection, "union(?:\\s|\\+|%20|/\\*\\*/|%2f%2a%2a%2f)+(?:all(?:\\s|\\+|%20)+)?select", "sql union select"},
      {kInjection, "(?:'|%27)(?:\\s|\\+|%20)*(?:or|and)(?:\\s|\\+|%20)+(?:'|%27)?\\d", "sql tautology"},
      {kInjection, "(?:sleep|benchmark|pg_sleep)(?:\\s|%20)*(?:\\(|%28)", "sql timing"},
      {kInjection,
       "(?:load_file|substr|substring|ascii|char|chr|concat|group_concat|distinct|upper|hex|md5|extractvalue|updatexml)"
       "(?:\\s|%20)*(?:\\(|%28)",
       "sql function"},
      {kInjection, "(?:,|%2c)null(?:,|%2c)null", "sql union padding"},
      {kInjection, "(?:@@|%40%40)version|xp_cmdshell|(?:\\|\\||%7c%7c)chr", "sql probe"},
      {kInjection, "waitfor(?:\\s|\\+|%20)+delay", "sql timing"},
      {kInjection, "information_schema", "sql schema"},
      {kInjection, "(?:<|%3c)(?:script|svg|img|iframe|body)", "html injection"},
      {kInjection, "javascript(?::|%3a)", "javascript url"},
      {kInjection, "(?:onerror|onload|onmouseover|onfocus)(?:=|%3d)", "event handler"},
      {kInjection, "(?:alert|prompt|confirm)(?:\\(|%28)", "script call"},
      // Login endpoints (brute force means POSTs to these).
      {kLoginPath,
       "/(?:wp-login\\.php|xmlrpc\\.php|login|signin|sign-in|sign_in|logon|auth|authenticate|session|sessions|"
       "token|oauth/token|j_security_check|user/login|users/sign_in|api/login|api/auth|account/login)(?:/|" END ")",
       "login"},
      // Single requests that exploit (or test for) a known CVE.
      {kCveProbe, "(?:\\$|%24)(?:\\{|%7b)(?:jndi|lower|upper|env|sys|::-|date)(?::|%3a)", "CVE-2021-44228"},
      {kCveProbe, "(?:\\$|%24)(?:\\{|%7b)(?:script|dns|url)(?::|%3a)", "CVE-2022-42889"},
      {kCveProbe, "/(?:\\.|%2e)(?:%2e|%%32%65)/", "CVE-2021-41773"},
      {kCveProbe, "%%32%65", "CVE-2021-42013"},
      {kCveProbe, "class\\.module\\.classloader", "CVE-2022-22965"},
      {kCveProbe, "eval-stdin\\.php", "CVE-2017-9841"},
      {kCveProbe, "^/(?:%24|\\$)(?:%7b|\\{)", "CVE-2022-26134"},
      {kCveProbe, "/(?:server-info\\.action\\?bootstrapstatusprovider|setup/setupadministrator\\.action)",
       "CVE-2023-22515"},
      {kCveProbe, "/json/setup-restore(?:-local|-progress)?\\.action", "CVE-2023-22518"},
      {kCveProbe, "/remote/fgt_lang\\?lang=/\\.\\./", "CVE-2018-13379"},
      {kCveProbe, "/api/v2/cmdb/system/admin", "CVE-2022-40684"},
      {kCveProbe, "/tmui/login\\.jsp/(?:\\.\\.|%2e%2e);/", "CVE-2020-5902"},
      {kCveProbe, "/mgmt/tm/util/bash", "CVE-2022-1388"},
      {kCveProbe, "/dana-na/(?:\\.\\.|%2e%2e)/dana/html5acc/guacamole/", "CVE-2019-11510"},
      {kCveProbe, "/api/v1/totp/user-backup-code/\\.\\./", "CVE-2023-46805"},
      {kCveProbe, "/public/plugins/[^/]+/(?:\\.\\.|%2e%2e)/", "CVE-2021-43798"},
      {kCveProbe, "(?:%5c|\\\\x5c|\\\\)+think(?:%5c|\\\\x5c|\\\\)+(?:app|container|view|request|template)",
       "CVE-2018-20062"},
      {kCveProbe, "\\\\x09hink\\\\x07pp/invokefunction", "CVE-2018-20062"},
      {kCveProbe, "/s/[^/]+/_/;/(?:web-inf|meta-inf)/", "CVE-2021-26086"},
      {kCveProbe, "/catalog-portal/ui/oauth/verify", "CVE-2022-22954"},
      {kCveProbe, "%2fcatalog-portal%2fui%2foauth%2fverify", "CVE-2022-22954"},
      {kCveProbe, "/ui/vcav-bootstrap/rest/vcav-providers/provider-logo\\?url=", "VMSA-2021-0027"},
      {kCveProbe, "/apps/graphapi/vendor/microsoft/microsoft-graph/tests/getphpinfo\\.php", "CVE-2023-49103"},
      {kCveProbe, "/php/ztp_gate\\.php/", "CVE-2024-0012"},
      {kCveProbe, "/index\\.php/\\.js\\.map", "CVE-2024-0012"},
      {kCveProbe, "%3f$", "CVE-2024-38475", true},
      {kCveProbe, "/ghost/api/admin/session", "CVE-2022-41697", true},
      {kCveProbe, "/php/utils/createremoteappwebsession\\.php", "CVE-2024-9474"},
      {kCveProbe, "/unauth/%252e%252e/", "CVE-2025-0108"},
      {kCveProbe, "/service/extension/backup/mboximport", "CVE-2022-37042"},
      {kCveProbe, "/vendor/htmlawed/htmlawed/htmlawedtest\\.php", "CVE-2022-35914"},
      {kCveProbe, "/login/index\\.php\\?login=\\$\\(", "CVE-2022-44877"},
      {kCveProbe, "/index\\.php\\?login=\\$\\(", "CVE-2022-44877"},
      {kCveProbe, "telerik\\.web\\.ui\\.webresource\\.axd\\?type=rau", "CVE-2019-18935"},
      {kCveProbe, "(?:\\?|&)%ad(?:d|%64)", "CVE-2024-4577"},
      {kCveProbe, "/wp-content/plugins/wp-file-manager/lib/php/connector\\.minimal\\.php", "CVE-2020-25213"},
      {kCveProbe, "/_ignition/execute-solution", "CVE-2021-3129", true},
      {kCveProbe, "/global-protect/login\\.esp", "CVE-2024-3400", true},
      {kCveProbe, "/cgi-bin/nas_sharing\\.cgi", "CVE-2024-3272", true},
      {kCveProbe, "/cgi/networkdiag\\.cgi", "CVE-2021-36380", true},
      {kCveProbe, "/setup\\.cgi" END, "CVE-2020-27866", true},
      {kCveProbe, "/hedwig\\.cgi", "CVE-2024-0769", true},
      {kCveProbe, "/developmentserver/metadatauploader", "CVE-2025-31324", true},
      {kCveProbe, "/_layouts/15/toolpane\\.aspx", "CVE-2025-53770", true},
      {kCveProbe, "/goanywhere/lic/accept", "CVE-2023-0669", true},
      {kCveProbe, "/remote_agent\\.php", "CVE-2022-46169", true},
  };
  return kTable;
}

const std::vector<Signature>& agent_signatures() {
  static const std::vector<Signature> kTable = {
      {kScannerAgent, "\\bnikto\\b", "Nikto"},
      {kScannerAgent, "\\bsqlmap\\b", "sqlmap"},
      {kScannerAgent, "\\bnmap\\b|nmap scripting engine", "Nmap"},
      {kScannerAgent, "\\bmasscan\\b", "masscan"},
      {kScannerAgent, "\\bzgrab\\b", "zgrab"},
      {kScannerAgent, "\\bnuclei\\b", "Nuclei"},
      {kScannerAgent, "\\bwpscan\\b", "WPScan"},
      {kScannerAgent, "\\bdirbuster\\b|\\bdirb\\b", "DirBuster"},
      {kScannerAgent, "\\bgobuster\\b", "gobuster"},
      {kScannerAgent, "fuzz faster u fool|\\bffuf\\b", "ffuf"},
      {kScannerAgent, "\\bferoxbuster\\b", "feroxbuster"},
      {kScannerAgent, "\\bwfuzz\\b", "Wfuzz"},
      {kScannerAgent, "\\bacunetix\\b|acunetix-", "Acunetix"},
      {kScannerAgent, "\\bnetsparker\\b|\\binvicti\\b", "Netsparker"},
      {kScannerAgent, "\\bnessus\\b", "Nessus"},
      {kScannerAgent, "\\bopenvas\\b", "OpenVAS"},
      {kScannerAgent, "\\bw3af\\b", "w3af"},
      {kScannerAgent, "\\bwhatweb\\b", "WhatWeb"},
      {kScannerAgent, "\\bhydra\\b", "THC Hydra"},
      {kScannerAgent, "\\bhavij\\b", "Havij"},
      {kScannerAgent, "\\bzmeu\\b", "ZmEu"},
      {kScannerAgent, "morfeus fucking scanner|\\bmorfeus\\b", "Morfeus"},
      {kScannerAgent, "\\bjaeles\\b", "Jaeles"},
      {kScannerAgent, "\\barachni\\b", "Arachni"},
      {kScannerAgent, "\\bskipfish\\b", "skipfish"},
      {kScannerAgent, "\\bcommix\\b", "commix"},
      {kScannerAgent, "\\bxsstrike\\b", "XSStrike"},
      {kScannerAgent, "\\bjoomscan\\b|\\bdroopescan\\b|\\bcmsmap\\b", "CMS scanner"},
      {kScannerAgent, "\\bl9explore\\b|\\bl9tcpid\\b", "LeakIX"},
      {kScannerAgent, "\\bwebfuck\\b|\\bqualys\\b|\\bappscan\\b|\\bburpcollaborator\\b", "vulnerability scanner"},
      {kScannerAgent, "\\bhttpx\\b - open-source project|projectdiscovery", "ProjectDiscovery"},
      {kCveProbe, "(?:\\$|%24)(?:\\{|%7b)(?:jndi|lower|upper|env|sys|::-)(?::|%3a)", "CVE-2021-44228"},
      {kCveProbe, "\\(\\)\\s*\\{\\s*:?\\s*;\\s*\\}\\s*;", "CVE-2014-6271"},
  };
  return kTable;
}

#undef END

namespace {

// A compiled database, shared by every matcher of the process (Hyperscan
// databases are immutable; each matcher has its own scratch space).
struct HsDatabase {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;  // the prototype cloned by each matcher
  std::vector<Signature> table;

  explicit HsDatabase(const std::vector<Signature>& sigs) : table(sigs) {
    std::vector<std::string> patterns;
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    patterns.reserve(sigs.size());
    for (size_t i = 0; i < sigs.size(); ++i) {
      patterns.emplace_back(sigs[i].pattern);
      flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
      ids.push_back(static_cast<unsigned>(i));
    }
    for (const auto& p : patterns) exprs.push_back(p.c_str());
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                         nullptr, &db, &err) != HS_SUCCESS) {
      std::string what = "signature pattern " + std::to_string(err && err->expression >= 0 ? err->expression : -1) +
                         " does not compile: " + (err ? err->message : "?");
      hs_free_compile_error(err);
      throw std::runtime_error(what);
    }
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
      hs_free_database(db);
      throw std::runtime_error("cannot allocate Hyperscan scratch space");
    }
  }
  ~HsDatabase() {
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
  HsDatabase(const HsDatabase&) = delete;
  HsDatabase& operator=(const HsDatabase&) = delete;

  struct Hits {
    const std::vector<Signature>* table;
    uint32_t classes = 0;
    int first_cve = -1;
    int first_agent = -1;
  };

  static int on_match(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
    auto* h = static_cast<Hits*>(ctx);
    uint32_t cls = (*h->table)[id].cls;
    h->classes |= cls;
    if (cls == kCveProbe && (h->first_cve < 0 || static_cast<int>(id) < h->first_cve)) h->first_cve = static_cast<int>(id);
    if (cls == kScannerAgent && (h->first_agent < 0 || static_cast<int>(id) < h->first_agent))
      h->first_agent = static_cast<int>(id);
    return 0;
  }

  Hits scan(std::string_view text, hs_scratch_t* s) const {
    Hits h{&table};
    if (!text.empty())
      hs_scan(db, text.data(), static_cast<unsigned>(std::min<size_t>(text.size(), 1u << 30)), 0, s, on_match, &h);
    return h;
  }
};

const HsDatabase& target_database() {
  static const HsDatabase db(target_signatures());
  return db;
}
const HsDatabase& agent_database() {
  static const HsDatabase db(agent_signatures());
  return db;
}

struct Scratch {
  hs_scratch_t* s = nullptr;
  explicit Scratch(const HsDatabase& db) {
    if (hs_clone_scratch(db.scratch, &s) != HS_SUCCESS) throw std::runtime_error("cannot allocate Hyperscan scratch space");
  }
  ~Scratch() { hs_free_scratch(s); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

}  // namespace

struct SignatureMatcher::Impl {
  const HsDatabase& target = target_database();
  const HsDatabase& agent = agent_database();
  Scratch target_scratch{target};
  Scratch agent_scratch{agent};
  // Direct-mapped memos of verdicts (User-Agents, and targets: most traffic
  // asks for the same few URLs). The text itself is kept and compared, so a
  // crafted hash collision cannot borrow a benign request's verdict.
  struct Verdict {
    uint32_t classes = 0;
    const Signature* cve = nullptr;
    const Signature* scanner = nullptr;
  };
  struct Memo {
    std::string text;
    Verdict verdict;
    bool used = false;
  };
  std::array<Memo, 4096> agent_memo{};
  std::array<Memo, 16384> target_memo{};

  template <size_t N>
  static Verdict lookup(std::array<Memo, N>& memo, const HsDatabase& db, const Scratch& scratch, std::string_view text);
};

namespace {
constexpr size_t kMemoMax = 512;
}  // namespace

SignatureMatcher::SignatureMatcher() : impl_(std::make_unique<Impl>()) {}
SignatureMatcher::~SignatureMatcher() = default;

template <size_t N>
SignatureMatcher::Impl::Verdict SignatureMatcher::Impl::lookup(std::array<Memo, N>& memo, const HsDatabase& db,
                                                               const Scratch& scratch, std::string_view text) {
  auto& m = memo[std::hash<std::string_view>{}(text) & (N - 1)];
  if (m.used && m.text == text) return m.verdict;
  auto h = db.scan(text, scratch.s);
  Verdict v{h.classes, h.first_cve >= 0 ? &db.table[h.first_cve] : nullptr,
            h.first_agent >= 0 ? &db.table[h.first_agent] : nullptr};
  if (text.size() <= kMemoMax) {  // long, mostly unique texts are not kept
    m.text.assign(text);
    m.verdict = v;
    m.used = true;
  }
  return v;
}

void SignatureMatcher::match_target(std::string_view target, MatchResult& out) {
  auto v = Impl::lookup(impl_->target_memo, impl_->target, impl_->target_scratch, target);
  out.classes |= v.classes;
  if (v.cve) out.cve = v.cve;
}

void SignatureMatcher::match_agent(std::string_view agent, MatchResult& out) {
  if (agent.empty() || agent == "-") return;
  auto v = Impl::lookup(impl_->agent_memo, impl_->agent, impl_->agent_scratch, agent);
  out.classes |= v.classes;
  out.scanner = v.scanner;
  if (v.cve && !out.cve) out.cve = v.cve;
}

}  // namespace ig::logs
