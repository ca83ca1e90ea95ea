// Controller-agnostic checks on Ingress objects (networking.k8s.io/v1 and the
// legacy v1beta1 APIs): TLS, hosts, catch-alls, backends, sensitive paths.
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <unordered_map>

#include "policy/policy.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

std::string where(const Ingress& ing) { return std::string(ing.meta.effective_ns()) + "/" + std::string(ing.meta.name); }

constexpr std::string_view kAlbHttpsFix =
    "Add an HTTPS listener: alb.ingress.kubernetes.io/listen-ports with {\"HTTPS\": 443} and a certificate-arn "
    "(or an ACM certificate the controller discovers for the host), and ssl-redirect: \"443\" for plain HTTP.";
constexpr std::string_view kGceHttpsFix =
    "Give the load balancer a certificate: a ManagedCertificate named in networking.gke.io/managed-certificates, "
    "ingress.gcp.kubernetes.io/pre-shared-cert, or a spec.tls entry with a certificate Secret; then redirect HTTP "
    "with a FrontendConfig (redirectToHttps).";

void check_host_without_tls(const Cluster& c, const RuleSettings& s, Findings& out) {
  auto siblings = derived<SiblingTls>(c, s);
  for (const Ingress& ing : c.ingresses) {
    // Plain HTTP is a problem only where it is served: a redirect (force-ssl-redirect,
    // ALB ssl-redirect, a FrontendConfig) sends clients to HTTPS terminated in front.
    auto plain = [&](std::string_view host) {
      HostTransport t = transport_of(c, ing, host, *siblings);
      return !t.https && !t.redirected;
    };
    // The AWS and GKE load balancers get their certificates elsewhere: say what is missing there, and
    // how to add it, in their terms.
    ControllerKind kind = controller_of(c, ing).kind;
    bool alb = kind == ControllerKind::Alb;
    bool gce = kind == ControllerKind::Gce;
    std::string_view why = alb ? "no HTTPS listener (listen-ports, certificate-arn or a discovered ACM certificate)"
                               : gce ? "no spec.tls, pre-shared-cert or ManagedCertificate"
                                     : "no spec.tls";
    auto report = [&](Loc loc, std::string message) {
      out.add(kHostWithoutTls.info, ing.meta, loc, std::move(message));
      if (alb) out.set_fix(kAlbHttpsFix);
      else if (gce) out.set_fix(kGceHttpsFix);
    };
    for (const IngressRule& r : ing.rules) {
      if (!r.host || r.host.value.empty()) {
        if ((alb || !ing.has_tls_section) && plain({}))
          report(r.loc, "rule without a host is served over plain HTTP (" + std::string(why) + ")");
        continue;
      }
      if (!plain(r.host.value)) continue;
      report(r.host.loc, ing.has_tls_section && !alb
                             ? "host " + std::string(r.host.value) + " is not listed in spec.tls[].hosts: it is served over plain HTTP or with the controller's default certificate"
                             : "host " + std::string(r.host.value) + " is served over plain HTTP (" + std::string(why) + ")");
    }
    if (ing.rules.empty() && ing.default_backend.present && (alb || !ing.has_tls_section) && plain({}))
      report(ing.default_backend.loc, "default backend is served over plain HTTP (" + std::string(why) + ")");
  }
}

std::string ingress_class(const Ingress& ing) { return std::string(ing.requested_class().value); }

void check_https_not_enforced(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    if (const KeyValue* r = nginx_annotation(ing.meta, "ssl-redirect");
        r && ing.has_tls_section && parse_go_bool(r->value) == false) {
      out.add(kHttpsNotEnforced.info, ing.meta, r->value_loc(),
              "ssl-redirect is \"false\": TLS hosts also answer over plain HTTP without a redirect");
    }
    const KeyValue* allow = ing.meta.annotation("kubernetes.io/ingress.allow-http");
    if (allow && parse_go_bool(allow->value) == true)
      out.add(kHttpsNotEnforced.info, ing.meta, allow->value_loc(),
              "kubernetes.io/ingress.allow-http is \"true\": the load balancer also serves plain HTTP");
    // A GKE Ingress that serves port 80 beside HTTPS without a redirect is IG1142's finding.
  }
}

