#include "logs/analyzer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "logs/bounded_map.h"
#include "logs/signatures.h"

namespace ig::logs {

const std::array<DetectorInfo, kDetectorCount>& detector_catalog() {
  static const std::array<DetectorInfo, kDetectorCount> kCatalog = {{
      {"IG801", "http-probing", "Client scanning for paths (404/403/400 on distinct URLs)", Severity::Medium,
       "404, 403 and 400 answers to one client on one service for distinct non-static URLs (and nginx "
       "'forbidden by rule' / 'not found' error-log events)",
       "CrowdSec crowdsecurity/http-probing; fail2ban nginx-botsearch"},
      {"IG802", "sensitive-files", "Client probing for secrets left in the web root", Severity::High,
       "requests for distinct paths ending in .env, .git/config, .htpasswd, SQL dumps, backups, keys and "
       "the like, whatever the answer; critical when one was answered 2xx",
       "CrowdSec crowdsecurity/http-sensitive-files"},
      {"IG803", "path-traversal", "Path traversal attempts", Severity::High,
       "distinct URLs with ../ (plain, encoded, double-encoded), /etc/passwd, win.ini or stream wrappers",
       "CrowdSec crowdsecurity/http-path-traversal-probing; CWE-22"},
      {"IG804", "scanner-user-agent", "Known attack tool in the User-Agent", Severity::Medium,
       "requests whose User-Agent names a scanner (Nikto, sqlmap, Nuclei, zgrab, ...)",
       "CrowdSec crowdsecurity/http-bad-user-agent"},
      {"IG805", "auth-brute-force", "Authentication brute force", Severity::High,
       "401 answers, POSTs answered 403, POSTs to login endpoints, and nginx basic-auth failures in the "
       "error log, per client (the error-log line and the 401 of one basic-auth attempt count once); when most "
       "are 401s of ordinary calls rather than credential endpoints (login, token, basic auth), only if they are "
       "a real share of the client's own requests (min-failure-ratio), so a busy NAT is not a brute force",
       "CrowdSec http-generic-bf; fail2ban nginx-http-auth"},
      {"IG806", "malformed-requests", "Malformed requests (400s, binary junk, TLS on the plain-HTTP port)",
       Severity::Medium,
       "400 answers, request lines that are not METHOD target HTTP/x.y, binary bytes, TLS ClientHellos sent "
       "to the HTTP port, invalid HTTP versions, TLS handshake failures",
       "fail2ban nginx-bad-request; CrowdSec http-dos-invalid-http-versions"},
      {"IG807", "rate-limit-exceeded", "Client repeatedly over the rate limit", Severity::Medium,
       "429 answers and nginx 'limiting/delaying requests' error-log events per client",
       "CrowdSec crowdsecurity/nginx-req-limit-exceeded; fail2ban nginx-limit-req"},
      {"IG808", "open-proxy-probe", "Open-proxy probe (CONNECT or absolute URL refused)", Severity::Low,
       "a CONNECT or absolute-URL request answered 400/405", "CrowdSec crowdsecurity/http-open-proxy"},
      {"IG809", "cve-probe", "Request matching a known exploit", Severity::High,
       "one request matching the signature of a known CVE exploit (Log4Shell, Spring4Shell, Confluence OGNL, "
       "Apache and appliance traversals, ...); product endpoints count only when answered 403/404",
       "CrowdSec http-cve collection"},
      {"IG810", "injection-probe", "SQL injection or XSS probing in URLs", Severity::High,
       "distinct URLs carrying SQL injection or script injection payloads",
       "CrowdSec http-sqli-probing, http-xss-probing; CWE-89, CWE-79"},
      {"IG811", "web-shell-probe", "Client looking for web shells", Severity::High,
       "requests for file names of well-known web shells (c99.php, wso.php, shell.php, ...)",
       "CrowdSec crowdsecurity/http-backdoors-attempts"},
      {"IG820", "traffic-spike", "Traffic spike against the learned baseline", Severity::Medium,
       "requests per window for the whole log against an exponentially weighted baseline of past windows", ""},
      {"IG821", "service-traffic-spike", "Traffic spike on one service", Severity::Medium,
       "requests per window for one service (ingress-nginx upstream, Traefik service, Host) against its baseline",
       ""},
      {"IG822", "upstream-5xx-spike", "5xx spike on one upstream", Severity::High,
       "5xx answers per window for one service against its baseline, with a minimum count and share", ""},
  }};
  return kCatalog;
}

const DetectorInfo& info(Detector d) { return detector_catalog()[static_cast<size_t>(d)]; }

const DetectorInfo* find_detector(std::string_view key, Detector* out) {
  const auto& c = detector_catalog();
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i].id == key || c[i].name == key) {
      if (out) *out = static_cast<Detector>(i);
      return &c[i];
    }
  }
  return nullptr;
}

