// Traefik (traefik.io/v1alpha1, legacy traefik.containo.us): routers without
// TLS, middlewares that trust client-controlled addresses or skip
// verification, weak TLSOptions, the cluster-wide `default` TLSOption, and
// the controller's own insecure start-up flags.
#include <algorithm>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

bool is_traefik(std::string_view api) { return api.starts_with("traefik.io/") || api.starts_with("traefik.containo.us/"); }

template <class Fn>
void for_each_middleware(const Cluster& c, Fn fn) {
  for (const GatewayPolicy& p : c.gateway_policies)
    if (p.meta.kind == "Middleware" && is_traefik(p.meta.api_version)) fn(p.meta, p.spec);
}

template <class Fn>
void for_each_traefik(const Cluster& c, std::string_view kind, Fn fn) {
  for_each_extension(c, {"traefik.io/", "traefik.containo.us/"}, kind, fn);
}

// A Middleware of the route's namespace (or the one named) that redirects to https.
bool redirects_to_https(const Cluster& c, std::string_view ns, std::string_view name) {
  for (const GatewayPolicy& p : c.gateway_policies)
    if (p.meta.kind == "Middleware" && p.meta.name == name && p.meta.effective_ns() == ns)
      if (const FlatField* s = p.spec.get("spec.redirectScheme.scheme"); s && s->value == "https") return true;
  return false;
}

void check_ingressroute_without_tls(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_traefik(c, "IngressRoute", [&](const ObjectMeta& m, const FlatSpec& s) {
    if (s.has("spec.tls")) return;
    for (const FlatField* mw : s.all("spec.routes[*].middlewares[*].name")) {
      std::string prefix = mw->path.substr(0, mw->path.size() - 5);  // ...middlewares[i].
      const FlatField* ns = s.get(prefix + ".namespace");
      if (redirects_to_https(c, ns ? std::string_view(ns->value) : m.effective_ns(), mw->value)) return;
    }
    auto matches = s.all("spec.routes[*].match");
    Loc loc = matches.empty() ? m.loc : matches.front()->loc;
    out.add(kTraefikRouteWithoutTls.info, m, loc,
            "IngressRoute has no spec.tls: its routes are served in clear text on their entry points (unless the entry "
            "point itself forces TLS or redirects)");
  });
}

void check_allowlist_open(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_middleware(c, [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const char* pattern : {"spec.ipAllowList.sourceRange[*]", "spec.ipWhiteList.sourceRange[*]"})
      for (const FlatField* f : s.all(pattern))
        if (is_open_cidr(f->value))
          out.add(kTraefikAllowlistOpen.info, m, f->loc, "ipAllowList sourceRange " + f->value + " admits every address");
  });
}

void check_client_address_from_headers(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_middleware(c, [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const char* path : {"spec.ipAllowList.ipStrategy.depth", "spec.ipWhiteList.ipStrategy.depth",
                             "spec.rateLimit.sourceCriterion.ipStrategy.depth", "spec.inFlightReq.sourceCriterion.ipStrategy.depth"})
      if (const FlatField* f = s.get(path); f && f->value != "0")
        out.add(kTraefikClientAddressFromHeaders.info, m, f->loc,
                std::string(path).substr(5) + ": " + f->value + " takes the client address from X-Forwarded-For, which "
                "clients write unless a proxy in front overwrites it");
    for (const char* path : {"spec.rateLimit.sourceCriterion.requestHeaderName", "spec.inFlightReq.sourceCriterion.requestHeaderName"})
      if (const FlatField* f = s.get(path))
        out.add(kTraefikClientAddressFromHeaders.info, m, f->loc,
                "the limit is counted per value of header " + f->value + ", which the client chooses: a new value per "
                "request escapes it");
  });
}

void check_forward_auth(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_middleware(c, [&](const ObjectMeta& m, const FlatSpec& s) {
    if (const FlatField* f = s.get("spec.forwardAuth.trustForwardHeader"); is_true(f))
      out.add(kTraefikForwardAuthTrust.info, m, f->loc,
              "forwardAuth trusts X-Forwarded-* from the client: the auth server can be told another URI, host or address");
    if (const FlatField* f = s.get("spec.forwardAuth.tls.insecureSkipVerify"); is_true(f))
      out.add(kTraefikForwardAuthTrust.info, m, f->loc,
              "forwardAuth does not verify the auth server's certificate: whoever can intercept it answers for it");
  });
}

