#include "graph/exposure.h"

#include <algorithm>
#include <map>

#include "graph/gateway.h"
#include "graph/netpol.h"
#include "semantics/controller.h"
#include "semantics/values.h"

namespace ig {

namespace {

std::vector<const Workload*> backing(const Cluster& c, const ServiceSelection& selection, const Service* s) {
  std::vector<const Workload*> out;
  if (!s) return out;
  for (const Workload* w : selection.selected(*s))
    if (!c.owner_in_input(*w)) out.push_back(w);
  return out;
}

std::string lateral(const NetworkPolicyEngine& engine, const std::vector<const Workload*>& ws) {
  if (ws.empty()) return "unknown";
  Workload any = any_pod_elsewhere();
  for (const Workload* w : ws)
    if (!engine.allowed(any, *w).empty()) return "open";
  return "restricted";
}

ObjectRef ref(const ObjectMeta& m) { return ObjectRef{m.api_version, m.kind, m.ns, m.name, m.loc, m.origin}; }

std::string ingress_class(const Ingress& ing) {
  Field cls = ing.requested_class();
  return std::string(cls ? cls.value : "(default class)");
}

// The controller family an ingress class belongs to, from its IngressClass (or its name).
std::string controller_family(const Cluster& c, const std::string& class_name) {
  std::string controller = class_name;
  if (const IngressClass* ic = c.find_ingress_class(class_name)) controller = ic->controller.value;
  for (const char* family : {"ingress-nginx", "nginx", "traefik", "haproxy", "contour", "kong", "istio"})
    if (controller.find(family) != std::string::npos) return std::string(family) == "nginx" ? "ingress-nginx" : family;
  return "";
}

bool runs_family(const Workload& w, const std::string& family) {
  for (const Container& ct : w.containers) {
    std::string_view image = ct.image.value;
    if (family == "ingress-nginx" ? is_ingress_nginx_image(image) : image.find(family) != std::string::npos) return true;
  }
  return false;
}

// "ns/name (Type)" of the LoadBalancer (else NodePort) Service that serves HTTP(S) (a port 80 or 443,
// or one named http*) in front of the class's controller; the admission webhook's Service is not it.
std::string controller_service(const Cluster& c, const ServiceSelection& selection, const std::string& class_name) {
  std::string family = controller_family(c, class_name);
  if (family.empty()) return "";
  std::string node_port;
  for (const Service& s : c.services) {
    std::string_view type = s.type_or_default();
    if (type != "LoadBalancer" && type != "NodePort") continue;
    bool web = std::any_of(s.ports.begin(), s.ports.end(), [](const ServicePort& p) {
      return p.port == 80 || p.port == 443 || p.name.rfind("http", 0) == 0;
    });
    if (!web) continue;
    auto selected = selection.selected(s);
    if (std::none_of(selected.begin(), selected.end(), [&](const Workload* w) { return runs_family(*w, family); })) continue;
    std::string id = std::string(s.meta.effective_ns()) + "/" + std::string(s.meta.name) + " (" + std::string(type) + ")";
    if (type == "LoadBalancer") return id;
    if (node_port.empty()) node_port = id;
  }
  return node_port;
}

}  // namespace

Protections ingress_protections(const Cluster& c, const Ingress& ing, const IngressRule& r, const SiblingTls& siblings) {
  Protections p;
  const ObjectMeta& m = ing.meta;
  HostTransport t = transport_of(c, ing, r.host ? std::string_view(r.host.value) : std::string_view(), siblings);
  p.tls = t.https;
  p.https_redirect = t.redirected;
  p.auth = nginx_annotation(m, "auth-url") || nginx_annotation(m, "auth-type") ||
           (m.annotation("alb.ingress.kubernetes.io/auth-type") && m.annotation("alb.ingress.kubernetes.io/auth-type")->value != "none");
  if (const KeyValue* verify = nginx_annotation(m, "auth-tls-verify-client"))
    p.client_cert = nginx_annotation(m, "auth-tls-secret") && verify->value == "on";
  else
    p.client_cert = nginx_annotation(m, "auth-tls-secret") != nullptr;  // verification defaults to on
  for (auto a : {"whitelist-source-range", "allowlist-source-range"})
    if (const KeyValue* kv = nginx_annotation(m, a)) {
      auto entries = split_list(kv->value, ',');
      if (!entries.empty() && std::none_of(entries.begin(), entries.end(), is_open_cidr)) p.allowlist = true;
    }
  p.rate_limit = nginx_annotation(m, "limit-rps") || nginx_annotation(m, "limit-rpm") || nginx_annotation(m, "limit-connections");
  if (const KeyValue* waf = nginx_annotation(m, "enable-modsecurity")) p.waf = parse_go_bool(waf->value).value_or(false);
  // ssl-passthrough hands the stream over: nothing but TLS applies.
  if (t.https_by == "ssl-passthrough") {
    p = Protections{};
    p.tls = true;
  }
  return p;
}

int Protections::level() const {
  int l = 0;
  if (tls) ++l;
  if (auth || allowlist || client_cert) ++l;
  if (rate_limit || waf) ++l;
  return l;
}

std::vector<std::string> Protections::names() const {
  std::vector<std::string> out;
  if (tls) out.push_back("tls");
  if (https_redirect) out.push_back("https-redirect");
  if (auth) out.push_back("auth");
  if (client_cert) out.push_back("client-certificate");
  if (allowlist) out.push_back("allowlist");
  if (rate_limit) out.push_back("rate-limit");
  if (waf) out.push_back("waf");
  return out;
}

std::vector<ExposurePath> build_exposure(const Cluster& c) {
  NetworkPolicyEngine engine(c);
  ServiceSelection selection(c);
  std::vector<ExposurePath> out;
  auto ids = [](const std::vector<const Workload*>& ws) {
    std::vector<std::string> v;
    for (const Workload* w : ws) v.push_back(NetworkPolicyEngine::workload_id(*w));
    return v;
  };
  // Ingress routes.
  SiblingTls siblings(c);
  std::map<std::string, std::string> controller_by_class;
  for (const Ingress& ing : c.ingresses) {
    std::string cls = ingress_class(ing);
    if (!controller_by_class.count(cls)) controller_by_class[cls] = controller_service(c, selection, cls);
    auto add = [&](const IngressRule* r, const IngressPath* p, const IngressBackend& b) {
      ExposurePath e;
      e.entry_kind = "ingress-class";
      e.entry = cls;
      e.entry_via = controller_by_class[cls];
      std::string host(r && r->host ? r->host.value : "*");
      e.route = host + std::string(p && p->path ? p->path.value : "/");
      e.via = ref(ing.meta);
      std::string ns(ing.meta.effective_ns());
      const Service* svc = b.service.empty() ? nullptr : c.find_service(ns, b.service);
      if (!b.service.empty()) e.service = ns + "/" + b.service;
      auto ws = backing(c, selection, svc);
      e.workloads = ids(ws);
      static const IngressRule kNoRule{};
      e.protections = ingress_protections(c, ing, r ? *r : kNoRule, siblings);
      e.protections.auth = e.protections.auth || e.protections.client_cert;  // on the map, client certificates authenticate
      e.lateral = lateral(engine, ws);
      out.push_back(std::move(e));
    };
    if (ing.default_backend.present) add(nullptr, nullptr, ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths) add(&r, &p, p.backend);
  }
  // Gateway API routes, on each listener they attach to.
  auto listeners = gw::all_listeners(c);
  std::vector<std::pair<const Route*, std::vector<gw::Attachment>>> attached;
  for (const Route& r : c.routes) attached.emplace_back(&r, gw::attachments(c, listeners, r));
  // Hostnames some route serves in clear text (an HTTP listener, a rule without a redirect),
  // found once for all paths.
  std::vector<std::pair<const Gateway*, std::string>> clear;
  for (const auto& [r, as] : attached)
    for (const gw::Attachment& a : as) {
      if (!a.at.listener->is_http()) continue;
      bool unredirected = false;
      for (const RouteRule& rule : r->rules)
        if (!(gw::rule_protections(c, *r, rule, &a) & kProtHttpsRedirect)) unredirected = true;
      if (unredirected)
        for (const std::string& h : a.hostnames) clear.emplace_back(a.at.gateway, h);
    }
  auto served_in_clear = [&clear](const Gateway* g, const std::string& host) {
    return std::any_of(clear.begin(), clear.end(),
                       [&](const auto& gh) { return gh.first == g && gw::hostnames_intersect(gh.second, host); });
  };
  for (const auto& entry : attached)
    for (const gw::Attachment& a : entry.second)
      for (const RouteRule& rule : entry.first->rules) {
        const Route* r = entry.first;
        uint32_t bits = gw::rule_protections(c, *r, rule, &a);
        for (const ObjectReference& b : rule.backends) {
          if (!(b.group.empty() && (b.kind.empty() || b.kind == "Service"))) continue;
          for (const std::string& host : a.hostnames) {
            ExposurePath e;
            e.entry_kind = "gateway-listener";
            e.entry = std::string(a.at.gateway->meta.effective_ns()) + "/" + std::string(a.at.gateway->meta.name) + ":" +
                      std::string(a.at.listener->name.value);
            std::string path(rule.matches.empty() || !rule.matches.front().path ? "/" : rule.matches.front().path.value);
            e.route = (host.empty() ? "*" : host) + path;
            e.via = ref(r->meta);
            std::string ns(b.ns_or(r->meta.effective_ns()));
            e.service = ns + "/" + b.name;
            auto ws = backing(c, selection, c.find_service(ns, b.name));
            e.workloads = ids(ws);
            Protections& p = e.protections;
            p.tls = a.at.listener->terminates_tls() || a.at.listener->tls_mode.value == "Passthrough";
            p.https_redirect = p.tls && !served_in_clear(a.at.gateway, host);
            p.allowlist = bits & kProtAllowlist;
            p.client_cert = bits & kProtClientCert;
            p.auth = (bits & kProtAuth) || p.client_cert;
            p.rate_limit = bits & kProtRateLimit;
            e.lateral = lateral(engine, ws);
            out.push_back(std::move(e));
          }
        }
      }
  // Services exposed directly.
  for (const Service& s : c.services) {
    std::string_view type = s.type_or_default();
    std::string id = std::string(s.meta.effective_ns()) + "/" + std::string(s.meta.name);
    auto direct = [&](const char* kind) {
      ExposurePath e;
      e.entry_kind = kind;
      e.entry = id;
      e.via = ref(s.meta);
      e.service = id;
      auto ws = backing(c, selection, &s);
      e.workloads = ids(ws);
      e.protections.allowlist = std::string_view(kind) == "load-balancer" && !s.load_balancer_source_ranges.empty() &&
                                std::none_of(s.load_balancer_source_ranges.begin(), s.load_balancer_source_ranges.end(),
                                             [](const Field& f) { return is_open_cidr(f.value); });
      e.lateral = lateral(engine, ws);
      out.push_back(std::move(e));
    };
    if (type == "LoadBalancer") direct("load-balancer");
    if (type == "NodePort" || type == "LoadBalancer") direct("node-port");
    if (!s.external_ips.empty()) direct("external-ip");
  }
  // Host networking.
  for (const Workload& w : c.workloads) {
    std::string id = NetworkPolicyEngine::workload_id(w);
    auto direct = [&](const char* kind, const std::string& entry) {
      ExposurePath e;
      e.entry_kind = kind;
      e.entry = entry;
      e.via = ref(w.meta);
      e.workloads = {id};
      e.lateral = lateral(engine, {&w});
      out.push_back(std::move(e));
    };
    if (w.host_network) direct("host-network", id);
    for (const Container& ct : w.containers)
      for (const ContainerPort& p : ct.ports)
        if (p.host_port) direct("host-port", id + ":" + std::to_string(p.host_port));
  }
  return out;
}

}  // namespace ig
