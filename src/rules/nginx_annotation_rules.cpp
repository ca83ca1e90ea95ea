// ingress-nginx per-Ingress annotations whose combination or value silently
// weakens a protection: passthrough that voids auth, mirrors that copy
// requests out, aliases that take over hosts, optional client certificates,
// credentialed CORS for any origin, unverified upstream TLS, disabled access
// logs, unlimited bodies, and redirect targets a client controls.
#include <algorithm>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

bool is_true(const KeyValue* kv) { return kv && parse_go_bool(kv->value).value_or(false); }

void check_passthrough_voids_controls(const Cluster& c, const RuleSettings&, Findings& out) {
  static constexpr std::string_view kIgnored[] = {
      "auth-url",          "auth-type",          "auth-tls-secret",     "whitelist-source-range", "allowlist-source-range",
      "denylist-source-range", "limit-rps",      "limit-rpm",           "limit-connections",      "enable-modsecurity"};
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* pass = nginx_annotation(ing.meta, "ssl-passthrough");
    if (!is_true(pass)) continue;
    std::string ignored;
    for (std::string_view a : kIgnored)
      if (nginx_annotation(ing.meta, a)) ignored += (ignored.empty() ? "" : ", ") + std::string(a);
    if (!ignored.empty())
      out.add(kPassthroughVoidsControls.info, ing.meta, pass->key_loc(),
              "ssl-passthrough hands the TLS stream to the backend, so these annotations are silently not applied: " + ignored);
  }
}

// Host part of a URL-ish value ("https://host:port/path", "host", "$var").
std::string_view url_host(std::string_view v) {
  v = trim(v);
  if (auto p = v.find("://"); p != std::string_view::npos) v.remove_prefix(p + 3);
  size_t end = v.find_first_of("/?#");
  // Variables that expand to a path ("https://www.example.com$request_uri")
  // end the host as a slash would.
  for (std::string_view path_var : {"$request_uri", "$escaped_request_uri", "$uri", "$document_uri"})
    if (auto p = v.find(path_var); p != std::string_view::npos && p > 0 && p < end) end = p;
  v = v.substr(0, end);
  if (auto at = v.rfind('@'); at != std::string_view::npos) v.remove_prefix(at + 1);
  if (!v.empty() && v.front() == '[') return v.substr(0, v.find(']') + 1);  // IPv6 literal
  return v.substr(0, v.find(':'));
}

// In-cluster names: a bare Service name, svc.cluster.local forms, or private
// and loopback addresses.
bool is_cluster_internal_host(std::string_view host) {
  std::string h = to_lower(host);
  if (h.empty() || h.find('$') != std::string::npos) return true;  // variables: judged by injection rules
  if (h.find('.') == std::string::npos) return true;                // Service in the same namespace
  auto ends = [&](std::string_view s) { return h.size() >= s.size() && h.compare(h.size() - s.size(), s.size(), s) == 0; };
  if (ends(".svc") || ends(".svc.cluster.local") || ends(".cluster.local")) return true;
  if (h.rfind("10.", 0) == 0 || h.rfind("192.168.", 0) == 0 || h.rfind("127.", 0) == 0) return true;
  if (h.rfind("172.", 0) == 0) {
    int second = std::atoi(h.c_str() + 4);
    if (second >= 16 && second <= 31) return true;
  }
  return false;
}

// Only mirror-target sends anything: mirror-host sets the Host header of the mirrored requests,
// and without mirror-target nothing is mirrored at all.
void check_mirror_external(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* kv = nginx_annotation(ing.meta, "mirror-target");
    if (!kv || kv->value.empty()) continue;
    std::string_view host = url_host(kv->value);
    if (is_cluster_internal_host(host)) continue;
    out.add(kMirrorExternal.info, ing.meta, kv->value_loc(),
            "mirror-target copies every request, with its headers and body, to " + std::string(host) +
                " outside the cluster");
  }
}

void check_server_alias_takeover(const Cluster& c, const RuleSettings&, Findings& out) {
  // Hosts each namespace serves through spec.rules.
  std::vector<std::pair<std::string, std::string_view>> hosts;  // host, namespace
  for (const Ingress& ing : c.ingresses)
    for (const IngressRule& r : ing.rules)
      if (r.host && !r.host.value.empty()) hosts.emplace_back(to_lower(r.host.value), ing.meta.effective_ns());
  std::sort(hosts.begin(), hosts.end());
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* kv = nginx_annotation(ing.meta, "server-alias");
    if (!kv) continue;
    for (std::string_view alias : split_list(kv->value, ',')) {
      std::string a = to_lower(alias);
      auto it = std::lower_bound(hosts.begin(), hosts.end(), std::make_pair(a, std::string_view()));
      for (; it != hosts.end() && it->first == a; ++it)
        if (it->second != ing.meta.effective_ns()) {
          out.add(kServerAliasTakeover.info, ing.meta, kv->value_loc(),
                  "server-alias " + a + " claims a host that namespace " + std::string(it->second) + " serves");
          break;
        }
    }
  }
}