void headers_walk(const Cluster& c, Findings& out) {
  for_each_middleware(c, [&](const ObjectMeta& m, const FlatSpec& s) {
    if (const FlatField* f = s.get("spec.headers.stsSeconds")) {
      long long v = std::atoll(f->value.c_str());
      if (v < 15552000)
        out.add(kTraefikHstsWeak.info, m, f->loc,
                "stsSeconds " + f->value + (v == 0 ? ": no HSTS header is sent" : ": below 180 days (15552000)"));
    }
    bool credentials = is_true(s.get("spec.headers.accessControlAllowCredentials"));
    for (const FlatField* o : s.all("spec.headers.accessControlAllowOriginList[*]"))
      if (credentials && o->value == "*")
        out.add(kTraefikCorsWildcardCredentials.info, m, o->loc,
                "accessControlAllowOriginList * with accessControlAllowCredentials: any site can make credentialed "
                "requests and read the answers");
  });
}

void tls_option_walk(const Cluster& c, Findings& out) {
  for_each_traefik(c, "TLSOption", [&](const ObjectMeta& m, const FlatSpec& s) {
    const FlatField* f = s.get("spec.minVersion");
    if (!f)
      out.add(kTraefikTlsOptionWeak.info, m, m.name_loc,
              "TLSOption without minVersion: Go's default applies (TLS 1.0 before Go 1.22); set VersionTLS12");
    else if (f->value == "VersionTLS10" || f->value == "VersionTLS11")
      out.add(kTraefikTlsOptionWeak.info, m, f->loc, "minVersion " + f->value + " accepts TLS below 1.2");
    if (const FlatField* t = s.get("spec.clientAuth.clientAuthType");
        t && (t->value == "RequestClientCert" || t->value == "VerifyClientCertIfGiven" || t->value == "RequireAnyClientCert") &&
        !s.all("spec.clientAuth.secretNames[*]").empty())
      out.add(kTraefikClientCertOptional.info, m, t->loc,
              "clientAuthType " + t->value + " with CA secrets: client certificates are " +
                  (t->value == "RequireAnyClientCert" ? "required but not verified" : "optional"));
  });
}

// The namespaces where Traefik itself runs (its image), to tell a deliberate `default` TLSOption from a tenant's.
std::vector<std::string_view> traefik_namespaces(const Cluster& c) {
  std::vector<std::string_view> out;
  for (const Workload& w : c.workloads)
    for (const Container& ct : w.containers)
      if (ct.image.value.find("traefik") != std::string::npos) out.push_back(w.meta.effective_ns());
  return out;
}

void check_default_tls_option(const Cluster& c, const RuleSettings&, Findings& out) {
  auto home = traefik_namespaces(c);
  for (const char* kind : {"TLSOption", "TLSStore"})
    for_each_traefik(c, kind, [&](const ObjectMeta& m, const FlatSpec&) {
      if (m.name != "default") return;
      if (std::find(home.begin(), home.end(), m.effective_ns()) != home.end()) return;
      out.add(kTraefikDefaultTlsOption.info, m, m.name_loc,
              std::string(kind) + " named default in namespace " + std::string(m.effective_ns()) +
                  " sets TLS for every router in the cluster" +
                  (home.empty() ? "" : ", from outside Traefik's namespace " + std::string(home.front())));
    });
}

void check_hsts(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kTraefikHstsWeak.info, out, [&](Findings& f) { headers_walk(c, f); });
}
void check_cors(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kTraefikCorsWildcardCredentials.info, out, [&](Findings& f) { headers_walk(c, f); });
}
void check_tls_option(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kTraefikTlsOptionWeak.info, out, [&](Findings& f) { tls_option_walk(c, f); });
}
void check_client_cert(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kTraefikClientCertOptional.info, out, [&](Findings& f) { tls_option_walk(c, f); });
}

void static_config_walk(const Cluster& c, Findings& out);

void check_servers_transport(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_traefik(c, "ServersTransport", [&](const ObjectMeta& m, const FlatSpec& s) {
    if (const FlatField* f = s.get("spec.insecureSkipVerify"); is_true(f))
      out.add(kTraefikBackendTlsUnverified.info, m, f->loc,
              "insecureSkipVerify: backend certificates are not checked, so TLS to the backends stops no interceptor");
  });
  keep_only(kTraefikBackendTlsUnverified.info, out, [&](Findings& f) { static_config_walk(c, f); });
}