void check_wildcard_host(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (const IngressRule& r : ing.rules)
      if (r.host && !r.host.value.empty() && r.host.value[0] == '*')
        out.add(kWildcardHost.info, ing.meta, r.host.loc, "wildcard host " + std::string(r.host.value) + " routes every matching name to this backend");
}

void check_catch_all_host(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (const IngressRule& r : ing.rules)
      if (!r.host || r.host.value.empty())
        out.add(kCatchAllHost.info, ing.meta, r.host ? r.host.loc : r.loc,
                "rule without a host matches every Host header, including the load balancer's bare IP");
}

struct HostClaim {
  const Ingress* ing;
  const IngressRule* rule;
  std::string cls;
};

bool same_controller(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

void check_host_across_namespaces(const Cluster& c, const RuleSettings& settings, Findings& out) {
  // With `uniqueHosts: true` in the policy, one Ingress per host, whatever the namespace.
  bool strict = settings.policy && settings.policy->unique_hosts;
  std::map<std::string, std::vector<HostClaim>> by_host;
  for (const Ingress& ing : c.ingresses) {
    std::string cls = ingress_class(ing);
    for (const IngressRule& r : ing.rules)
      if (r.host && !r.host.value.empty()) by_host[to_lower(r.host.value)].push_back(HostClaim{&ing, &r, cls});
  }
  for (const auto& [host, claims] : by_host) {
    for (const HostClaim& a : claims) {
      for (const HostClaim& b : claims) {
        bool same_ns = a.ing->meta.effective_ns() == b.ing->meta.effective_ns();
        // Two copies of one object (same namespace and name) are alternatives, never rivals.
        if (a.ing == b.ing || same_identity(a.ing->meta, b.ing->meta) || (same_ns && !strict) ||
            !same_controller(a.cls, b.cls) || is_canary(*a.ing) || is_canary(*b.ing))
          continue;
        out.add(kHostAcrossNamespaces.info, a.ing->meta, a.rule->host.loc,
                "host " + std::string(a.rule->host.value) + " is also claimed by Ingress " + where(*b.ing) +
                    (same_ns ? " (the policy allows one Ingress per host)"
                             : " in another namespace: the controller merges or hijacks the routes"));
        break;  // one finding per claim
      }
    }
  }
}

void check_duplicate_host_path(const Cluster& c, const RuleSettings&, Findings& out) {
  struct First {
    const Ingress* ing;
    Loc loc;
  };
  std::unordered_map<std::string, First> seen;  // host, class, path and path type, NUL-separated
  std::string key;
  for (const Ingress& ing : c.ingresses) {
    // ingress-nginx canaries repeat their main Ingress's host and path to split its traffic.
    if (is_canary(ing)) continue;
    std::string cls = ingress_class(ing);
    for (const IngressRule& r : ing.rules) {
      std::string host = r.host ? to_lower(r.host.value) : "";
      for (const IngressPath& p : r.paths) {
        std::string_view path = p.path ? p.path.value : "/";
        key.assign(host).append(1, '\0').append(cls).append(1, '\0').append(path).append(1, '\0').append(p.path_type);
        auto [it, inserted] = seen.try_emplace(key, First{&ing, p.loc});
        if (inserted || same_identity(it->second.ing->meta, ing.meta)) continue;  // a second copy of one object
        out.add(kDuplicateHostPath.info, ing.meta, p.path ? p.path.loc : p.loc,
                "path " + std::string(path) + " on host " + (host.empty() ? std::string("*") : host) +
                    " is already routed by Ingress " + where(*it->second.ing) + " (" +
                    c.files[it->second.loc.file].path + ":" + std::to_string(it->second.loc.line) +
                    "); only one of them receives the traffic");
      }
    }
  }
}

// GKE gives every Ingress a load balancer of its own (ALB too, outside an
// IngressGroup): its default backend catches only that Ingress's traffic.
bool own_load_balancer(const Cluster& c, const Ingress& ing) {
  ServingController sc = controller_of(c, ing);
  if (sc.kind == ControllerKind::Gce) return true;
  return sc.kind == ControllerKind::Alb && !alb_annotation(ing.meta, "group.name");
}

void check_default_backend(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    if (ing.default_backend.present && !own_load_balancer(c, ing))
      out.add(kDefaultBackend.info, ing.meta, ing.default_backend.loc,
              "spec.defaultBackend catches every request no rule matches" +
                  (ing.default_backend.service.empty() ? std::string() : ", sending it to Service " + ing.default_backend.service));
}

void check_no_ingress_class(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    if (!ing.requested_class())
      out.add(kNoIngressClass.info, ing.meta, ing.meta.name_loc,
              "no ingressClassName: the default IngressClass, or any controller watching class-less Ingresses, serves it");
}

// Each kind's own removal and what its move to networking.k8s.io/v1 changes.
template <class T>
void report_deprecated_api(const T& obj, std::string_view removed_in, std::string_view migration, Findings& out) {
  std::string_view api = obj.meta.api_version;
  if (api == "extensions/v1beta1" || api == "networking.k8s.io/v1beta1")
    out.add(kDeprecatedApi.info, obj.meta, obj.meta.api_version_loc,
            std::string(obj.meta.kind) + " uses " + std::string(api) + ", no longer served since Kubernetes " +
                std::string(removed_in) + "; use networking.k8s.io/v1" + std::string(migration));
}

void check_deprecated_api(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    report_deprecated_api(ing, "1.22",
                          " (backend serviceName/servicePort become service.name/port, and every path needs a "
                          "pathType: converted ones get ImplementationSpecific, a regex in ingress-nginx)",
                          out);
  for (const IngressClass& ic : c.ingress_classes) report_deprecated_api(ic, "1.22", " (the fields are the same)", out);
  for (const NetworkPolicy& np : c.network_policies)
    report_deprecated_api(np, "1.16", " (the fields are the same)", out);
}

void check_class_missing(const Cluster& c, const RuleSettings&, Findings& out) {
  if (c.ingress_classes.empty()) return;  // classes not in the input: cannot tell
  for (const Ingress& ing : c.ingresses) {
    Field cls = ing.requested_class();
    std::string name(cls.value);
    Loc where = cls.loc;
    if (!name.empty() && !c.find_ingress_class(name))
      out.add(kIngressClassMissing.info, ing.meta, where,
              "IngressClass '" + name + "' is not defined; no controller may serve this Ingress, or an unexpected one claims the name later");
  }
}

void check_multiple_default_classes(const Cluster& c, const RuleSettings&, Findings& out) {
  std::vector<const IngressClass*> defaults;
  for (const IngressClass& ic : c.ingress_classes)
    if (ic.is_default && std::none_of(defaults.begin(), defaults.end(), [&](const IngressClass* d) { return d->meta.name == ic.meta.name; }))
      defaults.push_back(&ic);  // two copies of one class are one class
  if (defaults.size() < 2) return;
  std::string names;
  for (const IngressClass* ic : defaults) names += (names.empty() ? "" : ", ") + std::string(ic->meta.name);
  for (const IngressClass* ic : defaults) {
    const KeyValue* kv = ic->meta.annotation("ingressclass.kubernetes.io/is-default-class");
    out.add(kMultipleDefaultClasses.info, ic->meta, kv ? kv->value_loc() : ic->meta.name_loc,
            "several IngressClasses are marked default (" + names + "); new class-less Ingresses are refused or land on either");
  }
}

void check_backend(const Cluster& c, bool complete, Findings& out, const Ingress& ing, const IngressBackend& b) {
  if (!b.present || b.service.empty()) return;
  std::string_view ns = ing.meta.effective_ns();
  if (!c.has_services_in(ns)) return;  // partial input: cannot tell
  const Service* svc = c.find_service(ns, b.service);
  if (!svc) {
    // Absent from a partial input is unknown, not missing: a low note there.
    out.add(kBackendMissing.info, ing.meta, b.service_loc,
            "backend Service " + std::string(ns) + "/" + b.service +
                (complete ? " does not exist" : " does not exist in the scanned input (cannot be checked further)"));
    if (!complete) out.items().back().severity = Severity::Low;
    return;
  }
  if (svc->type_or_default() == "ExternalName" && svc->ports.empty()) return;
  if (!b.port_number && b.port_name.empty()) return;  // no port named: nothing to check
  bool found = std::any_of(svc->ports.begin(), svc->ports.end(), [&](const ServicePort& p) {
    return b.port_number ? p.port == *b.port_number : p.name == b.port_name;
  });
  if (!found) {
    std::string port = b.port_number ? std::to_string(*b.port_number) : b.port_name;
    out.add(kBackendMissing.info, ing.meta, b.port_loc.line ? b.port_loc : b.service_loc,
            "backend Service " + std::string(ns) + "/" + b.service + " has no port " + port);
  }
}

void check_backend_missing(const Cluster& c, const RuleSettings& s, Findings& out) {
  bool complete = complete_input(s);
  for (const Ingress& ing : c.ingresses) {
    check_backend(c, complete, out, ing, ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths) check_backend(c, complete, out, ing, p.backend);
  }
}

// Path segments that name administrative, debugging or secret-bearing endpoints.
constexpr std::array<std::string_view, 27> kSensitiveSegments = {
    "admin",    "administrator", "wp-admin",  "metrics",     "actuator",   "debug",     "pprof",
    ".git",     ".env",          ".svn",      ".aws",        ".ssh",       "swagger",   "swagger-ui",
    "api-docs", "phpmyadmin",    "server-status", "jolokia", "console",    "h2-console", "manager",
    "heapdump", "_profiler",     "graphiql",  "prometheus",  "env",        "openapi"};

std::optional<std::string> sensitive_segment(std::string_view path) {
  for (std::string_view seg : split_list(path, '/')) {
    std::string s = to_lower(seg);
    size_t end = s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-");
    if (end != std::string::npos) s.resize(end);
    // "swagger-ui.html", "metrics.json": compare the name before the extension too.
    std::string stem = s.substr(0, s.find('.', 1));
    for (auto k : kSensitiveSegments)
      if (s == k || stem == k) return s;
  }
  return std::nullopt;
}

bool has_access_control(const ObjectMeta& m) {
  for (auto a : {"auth-url", "auth-type", "auth-tls-secret"})
    if (nginx_annotation(m, a)) return true;
  for (auto a : {"whitelist-source-range", "allowlist-source-range"}) {
    const KeyValue* kv = nginx_annotation(m, a);
    if (!kv) continue;
    auto entries = split_list(kv->value, ',');
    if (!entries.empty() && std::none_of(entries.begin(), entries.end(), is_open_cidr)) return true;
  }
  const KeyValue* alb = m.annotation("alb.ingress.kubernetes.io/auth-type");
  return alb && alb->value != "none";
}

void check_sensitive_path(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses) {
    if (has_access_control(ing.meta)) continue;
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths)
        if (p.path)
          if (auto seg = sensitive_segment(p.path.value))
            out.add(kSensitivePathUnprotected.info, ing.meta, p.path.loc,
                    "path " + std::string(p.path.value) + " exposes '" + *seg + "' with no authentication or source allowlist");
  }
}

