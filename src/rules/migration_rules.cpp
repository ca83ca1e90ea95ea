// Migration from ingress-nginx to the Gateway API: for each hostname served
// both by an Ingress and by Gateway routes meant to replace it, every
// protection the Ingress had (allowlist, auth, rate limit, HTTPS redirect,
// HSTS, client certificates) that the routes lost.
#include <algorithm>

#include "graph/gateway.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

bool host_in_tls(const Ingress& ing, std::string_view host) {
  for (const IngressTls& t : ing.tls)
    for (const Field& h : t.hosts)
      if (tls_host_covers(h.value, host)) return true;
  return false;
}

// What ingress-nginx enforces for `host` of this Ingress, with the annotations that say so.
uint32_t ingress_protections(const Cluster& c, const Ingress& ing, std::string_view host, std::string& why) {
  uint32_t bits = 0;
  auto note = [&](uint32_t bit, const std::string& text) {
    bits |= bit;
    why += (why.empty() ? "" : ", ") + text;
  };
  for (auto name : {"whitelist-source-range", "allowlist-source-range"})
    if (const KeyValue* kv = nginx_annotation(ing.meta, name)) {
      auto ranges = split_list(kv->value, ',');
      if (!ranges.empty() && std::none_of(ranges.begin(), ranges.end(), is_open_cidr))
        note(kProtAllowlist, "allowlist " + std::string(kv->value));
    }
  for (auto name : {"auth-url", "auth-type"})
    if (const KeyValue* kv = nginx_annotation(ing.meta, name)) {
      note(kProtAuth, std::string(name) + " " + std::string(kv->value));
      break;
    }
  for (auto name : {"limit-rps", "limit-rpm", "limit-connections"})
    if (const KeyValue* kv = nginx_annotation(ing.meta, name)) {
      note(kProtRateLimit, std::string(name) + " " + std::string(kv->value));
      break;
    }
  if (const KeyValue* secret = nginx_annotation(ing.meta, "auth-tls-secret")) {
    const KeyValue* verify = nginx_annotation(ing.meta, "auth-tls-verify-client");
    if (!verify || verify->value == "on") note(kProtClientCert, "client certificates (" + std::string(secret->value) + ")");
  }
  bool tls = host_in_tls(ing, host);
  const KeyValue* redirect = nginx_annotation(ing.meta, "ssl-redirect");
  const KeyValue* forced = nginx_annotation(ing.meta, "force-ssl-redirect");
  if ((tls && !(redirect && parse_go_bool(redirect->value) == false)) || (forced && parse_go_bool(forced->value) == true))
    note(kProtHttpsRedirect, "HTTPS redirect");
  bool hsts_off = false;
  for (const ConfigMap* cm : controller_configmaps(c))
    if (const KeyValue* kv = cm->get("hsts"); kv && parse_go_bool(kv->value) == false) hsts_off = true;
  if (tls && !hsts_off) note(kProtHsts, "HSTS (the controller's default on TLS hosts)");
  return bits;
}

void check_migration(const Cluster& c, const RuleSettings&, Findings& out) {
  if (c.routes.empty() || c.ingresses.empty()) return;
  auto listeners = gw::all_listeners(c);
  for (const Route& r : c.routes) {
    if (r.meta.kind != "HTTPRoute" && r.meta.kind != "GRPCRoute") continue;
    auto attached = gw::attachments(c, listeners, r);
    for (const Field& rh : r.hostnames) {
      for (const Ingress& ing : c.ingresses) {
        for (const IngressRule& ir : ing.rules) {
          if (!ir.host || ir.host.value.empty() || !gw::hostname_matches(rh.value, ir.host.value)) continue;
          std::string why;
          uint32_t had = ingress_protections(c, ing, ir.host.value, why);
          if (!had) continue;
          // What the route keeps: a protection holds when every rule carries it on every listener
          // that serves content (HTTP listeners only need the redirect; none at all keeps it).
          uint32_t kept = kProtAllowlist | kProtAuth | kProtRateLimit | kProtClientCert | kProtHsts | kProtHttpsRedirect;
          auto keep = [&](const gw::Attachment* a) {
            bool plain = a && a->at.listener->is_http();
            for (const RouteRule& rule : r.rules) {
              uint32_t bits = gw::rule_protections(c, r, rule, a);
              if (plain && (bits & kProtHttpsRedirect)) continue;  // redirected: nothing served here
              uint32_t need = plain ? kProtHttpsRedirect | kProtAllowlist | kProtAuth | kProtRateLimit | kProtClientCert
                                    : kProtAllowlist | kProtAuth | kProtRateLimit | kProtClientCert | kProtHsts;
              kept &= ~(need & ~bits);
            }
          };
          if (attached.empty()) {
            keep(nullptr);  // the Gateway is not in the input: filters and route policies only
          } else {
            for (const gw::Attachment& a : attached)
              if (std::any_of(a.hostnames.begin(), a.hostnames.end(),
                              [&](const std::string& h) { return gw::hostname_matches(h, ir.host.value); }))
                keep(&a);
          }
          uint32_t lost = had & ~kept;
          if (!lost) continue;
          out.add(kMigrationProtectionLost.info, r.meta, rh.loc,
                  ir.host.value + ": Ingress " + std::string(ing.meta.effective_ns()) + "/" + std::string(ing.meta.name) +
                      " enforces " + why + "; this " + std::string(r.meta.kind) + " loses " + gw::protection_names(lost) +
                      " (no filter, ExtensionRef or attached policy provides it)");
        }
      }
    }
  }
}

}  // namespace

const Rule kMigrationProtectionLost{
    .info = {.id = "IG1020",
             .title = "Gateway route drops a protection its Ingress had",
             .severity = Severity::High,
             .category = "migration",
             .rationale = "Moving a host from ingress-nginx to the Gateway API keeps routing but not annotations: "
                          "allowlists, auth, rate limits, client certificates, the HTTPS redirect and HSTS must be rebuilt "
                          "with filters or the implementation's policies, or the host is served without them.",
             .remediation = "Add the missing protection to the route: a RequestRedirect route on the HTTP listener, a "
                            "ResponseHeaderModifier for Strict-Transport-Security, Gateway client-certificate validation, "
                            "and the implementation's policy (Envoy Gateway SecurityPolicy/BackendTrafficPolicy, Istio "
                            "AuthorizationPolicy, a Traefik Middleware by ExtensionRef) for allowlist, auth and rate limit.",
             .references = {"https://gateway-api.sigs.k8s.io/guides/migrating-from-ingress/",
                            "https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/"}},
    .check = &check_migration,
};

}  // namespace ig::rules