// Traefik's own command line: the API/dashboard without auth, forwarded headers from anyone, global skips.
void static_config_walk(const Cluster& c, Findings& out) {
  for (const Workload& w : c.workloads)
    for (const Container& ct : w.containers) {
      if (ct.image.value.find("traefik") == std::string::npos) continue;
      for (const Field& a : ct.args) {
        std::string arg = to_lower(a.value);
        bool on = arg.ends_with("=true") || arg.find('=') == std::string::npos;
        if (arg.starts_with("--api.insecure") && on)
          out.add(kTraefikApiInsecure.info, w.meta, a.loc,
                  "--api.insecure serves the API and dashboard without authentication on the traefik entry point: the "
                  "whole routing configuration, and the rest API where enabled");
        else if (arg.find("forwardedheaders.insecure") != std::string::npos && on)
          out.add(kTraefikForwardedHeadersTrusted.info, w.meta, a.loc,
                  std::string(a.value) + ": X-Forwarded-For from any client is trusted (allowlists and limits see the address it claims)");
        else if (arg.find("forwardedheaders.trustedips=") != std::string::npos &&
                 (arg.find("0.0.0.0/0") != std::string::npos || arg.find("::/0") != std::string::npos))
          out.add(kTraefikForwardedHeadersTrusted.info, w.meta, a.loc, std::string(a.value) + ": every address may set X-Forwarded-For");
        else if ((arg.starts_with("--serverstransport.insecureskipverify") ||
                  arg.starts_with("--providers.kubernetescrd.allowcrossnamespace")) && on)
          out.add(kTraefikBackendTlsUnverified.info, w.meta, a.loc,
                  std::string(a.value) + (arg.find("insecureskipverify") != std::string::npos
                                 ? ": no backend certificate is verified, cluster-wide"
                                 : ": routes may use Services and middlewares of other namespaces"));
      }
    }
  // An IngressRoute to api@internal without any middleware (the dashboard published without auth).
  for_each_traefik(c, "IngressRoute", [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const FlatField* svc : s.all("spec.routes[*].services[*].name")) {
      if (svc->value != "api@internal" && svc->value != "dashboard@internal") continue;
      std::string route = svc->path.substr(0, svc->path.find(".services["));
      if (s.has(route + ".middlewares")) continue;
      out.add(kTraefikApiInsecure.info, m, svc->loc, "routes to " + svc->value + " without a middleware: the API is public");
    }
  });
}

void check_api_insecure(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kTraefikApiInsecure.info, out, [&](Findings& f) { static_config_walk(c, f); });
}
void check_forwarded_headers(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kTraefikForwardedHeadersTrusted.info, out, [&](Findings& f) { static_config_walk(c, f); });
}

}  // namespace

const Rule kTraefikRouteWithoutTls{
    .info = {.id = "IG1101",
             .title = "Traefik IngressRoute without TLS",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "An IngressRoute without spec.tls serves its routes in clear text on its entry points.",
             .remediation = "Add spec.tls (secretName or certResolver), or a redirectScheme middleware / an entry-point "
                            "redirection to websecure.",
             .references = {"https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/"}},
    .check = &check_ingressroute_without_tls,
};

const Rule kTraefikAllowlistOpen{
    .info = {.id = "IG1102",
             .title = "Traefik ipAllowList open to every address",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "A sourceRange of 0.0.0.0/0 or ::/0 makes the allowlist admit everyone while the route looks "
                          "restricted.",
             .remediation = "List the networks that may reach the route.",
             .references = {"https://doc.traefik.io/traefik/middlewares/http/ipallowlist/"}},
    .check = &check_allowlist_open,
};

const Rule kTraefikClientAddressFromHeaders{
    .info = {.id = "IG1103",
             .title = "Traefik middleware trusts a client-controlled address",
             .severity = Severity::Medium,
             .category = "access-control",
             .rationale = "ipStrategy.depth takes the address from X-Forwarded-For, and a requestHeaderName criterion "
                          "counts per header value: unless a trusted proxy in front rewrites them, clients choose them.",
             .remediation = "Keep depth 0 (the connection's address) unless a proxy in front overwrites X-Forwarded-For; "
                            "count limits per source address.",
             .references = {"https://doc.traefik.io/traefik/middlewares/http/ipallowlist/#ipstrategy",
                            "https://doc.traefik.io/traefik/middlewares/http/ratelimit/#sourcecriterion"}},
    .check = &check_client_address_from_headers,
};

const Rule kTraefikForwardAuthTrust{
    .info = {.id = "IG1104",
             .title = "Traefik forwardAuth trusts forwarded headers or skips TLS verification",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "trustForwardHeader passes the client's X-Forwarded-* to the auth server (a spoofed URI or "
                          "prefix can pass authorization, GHSA-6384-m2mw-rf54); insecureSkipVerify lets an interceptor "
                          "answer for the auth server.",
             .remediation = "Set trustForwardHeader: false (trust entry-point forwardedHeaders.trustedIPs instead) and "
                            "verify the auth server's certificate.",
             .references = {"https://doc.traefik.io/traefik/middlewares/http/forwardauth/",
                            "https://github.com/traefik/traefik/security/advisories/GHSA-6384-m2mw-rf54"}},
    .check = &check_forward_auth,
};

