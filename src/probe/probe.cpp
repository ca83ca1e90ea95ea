#include "probe/probe.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <atomic>
#include <cstdio>
#include <future>
#include <mutex>

#include "core/cidr.h"
#include "core/text.h"
#include "probe/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace ig::probe {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Warn: return "warn";
    case Status::Error: return "error";
    case Status::Skip: return "skip";
  }
  return "?";
}

Result<Target> parse_target(const std::string& url, const std::vector<std::string>& resolve,
                            std::optional<uint16_t> http_port) {
  Target t;
  t.url = url;
  std::string rest;
  bool https = url.rfind("https://", 0) == 0;
  if (!https) return Error{url + ": only https:// URLs are probed (the plain-HTTP redirect is checked for each)", {}};
  rest = url.substr(8);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    int port = 0;
    try {
      port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      port = 0;
    }
    if (port <= 0 || port > 65535) return Error{url + ": bad port", {}};
    t.port = static_cast<uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Error{url + ": no host", {}};
  t.host = authority;
  t.http_port = http_port.value_or(80);
  // --resolve HOST:PORT:ADDR for the HTTPS port, and for the plain-HTTP port when given.
  for (const auto& r : resolve) {
    size_t a = r.find(':'), b = a == std::string::npos ? a : r.find(':', a + 1);
    if (b == std::string::npos) return Error{"--resolve " + r + ": expected HOST:PORT:ADDRESS", {}};
    std::string host = r.substr(0, a);
    if (host != t.host && host != "*") continue;
    std::string port = r.substr(a + 1, b - a - 1);
    if (port == std::to_string(t.port) && (host == t.host || t.address.empty())) t.address = r.substr(b + 1);
  }
  if (t.address.empty()) {
    if (t.host == "localhost") t.address = "127.0.0.1";
    else if (std::isdigit(static_cast<unsigned char>(t.host[0])) || t.host.find(':') != std::string::npos) t.address = t.host;
    else return Error{url + ": give the address to probe with --resolve " + t.host + ":" + std::to_string(t.port) + ":ADDRESS", {}};
  }
  return t;
}

namespace {

using namespace std::chrono;

// The cap on connections over the whole run, shared by the targets probed at once.
class Budget {
 public:
  explicit Budget(int max) : max_(max) {}
  bool take() {
    int used = used_.load();
    while (used < max_)
      if (used_.compare_exchange_weak(used, used + 1)) return true;
    return false;
  }
  int used() const { return used_.load(); }

 private:
  int max_;
  std::atomic<int> used_{0};
};

// One target's pace: connections at most `rate` per second, and the shared cap.
class Pacer {
 public:
  Pacer(Budget& budget, double rate)
      : budget_(budget), gap_(rate > 0 ? duration<double>(1.0 / rate) : duration<double>(0)) {}
  bool take() {
    if (!budget_.take()) return false;
    auto now = steady_clock::now();
    if (started_ && now - last_ < gap_) std::this_thread::sleep_for(gap_ - (now - last_));
    last_ = steady_clock::now();
    started_ = true;
    return true;
  }
  // Counts against the cap without the pacing (bursts pace themselves).
  bool take_unpaced() { return budget_.take(); }

 private:
  Budget& budget_;
  duration<double> gap_;
  steady_clock::time_point last_{};
  bool started_ = false;
};

struct Prober {
  const ProbeOptions& opts;
  const Target& t;
  Pacer& budget;
  std::vector<Check>& out;

  // Evidence quotes what the server sent: control bytes escaped and cut (ig::safe_text), whatever the check.
  void add(std::string id, Status s, Severity sev, std::string title, const std::string& evidence) {
    out.push_back({std::move(id), s, sev, std::move(title), safe_text(evidence, 4096), {}});
  }

  // A handshake with the target's host as SNI; `suites` are TLS 1.3 suites when version is TLS 1.3.
  TlsRequest tls_request(int version = 0, const std::string& suites = "") const {
    TlsRequest req;
    req.version = version;
    req.sni = t.host;
    req.ca_file = opts.ca_file;
    (version == TLS1_3_VERSION ? req.ciphersuites : req.cipher_list) = suites;
    return req;
  }

  Result<TlsSession> handshake(int version, const std::string& sni) {
    if (!budget.take()) return Error{"request budget spent (--max-requests)", {}};
    TlsRequest req = tls_request(version);
    req.sni = sni;
    return tls_handshake(t.address, t.port, req, opts.timeout);
  }

  static std::string name_of(X509_NAME* n) {
    char buf[512];
    X509_NAME_oneline(n, buf, sizeof buf);
    return buf;
  }

