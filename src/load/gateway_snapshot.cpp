// Reads the Gateway API kinds and the implementation policies that protect
// its routes into the Cluster snapshot (see core/gateway.h).
#include <string>
#include <string_view>

#include "load/object_reader.h"

namespace ig::load {

namespace {

bool gateway_group(std::string_view api_version) {
  return api_version.starts_with("gateway.networking.k8s.io/") || api_version.starts_with("gateway.networking.x-k8s.io/");
}

class GatewayReader {
 public:
  explicit GatewayReader(ObjectReader& r) : r_(r) {}

  ObjectReference reference(const Node* n) const {
    ObjectReference ref;
    if (!n || !n->is_map()) return ref;
    ref.loc = r_.loc(n);
    ref.group = r_.str(n->get("group"));
    ref.kind = r_.str(n->get("kind"));
    ref.ns = r_.str(n->get("namespace"));
    ref.name = r_.str(n->get("name"));
    ref.name_loc = r_.loc(n->get("name") ? n->get("name") : n);
    ref.section = r_.str(n->get("sectionName"));
    if (const Node* p = n->get("port")) ref.port = as_int(p);
    return ref;
  }

  std::vector<ObjectReference> references(const Node* seq) const {
    std::vector<ObjectReference> out;
    if (!seq || !seq->is_seq()) return out;
    for (uint32_t i = 0; i < seq->count; ++i) out.push_back(reference(seq->item(i)));
    return out;
  }

  GatewayListener listener(const Node* n) {
    GatewayListener l;
    l.loc = r_.loc(n);
    l.name = r_.field(n->get("name"));
    l.hostname = r_.field(n->get("hostname"));
    if (const Node* p = n->get("port")) l.port = as_int(p);
    l.protocol = r_.field(n->get("protocol"));
    if (const Node* tls = n->get("tls"); tls && tls->is_map()) {
      l.has_tls = true;
      l.tls_loc = r_.loc(tls);
      l.tls_mode = r_.field(tls->get("mode"));
      l.certificate_refs = references(tls->get("certificateRefs"));
      l.tls_options = r_.string_map(tls->get("options"), false);
    }
    if (const Node* ar = n->get("allowedRoutes"); ar && ar->is_map()) {
      if (const Node* nss = ar->get("namespaces"); nss && nss->is_map()) {
        l.allowed_from = r_.field(nss->get("from"));
        l.allowed_selector = r_.selector(nss->get("selector"));
      }
      for (const ObjectReference& k : references(ar->get("kinds"))) l.allowed_kinds.push_back(k.kind);
    }
    return l;
  }

  std::vector<GatewayListener> listeners(const Node* seq) {
    std::vector<GatewayListener> out;
    if (!seq || !seq->is_seq()) return out;
    for (uint32_t i = 0; i < seq->count; ++i)
      if (seq->item(i)->is_map()) out.push_back(listener(seq->item(i)));
    return out;
  }

  FrontendValidation validation(const Node* n, std::optional<int64_t> port) {
    FrontendValidation v;
    v.port = port;
    v.loc = r_.loc(n);
    v.mode = r_.field(n->get("mode"));
    v.ca_refs = references(n->get("caCertificateRefs"));
    return v;
  }

  void gateway(const Node* obj, ObjectMeta& m) {
    Gateway g;
    g.meta = std::move(m);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      g.class_name = r_.field(spec->get("gatewayClassName"));
      g.listeners = listeners(spec->get("listeners"));
      if (const Node* al = spec->get("allowedListeners"); al && al->is_map())
        if (const Node* nss = al->get("namespaces"); nss && nss->is_map()) g.allowed_listeners_from = r_.field(nss->get("from"));
      // spec.tls.frontend.default.validation and spec.tls.frontend.perPort[].tls.validation.
      if (const Node* tls = spec->get("tls"); tls && tls->is_map())
        if (const Node* fe = tls->get("frontend"); fe && fe->is_map()) {
          if (const Node* d = fe->get("default"); d && d->is_map())
            if (const Node* v = d->get("validation"); v && v->is_map()) g.client_validation.push_back(validation(v, std::nullopt));
          if (const Node* pp = fe->get("perPort"); pp && pp->is_seq())
            for (uint32_t i = 0; i < pp->count; ++i) {
              const Node* e = pp->item(i);
              const Node* t = e->is_map() ? e->get("tls") : nullptr;
              const Node* v = t && t->is_map() ? t->get("validation") : nullptr;
              if (v && v->is_map()) g.client_validation.push_back(validation(v, as_int(e->get("port"))));
            }
        }
    }
    r_.cluster().gateways.push_back(std::move(g));
  }

