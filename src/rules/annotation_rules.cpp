// ingress-nginx annotations: raw configuration snippets, injection markers in
// annotation values, and source allowlists that admit the whole internet.
#include <algorithm>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// F5's NGINX Ingress Controller (a different product) uses nginx.org/ and
// calls its raw-configuration annotations *-snippets.
constexpr std::string_view kF5Prefix = "nginx.org/";

bool has_prefix(std::string_view key, std::string_view prefix) {
  return key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_nginx_annotation(std::string_view key) { return has_prefix(key, kNginxPrefix) || has_prefix(key, kF5Prefix); }

bool is_snippet(std::string_view key) {
  return is_nginx_annotation(key) && (ends_with(key, "-snippet") || ends_with(key, "-snippets"));
}

std::string short_name(std::string_view key) {
  return std::string(has_prefix(key, kNginxPrefix) ? key.substr(kNginxPrefix.size()) : key);
}

void check_snippet(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (const KeyValue& kv : ing.meta.annotations)
      if (is_snippet(kv.key))
        out.add(kSnippetAnnotation.info, ing.meta, kv.key_loc(),
                short_name(kv.key) + " injects raw nginx configuration into the controller");
}

std::optional<std::string> injection_marker(std::string_view v) {
  for (char ch : v) {
    if (ch == '\n' || ch == '\r') return std::string("a line break");
    if (ch == ';' || ch == '{' || ch == '}' || ch == '#' || ch == '"' || ch == '\'' || ch == '`')
      return "'" + std::string(1, ch) + "'";
  }
  for (std::string_view w : {"load_module", "_by_lua", "ssl_engine", "/etc/", "/var/run/secrets", "serviceaccount"})
    if (v.find(w) != std::string_view::npos) return "'" + std::string(w) + "'";
  return std::nullopt;
}

void check_annotation_injection(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (const KeyValue& kv : ing.meta.annotations) {
      if (!is_nginx_annotation(kv.key) || is_snippet(kv.key)) continue;
      if (auto marker = injection_marker(kv.value))
        out.add(kAnnotationInjection.info, ing.meta, kv.value_loc(),
                short_name(kv.key) + " contains " + *marker +
                    ", a marker of nginx configuration injection");
    }
}

void check_allowlist_open(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (auto name : {"whitelist-source-range", "allowlist-source-range"}) {
      const KeyValue* kv = nginx_annotation(ing.meta, name);
      if (!kv) continue;
      for (std::string_view cidr : split_list(kv->value, ','))
        if (is_open_cidr(cidr)) {
          out.add(kAllowlistOpenToWorld.info, ing.meta, kv->value_loc(),
                  std::string(name) + " contains " + std::string(cidr) + ": the allowlist admits every address");
          break;
        }
    }
}

}  // namespace

const Rule kSnippetAnnotation{
    .info = {.id = "IG201",
             .title = "NGINX snippet annotation",
             .severity = Severity::Critical,
             .category = "injection",
             .rationale = "*-snippet annotations (ingress-nginx; nginx.org/*-snippets for F5's controller) put raw nginx "
                          "(and Lua) configuration into the shared controller. Anyone "
                          "who can create an Ingress can then read every Secret the controller's ServiceAccount can "
                          "read, which by default is all of them.",
             .remediation = "Remove the snippet; use dedicated annotations, or a separate controller for trusted snippets.",
             .references = {"CVE-2021-25742", "CVE-2023-5043",
                            "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations-risk/"}},
    .check = &check_snippet,
};

const Rule kAnnotationInjection{
    .info = {.id = "IG202",
             .title = "Injection marker in an NGINX annotation",
             .severity = Severity::Critical,
             .category = "injection",
             .rationale = "ingress-nginx copies annotation values into nginx.conf. Quotes, semicolons, braces, comments, "
                          "line breaks, Lua or file paths in a value are the signature of the IngressNightmare family of "
                          "configuration injections.",
             .remediation = "Use plain values (URLs, names, numbers) and upgrade the controller; enable annotation validation.",
             .references = {"CVE-2021-25746", "CVE-2025-1097", "CVE-2025-1098", "CVE-2025-24514"}},
    .check = &check_annotation_injection,
};

const Rule kAllowlistOpenToWorld{
    .info = {.id = "IG203",
             .title = "Source allowlist open to the whole internet",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "An allowlist containing 0.0.0.0/0 or ::/0 admits every client while looking like an access "
                          "control; per-Ingress allowlists also override the controller's global list.",
             .remediation = "List only the client ranges that need access.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#allowlist-source-range"}},
    .check = &check_allowlist_open,
};

}  // namespace ig::rules
