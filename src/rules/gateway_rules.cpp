// Gateway API (gateway.networking.k8s.io): who may attach routes, plain HTTP
// left open, client-certificate fallbacks, broad ReferenceGrants, hostname
// claims across namespaces, credentialed CORS, dangling backendRefs.
#include <algorithm>
#include <map>
#include <set>

#include "graph/gateway.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

constexpr std::string_view kMetadataName = "kubernetes.io/metadata.name";

void check_listener_from_all(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const gw::ListenerRef& l : gw::all_listeners(c)) {
    if (l.listener->from_or_default() != "All") continue;
    const ObjectMeta& owner = l.owner();
    out.add(kGatewayListenerFromAll.info, owner, l.listener->allowed_from.loc,
            "listener " + std::string(l.listener->name.value) + " of Gateway " + std::string(l.gateway->meta.effective_ns()) + "/" +
                std::string(l.gateway->meta.name) + " accepts routes from every namespace: anyone who can create an " +
                "HTTPRoute anywhere can publish on it" + (l.listener->hostname ? "" : ", for any hostname"));
  }
}

void check_listener_selector(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const gw::ListenerRef& l : gw::all_listeners(c)) {
    if (l.listener->from_or_default() != "Selector") continue;
    const LabelSelector& s = l.listener->allowed_selector;
    std::vector<std::string> keys;
    for (const KeyValue& kv : s.match_labels)
      if (kv.key != kMetadataName) keys.emplace_back(kv.key);
    for (const auto& e : s.match_expressions)
      if (e.key != kMetadataName) keys.push_back(e.key);
    if (keys.empty() && !s.empty()) continue;
    const ObjectMeta& owner = l.owner();
    std::string why = s.empty() ? "an empty selector admits every namespace"
                                : "labels " + std::string(keys.front()) + (keys.size() > 1 ? " and others" : "") +
                                      " can be set by whoever may label a namespace";
    out.add(kGatewayListenerSelector.info, owner, s.present ? s.loc : l.listener->allowed_from.loc,
            "listener " + std::string(l.listener->name.value) + " admits routes from namespaces chosen by a selector: " + why);
  }
}

void check_listener_without_hostname(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const gw::ListenerRef& l : gw::all_listeners(c)) {
    const GatewayListener& li = *l.listener;
    std::string_view p = li.protocol.value;
    if (li.hostname || !(p == "HTTP" || p == "HTTPS" || p == "TLS")) continue;
    std::string_view from = li.from_or_default();
    if (from == "Same") continue;  // only the Gateway owner's routes: a deliberate catch-all
    // A selector on the immutable kubernetes.io/metadata.name label and nothing else admits
    // exactly the namespaces it names: not shared with others.
    if (from == "Selector") {
      const LabelSelector& sel = li.allowed_selector;
      bool by_name_only = !sel.empty();
      for (const KeyValue& kv : sel.match_labels) by_name_only = by_name_only && kv.key == kMetadataName;
      for (const auto& e : sel.match_expressions) by_name_only = by_name_only && e.key == kMetadataName && e.op == "In";
      if (by_name_only) continue;
    }
    const ObjectMeta& owner = l.owner();
    out.add(kGatewayListenerNoHostname.info, owner, li.loc,
            "listener " + std::string(li.name.value) + " has no hostname and admits routes from " +
                (from == "All" ? std::string("every namespace") : std::string("other namespaces")) +
                ": a route there can claim any hostname, and the oldest claim wins");
  }
}

// Hostnames that routes attached to HTTP listeners serve without redirecting every rule to https,
// while an HTTPS listener of the same Gateway serves them (or none does).
void check_plain_http(const Cluster& c, const RuleSettings&, Findings& out) {
  auto listeners = gw::all_listeners(c);
  for (const Route& r : c.routes) {
    if (r.meta.kind != "HTTPRoute") continue;
    for (const gw::Attachment& a : gw::attachments(c, listeners, r)) {
      if (!a.at.listener->is_http()) continue;
      bool all_redirect = !r.rules.empty() && std::all_of(r.rules.begin(), r.rules.end(), [&](const RouteRule& rule) {
        return gw::rule_protections(c, r, rule, &a) & kProtHttpsRedirect;
      });
      if (all_redirect) continue;
      for (const std::string& host : a.hostnames) {
        bool https = std::any_of(listeners.begin(), listeners.end(), [&](const gw::ListenerRef& o) {
          return o.gateway == a.at.gateway && o.listener->terminates_tls() && gw::hostnames_intersect(o.listener->hostname.value, host);
        });
        std::string name = host.empty() ? "every hostname" : host;
        Loc loc = r.hostnames.empty() ? a.parent->loc : r.hostnames.front().loc;
        for (const Field& h : r.hostnames)
          if (h.value == host) loc = h.loc;
        out.add(kGatewayPlainHttp.info, r.meta, loc,
                name + " is served over plain HTTP by listener " + std::string(a.at.listener->name.value) + " of Gateway " +
                    std::string(a.at.gateway->meta.name) +
                    (https ? " without a RequestRedirect to https, although an HTTPS listener serves it too"
                           : " and no HTTPS listener of the Gateway serves it"));
        break;  // one finding per route and listener
      }
    }
  }
}