  void protocols(std::map<int, bool>& accepted) {
    struct V {
      int version;
      const char* name;
      const char* id;
      Severity sev;
    };
    const V kVersions[] = {{TLS1_VERSION, "TLS 1.0", "IG901", Severity::High},
                           {TLS1_1_VERSION, "TLS 1.1", "IG902", Severity::Medium},
                           {TLS1_2_VERSION, "TLS 1.2", "IG903", Severity::Info},
                           {TLS1_3_VERSION, "TLS 1.3", "IG904", Severity::Info}};
    add("IG900", Status::Skip, Severity::Info, "SSLv3 not tested",
        "this OpenSSL build has no SSLv3 (Debian compiles it out); the server's SSLv3 cannot be seen from here");
    bool modern = opts.profile == Profile::Modern;
    for (const auto& v : kVersions) {
      auto s = handshake(v.version, t.host);
      accepted[v.version] = s.ok();
      std::string seen = s.ok() ? "handshake completed with " + s->cipher : s.error().message;
      if (v.version <= TLS1_1_VERSION) {
        add(v.id, s.ok() ? Status::Fail : Status::Pass, v.sev, std::string(v.name) + (s.ok() ? " accepted" : " refused"), seen);
      } else if (v.version == TLS1_2_VERSION && modern) {
        add(v.id, s.ok() ? Status::Fail : Status::Pass, Severity::Medium,
            s.ok() ? "TLS 1.2 accepted (Mozilla modern is TLS 1.3 only)" : "TLS 1.2 refused", seen);
      } else if (v.version == TLS1_3_VERSION) {
        add(v.id, s.ok() ? Status::Pass : modern ? Status::Fail : Status::Warn, modern ? Severity::High : Severity::Low,
            s.ok() ? "TLS 1.3 accepted" : "TLS 1.3 not offered", s.ok() ? s->cipher : seen);
      } else {
        add(v.id, s.ok() ? Status::Pass : Status::Warn, Severity::Medium, s.ok() ? "TLS 1.2 accepted" : "TLS 1.2 not offered",
            s.ok() ? s->cipher : seen);
      }
    }
  }

  // The key-exchange groups the server accepts, one handshake per group offered alone; a handshake
  // that completes without using the group (a non-ECDHE suite) does not count.
  void groups() {
    static const char* kGroups[] = {"X25519", "P-256", "P-384", "P-521", "X448",
                                    "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe8192"};
    // Mozilla 6.0 intermediate and modern: X25519MLKEM768 (not in this OpenSSL), X25519, prime256v1, secp384r1.
    static const std::set<std::string> kAllowed = {"x25519", "secp256r1", "secp384r1", "X25519", "P-256", "P-384"};
    std::vector<std::string> accepted, outside;
    for (const char* g : kGroups) {
      if (!budget.take()) break;
      TlsRequest req = tls_request();
      req.groups = g;
      auto s = tls_handshake(t.address, t.port, req, opts.timeout);
      if (!s || s->group.empty()) continue;
      accepted.emplace_back(g);
      if (!kAllowed.count(g)) outside.emplace_back(g);
    }
    if (accepted.empty())
      add("IG908", Status::Skip, Severity::Low, "key-exchange groups not seen", "no handshake used an (EC)DHE group");
    else if (outside.empty())
      add("IG908", Status::Pass, Severity::Low, "key-exchange groups within Mozilla's list", joined(accepted));
    else
      add("IG908", Status::Warn, Severity::Low, "key-exchange groups outside Mozilla's list",
          joined(outside) + " (accepted: " + joined(accepted) + ")");
  }