  RouteFilter filter(const Node* n) {
    RouteFilter f;
    f.loc = r_.loc(n);
    f.type = r_.field(n->get("type"));
    if (const Node* rr = n->get("requestRedirect"); rr && rr->is_map()) {
      f.redirect_scheme = r_.field(rr->get("scheme"));
      if (const Node* sc = rr->get("statusCode")) f.redirect_status = as_int(sc);
    }
    if (const Node* cors = n->get("cors"); cors && cors->is_map()) {
      f.cors_origins = r_.fields(cors->get("allowOrigins"));
      if (const Node* cred = cors->get("allowCredentials")) {
        f.cors_credentials = as_bool(cred).value_or(false);
        f.cors_credentials_loc = r_.loc(cred);
      }
    }
    if (const Node* rh = n->get("responseHeaderModifier"); rh && rh->is_map())
      for (const char* op : {"set", "add"})
        if (const Node* seq = rh->get(op); seq && seq->is_seq())
          for (uint32_t i = 0; i < seq->count; ++i) {
            std::string name = r_.str(seq->item(i)->get("name"));
            for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            f.response_headers.emplace_back(std::move(name), r_.str(seq->item(i)->get("value")));
          }
    if (const Node* mirror = n->get("requestMirror"); mirror && mirror->is_map()) f.ref = reference(mirror->get("backendRef"));
    if (const Node* ext = n->get("extensionRef"); ext && ext->is_map()) f.ref = reference(ext);
    return f;
  }

  std::vector<RouteFilter> filters(const Node* seq) {
    std::vector<RouteFilter> out;
    if (!seq || !seq->is_seq()) return out;
    for (uint32_t i = 0; i < seq->count; ++i)
      if (seq->item(i)->is_map()) out.push_back(filter(seq->item(i)));
    return out;
  }

  void route(const Node* obj, ObjectMeta& m) {
    Route rt;
    rt.meta = std::move(m);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      rt.spec_loc = r_.loc(spec);
      rt.parents = references(spec->get("parentRefs"));
      rt.hostnames = r_.fields(spec->get("hostnames"));
      if (const Node* rules = spec->get("rules"); rules && rules->is_seq())
        for (uint32_t i = 0; i < rules->count; ++i) {
          const Node* rn = rules->item(i);
          if (!rn->is_map()) continue;
          RouteRule rule;
          rule.loc = r_.loc(rn);
          if (const Node* ms = rn->get("matches"); ms && ms->is_seq())
            for (uint32_t j = 0; j < ms->count; ++j) {
              RouteMatch match;
              if (const Node* p = ms->item(j)->get("path"); p && p->is_map()) {
                match.path = r_.field(p->get("value"));
                match.path_type = r_.str(p->get("type"));
              }
              rule.matches.push_back(std::move(match));
            }
          rule.filters = filters(rn->get("filters"));
          rule.backends = references(rn->get("backendRefs"));
          rt.rules.push_back(std::move(rule));
        }
    }
    r_.cluster().routes.push_back(std::move(rt));
  }