void check_optional_client_cert(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* kv = nginx_annotation(ing.meta, "auth-tls-verify-client");
    if (!kv) continue;
    std::string v = to_lower(trim(kv->value));
    if (v == "optional" || v == "optional_no_ca")
      out.add(kOptionalClientCert.info, ing.meta, kv->value_loc(),
              "auth-tls-verify-client: " + v + " lets requests without a valid client certificate reach the backend");
  }
}

void check_cors_any_origin_credentials(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* enable = nginx_annotation(ing.meta, "enable-cors");
    if (!is_true(enable)) continue;
    const KeyValue* origin = nginx_annotation(ing.meta, "cors-allow-origin");
    const KeyValue* creds = nginx_annotation(ing.meta, "cors-allow-credentials");
    // ingress-nginx defaults: origin "*", credentials true.
    bool any_origin = !origin || trim(origin->value) == "*" || trim(origin->value).empty();
    bool credentials = !creds || parse_go_bool(creds->value).value_or(true);
    if (any_origin && credentials)
      out.add(kCorsAnyOriginCredentials.info, ing.meta, origin ? origin->value_loc() : enable->key_loc(),
              std::string(origin ? "cors-allow-origin is *" : "enable-cors without cors-allow-origin allows every origin (*)") +
                  (creds ? " with cors-allow-credentials: true" : " and credentials are allowed by default"));
  }
}

void check_upstream_tls_unverified(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* proto = nginx_annotation(ing.meta, "backend-protocol");
    if (!proto) continue;
    std::string p = to_lower(trim(proto->value));
    if (p != "https" && p != "grpcs") continue;
    const KeyValue* verify = nginx_annotation(ing.meta, "proxy-ssl-verify");
    if (verify && to_lower(trim(verify->value)) == "on") continue;
    out.add(kUpstreamTlsUnverified.info, ing.meta, proto->value_loc(),
            "backend-protocol " + std::string(proto->value) +
                " without proxy-ssl-verify: \"on\": the controller accepts any certificate from the backend");
  }
}

void check_access_log_off(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* kv = nginx_annotation(ing.meta, "enable-access-log");
    if (kv && parse_go_bool(kv->value) == false)
      out.add(kAccessLogOff.info, ing.meta, kv->value_loc(), "enable-access-log: false leaves no record of requests to this Ingress");
  }
}

void check_body_size_unlimited(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    const KeyValue* kv = nginx_annotation(ing.meta, "proxy-body-size");
    if (!kv) continue;
    std::string v = to_lower(trim(kv->value));
    if (v == "0" || v == "0k" || v == "0m" || v == "0g")
      out.add(kBodySizeUnlimited.info, ing.meta, kv->value_loc(), "proxy-body-size: 0 disables the request body size limit");
  }
}

// nginx variables a client sets directly.
bool client_controlled_variable(std::string_view v) {
  for (std::string_view var : {"$arg_", "$http_", "$cookie_", "$args", "$query_string", "$request_uri", "$uri",
                               "$host", "$request", "$document_uri", "$1", "$2", "$3"})
    if (v.find(var) != std::string_view::npos) return true;
  return false;
}

// ingress-nginx serves each host of an Ingress in a server block of its own
// (server_name is that host), so $host, $http_host and $server_name in a
// redirect's host can only be the Ingress's own hosts; not so for a rule
// without a host or with a wildcard host, where any name reaches the block.
bool host_pinned_by_server(const Ingress& ing) {
  if (ing.rules.empty()) return false;
  for (const IngressRule& r : ing.rules)
    if (!r.host || r.host.value.empty() || r.host.value.find('*') != std::string_view::npos) return false;
  return true;
}

bool is_server_host_variable(std::string_view host) {
  return host == "$host" || host == "$http_host" || host == "$server_name" || host == "${host}";
}

void check_open_redirect(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (auto name : {"permanent-redirect", "temporal-redirect", "auth-signin", "auth-tls-error-page"}) {
      const KeyValue* kv = nginx_annotation(ing.meta, name);
      if (!kv) continue;
      std::string_view value = trim(kv->value);
      std::string_view host = url_host(value);
      if (is_server_host_variable(host) && host_pinned_by_server(ing)) continue;
      // The destination's host is decided by the request, or the target is
      // protocol-relative ("//host") and inherits whatever host follows.
      bool open = client_controlled_variable(host) || host.find('$') != std::string_view::npos ||
                  (value.substr(0, 2) == "//" && client_controlled_variable(value));
      if (open)
        out.add(kOpenRedirect.info, ing.meta, kv->value_loc(),
                std::string(name) + " sends clients to a host taken from the request (" + std::string(value) + ")");
    }
}

}  // namespace