  // The suites the server accepts for one version, found by offering all and removing each chosen one
  // (at most one handshake per accepted suite, plus one).
  std::vector<std::string> accepted_suites(int version) {
    std::vector<std::string> offer;
    if (version == TLS1_3_VERSION) {
      offer = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
               "TLS_AES_128_CCM_8_SHA256"};
    } else {
      SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
      SSL_CTX_set_security_level(ctx.get(), 0);
      SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
      STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
      for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
        if (std::string_view(SSL_CIPHER_get_version(c)) != "TLSv1.3") offer.emplace_back(SSL_CIPHER_get_name(c));
      }
    }
    std::vector<std::string> accepted;
    while (!offer.empty()) {
      std::string joined;
      for (const auto& c : offer) joined += (joined.empty() ? "" : ":") + c;
      if (!budget.take()) break;
      auto s = tls_handshake(t.address, t.port, tls_request(version, joined), opts.timeout);
      if (!s) break;
      size_t before = offer.size();
      offer.erase(std::remove(offer.begin(), offer.end(), s->cipher), offer.end());
      accepted.push_back(s->cipher);
      if (offer.size() == before) break;  // a suite we did not offer: stop rather than loop
    }
    return accepted;
  }

  static std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& c : v) out += (out.empty() ? "" : ", ") + c;
    return out;
  }

  void suites(const std::map<int, bool>& accepted_versions) {
    // Mozilla Server Side TLS 6.0, intermediate.
    static const std::set<std::string> kIntermediate12 = {
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",  "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"};
    static const std::set<std::string> kIntermediate13 = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                          "TLS_CHACHA20_POLY1305_SHA256"};
    std::map<std::string, std::vector<std::string>> by_suite;  // suite -> the versions that accepted it
    auto verdict = [&](int version, const char* id, const char* name, const std::set<std::string>& allowed) {
      if (!accepted_versions.count(version) || !accepted_versions.at(version)) return;
      auto got = accepted_suites(version);
      for (const auto& c : got) by_suite[c].push_back(name);
      std::vector<std::string> outside;
      for (const auto& c : got)
        if (!allowed.count(c)) outside.push_back(c);
      if (outside.empty())
        add(id, Status::Pass, Severity::Medium, std::string(name) + " suites within Mozilla intermediate",
            std::to_string(got.size()) + " accepted: " + joined(got));
      else
        add(id, Status::Fail, Severity::Medium, std::string(name) + " suites outside Mozilla intermediate",
            std::to_string(outside.size()) + " of " + std::to_string(got.size()) + " outside: " + joined(outside) +
                "; accepted: " + joined(got));
    };
    verdict(TLS1_2_VERSION, "IG905", "TLS 1.2", kIntermediate12);
    verdict(TLS1_3_VERSION, "IG906", "TLS 1.3", kIntermediate13);
    // TLS 1.0/1.1 fail on their own (IG901/IG902); their suites are evidence.
    for (auto [version, name] : {std::pair{TLS1_VERSION, "TLS 1.0"}, std::pair{TLS1_1_VERSION, "TLS 1.1"}}) {
      if (!accepted_versions.count(version) || !accepted_versions.at(version)) continue;
      auto got = accepted_suites(version);
      for (const auto& c : got) by_suite[c].push_back(name);
      add("IG907", Status::Warn, Severity::Info, std::string(name) + " suites accepted", joined(got));
    }
    cipher_categories(by_suite);
  }

  // testssl.sh's cipher categories, as OpenSSL expands the cipher strings that define them, with testssl's
  // ratings: NULL, anonymous and export suites critical, LOW (64-bit, DES, RC2, RC4) high, 3DES and IDEA
  // medium, obsolete CBC low. A suite is in the first category that holds it.
  void cipher_categories(const std::map<std::string, std::vector<std::string>>& by_suite) {
    struct Category {
      const char* name;
      const char* openssl;
      Severity severity;
    };
    static const Category kCategories[] = {
        {"NULL (no encryption)", "NULL:eNULL", Severity::Critical},
        {"anonymous (no authentication)", "aNULL:ADH", Severity::Critical},
        {"export", "EXPORT:!ADH:!NULL", Severity::Critical},
        {"LOW (64-bit, DES, RC2, RC4)", "LOW:DES:RC2:RC4:!ADH:!EXP:!NULL:!eNULL", Severity::High},
        {"3DES or IDEA", "3DES:IDEA:!aNULL:!ADH", Severity::Medium},
        {"obsolete CBC", "HIGH:MEDIUM:AES:CAMELLIA:ARIA:!IDEA:!CHACHA20:!3DES:!RC2:!RC4:!AESCCM8:!AESCCM:!AESGCM:!ARIAGCM:!aNULL",
         Severity::Low},
    };
    if (by_suite.empty()) return;
    std::set<std::string> placed;
    bool any = false;
    for (const Category& cat : kCategories) {
      std::set<std::string> members = openssl_suites(cat.openssl);
      std::vector<std::string> hit;
      for (const auto& [suite, versions] : by_suite) {
        if (!members.count(suite) || !placed.insert(suite).second) continue;
        std::string v;
        for (const auto& n : versions) v += (v.empty() ? "" : ", ") + n;
        hit.push_back(suite + " (" + v + ")");
      }
      if (hit.empty()) continue;
      any = true;
      add("IG909", Status::Fail, cat.severity, std::string(cat.name) + " suites accepted", joined(hit));
    }
    if (!any)
      add("IG909", Status::Pass, Severity::Critical,
          "no NULL, anonymous, export, LOW, 3DES/IDEA or obsolete CBC suites accepted", "");
  }

  // The TLS 1.2-and-older suites an OpenSSL cipher string names (security level 0: every suite it knows).
  static std::set<std::string> openssl_suites(const char* spec) {
    std::set<std::string> out;
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return out;
    SSL_CTX_set_security_level(ctx.get(), 0);
    if (SSL_CTX_set_cipher_list(ctx.get(), (std::string(spec) + ":@SECLEVEL=0").c_str()) != 1) {
      ERR_clear_error();  // nothing of that kind in this OpenSSL (export suites)
      return out;
    }
    STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
      if (std::string_view(SSL_CIPHER_get_version(c)) != "TLSv1.3") out.emplace(SSL_CIPHER_get_name(c));
    }
    return out;
  }

  void certificate(TlsSession& s) {
    X509* cert = s.peer.get();
    if (!cert) {
      add("IG910", Status::Error, Severity::High, "no certificate presented", "");
      return;
    }
    std::string subject = name_of(X509_get_subject_name(cert));
    bool trusted = s.verify_result == X509_V_OK;
    add("IG910", trusted ? Status::Pass : Status::Fail, Severity::High,
        trusted ? "certificate chain trusted" : "certificate chain not trusted",
        subject + (trusted ? "" : ": " + std::string(X509_verify_cert_error_string(s.verify_result))));
    int days = 0, secs = 0;
    ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert));
    int lifetime_days = 0, lifetime_secs = 0;
    ASN1_TIME_diff(&lifetime_days, &lifetime_secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
    if (days < 0 || (days == 0 && secs < 0))
      add("IG911", Status::Fail, Severity::Critical, "certificate expired", std::to_string(-days) + " days ago");
    else if (days < 30)
      add("IG911", Status::Warn, Severity::Medium, "certificate expires soon", "in " + std::to_string(days) + " days");
    else if (lifetime_days > 366)
      add("IG911", Status::Warn, Severity::Low, "certificate lifetime above 366 days",
          std::to_string(lifetime_days) + " days (Mozilla: at most 366, 90 advised)");
    else if (opts.profile == Profile::Modern && lifetime_days > 90)
      add("IG911", Status::Warn, Severity::Low, "certificate lifetime above 90 days (Mozilla modern)",
          std::to_string(lifetime_days) + " days");
    else
      add("IG911", Status::Pass, Severity::Critical, "certificate valid", "expires in " + std::to_string(days) + " days");
    bool matches = X509_check_host(cert, t.host.c_str(), t.host.size(), 0, nullptr) == 1;
    add("IG912", matches ? Status::Pass : Status::Fail, Severity::High,
        matches ? "certificate names the host" : "certificate does not name the host", t.host + " vs " + subject);
    EVP_PKEY* key = X509_get0_pubkey(cert);
    int bits = key ? EVP_PKEY_get_bits(key) : 0;
    int type = key ? EVP_PKEY_get_base_id(key) : 0;
    bool weak_key = (type == EVP_PKEY_RSA && bits < 2048) || (type == EVP_PKEY_EC && bits < 256);
    std::string key_text =
        std::string(type == EVP_PKEY_RSA ? "RSA " : type == EVP_PKEY_EC ? "EC " : "key ") + std::to_string(bits) + " bits";
    if (weak_key)
      add("IG913", Status::Fail, Severity::High, "weak certificate key", key_text);
    else if (opts.profile == Profile::Modern && type != EVP_PKEY_EC)
      add("IG913", Status::Warn, Severity::Low, "certificate key is not ECDSA (Mozilla modern)", key_text);
    else
      add("IG913", Status::Pass, Severity::High, "certificate key size", key_text);
    int nid = X509_get_signature_nid(cert);
    int md = NID_undef, pk = NID_undef;
    OBJ_find_sigid_algs(nid, &md, &pk);
    bool weak_sig = md == NID_sha1 || md == NID_md5;
    bool self_signed = X509_check_issued(cert, cert) == X509_V_OK;
    add("IG914", weak_sig && !self_signed ? Status::Fail : Status::Pass, Severity::High,
        weak_sig && !self_signed ? "certificate signed with SHA-1 or MD5" : "certificate signature algorithm", OBJ_nid2ln(nid));
    bool fake = subject.find("Kubernetes Ingress Controller Fake Certificate") != std::string::npos;
    add("IG915", fake ? Status::Fail : Status::Pass, Severity::High,
        fake ? "ingress-nginx's fake certificate is served (the TLS Secret is missing or invalid)"
             : "not ingress-nginx's fake certificate",
        subject);
    add("IG916", Status::Pass, Severity::Info,
        s.client_cert_requested ? "server asks for a client certificate" : "no client certificate asked for",
        s.client_cert_requested ? "CertificateRequest received" : "");
  }

  void unknown_sni(TlsSession& real) {
    auto s = handshake(0, "ingressguard-probe.invalid");
    if (!s) {
      add("IG917", Status::Pass, Severity::Low, "unknown SNI refused", s.error().message);
      return;
    }
    bool same = s->peer && real.peer && X509_cmp(s->peer.get(), real.peer.get()) == 0;
    add("IG917", same ? Status::Warn : Status::Pass, Severity::Low,
        same ? "unknown SNI gets this host's certificate" : "unknown SNI gets another certificate",
        s->peer ? name_of(X509_get_subject_name(s->peer.get())) : "no certificate");
  }

  Result<HttpResponse> get(const std::string& host, const std::string& path) { return request(host, path, {}, true); }

  // One request to the target over TLS (or plain HTTP when the Ingress declares no TLS).
  Result<HttpResponse> request(const std::string& host, const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& headers, bool paced,
                               std::string* local_address = nullptr) {
    if (!(paced ? budget.take() : budget.take_unpaced())) return Error{"request budget spent (--max-requests)", {}};
    if (t.tls) {
      auto s = tls_handshake(t.address, t.port, tls_request(), opts.timeout);
      if (!s) return s.error();
      if (local_address) *local_address = local_of(s->socket.get());
      Socket none;
      return http_exchange(none, &*s, "GET", host, path, headers, opts.timeout);
    }
    auto sock = connect_tcp(t.address, t.http_port, opts.timeout);
    if (!sock) return sock.error();
    if (local_address) *local_address = local_of(sock->get());
    return http_exchange(*sock, nullptr, "GET", host, path, headers, opts.timeout);
  }

  static std::string local_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
    else inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
    return buf;
  }

  // --- declared versus enforced (--from) ---

  void enforcement() {
    const Expectation& ex = *t.expect;
    std::string own;
    auto baseline = request(t.host, t.path, {}, true, &own);
    if (!baseline) {
      add("IG940", Status::Error, Severity::High, "request for the declared route failed", baseline.error().message + " (" + ex.source + ")");
      return;
    }
    if (!ex.allow_ranges.empty()) allowlist(ex, own, *baseline);
    if (!ex.auth.empty()) {
      int st = baseline->status;
      bool enforced = st == 401 || st == 403 || st == 302 || st == 303 || st == 307;
      if (!ex.allow_ranges.empty() && st == 403)
        add("IG942", Status::Skip, Severity::High, "auth not checked: the allowlist answers first", ex.source);
      else
        add("IG942", enforced ? Status::Pass : Status::Fail, Severity::High,
            enforced ? "declared auth is enforced" : "declared auth is not enforced: answered without credentials",
            "status " + std::to_string(st) + " for " + ex.auth + " (" + ex.source + ")");
    }
    if (ex.limit_rps > 0 || ex.limit_rpm > 0) rate_limit(ex);
    if (ex.limit_connections > 0) connection_limit(ex);
    if (ex.client_cert) {
      bool asked = false;
      if (t.tls) {
        auto s = handshake(0, t.host);
        asked = s && s->client_cert_requested;
      }
      bool refused = baseline->status == 400 && baseline->body.find("No required SSL certificate") != std::string::npos;
      add("IG946", asked || refused ? Status::Pass : Status::Fail, Severity::High,
          asked || refused ? "declared client certificates are required" : "declared client certificates are not required",
          std::string(asked ? "CertificateRequest received; " : "") + "status " + std::to_string(baseline->status) + " (" + ex.source + ")");
    }
  }

  static bool in_range(const std::string& address, const std::string& cidr) {
    auto a = parse_ip(address);
    auto r = parse_cidr(cidr);
    return a && r && r->contains(*a);
  }

  // An address inside the allowlist, to claim in spoofed headers.
  static std::string inside(const std::string& cidr) {
    std::string net = cidr.substr(0, cidr.find('/'));
    unsigned char a[4];
    if (inet_pton(AF_INET, net.c_str(), a) != 1) return net;
    if (cidr.find('/') != std::string::npos && std::atoi(cidr.c_str() + cidr.find('/') + 1) < 32) a[3] |= 1;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, a, buf, sizeof buf);
    return buf;
  }

  void allowlist(const Expectation& ex, const std::string& own, const HttpResponse& baseline) {
    std::string ranges;
    for (const auto& r : ex.allow_ranges) ranges += (ranges.empty() ? "" : ",") + r;
    for (const auto& r : ex.allow_ranges) {
      if (in_range(own, r)) {
        add("IG940", Status::Skip, Severity::High, "allowlist not checked: the prober is inside it",
            own + " is in " + r + "; probe from outside the range (" + ex.source + ")");
        return;
      }
    }
    bool enforced = baseline.status == 403;
    add("IG940", enforced ? Status::Pass : Status::Fail, Severity::High,
        enforced ? "declared allowlist is enforced" : "declared allowlist is not enforced",
        "from " + own + " (outside " + ranges + "): status " + std::to_string(baseline.status) + " (" + ex.source + ")");
    if (!enforced) return;
    std::string claim = inside(ex.allow_ranges.front());
    std::string bypassed;
    for (const auto& h : std::vector<std::pair<std::string, std::string>>{
             {"X-Forwarded-For", claim}, {"X-Real-IP", claim}, {"Forwarded", "for=" + claim}}) {
      auto r = request(t.host, t.path, {h}, true);
      if (r && r->status != 403) bypassed += (bypassed.empty() ? "" : ", ") + h.first + ": " + h.second + " -> " + std::to_string(r->status);
    }
    add("IG941", bypassed.empty() ? Status::Pass : Status::Fail, Severity::Critical,
        bypassed.empty() ? "spoofed client-address headers do not open the allowlist"
                         : "spoofed client-address headers open the allowlist",
        (bypassed.empty() ? "X-Forwarded-For, X-Real-IP, Forwarded claiming " + claim + ": 403" : bypassed) + " (" + ex.source + ")");
  }

  // Sends up to `n` requests within 4 s; true when one is answered 429 or 503.
  bool burst(int n, bool spoof, int& sent, int& limited_status) {
    auto start = steady_clock::now();
    auto gap = duration<double>(4.0 / n);
    for (int i = 0; i < n; ++i) {
      std::this_thread::sleep_until(start + duration_cast<steady_clock::duration>(gap * i));
      std::vector<std::pair<std::string, std::string>> headers;
      if (spoof) {
        std::string fake = "10.77." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250);
        headers = {{"X-Forwarded-For", fake}, {"X-Real-IP", fake}};
      }
      auto r = request(t.host, t.path, headers, false);
      if (!r) {
        if (r.error().message.find("budget") != std::string::npos) return false;
        continue;
      }
      ++sent;
      if (r->status == 429 || r->status == 503) {
        limited_status = r->status;
        return true;
      }
    }
    return false;
  }

  void rate_limit(const Expectation& ex) {
    double per_second = ex.limit_rps > 0 ? ex.limit_rps : ex.limit_rpm / 60.0;
    int n = std::clamp(static_cast<int>(3 * per_second), 50, 150);
    std::string declared = ex.limit_rps > 0 ? "limit-rps " + std::to_string(static_cast<int>(ex.limit_rps))
                                            : "limit-rpm " + std::to_string(static_cast<int>(ex.limit_rpm));
    // Spoofed first: a limiter that trusts X-Forwarded-For sees fifty clients and never limits; one that
    // does not has counted our address, and the plain burst after it is limited at once.
    int sent_spoofed = 0, status_spoofed = 0, sent = 0, status = 0;
    bool spoof_limited = burst(n, true, sent_spoofed, status_spoofed);
    bool limited = burst(n, false, sent, status);
    add("IG943", limited ? Status::Pass : Status::Fail, Severity::High,
        limited ? "declared rate limit is enforced" : "declared rate limit is not enforced",
        (limited ? "answered " + std::to_string(status) + " after " : "no 429/503 in ") + std::to_string(sent) +
            " requests (" + declared + "; " + ex.source + ")");
    if (limited)
      add("IG944", spoof_limited ? Status::Pass : Status::Fail, Severity::High,
          spoof_limited ? "spoofed client-address headers do not escape the rate limit"
                        : "spoofed client-address headers escape the rate limit",
          std::to_string(sent_spoofed) + " requests with a new X-Forwarded-For each: " +
              (spoof_limited ? "answered " + std::to_string(status_spoofed) : "never limited") + " (" + ex.source + ")");
  }

  // limit-connections: up to 3x the limit (20 to 150) requests held in flight at once, sent within
  // 4 s before any answer is read; one of them must be refused with 429/503.
  void connection_limit(const Expectation& ex) {
    int n = std::clamp(static_cast<int>(3 * ex.limit_connections), 20, 150);
    struct Held {
      Socket plain;
      std::optional<TlsSession> tls;
    };
    std::vector<Held> held;
    auto start = steady_clock::now();
    for (int i = 0; i < n && steady_clock::now() - start < 4s; ++i) {
      if (!budget.take_unpaced()) break;
      Held h;
      if (t.tls) {
        auto s = tls_handshake(t.address, t.port, tls_request(), opts.timeout);
        if (!s) continue;
        h.tls = std::move(*s);
      } else {
        auto s = connect_tcp(t.address, t.http_port, opts.timeout);
        if (!s) continue;
        h.plain = std::move(*s);
      }
      if (send_request(h.plain, h.tls ? &*h.tls : nullptr, "GET", t.host, t.path, {}, opts.timeout))
        held.push_back(std::move(h));
    }
    int answered = 0, refused = 0, refused_status = 0;
    auto deadline = steady_clock::now() + opts.timeout;
    for (auto& h : held) {
      auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left <= 0ms) break;
      auto r = read_response(h.plain, h.tls ? &*h.tls : nullptr, false, left);
      if (!r) continue;
      ++answered;
      if (r->status == 429 || r->status == 503) {
        ++refused;
        refused_status = r->status;
      }
    }
    std::string declared = "limit-connections " + std::to_string(static_cast<int>(ex.limit_connections));
    if (refused > 0)
      add("IG945", Status::Pass, Severity::Medium, "declared connection limit is enforced",
          std::to_string(refused) + " of " + std::to_string(held.size()) + " requests in flight answered " +
              std::to_string(refused_status) + " (" + declared + "; " + ex.source + ")");
    else
      // A backend that answers at once finishes each request before the next arrives, so no refusal
      // is not proof of a missing limit: a warning, not a failure.
      add("IG945", Status::Warn, Severity::Medium, "declared connection limit not seen",
          std::to_string(held.size()) + " requests in flight, " + std::to_string(answered) +
              " answered, none with 429/503 (" + declared + "; " + ex.source + ")");
  }

  void headers() {
    auto r = get(t.host, t.path);
    if (!r) {
      add("IG920", Status::Error, Severity::Medium, "HTTPS request failed", r.error().message);
      return;
    }
    auto h = [&](const char* name) -> std::string {
      auto it = r->headers.find(name);
      return it == r->headers.end() ? "" : it->second;
    };
    std::string hsts = h("strict-transport-security");
    long long max_age = hsts_max_age(hsts).value_or(-1);
    const std::string& shown = hsts;
    if (hsts.empty()) add("IG920", Status::Fail, Severity::Medium, "no HSTS header", "status " + std::to_string(r->status));
    else if (max_age < 31536000) add("IG920", Status::Warn, Severity::Medium, "HSTS max-age below one year", shown);
    else if (max_age < 63072000) add("IG920", Status::Warn, Severity::Low, "HSTS max-age below two years (Mozilla)", shown);
    else add("IG920", Status::Pass, Severity::Medium, "HSTS", shown);
    std::string xcto = h("x-content-type-options");
    add("IG921", xcto == "nosniff" ? Status::Pass : Status::Warn, Severity::Low,
        xcto == "nosniff" ? "X-Content-Type-Options nosniff" : "no X-Content-Type-Options: nosniff", xcto);
    std::string xfo = h("x-frame-options"), csp = h("content-security-policy");
    bool framed = !xfo.empty() || csp.find("frame-ancestors") != std::string::npos;
    add("IG922", framed ? Status::Pass : Status::Warn, Severity::Low, framed ? "frame protection" : "no frame protection",
        framed ? (xfo.empty() ? csp : xfo) : "neither X-Frame-Options nor CSP frame-ancestors");
    std::string rp = h("referrer-policy");
    add("IG923", rp.empty() ? Status::Warn : Status::Pass, Severity::Info, rp.empty() ? "no Referrer-Policy" : "Referrer-Policy", rp);
    cors();
    std::string server = h("server");
    bool discloses = discloses_version(server);
    add("IG924", discloses ? Status::Warn : Status::Pass, Severity::Low,
        discloses ? "Server header discloses a version" : "no version in the Server header", server);
  }

  // A site that echoes any Origin back with credentials allowed lets every other site read its
  // users' data with their cookies.
  void cors() {
    const std::string origin = "https://ingressguard-probe.invalid";
    auto r = request(t.host, t.path, {{"Origin", origin}}, true);
    if (!r) {
      add("IG928", Status::Error, Severity::High, "CORS request failed", r.error().message);
      return;
    }
    auto find = [&](const char* k) { return r->headers.count(k) ? r->headers.at(k) : std::string(); };
    std::string allow = find("access-control-allow-origin"), creds = find("access-control-allow-credentials");
    bool reflects = allow == origin || allow == "*";
    bool with_creds = creds == "true";
    if (allow == origin && with_creds)
      add("IG928", Status::Fail, Severity::High, "CORS reflects any Origin with credentials",
          "Access-Control-Allow-Origin: " + allow + ", Access-Control-Allow-Credentials: true");
    else if (reflects)
      add("IG928", Status::Warn, Severity::Low, "CORS allows any Origin (without credentials)",
          "Access-Control-Allow-Origin: " + allow);
    else
      add("IG928", Status::Pass, Severity::High, "CORS does not open to an unknown Origin",
          allow.empty() ? "no Access-Control-Allow-Origin" : "Access-Control-Allow-Origin: " + allow);
  }

  void redirect() {
    if (!budget.take()) {
      add("IG925", Status::Skip, Severity::Medium, "plain-HTTP redirect not checked", "request budget spent");
      return;
    }
    auto sock = connect_tcp(t.address, t.http_port, opts.timeout);
    if (!sock) {
      add("IG925", Status::Pass, Severity::Medium, "nothing served over plain HTTP", sock.error().message);
      return;
    }
    auto r = http_exchange(*sock, nullptr, "GET", t.host, t.path, {}, opts.timeout);
    if (!r) {
      add("IG925", Status::Error, Severity::Medium, "plain-HTTP request failed", r.error().message);
      return;
    }
    std::string loc = r->headers.count("location") ? r->headers["location"] : "";
    bool https_same_host = loc.rfind("https://" + t.host, 0) == 0;
    if ((r->status == 301 || r->status == 308) && https_same_host)
      add("IG925", Status::Pass, Severity::Medium, "plain HTTP redirects to HTTPS", std::to_string(r->status) + " " + loc);
    else if ((r->status == 302 || r->status == 307) && https_same_host)
      add("IG925", Status::Warn, Severity::Low, "plain HTTP redirects to HTTPS with a temporary redirect",
          std::to_string(r->status) + " " + loc);
    else
      add("IG925", Status::Fail, Severity::Medium, "plain HTTP is served without a redirect to HTTPS on the same host",
          std::to_string(r->status) + (loc.empty() ? "" : " " + loc));
  }

  void unknown_host() {
    auto r = get("ingressguard-probe.invalid", "/");
    if (!r) {
      add("IG926", Status::Error, Severity::Medium, "request with an unknown Host failed", r.error().message);
      return;
    }
    bool app = r->status >= 200 && r->status < 300;
    add("IG926", app ? Status::Warn : Status::Pass, Severity::Medium,
        app ? "an unknown Host header reaches an application" : "an unknown Host header gets no application",
        "status " + std::to_string(r->status));
  }

  void sensitive_paths() {
    // An application that answers 200 to every path (a SPA's index) is not exposing files: a path that
    // cannot exist gives the baseline, and only an answer unlike it counts.
    // A pass needs every answer: a path that was not answered (budget spent, reset, timeout) proves nothing.
    auto baseline = get(t.host, "/ingressguard-probe-does-not-exist-7f3a");
    std::string open, unanswered, why;
    bool budget_spent = false;
    auto missed = [&](const std::string& path, const Error& e) {
      unanswered += (unanswered.empty() ? "" : ", ") + path;
      if (why.empty()) why = e.message;
      budget_spent |= e.message.find("budget") != std::string::npos;
    };
    if (!baseline) missed("the baseline path", baseline.error());
    for (const char* p : {"/.env", "/.git/config", "/server-status", "/admin"}) {
      auto r = get(t.host, p);
      if (!r) {
        missed(p, r.error());
        continue;
      }
      bool like_baseline = baseline && baseline->status == r->status && baseline->body == r->body;
      if (r->status == 200 && !r->body.empty() && !like_baseline) open += (open.empty() ? "" : ", ") + std::string(p);
    }
    if (!open.empty())
      add("IG927", Status::Fail, Severity::High, "sensitive paths answered 200 without auth",
          open + (baseline ? "" : " (the baseline path was not answered: a catch-all page is not ruled out)"));
    else if (!unanswered.empty())
      add("IG927", budget_spent ? Status::Skip : Status::Error, Severity::High,
          budget_spent ? "sensitive paths not checked" : "sensitive paths not answered",
          "no answer for " + unanswered + ": " + why);
    else
      add("IG927", Status::Pass, Severity::High, "no sensitive path answered 200", "");
  }
};

}  // namespace