  void reference_grant(const Node* obj, ObjectMeta& m) {
    ReferenceGrant g;
    g.meta = std::move(m);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      if (const Node* from = spec->get("from"); from && from->is_seq())
        for (uint32_t i = 0; i < from->count; ++i) {
          const Node* f = from->item(i);
          g.from.push_back({r_.str(f->get("group")), r_.str(f->get("kind")), r_.field(f->get("namespace")), r_.loc(f)});
        }
      if (const Node* to = spec->get("to"); to && to->is_seq())
        for (uint32_t i = 0; i < to->count; ++i) {
          const Node* t = to->item(i);
          g.to.push_back({r_.str(t->get("group")), r_.str(t->get("kind")), r_.field(t->get("name")), r_.loc(t)});
        }
    }
    r_.cluster().reference_grants.push_back(std::move(g));
  }

  // spec.targetRefs[] or the older spec.targetRef.
  std::vector<ObjectReference> targets(const Node* spec) const {
    auto out = references(spec->get("targetRefs"));
    if (const Node* one = spec->get("targetRef"); one && one->is_map()) out.push_back(reference(one));
    return out;
  }

  // Envoy Gateway policies, Istio AuthorizationPolicy attached by targetRefs, Traefik Middleware.
  bool policy(const Node* obj, ObjectMeta& m) {
    std::string_view api = m.api_version, kind = m.kind;
    bool envoy = api.starts_with("gateway.envoyproxy.io/");
    bool istio = api.starts_with("security.istio.io/");
    bool traefik = api.starts_with("traefik.io/") || api.starts_with("traefik.containo.us/");
    if (!(envoy && (kind == "SecurityPolicy" || kind == "BackendTrafficPolicy" || kind == "ClientTrafficPolicy")) &&
        !(istio && kind == "AuthorizationPolicy") && !(traefik && kind == "Middleware"))
      return false;
    GatewayPolicy p;
    p.meta = std::move(m);
    p.spec = r_.flatten(obj);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      p.targets = targets(spec);
      if (envoy) envoy_policy(spec, p);
      else if (istio) istio_policy(spec, p);
      else traefik_middleware(spec, p);
    }
    r_.cluster().gateway_policies.push_back(std::move(p));
    return true;
  }

  void envoy_policy(const Node* spec, GatewayPolicy& p) {
    for (const char* auth : {"basicAuth", "jwt", "oidc", "extAuth", "apiKeyAuth"})
      if (spec->get(auth)) p.protections |= kProtAuth;
    if (const Node* az = spec->get("authorization"); az && az->is_map())
      if (const Node* rules = az->get("rules"); rules && rules->is_seq())
        for (uint32_t i = 0; i < rules->count; ++i) {
          const Node* pr = rules->item(i)->get("principal");
          if (!pr || !pr->is_map()) continue;
          if (const Node* cidrs = pr->get("clientCIDRs")) {
            p.protections |= kProtAllowlist;
            for (Field& f : r_.fields(cidrs)) p.allow_ranges.push_back(std::move(f));
          }
          if (pr->get("jwt") || pr->get("headers")) p.protections |= kProtAuth;
        }
    if (spec->get("rateLimit")) p.protections |= kProtRateLimit;
    if (const Node* tls = spec->get("tls"); tls && tls->is_map()) {
      p.min_tls_version = r_.field(tls->get("minVersion"));
      if (tls->get("clientValidation")) p.protections |= kProtClientCert;
    }
  }

  void istio_policy(const Node* spec, GatewayPolicy& p) {
    std::string action = r_.str(spec->get("action"));
    if (action == "CUSTOM") p.protections |= kProtAuth;  // external authorization
    if (!(action.empty() || action == "ALLOW")) return;
    const Node* rules = spec->get("rules");
    if (!rules || !rules->is_seq()) return;
    for (uint32_t i = 0; i < rules->count; ++i) {
      const Node* from = rules->item(i)->get("from");
      if (!from || !from->is_seq()) continue;
      for (uint32_t j = 0; j < from->count; ++j) {
        const Node* src = from->item(j)->get("source");
        if (!src || !src->is_map()) continue;
        for (const char* key : {"ipBlocks", "remoteIpBlocks"})
          if (const Node* b = src->get(key)) {
            p.protections |= kProtAllowlist;
            for (Field& f : r_.fields(b)) p.allow_ranges.push_back(std::move(f));
          }
        if (src->get("requestPrincipals") || src->get("principals")) p.protections |= kProtAuth;
      }
    }
  }

  void traefik_middleware(const Node* spec, GatewayPolicy& p) {
    for (const char* key : {"ipAllowList", "ipWhiteList"})
      if (const Node* al = spec->get(key); al && al->is_map()) {
        p.protections |= kProtAllowlist;
        for (Field& f : r_.fields(al->get("sourceRange"))) p.allow_ranges.push_back(std::move(f));
      }
    for (const char* key : {"basicAuth", "digestAuth", "forwardAuth"})
      if (spec->get(key)) p.protections |= kProtAuth;
    if (spec->get("rateLimit") || spec->get("inFlightReq")) p.protections |= kProtRateLimit;
    if (const Node* h = spec->get("headers"); h && h->is_map())
      if (as_int(h->get("stsSeconds")).value_or(0) > 0) p.protections |= kProtHsts;
    if (const Node* rs = spec->get("redirectScheme"); rs && rs->is_map())
      if (r_.str(rs->get("scheme")) == "https") p.protections |= kProtHttpsRedirect;
    if (spec->get("passTLSClientCert")) p.protections |= kProtClientCert;
  }

 private:
  ObjectReader& r_;
};