// "{2}" or "{1,3}": a regex quantifier, not a block.
bool is_quantifier(std::string_view s, size_t open) {
  size_t close = s.find('}', open);
  if (close == std::string_view::npos) return false;
  std::string_view inner = s.substr(open + 1, close - open - 1);
  return !inner.empty() && inner.find_first_not_of("0123456789,") == std::string_view::npos;
}

std::optional<std::string> path_injection_marker(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    char ch = p[i];
    if (ch == '\n' || ch == '\r') return std::string("a line break");
    if (ch == ';' || ch == '#' || ch == '"' || ch == '\'' || ch == '`' || ch == '\\') return "'" + std::string(1, ch) + "'";
    if (ch == '{') {
      if (is_quantifier(p, i)) {
        i = p.find('}', i);
        continue;
      }
      return std::string("'{'");
    }
    if (ch == '}') return std::string("'}'");
  }
  for (std::string_view w : {"load_module", "_by_lua", "/var/run/secrets", "/etc/", "/proc/", "serviceaccount"})
    if (p.find(w) != std::string_view::npos) return "'" + std::string(w) + "'";
  if (p == "/etc" || p.rfind("/etc/", 0) == 0 || p == "/root" || p.rfind("/root/", 0) == 0) return "a system directory";
  return std::nullopt;
}