// Implementation-specific listener TLS options (tls.options) and Envoy Gateway's ClientTrafficPolicy.
void check_weak_tls(const Cluster& c, const RuleSettings&, Findings& out) {
  auto legacy = [](std::string_view v) {
    std::string s = to_lower(v);
    for (std::string_view bad : {"1.0", "1.1", "tlsv1_0", "tlsv1_1", "tlsv1.0", "tlsv1.1", "tls10", "tls11", "versiontls10",
                                 "versiontls11", "sslv3"})
      if (s == bad || s.ends_with(bad)) return true;
    return false;
  };
  for (const gw::ListenerRef& l : gw::all_listeners(c)) {
    const ObjectMeta& owner = l.owner();
    for (const KeyValue& kv : l.listener->tls_options) {
      std::string key = to_lower(kv.key);
      bool version_key = key.find("version") != std::string::npos && key.find("max") == std::string::npos;
      if (version_key && legacy(kv.value))
        out.add(kGatewayWeakTls.info, owner, kv.value_loc(),
                "listener " + std::string(l.listener->name.value) + " TLS option " + std::string(kv.key) + ": " + std::string(kv.value) +
                    " allows TLS below 1.2");
    }
  }
  for (const GatewayPolicy& p : c.gateway_policies)
    if (p.min_tls_version && legacy(p.min_tls_version.value))
      out.add(kGatewayWeakTls.info, p.meta, p.min_tls_version.loc,
              std::string(p.meta.kind) + " sets tls.minVersion " + std::string(p.min_tls_version.value) + ": TLS below 1.2 is accepted");
}

void check_insecure_fallback(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Gateway& g : c.gateways)
    for (const FrontendValidation& v : g.client_validation)
      if (v.mode.value == "AllowInsecureFallback")
        out.add(kGatewayInsecureFallback.info, g.meta, v.mode.loc,
                std::string("client-certificate validation ") + (v.port ? "on port " + std::to_string(*v.port) : "for every port") +
                    " is AllowInsecureFallback: clients with a missing or invalid certificate are let in");
}

// ReferenceGrants whose to[] entries name no object: for Secrets (`secrets` true) or other kinds.
void reference_grants_without_names(const Cluster& c, Findings& out, bool secrets) {
  for (const ReferenceGrant& g : c.reference_grants)
    for (const ReferenceGrant::To& t : g.to) {
      bool secret = t.group.empty() && t.kind == "Secret";
      if (t.name || secret != secrets) continue;
      std::string from;
      for (const auto& f : g.from) from += (from.empty() ? "" : ", ") + f.kind + " in " + std::string(f.ns.value);
      out.add(secret ? kReferenceGrantSecrets.info : kReferenceGrantBroad.info, g.meta, t.loc,
              "grants " + (from.empty() ? std::string("the listed sources") : from) + " access to every " +
                  (t.kind.empty() ? std::string("object") : t.kind) + " in namespace " + std::string(g.meta.effective_ns()) +
                  (secret ? ", private keys included" : "") + "; name the objects in to[].name");
    }
}

void check_reference_grant_secrets(const Cluster& c, const RuleSettings&, Findings& out) {
  reference_grants_without_names(c, out, true);
}

void check_reference_grant_broad(const Cluster& c, const RuleSettings&, Findings& out) {
  reference_grants_without_names(c, out, false);
}