AnalyzerConfig AnalyzerConfig::defaults() {
  AnalyzerConfig c;
  auto set = [&](Detector d, uint32_t cap, int64_t leak, int64_t mute) {
    auto& b = c.buckets[static_cast<size_t>(d)];
    b.capacity = cap;
    b.leak_ms = leak;
    b.mute_ms = mute;
    b.severity = info(d).severity;
  };
  // Capacities and leak rates follow the CrowdSec scenarios of the same name.
  set(Detector::Probing, 10, 10'000, 300'000);
  set(Detector::SensitiveFiles, 4, 5'000, 300'000);
  set(Detector::Traversal, 3, 10'000, 120'000);
  set(Detector::ScannerAgent, 1, 60'000, 120'000);
  set(Detector::BruteForce, 5, 10'000, 60'000);
  c.buckets[static_cast<size_t>(Detector::BruteForce)].min_failure_ratio = 0.1;
  set(Detector::Malformed, 10, 10'000, 300'000);
  set(Detector::RateLimited, 5, 60'000, 300'000);
  set(Detector::OpenProxy, 0, 0, 120'000);
  set(Detector::CveProbe, 0, 0, 60'000);
  set(Detector::Injection, 5, 10'000, 300'000);
  set(Detector::WebShell, 1, 5'000, 300'000);
  c.global_spike = SpikeParams{true, 60'000, 5.0, 1000, 0.2, 5, 0.2, Severity::Medium};
  c.service_spike = SpikeParams{true, 60'000, 5.0, 200, 0.2, 5, 0.2, Severity::Medium};
  c.upstream_errors = SpikeParams{true, 60'000, 5.0, 20, 0.2, 3, 0.2, Severity::High};
  return c;
}

std::string evidence_text(std::string_view raw, size_t max_bytes) {
  static constexpr std::array<std::string_view, 14> kSecretParams = {
      "password", "passwd", "pwd", "pass", "token", "access_token", "id_token", "refresh_token",
      "secret", "client_secret", "api_key", "apikey", "key", "signature"};
  std::string out;
  out.reserve(std::min(raw.size(), max_bytes) + 16);
  size_t i = 0;
  while (i < raw.size() && out.size() < max_bytes) {
    char c = raw[i];
    if ((c == '?' || c == '&') && i + 1 < raw.size()) {
      out += c;
      ++i;
      size_t eq = raw.find('=', i);
      size_t stop = raw.find_first_of("& \"", i);
      if (eq != std::string_view::npos && (stop == std::string_view::npos || eq < stop)) {
        std::string_view name = raw.substr(i, eq - i);
        bool secret = false;
        for (auto s : kSecretParams) {
          if (name.size() == s.size() &&
              std::equal(name.begin(), name.end(), s.begin(), [](char a, char b) { return std::tolower(a) == b; }))
            secret = true;
        }
        if (secret) {
          out.append(name);
          out += "=REDACTED";
          size_t end = raw.find_first_of("& \"", eq + 1);
          i = end == std::string_view::npos ? raw.size() : end;
        }
      }
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
    ++i;
  }
  if (i < raw.size()) out += "...";
  return out;
}

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
// In a bucket's distinct key: pair events of two kinds instead of dropping repeats.
constexpr uint64_t kPairMode = 1ull << 63;
// In a pair-mode key: bit 0 the event's kind, bit 1 already paired, bit 2 a credential endpoint.
constexpr uint64_t kCredential = 4;
constexpr uint64_t kPairFlags = 7;

// A bucket's distinct key for a text: never 0 (no key) and never in pair mode.
uint64_t distinct_key(std::string_view s) { return (std::hash<std::string_view>{}(s) | 1) & ~kPairMode; }

bool is_static_resource(std::string_view target) {
  std::string_view path = target.substr(0, std::min(target.find('?'), target.size()));
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return false;
  std::string_view ext = path.substr(dot + 1);
  if (ext.size() > 6) return false;
  char low[8] = {};
  for (size_t i = 0; i < ext.size(); ++i) low[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(ext[i])));
  std::string_view e(low, ext.size());
  static constexpr std::array<std::string_view, 24> kStatic = {
      "jpg", "jpeg", "png", "gif", "svg", "ico", "webp", "avif", "bmp", "css", "js", "mjs", "map",
      "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "wav", "gz", "br", "ts"};
  return std::find(kStatic.begin(), kStatic.end(), e) != kStatic.end();
}

bool valid_protocol(std::string_view p) {
  return p.empty() || p == "HTTP/1.1" || p == "HTTP/1.0" || p == "HTTP/2.0" || p == "HTTP/2" || p == "HTTP/3" ||
         p == "HTTP/3.0" || p == "HTTP/0.9";
}

uint64_t hash_of(std::string_view s) { return std::hash<std::string_view>{}(s); }

struct Bucket {
  double tokens = 0;
  int64_t last_ms = kNever;
  int64_t first_ms = 0;
  int64_t muted_until = kNever;
  std::vector<uint64_t> events;  // distinct keys (or 0) of the events in the bucket, oldest first
  std::vector<Evidence> evidence;  // the latest few
  uint32_t served = 0;
  std::string detail;
  std::vector<uint64_t> users;  // distinct user names (hashes) seen in the bucket, at most kMaxUsers
};
constexpr size_t kMaxUsers = 32;

struct RateState {
  int64_t window = kNever;
  uint64_t count = 0;
  uint64_t errors = 0;
  double mean = 0, mean_err = 0;
  uint32_t seen = 0;
  bool alerted = false, err_alerted = false;
};

struct ServiceState {
  RateState rate;
  uint64_t requests = 0;
  uint64_t errors_5xx = 0;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// A client's requests and authentication failures in the current and the previous ratio window.
struct RecentTraffic {
  int64_t window = kNever;
  uint32_t requests[2] = {0, 0};
  uint32_t failures[2] = {0, 0};
  void roll(int64_t t, int64_t window_ms) {
    int64_t w = t >= 0 ? t / window_ms : -1;
    if (w == window) return;
    if (window != kNever && w == window + 1) {
      requests[1] = requests[0];
      failures[1] = failures[0];
    } else if (window == kNever || w > window) {
      requests[1] = failures[1] = 0;
    } else {
      return;  // out of order: counted in the current window
    }
    requests[0] = failures[0] = 0;
    window = w;
  }
  double failure_ratio() const {
    uint64_t r = uint64_t{requests[0]} + requests[1];
    return r == 0 ? 1.0 : static_cast<double>(uint64_t{failures[0]} + failures[1]) / static_cast<double>(r);
  }
};

struct ClientCount {
  uint64_t requests = 0;
  uint64_t errors_5xx = 0;
  RecentTraffic recent;
};

// What the brute-force bucket weighs besides the count: the failure's endpoint and the client's traffic.
struct FailureContext {
  bool credential = false;        // a login/token endpoint, basic-auth credentials sent, a basic-auth error
  const ClientCount* client = nullptr;  // null when the client is not counted (error-log lines)
};

}  // namespace

struct Analyzer::Impl {
  AnalyzerConfig cfg;
  AlertSink sink;
  SignatureMatcher matcher;
  std::vector<BoundedMap<Bucket>> buckets;
  BoundedMap<ServiceState> services;
  RateState global;
  std::unordered_map<std::string, ClientCount, StringHash, std::equal_to<>> clients;
  bool clients_pruned = false;
  uint64_t live_evictions = 0;
  Summary summary;
  std::string key;  // scratch
  MatchResult last_match;

  DetectorMask mask(const LogRecord& rec, const MatchResult& m) const;

  Impl(AnalyzerConfig c, AlertSink s) : cfg(std::move(c)), sink(std::move(s)), services(cfg.max_services) {
    for (size_t i = 0; i < kBucketDetectors; ++i) buckets.emplace_back(cfg.max_keys);
  }

  void emit(Alert&& a) {
    ++summary.alerts[static_cast<size_t>(a.detector)];
    sink(a);
  }

  Evidence make_evidence(uint32_t source, uint64_t line, std::string_view raw) const {
    return Evidence{source, line, evidence_text(raw, cfg.evidence_bytes)};
  }

  void feed_bucket(Detector d, std::string_view group, std::string_view service, const LogRecord& rec,
                   uint64_t distinct, bool served, std::string_view detail, uint32_t source, uint64_t line,
                   std::string_view raw, const FailureContext* failure = nullptr) {
    const BucketParams& p = cfg.buckets[static_cast<size_t>(d)];
    if (!p.enabled) return;
    auto& map = buckets[static_cast<size_t>(d)];
    int64_t t = rec.time_ms;
    // Dropping a bucket that still holds events loses evidence: counted for the summary.
    Bucket& b = map.get(group, [&](const Bucket& old) {
      bool live = p.capacity > 0 && old.last_ms != kNever &&
                  old.tokens - static_cast<double>(t - old.last_ms) / static_cast<double>(p.leak_ms) > 0;
      if (live) ++live_evictions;
    });
    if (b.muted_until != kNever && t < b.muted_until) return;
    if (p.capacity == 0) {  // trigger
      b.muted_until = t + p.mute_ms;
      Alert a{d, p.severity, std::string(rec.client), std::string(service), t, t, 1, std::string(detail), {}};
      a.evidence.push_back(make_evidence(source, line, raw));
      emit(std::move(a));
      return;
    }
    if (b.last_ms != kNever && t > b.last_ms) {
      b.tokens = std::max(0.0, b.tokens - static_cast<double>(t - b.last_ms) / static_cast<double>(p.leak_ms));
    }
    if (b.last_ms == kNever || t > b.last_ms) b.last_ms = t;
    size_t keep = static_cast<size_t>(std::ceil(b.tokens - 1e-9));
    if (b.events.size() > keep) b.events.erase(b.events.begin(), b.events.end() - static_cast<ptrdiff_t>(keep));
    if (b.events.empty()) {
      b.first_ms = t;
      b.served = 0;
      b.evidence.clear();
      b.detail.clear();
      b.users.clear();
    }
    if (distinct & kPairMode) {
      // Bit 0: the event's kind; bit 1: already paired; bit 2: credential endpoint; the rest: what pairs.
      distinct &= ~kPairMode;
      for (uint64_t& e : b.events) {
        if ((e & ~kPairFlags) == (distinct & ~kPairFlags) && (e & 1) != (distinct & 1) && !(e & 2)) {
          e |= 2;
          return;
        }
      }
    } else if (distinct != 0 && std::find(b.events.begin(), b.events.end(), distinct) != b.events.end()) {
      return;
    }
    b.tokens += 1.0;
    b.events.push_back(distinct);
    if (served) ++b.served;
    if (failure && !rec.user.empty() && rec.user != "-" && b.users.size() < kMaxUsers) {
      uint64_t u = hash_of(rec.user);
      if (std::find(b.users.begin(), b.users.end(), u) == b.users.end()) b.users.push_back(u);
    }
    if (b.detail.empty() && !detail.empty()) b.detail = std::string(detail);
    if (b.evidence.size() >= cfg.evidence_lines && !b.evidence.empty()) b.evidence.erase(b.evidence.begin());
    if (cfg.evidence_lines > 0) b.evidence.push_back(make_evidence(source, line, raw));
    if (b.tokens > static_cast<double>(p.capacity) + 1e-9) {
      std::string det = b.detail;
      if (failure && !judge_failures(p, b, *failure, det)) return;
      Severity sev = p.severity;
      if (d == Detector::SensitiveFiles && b.served > 0) {
        sev = Severity::Critical;
        det += (det.empty() ? "" : "; ") + std::to_string(b.served) + " answered 2xx";
      }
      Alert a{d, sev, std::string(rec.client), std::string(service), b.first_ms, t, b.events.size(), std::move(det),
              std::move(b.evidence)};
      b.tokens = 0;
      b.events.clear();
      b.evidence.clear();
      b.served = 0;
      b.detail.clear();
      b.muted_until = t + p.mute_ms;
      emit(std::move(a));
    }
  }

  // A full brute-force bucket: raised when most of its failures hit credential endpoints, when several user
  // names were tried, or when the failures are a real share of the client's own recent requests. Otherwise
  // (ordinary calls of a busy client answered 401: expired tokens behind a NAT) it is held at capacity, so the
  // next failure is judged again, and counted in the summary.
  bool judge_failures(const BucketParams& p, Bucket& b, const FailureContext& f, std::string& detail) {
    size_t credential = 0;
    for (uint64_t e : b.events) credential += (e & kCredential) ? 1 : 0;
    double ratio = f.client ? f.client->recent.failure_ratio() : 1.0;
    bool raise = credential * 2 >= b.events.size() || b.users.size() >= 3 || p.min_failure_ratio <= 0 ||
                 ratio >= p.min_failure_ratio;
    if (!raise) {
      ++summary.held_back;
      b.tokens = static_cast<double>(p.capacity);
      if (b.events.size() > p.capacity) b.events.erase(b.events.begin(), b.events.end() - p.capacity);
      return false;
    }
    auto add = [&](const std::string& s) { detail += (detail.empty() ? "" : "; ") + s; };
    add(std::to_string(credential) + " of " + std::to_string(b.events.size()) + " on credential endpoints");
    if (b.users.size() >= 2) add(std::to_string(b.users.size()) + (b.users.size() >= kMaxUsers ? "+" : "") +
                                 " distinct user names");
    if (f.client) {
      const RecentTraffic& r = f.client->recent;
      add(std::to_string(uint64_t{r.failures[0]} + r.failures[1]) + " failures in " +
          std::to_string(uint64_t{r.requests[0]} + r.requests[1]) + " requests of this client recently");
    }
    return true;
  }

  // Advances a baseline to the window holding `t`.
  static void advance(RateState& r, const SpikeParams& p, int64_t t) {
    int64_t w = t >= 0 ? t / p.window_ms : -1;
    if (r.window == kNever) {
      r.window = w;
      return;
    }
    if (w <= r.window) return;  // same window, or out of order: counted in the current one
    r.mean = r.seen == 0 ? static_cast<double>(r.count) : r.mean + p.alpha * (static_cast<double>(r.count) - r.mean);
    r.mean_err = r.seen == 0 ? static_cast<double>(r.errors)
                             : r.mean_err + p.alpha * (static_cast<double>(r.errors) - r.mean_err);
    int64_t gap = std::min<int64_t>(w - r.window - 1, 100'000);
    if (gap > 0) {
      double decay = std::pow(1.0 - p.alpha, static_cast<double>(gap));
      r.mean *= decay;
      r.mean_err *= decay;
    }
    r.seen += static_cast<uint32_t>(std::min<int64_t>(1 + gap, 1'000'000));
    r.window = w;
    r.count = r.errors = 0;
    r.alerted = r.err_alerted = false;
  }

  void count_rate(RateState& r, const SpikeParams& p, Detector d, const SpikeParams* errp, const LogRecord& rec,
                  std::string_view service, uint32_t source, uint64_t line, std::string_view raw) {
    advance(r, p, rec.time_ms);
    ++r.count;
    bool error = rec.status >= 500 && rec.status <= 599;
    if (error) ++r.errors;
    int64_t start = r.window * p.window_ms;
    if (p.enabled && !r.alerted && r.seen >= p.warmup && r.count >= p.min_count &&
        static_cast<double>(r.count) > p.factor * std::max(r.mean, 1.0)) {
      r.alerted = true;
      Alert a{d, p.severity, "", std::string(service), start, rec.time_ms, r.count,
              std::to_string(r.count) + " requests in " + std::to_string(p.window_ms / 1000) +
                  " s against a baseline of " + std::to_string(static_cast<uint64_t>(std::llround(r.mean))),
              {}};
      a.evidence.push_back(make_evidence(source, line, raw));
      emit(std::move(a));
    }
    if (errp && errp->enabled && error && !r.err_alerted && r.seen >= errp->warmup && r.errors >= errp->min_count &&
        static_cast<double>(r.errors) >= errp->min_ratio * static_cast<double>(r.count) &&
        static_cast<double>(r.errors) > errp->factor * std::max(r.mean_err, 1.0)) {
      r.err_alerted = true;
      Alert a{Detector::UpstreamErrors, errp->severity, "", std::string(service), start, rec.time_ms, r.errors,
              std::to_string(r.errors) + " of " + std::to_string(r.count) + " answers 5xx against a baseline of " +
                  std::to_string(static_cast<uint64_t>(std::llround(r.mean_err))) + " per window",
              {}};
      a.evidence.push_back(make_evidence(source, line, raw));
      emit(std::move(a));
    }
  }

  ClientCount& count_client(std::string_view client, bool error, int64_t t) {
    auto it = clients.find(client);
    if (it == clients.end()) {
      if (clients.size() >= 2 * cfg.max_clients_summary) prune_clients();
      it = clients.emplace(std::string(client), ClientCount{}).first;
    }
    ClientCount& c = it->second;
    ++c.requests;
    if (error) ++c.errors_5xx;
    c.recent.roll(t, cfg.ratio_window_ms);
    ++c.recent.requests[0];
    return c;
  }

  // Keeps the busiest half: the counts of the survivors stay exact, late newcomers are undercounted.
  void prune_clients() {
    std::vector<std::pair<uint64_t, std::string>> v;
    v.reserve(clients.size());
    for (auto& [k, c] : clients) v.emplace_back(c.requests, k);
    size_t keep = cfg.max_clients_summary;
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(keep), v.end(), std::greater<>());
    for (size_t i = keep; i < v.size(); ++i) clients.erase(v[i].second);
    clients_pruned = true;
  }
};

Analyzer::Analyzer(AnalyzerConfig config, AlertSink sink) : impl_(std::make_unique<Impl>(std::move(config), std::move(sink))) {}
Analyzer::~Analyzer() = default;

const Summary& Analyzer::summary() const { return impl_->summary; }
size_t Analyzer::tracked_keys(Detector d) const {
  auto i = static_cast<size_t>(d);
  return i < kBucketDetectors ? impl_->buckets[i].size() : impl_->services.size();
}
void Analyzer::count_truncated(uint64_t n) { impl_->summary.truncated += n; }

void match_signatures(SignatureMatcher& matcher, const LogRecord& rec, MatchResult& m) {
  m = MatchResult{};
  std::string_view target = rec.target.empty() ? rec.request : rec.target;
  matcher.match_target(target, m);
  if (rec.kind == EventKind::Access) matcher.match_agent(rec.user_agent, m);
  // Exploit strings in the Referer (Log4Shell, Shellshock) need a "$" or "()".
  if (!m.cve && rec.referer.size() > 3 &&
      (rec.referer.find('$') != std::string_view::npos || rec.referer.find("%24") != std::string_view::npos ||
       rec.referer.find("()") != std::string_view::npos)) {
    MatchResult r;
    matcher.match_agent(rec.referer, r);
    if (r.cve) {
      m.cve = r.cve;
      m.classes |= kCveProbe;
    }
  }
}

DetectorMask Analyzer::classify(const LogRecord& rec) {
  match_signatures(impl_->matcher, rec, impl_->last_match);
  return impl_->mask(rec, impl_->last_match);
}

DetectorMask Analyzer::Impl::mask(const LogRecord& rec, const MatchResult& m) const {
  DetectorMask mask = 0;
  std::string_view target = rec.target.empty() ? rec.request : rec.target;
  const int s = rec.status;
  const bool access = rec.kind == EventKind::Access;
  if ((access && (s == 404 || s == 403 || s == 400) && !is_static_resource(target)) ||
      rec.kind == EventKind::Forbidden || rec.kind == EventKind::FileNotFound)
    mask |= bit(Detector::Probing);
  if (m.classes & kSensitiveFile) mask |= bit(Detector::SensitiveFiles);
  if (m.classes & kTraversal) mask |= bit(Detector::Traversal);
  if (m.classes & kScannerAgent) mask |= bit(Detector::ScannerAgent);
  const bool post = rec.method == "POST";
  if (rec.kind == EventKind::AuthFailure ||
      (access && (s == 401 || (post && s == 403) || (post && (m.classes & kLoginPath) && s >= 200 && s < 300))))
    mask |= bit(Detector::BruteForce);
  bool bad_line = access && (rec.method.empty() || !valid_protocol(rec.protocol) ||
                             rec.request.find("\\x") != std::string_view::npos);
  if ((access && s == 400) || bad_line || rec.kind == EventKind::TlsHandshake) mask |= bit(Detector::Malformed);
  if (rec.kind == EventKind::RateLimited || (access && s == 429)) mask |= bit(Detector::RateLimited);
  if (access && (s == 400 || s == 405) &&
      (rec.method == "CONNECT" || target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://"))
    mask |= bit(Detector::OpenProxy);
  if (m.cve && (!m.cve->needs_miss || s == 403 || s == 404)) mask |= bit(Detector::CveProbe);
  if (m.classes & kInjection) mask |= bit(Detector::Injection);
  if (m.classes & kWebShell) mask |= bit(Detector::WebShell);
  return mask;
}

void Analyzer::observe(const LogRecord& in, bool partial, uint32_t source, uint64_t line, std::string_view raw,
                       const MatchResult* signatures) {
  Impl& I = *impl_;
  Summary& S = I.summary;
  // A line without a usable time happens when the previous one did.
  LogRecord timed;
  if (in.time_ms == 0) {
    timed = in;
    timed.time_ms = S.last_ms;
  }
  const LogRecord& rec = in.time_ms == 0 ? timed : in;
  ++S.lines;
  if (partial) ++S.partial;
  if (rec.time_ms != 0) {
    if (S.first_ms == 0 || rec.time_ms < S.first_ms) S.first_ms = rec.time_ms;
    if (rec.time_ms > S.last_ms) S.last_ms = rec.time_ms;
  }
  const bool access = rec.kind == EventKind::Access;
  std::string_view service = !rec.service.empty() ? rec.service : rec.host;
  ClientCount* counted = nullptr;
  if (access) {
    ++S.requests;
    if (rec.status >= 0 && rec.status < 1000) ++S.statuses[static_cast<size_t>(rec.status)];
    const bool error = rec.status >= 500 && rec.status <= 599;
    counted = &I.count_client(rec.client.empty() ? std::string_view("-") : rec.client, error, rec.time_ms);
    I.count_rate(I.global, I.cfg.global_spike, Detector::GlobalSpike, nullptr, rec, "", source, line, raw);
    if (!service.empty()) {
      ServiceState& st = I.services.get(service);
      ++st.requests;
      if (error) ++st.errors_5xx;
      I.count_rate(st.rate, I.cfg.service_spike, Detector::ServiceSpike, &I.cfg.upstream_errors, rec, service, source,
                   line, raw);
    }
  } else {
    ++S.error_log_events;
  }
  if (signatures) I.last_match = *signatures;
  else match_signatures(I.matcher, rec, I.last_match);
  const MatchResult& m = I.last_match;
  DetectorMask mask = I.mask(rec, m);
  if (mask == 0 || rec.client.empty()) return;
  std::string_view target = rec.target.empty() ? rec.request : rec.target;
  std::string_view path = target.substr(0, std::min(target.find('?'), target.size()));
  const bool served = rec.status >= 200 && rec.status < 300;
  auto client_key = [&]() -> std::string_view { return rec.client; };
  auto service_key = [&]() -> std::string_view {
    I.key.assign(rec.client);
    I.key += '/';
    I.key.append(service);
    return I.key;
  };
  if (mask & bit(Detector::Probing))
    I.feed_bucket(Detector::Probing, service_key(), service, rec, distinct_key(target), false, "", source, line, raw);
  if (mask & bit(Detector::SensitiveFiles))
    I.feed_bucket(Detector::SensitiveFiles, client_key(), service, rec, distinct_key(path), served, "", source, line,
                  raw);
  if (mask & bit(Detector::Traversal))
    I.feed_bucket(Detector::Traversal, client_key(), service, rec, distinct_key(target), false, "", source, line, raw);
  if (mask & bit(Detector::ScannerAgent))
    I.feed_bucket(Detector::ScannerAgent, client_key(), service, rec, 0, false, m.scanner ? m.scanner->label : "",
                  source, line, raw);
  if (mask & bit(Detector::BruteForce)) {
    // With basic auth one attempt shows twice, as an error-log line and as the 401: an event of one
    // kind pairs with an unpaired event of the other kind for the same path and second, and is not counted.
    uint64_t attempt =
        (hash_of(path) ^ (static_cast<uint64_t>(rec.time_ms / 1000) * 0x9e3779b97f4a7c15ull)) & ~kPairFlags;
    FailureContext fc;
    // A credential endpoint: a login or token path, basic-auth credentials sent (a user name logged), an nginx
    // auth error, or a 401 that no upstream answered: the proxy's own authentication (basic auth, or an external
    // auth service such as ingress-nginx's auth-url, whose denial leaves the upstream fields "-").
    fc.credential = !access || (m.classes & kLoginPath) || (!rec.user.empty() && rec.user != "-") ||
                    (rec.status == 401 && rec.upstream_status == -1);
    if (counted) {
      ++counted->recent.failures[0];
      fc.client = counted;
    }
    I.feed_bucket(Detector::BruteForce, client_key(), service, rec,
                  attempt | (access ? 1 : 0) | (fc.credential ? kCredential : 0) | kPairMode, false, "", source, line,
                  raw, &fc);
  }
  if (mask & bit(Detector::Malformed)) {
    std::string_view detail = rec.request.substr(0, 8) == "\\x16\\x03" ? "TLS handshake sent to the plain-HTTP port"
                              : rec.kind == EventKind::TlsHandshake   ? "TLS handshake failures"
                                                                      : "";
    I.feed_bucket(Detector::Malformed, client_key(), service, rec, 0, false, detail, source, line, raw);
  }
  if (mask & bit(Detector::RateLimited))
    I.feed_bucket(Detector::RateLimited, client_key(), service, rec, 0, false, "", source, line, raw);
  if (mask & bit(Detector::OpenProxy))
    I.feed_bucket(Detector::OpenProxy, client_key(), service, rec, 0, false, "", source, line, raw);
  if (mask & bit(Detector::CveProbe)) {
    I.key.assign(rec.client);
    I.key += '/';
    I.key.append(m.cve->label);
    I.feed_bucket(Detector::CveProbe, I.key, service, rec, 0, false, m.cve->label, source, line, raw);
  }
  if (mask & bit(Detector::Injection))
    I.feed_bucket(Detector::Injection, client_key(), service, rec, distinct_key(target), false, "", source, line, raw);
  if (mask & bit(Detector::WebShell))
    I.feed_bucket(Detector::WebShell, client_key(), service, rec, distinct_key(path), false, "", source, line, raw);
}

void Analyzer::unparsed(uint32_t source, uint64_t line, std::string_view raw) {
  Summary& S = impl_->summary;
  ++S.lines;
  ++S.unparsed;
  if (S.unparsed_samples.size() < 5) S.unparsed_samples.push_back(impl_->make_evidence(source, line, raw));
}

void Analyzer::finish() {
  Impl& I = *impl_;
  Summary& S = I.summary;
  std::vector<CountedName> clients;
  clients.reserve(I.clients.size());
  for (const auto& [k, c] : I.clients) clients.push_back({k, c.requests, c.errors_5xx});
  auto by_requests = [](const CountedName& a, const CountedName& b) {
    return a.requests != b.requests ? a.requests > b.requests : a.name < b.name;
  };
  size_t top = std::min<size_t>(10, clients.size());
  std::partial_sort(clients.begin(), clients.begin() + static_cast<ptrdiff_t>(top), clients.end(), by_requests);
  clients.resize(top);
  S.top_clients = std::move(clients);
  S.clients_approximate = I.clients_pruned;
  S.distinct_clients = I.clients.size();
  std::vector<CountedName> services;
  I.services.for_each([&](std::string_view k, const ServiceState& st) {
    services.push_back({std::string(k), st.requests, st.errors_5xx});
  });
  top = std::min<size_t>(10, services.size());
  std::partial_sort(services.begin(), services.begin() + static_cast<ptrdiff_t>(top), services.end(), by_requests);
  services.resize(top);
  S.top_services = std::move(services);
  S.services_approximate = I.services.evictions() > 0;
  S.state_evictions = I.live_evictions;
}

}  // namespace ig::logs