const Rule kTraefikHstsWeak{
    .info = {.id = "IG1105",
             .title = "Traefik headers middleware with weak HSTS",
             .severity = Severity::Low,
             .category = "tls",
             .rationale = "stsSeconds 0 sends no HSTS header; below 180 days browsers forget to insist on HTTPS too soon.",
             .remediation = "Set stsSeconds to 63072000 (two years, Mozilla) or at least 15552000.",
             .references = {"https://doc.traefik.io/traefik/middlewares/http/headers/"}},
    .check = &check_hsts,
};

const Rule kTraefikCorsWildcardCredentials{
    .info = {.id = "IG1106",
             .title = "Traefik CORS allows any origin with credentials",
             .severity = Severity::High,
             .category = "cors",
             .rationale = "accessControlAllowOriginList ['*'] with accessControlAllowCredentials lets any web site read "
                          "authenticated answers.",
             .remediation = "List the allowed origins, or drop accessControlAllowCredentials.",
             .references = {"https://doc.traefik.io/traefik/middlewares/http/headers/#cors-headers"}},
    .check = &check_cors,
};

const Rule kTraefikTlsOptionWeak{
    .info = {.id = "IG1107",
             .title = "Traefik TLSOption allows TLS below 1.2",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "minVersion VersionTLS10/11 (or none, with older Go builds) accepts deprecated protocol versions.",
             .remediation = "Set minVersion: VersionTLS12.",
             .references = {"https://doc.traefik.io/traefik/https/tls/#tls-options", "https://www.rfc-editor.org/rfc/rfc8996"}},
    .check = &check_tls_option,
};

const Rule kTraefikClientCertOptional{
    .info = {.id = "IG1108",
             .title = "Traefik TLSOption asks for client certificates without requiring valid ones",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "With CA secrets configured, RequestClientCert and VerifyClientCertIfGiven let clients without a "
                          "certificate in, and RequireAnyClientCert does not verify the one given.",
             .remediation = "Use clientAuthType: RequireAndVerifyClientCert where client certificates are meant to "
                            "authenticate.",
             .references = {"https://doc.traefik.io/traefik/https/tls/#client-authentication-mtls"}},
    .check = &check_client_cert,
};

const Rule kTraefikDefaultTlsOption{
    .info = {.id = "IG1109",
             .title = "Traefik TLSOption or TLSStore named default outside Traefik's namespace",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "A TLSOption or TLSStore named default, in any namespace, sets TLS for every router of the "
                          "cluster: a tenant who can create one lowers everyone's TLS.",
             .remediation = "Keep the default TLSOption in Traefik's namespace and restrict it with "
                            "providers.kubernetesCRD.defaultTLSResourcesNamespace; forbid the name elsewhere by admission policy.",
             .references = {"https://doc.traefik.io/traefik/https/tls/#tls-options"}},
    .check = &check_default_tls_option,
};

const Rule kTraefikBackendTlsUnverified{
    .info = {.id = "IG1110",
             .title = "Traefik skips backend TLS verification or crosses namespaces",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "insecureSkipVerify (per ServersTransport or global) accepts any backend certificate; "
                          "allowCrossNamespace lets a route use another namespace's Services and middlewares.",
             .remediation = "Verify backends with rootCAs and serverName; keep allowCrossNamespace false.",
             .references = {"https://doc.traefik.io/traefik/routing/services/#serverstransport_1",
                            "https://doc.traefik.io/traefik/providers/kubernetes-crd/#allowcrossnamespace"}},
    .check = &check_servers_transport,
};

const Rule kTraefikApiInsecure{
    .info = {.id = "IG1111",
             .title = "Traefik API and dashboard exposed without authentication",
             .severity = Severity::Critical,
             .category = "exposure",
             .rationale = "--api.insecure, or an IngressRoute to api@internal without a middleware, publishes Traefik's "
                          "API: the whole routing configuration, backends and certificates' names.",
             .remediation = "Drop --api.insecure; publish the dashboard through an IngressRoute with an auth middleware "
                            "and an allowlist, or not at all.",
             .references = {"https://doc.traefik.io/traefik/operations/api/#insecure"}},
    .check = &check_api_insecure,
};

const Rule kTraefikForwardedHeadersTrusted{
    .info = {.id = "IG1112",
             .title = "Traefik trusts X-Forwarded-For from any client",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "forwardedHeaders.insecure or trustedIPs 0.0.0.0/0 makes every allowlist, rate limit and log "
                          "see the address a client claims.",
             .remediation = "List only the load balancer's addresses in forwardedHeaders.trustedIPs.",
             .references = {"https://doc.traefik.io/traefik/routing/entrypoints/#forwarded-headers"}},
    .check = &check_forwarded_headers,
};

}  // namespace ig::rules