// Other controllers' resources kept as flattened specs.
bool extension_kind(std::string_view api, std::string_view kind) {
  if (api.starts_with("traefik.io/") || api.starts_with("traefik.containo.us/"))
    return kind == "IngressRoute" || kind == "IngressRouteTCP" || kind == "TLSOption" || kind == "TLSStore" ||
           kind == "ServersTransport";
  if (api.starts_with("projectcontour.io/")) return kind == "HTTPProxy" || kind == "TLSCertificateDelegation";
  if (api.starts_with("networking.istio.io/")) return kind == "Gateway" || kind == "VirtualService" || kind == "DestinationRule";
  if (api.starts_with("security.istio.io/")) return kind == "PeerAuthentication" || kind == "RequestAuthentication";
  if (api.starts_with("networking.gke.io/")) return kind == "FrontendConfig";
  if (api.starts_with("cloud.google.com/")) return kind == "BackendConfig";
  if (api.starts_with("elbv2.k8s.aws/")) return kind == "IngressClassParams";
  return false;
}

}  // namespace

bool read_gateway_object(ObjectReader& r, const Node* obj, ObjectMeta& m) {
  GatewayReader g(r);
  std::string_view k = m.kind;
  if (extension_kind(m.api_version, k)) {
    Extension e;
    e.spec = r.flatten(obj);
    e.meta = std::move(m);
    r.cluster().extensions.push_back(std::move(e));
    return true;
  }
  if (!gateway_group(m.api_version)) return g.policy(obj, m);
  if (k == "Gateway") {
    g.gateway(obj, m);
  } else if (k == "GatewayClass") {
    GatewayClass gc;
    const Node* spec = obj->get("spec");
    gc.controller = r.field(spec && spec->is_map() ? spec->get("controllerName") : nullptr);
    gc.meta = std::move(m);
    r.cluster().gateway_classes.push_back(std::move(gc));
  } else if (k == "ListenerSet" || k == "XListenerSet") {
    ListenerSet ls;
    if (const Node* spec = obj->get("spec"); spec && spec->is_map()) {
      ls.parent = g.reference(spec->get("parentRef"));
      ls.listeners = g.listeners(spec->get("listeners"));
    }
    ls.meta = std::move(m);
    r.cluster().listener_sets.push_back(std::move(ls));
  } else if (k == "HTTPRoute" || k == "GRPCRoute" || k == "TLSRoute" || k == "TCPRoute" || k == "UDPRoute") {
    g.route(obj, m);
  } else if (k == "ReferenceGrant") {
    g.reference_grant(obj, m);
  } else if (k == "BackendTLSPolicy") {
    BackendTlsPolicy p;
    if (const Node* spec = obj->get("spec"); spec && spec->is_map()) {
      p.targets = g.targets(spec);
      if (const Node* v = spec->get("validation"); v && v->is_map()) p.hostname = r.field(v->get("hostname"));
    }
    p.meta = std::move(m);
    r.cluster().backend_tls_policies.push_back(std::move(p));
  } else {
    return false;
  }
  return true;
}

}  // namespace ig::load
