// Migration from ingress-nginx to the Gateway API: for each hostname served
// both by an Ingress and by Gateway routes meant to replace it, every
// protection the Ingress had (allowlist, auth, rate limit, HTTPS redirect,
// HSTS, client certificates) that the routes lost.
#include <algorithm>

#include "graph/exposure.h"
#include "graph/gateway.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// What the controller enforces for the Ingress rule's host (the exposure graph's reading of its
// annotations), as Protection bits; HSTS is ingress-nginx's default on TLS hosts unless a
// controller ConfigMap sets hsts: "false" (`hsts_off`).
uint32_t ingress_protection_bits(const Cluster& c, const Ingress& ing, const IngressRule& rule, bool hsts_off,
                                 const SiblingTls& siblings) {
  Protections p = ingress_protections(c, ing, rule, siblings);
  uint32_t bits = 0;
  if (p.allowlist) bits |= kProtAllowlist;
  if (p.auth) bits |= kProtAuth;
  if (p.rate_limit) bits |= kProtRateLimit;
  if (p.client_cert) bits |= kProtClientCert;
  if (p.https_redirect) bits |= kProtHttpsRedirect;
  if (p.tls && !hsts_off) bits |= kProtHsts;
  return bits;
}

void check_migration(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (c.routes.empty() || c.ingresses.empty()) return;
  bool hsts_off = false;
  for (const ConfigMap* cm : derived<ControllerConfigMaps>(c, s)->list)
    if (const KeyValue* kv = cm->get("hsts"); kv && parse_go_bool(kv->value) == false) hsts_off = true;
  auto listeners = gw::all_listeners(c);
  auto siblings = derived<SiblingTls>(c, s);
  for (const Route& r : c.routes) {
    if (r.meta.kind != "HTTPRoute" && r.meta.kind != "GRPCRoute") continue;
    auto attached = gw::attachments(c, listeners, r);
    for (const Field& rh : r.hostnames) {
      for (const Ingress& ing : c.ingresses) {
        for (const IngressRule& ir : ing.rules) {
          if (!ir.host || ir.host.value.empty() || !gw::hostname_matches(rh.value, ir.host.value)) continue;
          uint32_t had = ingress_protection_bits(c, ing, ir, hsts_off, *siblings);
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
                  std::string(ir.host.value) + ": Ingress " + std::string(ing.meta.effective_ns()) + "/" + std::string(ing.meta.name) +
                      " enforces " + gw::protection_names(had) + "; this " + std::string(r.meta.kind) + " loses " + gw::protection_names(lost) +
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