void check_path_injection(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths)
        if (p.path)
          if (auto marker = path_injection_marker(p.path.value))
            out.add(kPathInjection.info, ing.meta, p.path.loc,
                    "path contains " + *marker + ", a marker of nginx configuration injection or file access");
}

}  // namespace

const Rule kHostWithoutTls{
    .info = {.id = "IG101",
             .title = "Ingress host served without TLS",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "A host with no spec.tls entry is served over plain HTTP (credentials and cookies in clear), "
                          "or over TLS with the controller's default, untrusted certificate.",
             .remediation = "Add a spec.tls entry whose hosts list covers every rule host, with a certificate Secret.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"}},
    .check = &check_host_without_tls,
};

const Rule kHttpsNotEnforced{
    .info = {.id = "IG102",
             .title = "HTTPS not enforced",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "With ssl-redirect disabled or plain HTTP allowed on the load balancer, clients that start with "
                          "http:// stay on plain HTTP and can be downgraded by anyone on the path.",
             .remediation = "Remove nginx.ingress.kubernetes.io/ssl-redirect: \"false\"; set kubernetes.io/ingress.allow-http: \"false\".",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#server-side-https-enforcement-through-redirect",
                            "https://cloud.google.com/kubernetes-engine/docs/concepts/ingress-xlb#disabling_http"}},
    .check = &check_https_not_enforced,
};