const Rule kPassthroughVoidsControls{
    .info = {.id = "IG204",
             .title = "ssl-passthrough disables the Ingress's other protections",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "With ssl-passthrough the controller forwards the encrypted stream by SNI and never sees the "
                          "request: authentication, allowlists, rate limits and WAF annotations on the same Ingress are "
                          "silently ignored.",
             .remediation = "Enforce these controls in the backend, or terminate TLS at the controller instead of passing it through.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/tls/#ssl-passthrough"}},
    .check = &check_passthrough_voids_controls,
};

const Rule kMirrorExternal{
    .info = {.id = "IG205",
             .title = "Requests mirrored outside the cluster",
             .severity = Severity::High,
             .category = "data-exposure",
             .rationale = "mirror-target copies every request, including Authorization headers, cookies and "
                          "bodies, to another URL; pointing outside the cluster exfiltrates user credentials. "
                          "(mirror-host only sets the Host header of the copies.)",
             .remediation = "Mirror only to in-cluster Services you control, or remove the mirror.",
             .references = {"CVE-2025-1098", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#mirror"}},
    .check = &check_mirror_external,
};

const Rule kServerAliasTakeover{
    .info = {.id = "IG206",
             .title = "server-alias claims another namespace's host",
             .severity = Severity::High,
             .category = "host-takeover",
             .rationale = "server-alias adds server_names to the generated server block; an alias naming a host served "
                          "from another namespace can take over or shadow its traffic.",
             .remediation = "Remove the alias and declare hosts in spec.rules, where ownership can be reviewed.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#server-alias"}},
    .check = &check_server_alias_takeover,
};

const Rule kOptionalClientCert{
    .info = {.id = "IG207",
             .title = "Client certificate optional",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "With auth-tls-verify-client optional or optional_no_ca, requests without a (valid) client "
                          "certificate are forwarded; only the ssl-client-verify header tells the backend, which must check it.",
             .remediation = "Use auth-tls-verify-client: \"on\", or make sure the backend rejects requests whose ssl-client-verify is not SUCCESS.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#client-certificate-authentication"}},
    .check = &check_optional_client_cert,
};

const Rule kCorsAnyOriginCredentials{
    .info = {.id = "IG208",
             .title = "CORS allows any origin with credentials",
             .severity = Severity::Medium,
             .category = "cors",
             .rationale = "ingress-nginx's CORS defaults are origin * and credentials true: any web site a user visits "
                          "can read authenticated responses when the origin is echoed.",
             .remediation = "Set cors-allow-origin to the exact origins that need access, or cors-allow-credentials: \"false\".",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#enable-cors"}},
    .check = &check_cors_any_origin_credentials,
};

const Rule kUpstreamTlsUnverified{
    .info = {.id = "IG209",
             .title = "Backend TLS not verified",
             .severity = Severity::Low,
             .category = "tls",
             .rationale = "backend-protocol HTTPS or GRPCS encrypts the hop to the Pod but, with proxy-ssl-verify off "
                          "(the default), accepts any certificate: anyone in the path can impersonate the backend.",
             .remediation = "Set proxy-ssl-verify: \"on\" and proxy-ssl-secret to the CA that signs the backend's certificate.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#backend-certificate-authentication"}},
    .check = &check_upstream_tls_unverified,
};

const Rule kAccessLogOff{
    .info = {.id = "IG210",
             .title = "Access log disabled",
             .severity = Severity::Low,
             .category = "logging",
             .rationale = "Without access logs, attacks on this Ingress leave no trace for detection or forensics.",
             .remediation = "Remove enable-access-log: \"false\"; filter noisy paths with skip-access-log-urls instead.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#enable-access-log"}},
    .check = &check_access_log_off,
};

const Rule kBodySizeUnlimited{
    .info = {.id = "IG211",
             .title = "Request body size unlimited",
             .severity = Severity::Low,
             .category = "availability",
             .rationale = "proxy-body-size: 0 removes the upload limit, so a single client can exhaust the controller's "
                          "and backend's disk and memory.",
             .remediation = "Set the largest body the application needs (for example \"50m\").",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#custom-max-body-size"}},
    .check = &check_body_size_unlimited,
};

const Rule kOpenRedirect{
    .info = {.id = "IG212",
             .title = "Open redirect in a redirect annotation",
             .severity = Severity::Low,
             .category = "redirect",
             .rationale = "A redirect whose destination host comes from the request (query arguments, headers, the "
                          "Host header) sends users to any site an attacker names, under your domain's reputation.",
             .remediation = "Redirect to a fixed host; pass the original location only in the path or query.",
             .references = {"CVE-2023-5044", "https://cwe.mitre.org/data/definitions/601.html"}},
    .check = &check_open_redirect,
};

}  // namespace ig::rules