// The same hostname claimed by routes of different namespaces on one Gateway.
void check_hostname_across_namespaces(const Cluster& c, const RuleSettings&, Findings& out) {
  auto listeners = gw::all_listeners(c);
  struct Claim {
    const Route* route;
    Loc loc;
  };
  std::map<std::pair<const Gateway*, std::string>, std::vector<Claim>> claims;
  for (const Route& r : c.routes)
    for (const gw::Attachment& a : gw::attachments(c, listeners, r))
      for (const Field& h : r.hostnames) {
        auto& v = claims[{a.at.gateway, to_lower(h.value)}];
        if (std::none_of(v.begin(), v.end(), [&](const Claim& x) { return x.route == &r; })) v.push_back({&r, h.loc});
      }
  for (const auto& [key, v] : claims) {
    std::set<std::string_view> namespaces;
    for (const Claim& cl : v) namespaces.insert(cl.route->meta.effective_ns());
    if (namespaces.size() < 2) continue;
    for (const Claim& cl : v) {
      std::string others;
      for (const Claim& o : v)
        if (o.route->meta.effective_ns() != cl.route->meta.effective_ns())
          others += (others.empty() ? "" : ", ") + std::string(o.route->meta.kind) + " " +
                    std::string(o.route->meta.effective_ns()) + "/" + std::string(o.route->meta.name);
      out.add(kGatewayHostnameAcrossNamespaces.info, cl.route->meta, cl.loc,
              key.second + " on Gateway " + std::string(key.first->meta.name) + " is also claimed by " + others +
                  ": the oldest route wins, so a newer or re-created one can take the traffic");
    }
  }
}

void check_cors(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Route& r : c.routes)
    for (const RouteRule& rule : r.rules)
      for (const RouteFilter& f : rule.filters) {
        if (f.type.value != "CORS" || !f.cors_credentials) continue;
        for (const Field& o : f.cors_origins)
          if (o.value == "*")
            out.add(kGatewayCorsWildcardCredentials.info, r.meta, o.loc,
                    "CORS filter allows origin * with allowCredentials: the gateway echoes any Origin, so any site can "
                    "read authenticated answers");
      }
}

// Calls fn(route, backendRef, namespace) for every backendRef to a core Service.
template <class Fn>
void for_each_service_ref(const Cluster& c, Fn fn) {
  for (const Route& r : c.routes)
    for (const RouteRule& rule : r.rules)
      for (const ObjectReference& b : rule.backends)
        if (b.group.empty() && (b.kind.empty() || b.kind == "Service")) fn(r, b, b.ns_or(r.meta.effective_ns()));
}

void check_backend_missing(const Cluster& c, const RuleSettings& settings, Findings& out) {
  for_each_service_ref(c, [&](const Route& r, const ObjectReference& b, std::string_view ns) {
    if (!c.has_services_in(ns)) return;  // a partial input: cannot tell
    const Service* s = c.find_service(ns, b.name);
    if (!s) {
      // Absent from a partial input is unknown, not missing: a low note there.
      out.add(kGatewayBackendMissing.info, r.meta, b.name_loc,
              "backendRef names Service " + std::string(ns) + "/" + b.name +
                  (complete_input(settings) ? ", which does not exist" : ", which is not in the input (cannot be checked)"));
      if (!complete_input(settings)) out.items().back().severity = Severity::Low;
    } else if (b.port && std::none_of(s->ports.begin(), s->ports.end(), [&](const ServicePort& p) { return p.port == *b.port; }))
      out.add(kGatewayBackendMissing.info, r.meta, b.loc,
              "backendRef port " + std::to_string(*b.port) + " is not a port of Service " + std::string(ns) + "/" + b.name);
  });
}

void check_backend_not_granted(const Cluster& c, const RuleSettings&, Findings& out) {
  // Listener certificates in another namespace.
  for (const gw::ListenerRef& l : gw::all_listeners(c)) {
    const ObjectMeta& owner = l.owner();
    for (const ObjectReference& cert : l.listener->certificate_refs) {
      std::string_view ns = cert.ns_or(owner.effective_ns());
      if (ns == owner.effective_ns() || !cert.group.empty() || !(cert.kind.empty() || cert.kind == "Secret")) continue;
      if (gw::reference_granted(c, "gateway.networking.k8s.io", owner.kind, owner.effective_ns(), "", "Secret", ns, cert.name))
        continue;
      out.add(kGatewayBackendRefNotGranted.info, owner, cert.loc,
              "certificateRef to Secret " + std::string(ns) + "/" + cert.name +
                  " in another namespace, and no ReferenceGrant there allows it: the listener has no certificate");
    }
  }
  for_each_service_ref(c, [&](const Route& r, const ObjectReference& b, std::string_view ns) {
    if (ns == r.meta.effective_ns() ||
        gw::reference_granted(c, "gateway.networking.k8s.io", r.meta.kind, r.meta.effective_ns(), "", "Service", ns, b.name))
      return;
    out.add(kGatewayBackendRefNotGranted.info, r.meta, b.loc,
            "backendRef to Service " + std::string(ns) + "/" + b.name +
                " in another namespace, and no ReferenceGrant there allows it: the route is refused, or a grant added "
                "later silently opens it");
  });
}