const Rule kWildcardHost{
    .info = {.id = "IG103",
             .title = "Wildcard Ingress host",
             .severity = Severity::Medium,
             .category = "routing",
             .rationale = "A wildcard host routes every matching name (including names nobody meant to publish) to one "
                          "backend and lets any subdomain take the traffic.",
             .remediation = "List the exact host names this backend serves.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards"}},
    .check = &check_wildcard_host,
};

const Rule kCatchAllHost{
    .info = {.id = "IG104",
             .title = "Ingress rule without a host",
             .severity = Severity::Medium,
             .category = "routing",
             .rationale = "A rule without a host matches every Host header, so the backend answers requests sent to the "
                          "load balancer's IP and to any name pointed at it, bypassing host-based controls.",
             .remediation = "Set spec.rules[].host to the name this backend serves.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules"}},
    .check = &check_catch_all_host,
};

const Rule kHostAcrossNamespaces{
    .info = {.id = "IG105",
             .title = "Host claimed by Ingresses in different namespaces",
             .severity = Severity::High,
             .category = "routing",
             .rationale = "Controllers merge the paths of every Ingress that names a host. A tenant that can create an "
                          "Ingress in its own namespace can add routes to, or take over, another team's host.",
             .remediation = "Serve each host from one namespace; enforce unique hosts at admission.",
             .references = {"https://kubernetes.github.io/ingress-nginx/how-it-works/#building-the-nginx-model"}},
    .check = &check_host_across_namespaces,
};

const Rule kDuplicateHostPath{
    .info = {.id = "IG106",
             .title = "Same host and path routed twice",
             .severity = Severity::Medium,
             .category = "routing",
             .rationale = "When two rules claim the same host and path, the controller sends the traffic to one of them "
                          "(the oldest Ingress for ingress-nginx); the other configuration, with its protections, is ignored.",
             .remediation = "Keep one rule per host and path.",
             .references = {"https://kubernetes.github.io/ingress-nginx/how-it-works/#building-the-nginx-model"}},
    .check = &check_duplicate_host_path,
};

