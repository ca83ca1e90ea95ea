// Targets and expectations from manifests: what each Ingress promises
// (allowlist, auth, rate limits, client certificates) for its hosts and paths.
#include <algorithm>
#include <map>

#include "load/loader.h"
#include "probe/probe.h"

namespace ig::probe {

namespace {

std::string_view annotation(const ObjectMeta& meta, std::string_view name) {
  for (const char* prefix : {"nginx.ingress.kubernetes.io/", "ingress.kubernetes.io/"}) {
    if (const KeyValue* kv = meta.annotation(std::string(prefix) + std::string(name))) return kv->value;
  }
  return {};
}

double number(std::string_view v) {
  try {
    return v.empty() ? 0 : std::stod(std::string(v));
  } catch (...) {
    return 0;
  }
}

std::vector<std::string> split_ranges(std::string_view v) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < v.size()) {
    size_t comma = v.find(',', pos);
    std::string_view item = v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

// A concrete request path for an Ingress path (regex and prefix paths reduced to their literal start).
std::string request_path(const std::string& p) {
  if (p.empty()) return "/";
  size_t special = p.find_first_of("()[]*+?$^|\\{");
  std::string out = p.substr(0, special);
  return out.empty() ? "/" : out;
}

}  // namespace

Result<std::vector<Target>> targets_from_manifests(const std::vector<std::string>& paths, const ProbeOptions& opts) {
  Cluster cluster;
  Loader loader(cluster);
  for (const auto& p : paths) loader.load_path(p);
  if (!loader.errors().empty()) {
    const auto& e = loader.errors().front();
    return Error{e.file + ":" + std::to_string(e.mark.line) + ":" + std::to_string(e.mark.col) + ": " + e.message, {}};
  }
  std::vector<Target> out;
  std::map<std::string, size_t> seen;  // url -> index
  for (const auto& ing : cluster.ingresses) {
    Expectation ex;
    const auto& file = ing.meta.loc.file < cluster.files.size() ? cluster.files[ing.meta.loc.file].path : std::string("?");
    ex.source = file + ":" + std::to_string(ing.meta.loc.line) + " (Ingress " + std::string(ing.meta.effective_ns()) + "/" +
                std::string(ing.meta.name) + ")";
    std::string_view allow = annotation(ing.meta, "whitelist-source-range");
    if (allow.empty()) allow = annotation(ing.meta, "allowlist-source-range");
    ex.allow_ranges = split_ranges(allow);
    std::string_view auth_url = annotation(ing.meta, "auth-url"), auth_type = annotation(ing.meta, "auth-type");
    ex.auth = !auth_url.empty() ? "auth-url " + std::string(auth_url) : !auth_type.empty() ? "auth-type " + std::string(auth_type) : "";
    ex.limit_rps = number(annotation(ing.meta, "limit-rps"));
    ex.limit_rpm = number(annotation(ing.meta, "limit-rpm"));
    ex.limit_connections = number(annotation(ing.meta, "limit-connections"));
    ex.ssl_ciphers = std::string(annotation(ing.meta, "ssl-ciphers"));
    std::string_view verify = annotation(ing.meta, "auth-tls-verify-client");
    ex.client_cert = verify == "on";
    for (const auto& rule : ing.rules) {
      std::string host(rule.host.value);
      if (host.empty() || host.find('*') != std::string::npos) continue;  // nothing concrete to ask for
      bool tls = std::any_of(ing.tls.begin(), ing.tls.end(), [&](const IngressTls& t) {
        return std::any_of(t.hosts.begin(), t.hosts.end(), [&](const Field& h) { return h.value == host; });
      });
      std::vector<std::string> req_paths;
      for (const auto& p : rule.paths) req_paths.push_back(request_path(std::string(p.path.value)));
      if (req_paths.empty()) req_paths.push_back("/");
      for (const auto& path : req_paths) {
        std::string url = "https://" + host + (opts.https_port == 443 ? "" : ":" + std::to_string(opts.https_port)) + path;
        auto t = parse_target(url, opts.resolve, opts.http_port);
        if (!t) return t.error();
        t->tls = tls;
        if (!tls) t->url = "http://" + host + path;
        if (auto it = seen.find(t->url); it != seen.end()) {
          // Two Ingresses for one host and path: keep the first declaration (the controller merges them its own way).
          continue;
        }
        t->expect = ex;
        seen[t->url] = out.size();
        out.push_back(std::move(*t));
      }
    }
  }
  return out;
}

}  // namespace ig::probe