void check_allowed_listeners(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Gateway& g : c.gateways)
    if (g.allowed_listeners_from.value == "All")
      out.add(kGatewayListenerSetsFromAll.info, g.meta, g.allowed_listeners_from.loc,
              "any namespace may add listeners to this Gateway through a ListenerSet (new hostnames, ports and "
              "certificates on its addresses)");
}

}  // namespace

const Rule kGatewayListenerFromAll{
    .info = {.id = "IG1001",
             .title = "Gateway listener accepts routes from every namespace",
             .severity = Severity::High,
             .category = "gateway",
             .rationale = "allowedRoutes.namespaces.from: All lets anyone who can create a route in any namespace publish "
                          "hostnames and paths on this Gateway's addresses.",
             .remediation = "Use from: Same, or from: Selector on kubernetes.io/metadata.name naming the namespaces allowed.",
             .references = {"https://gateway-api.sigs.k8s.io/guides/multiple-ns/",
                            "https://gateway-api.sigs.k8s.io/concepts/security/"}},
    .check = &check_listener_from_all,
};

const Rule kGatewayListenerSelector{
    .info = {.id = "IG1002",
             .title = "Gateway listener admits namespaces by mutable labels",
             .severity = Severity::Medium,
             .category = "gateway",
             .rationale = "A namespace selector on labels other than kubernetes.io/metadata.name admits any namespace "
                          "whose owner can add that label; an empty selector admits all.",
             .remediation = "Select on kubernetes.io/metadata.name (set by the API server, immutable), or restrict who may "
                            "label namespaces.",
             .references = {"https://gateway-api.sigs.k8s.io/concepts/security/"}},
    .check = &check_listener_selector,
};

const Rule kGatewayListenerNoHostname{
    .info = {.id = "IG1003",
             .title = "Shared Gateway listener without a hostname",
             .severity = Severity::Medium,
             .category = "gateway",
             .rationale = "A listener with no hostname serves every name; routes from other namespaces can claim any "
                          "hostname on it, and conflicts go to the oldest route (hostname hijacking).",
             .remediation = "Give shared listeners a hostname per tenant, or admit only the Gateway's own namespace.",
             .references = {"https://gateway-api.sigs.k8s.io/reference/spec/#listener"}},
    .check = &check_listener_without_hostname,
};

const Rule kGatewayPlainHttp{
    .info = {.id = "IG1004",
             .title = "Route served over plain HTTP without a redirect",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "A route attached to an HTTP listener answers in clear text (credentials, cookies) unless every "
                          "rule redirects to https.",
             .remediation = "Attach only a redirect route to the HTTP listener (RequestRedirect scheme: https, statusCode "
                            "301), and the application routes to the HTTPS listener (sectionName).",
             .references = {"https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/"}},
    .check = &check_plain_http,
};

const Rule kGatewayWeakTls{
    .info = {.id = "IG1005",
             .title = "Gateway TLS allows versions below 1.2",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "TLS 1.0 and 1.1 are deprecated (RFC 8996) and outside Mozilla's intermediate profile.",
             .remediation = "Set the minimum version to 1.2 (listener tls.options or the implementation's TLS policy).",
             .references = {"https://www.rfc-editor.org/rfc/rfc8996", "https://wiki.mozilla.org/Security/Server_Side_TLS",
                            "https://gateway.envoyproxy.io/docs/api/extension_types/#clienttrafficpolicy"}},
    .check = &check_weak_tls,
};

const Rule kGatewayInsecureFallback{
    .info = {.id = "IG1006",
             .title = "Client-certificate validation with insecure fallback",
             .severity = Severity::High,
             .category = "authentication",
             .rationale = "validation.mode: AllowInsecureFallback accepts connections whose client certificate is missing "
                          "or invalid: mutual TLS that does not keep anyone out.",
             .remediation = "Use mode: AllowValidOnly (the default).",
             .references = {"https://gateway-api.sigs.k8s.io/geps/gep-91/"}},
    .check = &check_insecure_fallback,
};