namespace {

// Protocol, suite and group checks are shared by the hosts of one TLS configuration, told apart
// from outside by the listener (address and port), the certificate served and a declared
// ssl-ciphers annotation: nginx picks the suites of the server the SNI names (measured), so a
// host with its own certificate or ciphers is measured again, while the hundreds of hosts of one
// controller sharing a certificate are measured once.
class ListenerCache {
 public:
  struct Entry {
    std::mutex mu;
    bool done = false;
    std::string measured_on;
    std::vector<Check> checks;
  };
  std::shared_ptr<Entry> entry(const std::string& key) {
    std::lock_guard lock(mu_);
    auto& e = entries_[key];
    if (!e) e = std::make_shared<Entry>();
    return e;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

// TLS-only handshakes reach the controller, not the applications behind it: they have their own pace.
std::vector<Check> listener_checks(const ProbeOptions& opts, const Target& t, const TlsSession& first, Budget& budget,
                                   ListenerCache& cache) {
  std::vector<Check> out;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (first.peer) X509_digest(first.peer.get(), EVP_sha256(), md, &md_len);
  std::string key = t.address + ":" + std::to_string(t.port) + "|" + std::string(reinterpret_cast<char*>(md), md_len) + "|" +
                    (t.expect ? t.expect->ssl_ciphers : "");
  auto e = cache.entry(key);
  std::lock_guard lock(e->mu);
  if (!e->done) {
    Pacer pacer(budget, opts.tls_rate);
    Prober p{opts, t, pacer, e->checks};
    std::map<int, bool> accepted;
    p.protocols(accepted);
    p.suites(accepted);
    p.groups();
    e->done = true;
    e->measured_on = t.url;
    return e->checks;
  }
  for (Check c : e->checks) {
    c.measured_on = e->measured_on;
    out.push_back(std::move(c));
  }
  return out;
}

void probe_one(const ProbeOptions& opts, const Target& t, Budget& budget, ListenerCache& cache, TargetReport& tr) {
  Pacer pacer(budget, opts.rate);
  Prober p{opts, t, pacer, tr.checks};
  if (!t.tls) {
    p.add("IG931", Status::Skip, Severity::Info, "TLS not checked: the Ingress declares no TLS for this host",
          t.expect ? t.expect->source : "");
    if (t.expect) p.enforcement();
    return;
  }
  auto first = p.handshake(0, t.host);
  if (!first) {
    p.add("IG930", Status::Error, Severity::High, "TLS endpoint unreachable", first.error().message);
    return;
  }
  // The listener's checks run beside this host's own, each at its own pace; the report lists them first.
  auto listener = std::async(std::launch::async, [&] { return listener_checks(opts, t, *first, budget, cache); });
  p.certificate(*first);
  p.unknown_sni(*first);
  p.headers();
  p.redirect();
  p.unknown_host();
  p.sensitive_paths();
  if (t.expect) p.enforcement();
  auto shared = listener.get();
  tr.checks.insert(tr.checks.begin(), shared.begin(), shared.end());
}

}  // namespace

Report run_probe(const ProbeOptions& opts, const std::vector<Target>& targets) {
  Report report;
  Budget budget(opts.max_requests);
  ListenerCache cache;
  report.targets.resize(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) report.targets[i].target = targets[i];
  // Targets are probed several at once (each at its own pace); results keep the input order.
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mu;
  bool progress = opts.progress && targets.size() > 1;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < targets.size();) {
      probe_one(opts, targets[i], budget, cache, report.targets[i]);
      size_t d = done.fetch_add(1) + 1;
      if (progress) {
        std::lock_guard lock(progress_mu);
        std::fprintf(stderr, "\rprobing: %zu/%zu targets, %d connections", d, targets.size(), budget.used());
        std::fflush(stderr);
      }
    }
  };
  size_t n = std::min<size_t>(std::max(1, opts.concurrency), targets.size());
  std::vector<std::thread> pool;
  for (size_t i = 1; i < n; ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (progress) std::fprintf(stderr, "\n");
  report.requests = budget.used();
  return report;
}

void write_report_text(std::ostream& out, const Report& r, bool color) {
  auto status_color = [&](const Check& c) -> std::string_view {
    if (!color) return "";
    switch (c.status) {
      case Status::Fail:
      case Status::Warn: return ig::terminal_color(c.severity);
      case Status::Pass: return "\x1b[32m";
      case Status::Error: return "\x1b[1;31m";
      case Status::Skip: return "\x1b[2m";
    }
    return "";
  };
  const std::string_view reset = color ? ig::kTerminalReset : "";
  const std::string_view bold = color ? "\x1b[1m" : "";
  for (const auto& t : r.targets) {
    out << bold << terminal_text(t.target.url) << reset << " (" << terminal_text(t.target.address) << ":"
        << (t.target.tls ? t.target.port : t.target.http_port) << ")\n";
    for (const auto& c : t.checks) {
      out << "  " << status_color(c) << to_string(c.status) << reset << std::string(6 - to_string(c.status).size(), ' ')
          << c.id << ' ';
      if (c.status == Status::Fail || c.status == Status::Warn) out << '[' << ig::to_string(c.severity) << "] ";
      out << terminal_text(c.title);
      // Long evidence (suite lists) is cut here; --format json keeps all of it.
      constexpr size_t kMax = 320;
      if (!c.measured_on.empty())
        out << " (as measured on " << terminal_text(c.measured_on) << ": same listener and certificate)";
      else if (c.evidence.size() > kMax)
        out << ": " << terminal_text(c.evidence.substr(0, kMax)) << "... (" << c.evidence.size() - kMax
            << " more characters in --format json)";
      else if (!c.evidence.empty())
        out << ": " << terminal_text(c.evidence);
      out << '\n';
    }
  }
  out << r.targets.size() << " target(s), " << r.requests << " connections\n";
}

void write_report_json(std::ostream& out, const Report& r) {
  nlohmann::ordered_json j;
  auto targets = nlohmann::ordered_json::array();
  std::map<std::string, int> counts;
  for (const auto& t : r.targets) {
    auto checks = nlohmann::ordered_json::array();
    for (const auto& c : t.checks) {
      checks.push_back({{"id", c.id},
                        {"status", to_string(c.status)},
                        {"severity", ig::to_string(c.severity)},
                        {"title", c.title},
                        {"evidence", c.evidence}});
      if (!c.measured_on.empty()) checks.back()["measured_on"] = c.measured_on;
      ++counts[std::string(to_string(c.status))];
    }
    targets.push_back({{"url", t.target.url},
                       {"address", t.target.address + ":" + std::to_string(t.target.tls ? t.target.port : t.target.http_port)},
                       {"checks", std::move(checks)}});
  }
  j["targets"] = std::move(targets);
  nlohmann::ordered_json summary = {{"targets", r.targets.size()}, {"connections", r.requests}};
  for (const char* s : {"pass", "fail", "warn", "error", "skip"}) summary[s] = counts[s];
  j["summary"] = std::move(summary);
  out << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace ig::probe