const Rule kDefaultBackend{
    .info = {.id = "IG107",
             .title = "Ingress defines a default backend",
             .severity = Severity::Medium,
             .category = "routing",
             .rationale = "spec.defaultBackend receives every request that matches no rule, for any host: an application "
                          "becomes reachable through names and IPs nobody reviewed.",
             .remediation = "Remove spec.defaultBackend; route explicit hosts and let the controller answer 404 otherwise.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend"}},
    .check = &check_default_backend,
};

const Rule kNoIngressClass{
    .info = {.id = "IG108",
             .title = "Ingress without an ingress class",
             .severity = Severity::Low,
             .category = "routing",
             .rationale = "Without ingressClassName the Ingress is served by the default IngressClass or by any controller "
                          "watching class-less Ingresses, which may be a public controller instead of an internal one.",
             .remediation = "Set spec.ingressClassName to the intended class.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class"}},
    .check = &check_no_ingress_class,
};

const Rule kBackendMissing{
    .info = {.id = "IG109",
             .title = "Backend Service or port missing",
             .severity = Severity::Medium,
             .category = "routing",
             .rationale = "A route to a Service that does not exist answers 503 today and routes to whoever creates that "
                          "Service name tomorrow. Reported only when the input holds that namespace's Services.",
             .remediation = "Point the backend at an existing Service and one of its ports, or remove the route.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#resource-backend"}},
    .check = &check_backend_missing,
};

const Rule kSensitivePathUnprotected{
    .info = {.id = "IG110",
             .title = "Sensitive path routed without authentication",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "Admin consoles, metrics, actuator, debug and source-control paths leak data or give control "
                          "when reachable from the internet without authentication or an IP allowlist.",
             .remediation = "Remove the route, or protect it with auth-url/auth-type or an allowlist-source-range.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#authentication",
                            "https://owasp.org/www-project-web-security-testing-guide/"}},
    .check = &check_sensitive_path,
};

const Rule kPathInjection{
    .info = {.id = "IG111",
             .title = "Injection marker in an Ingress path",
             .severity = Severity::High,
             .category = "injection",
             .rationale = "ingress-nginx copies paths into its nginx configuration; quotes, semicolons, braces, comments "
                          "or file-system paths there have been used to inject directives and read the controller's "
                          "credentials.",
             .remediation = "Use plain URL paths (letters, digits, / _ - .) with pathType Prefix or Exact.",
             .references = {"CVE-2021-25745", "CVE-2022-4886", "CVE-2026-24512", "CVE-2026-4342"}},
    .check = &check_path_injection,
};

const Rule kDeprecatedApi{
    .info = {.id = "IG112",
             .title = "Deprecated API version",
             .severity = Severity::Medium,
             .category = "hygiene",
             .rationale = "extensions/v1beta1 and networking.k8s.io/v1beta1 Ingress, IngressClass and NetworkPolicy "
                          "are no longer served; the manifest fails to apply, or is converted with defaults the author "
                          "did not review (v1beta1 pathType becomes ImplementationSpecific, a regex in ingress-nginx).",
             .remediation = "Rewrite the object as networking.k8s.io/v1 (for an Ingress, with the v1 backend form and an explicit pathType on every path).",
             .references = {"https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-22"}},
    .check = &check_deprecated_api,
};

const Rule kIngressClassMissing{
    .info = {.id = "IG113",
             .title = "IngressClass referenced but not defined",
             .severity = Severity::Medium,
             .category = "hygiene",
             .rationale = "An Ingress naming a class that does not exist is served by no controller, or by whichever "
                          "controller later claims that class name.",
             .remediation = "Use one of the defined IngressClasses, or define the class with the intended controller.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class"}},
    .check = &check_class_missing,
};

const Rule kMultipleDefaultClasses{
    .info = {.id = "IG114",
             .title = "More than one default IngressClass",
             .severity = Severity::Medium,
             .category = "hygiene",
             .rationale = "With several default classes, class-less Ingresses are rejected by admission or land on a "
                          "controller nobody chose (for example a public one).",
             .remediation = "Keep ingressclass.kubernetes.io/is-default-class: \"true\" on one class at most.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class"}},
    .check = &check_multiple_default_classes,
};

}  // namespace ig::rules