const Rule kReferenceGrantSecrets{
    .info = {.id = "IG1007",
             .title = "ReferenceGrant opens every Secret of a namespace",
             .severity = Severity::High,
             .category = "gateway",
             .rationale = "A ReferenceGrant to kind Secret without to[].name lets the named sources (Gateways in another "
                          "namespace) use every Secret of this namespace, including TLS private keys added later.",
             .remediation = "Name each Secret in to[].name.",
             .references = {"https://gateway-api.sigs.k8s.io/api-types/referencegrant/"}},
    .check = &check_reference_grant_secrets,
};

const Rule kReferenceGrantBroad{
    .info = {.id = "IG1008",
             .title = "ReferenceGrant without object names",
             .severity = Severity::Medium,
             .category = "gateway",
             .rationale = "Without to[].name a ReferenceGrant covers every object of the kind in the namespace, present "
                          "and future (for Services: routes from the other namespace may send traffic to any of them).",
             .remediation = "Name the objects in to[].name.",
             .references = {"https://gateway-api.sigs.k8s.io/api-types/referencegrant/"}},
    .check = &check_reference_grant_broad,
};

const Rule kGatewayHostnameAcrossNamespaces{
    .info = {.id = "IG1009",
             .title = "Route hostname claimed from several namespaces",
             .severity = Severity::High,
             .category = "host-takeover",
             .rationale = "Routes in different namespaces claiming one hostname on a Gateway conflict; the oldest wins, so "
                          "traffic can move to another team's backend when a route is re-created.",
             .remediation = "Give each namespace its own hostnames (per-listener hostnames and namespace selectors, or an "
                            "admission policy on route hostnames).",
             .references = {"https://gateway-api.sigs.k8s.io/concepts/security/"}},
    .check = &check_hostname_across_namespaces,
};

const Rule kGatewayCorsWildcardCredentials{
    .info = {.id = "IG1010",
             .title = "Route CORS allows any origin with credentials",
             .severity = Severity::High,
             .category = "cors",
             .rationale = "With allowOrigins: ['*'] and allowCredentials: true the gateway must echo the request's "
                          "Origin, so any web site can make credentialed requests and read the answers.",
             .remediation = "List the allowed origins explicitly, or drop allowCredentials.",
             .references = {"https://gateway-api.sigs.k8s.io/reference/spec/#httpcorsfilter"}},
    .check = &check_cors,
};

const Rule kGatewayBackendMissing{
    .info = {.id = "IG1011",
             .title = "Route backend Service or port missing",
             .severity = Severity::Medium,
             .category = "routing",
             .rationale = "A backendRef to a Service (or port) that does not exist answers 500 now and routes to whoever "
                          "creates that name later.",
             .remediation = "Fix the backendRef, or create the Service.",
             .references = {"https://gateway-api.sigs.k8s.io/api-types/httproute/#backendrefs"}},
    .check = &check_backend_missing,
};

const Rule kGatewayBackendRefNotGranted{
    .info = {.id = "IG1012",
             .title = "Cross-namespace reference without a ReferenceGrant",
             .severity = Severity::Medium,
             .category = "gateway",
             .rationale = "A route may only send traffic to another namespace's Service, and a Gateway only use another "
                          "namespace's certificate, when a ReferenceGrant there allows it; without one the reference is "
                          "refused, and whoever adds a broad grant later opens it.",
             .remediation = "Add a ReferenceGrant in the Service's namespace naming this route's kind and namespace and "
                            "the Service, or move the route.",
             .references = {"https://gateway-api.sigs.k8s.io/api-types/referencegrant/"}},
    .check = &check_backend_not_granted,
};

const Rule kGatewayListenerSetsFromAll{
    .info = {.id = "IG1013",
             .title = "Gateway accepts ListenerSets from every namespace",
             .severity = Severity::Medium,
             .category = "gateway",
             .rationale = "allowedListeners.namespaces.from: All lets any namespace add listeners (hostnames, ports, "
                          "certificates) to this Gateway.",
             .remediation = "Leave allowedListeners at None, or use Same or a selector on kubernetes.io/metadata.name.",
             .references = {"https://gateway-api.sigs.k8s.io/geps/gep-1713/"}},
    .check = &check_allowed_listeners,
};

}  // namespace ig::rules
