#include "semantics/controller.h"

#include <algorithm>
#include <array>

#include "semantics/values.h"

namespace ig {

namespace {

constexpr std::string_view kAlb = "alb.ingress.kubernetes.io/";

// By the class name alone, when the input has no IngressClass of that name.
ControllerKind kind_of_class_name(std::string_view name) {
  std::string n = to_lower(name);
  if (n == "nginx" || n == "ingress-nginx" || n == "nginx-internal" || n == "nginx-public") return ControllerKind::IngressNginx;
  if (n == "gce" || n == "gce-internal" || n == "gce-regional-external") return ControllerKind::Gce;
  if (n == "alb") return ControllerKind::Alb;
  if (n == "traefik") return ControllerKind::Traefik;
  if (n == "haproxy") return ControllerKind::HAProxy;
  if (n == "contour") return ControllerKind::Contour;
  if (n == "istio") return ControllerKind::Istio;
  if (n == "kong") return ControllerKind::Kong;
  return ControllerKind::Unknown;
}

bool has_annotation_prefix(const ObjectMeta& m, std::string_view prefix) {
  return std::any_of(m.annotations.begin(), m.annotations.end(), [&](const KeyValue& kv) { return kv.key.starts_with(prefix); });
}

// Annotations only GKE's Ingress controller reads.
bool has_gke_annotation(const ObjectMeta& m) {
  for (std::string_view k : {"kubernetes.io/ingress.global-static-ip-name", "kubernetes.io/ingress.regional-static-ip-name",
                             "networking.gke.io/managed-certificates", "ingress.gcp.kubernetes.io/pre-shared-cert",
                             "networking.gke.io/v1beta1.FrontendConfig", "kubernetes.io/ingress.allow-http"})
    if (m.annotation(k)) return true;
  return false;
}

bool is_true_value(std::string_view v) { return parse_go_bool(v).value_or(false); }

}  // namespace

std::string_view to_string(ControllerKind k) {
  switch (k) {
    case ControllerKind::Unknown: return "unknown";
    case ControllerKind::IngressNginx: return "ingress-nginx";
    case ControllerKind::NginxInc: return "NGINX Ingress Controller";
    case ControllerKind::Gce: return "GKE Ingress";
    case ControllerKind::Alb: return "AWS Load Balancer Controller";
    case ControllerKind::Traefik: return "Traefik";
    case ControllerKind::HAProxy: return "HAProxy";
    case ControllerKind::Contour: return "Contour";
    case ControllerKind::Istio: return "Istio";
    case ControllerKind::Kong: return "Kong";
    case ControllerKind::Other: return "other";
  }
  return "unknown";
}

ControllerKind kind_of_controller_name(std::string_view spec) {
  if (spec == "k8s.io/ingress-nginx" || spec.starts_with("k8s.io/ingress-nginx")) return ControllerKind::IngressNginx;
  if (spec.starts_with("nginx.org/")) return ControllerKind::NginxInc;
  if (spec.starts_with("ingress.k8s.aws/")) return ControllerKind::Alb;
  if (spec.find("ingress-gce") != std::string_view::npos || spec.starts_with("networking.gke.io/")) return ControllerKind::Gce;
  if (spec.starts_with("traefik.io/")) return ControllerKind::Traefik;
  if (spec.starts_with("haproxy.org/") || spec.starts_with("haproxy-ingress.github.io/")) return ControllerKind::HAProxy;
  if (spec.starts_with("projectcontour.io/")) return ControllerKind::Contour;
  if (spec.starts_with("istio.io/")) return ControllerKind::Istio;
  if (spec.find("konghq.com") != std::string_view::npos) return ControllerKind::Kong;
  return spec.empty() ? ControllerKind::Unknown : ControllerKind::Other;
}

bool ServingController::shared() const {
  switch (kind) {
    case ControllerKind::IngressNginx:
    case ControllerKind::NginxInc:
    case ControllerKind::Traefik:
    case ControllerKind::HAProxy:
    case ControllerKind::Contour:
    case ControllerKind::Istio:
    case ControllerKind::Kong: return true;
    default: return false;
  }
}

ServingController controller_of(const Cluster& c, const Ingress& ing) {
  ServingController sc;
  Field cls = ing.requested_class();
  if (cls && !cls.value.empty()) {
    sc.class_name = cls.value;
    if (const IngressClass* ic = c.find_ingress_class(cls.value); ic && ic->controller)
      sc.kind = kind_of_controller_name(ic->controller.value);
    else
      sc.kind = kind_of_class_name(cls.value);
    return sc;
  }
  for (const IngressClass& ic : c.ingress_classes)
    if (ic.is_default) {
      sc.class_name = ic.meta.name;
      sc.kind = kind_of_controller_name(ic.controller.value);
      return sc;
    }
  if (has_annotation_prefix(ing.meta, kAlb)) sc.kind = ControllerKind::Alb;
  else if (has_gke_annotation(ing.meta)) sc.kind = ControllerKind::Gce;
  return sc;
}

// --- ingress-nginx ---

const KeyValue* nginx_annotation(const ObjectMeta& meta, std::string_view name) { return meta.annotation(kNginxPrefix, name); }

bool is_ingress_nginx_image(std::string_view image) {
  return image.find("ingress-nginx/controller") != std::string_view::npos ||
         image.find("kubernetes-ingress-controller/nginx-ingress-controller") != std::string_view::npos;
}

bool is_canary(const Ingress& ing) {
  const KeyValue* kv = nginx_annotation(ing.meta, "canary");
  return kv && is_true_value(kv->value);
}

bool runs_admission_webhook(const Workload& w) {
  for (const Container& ct : w.containers) {
    if (!ct.image || !is_ingress_nginx_image(ct.image.value)) continue;
    for (const Field& a : ct.args) {
      std::string_view v = a.value;
      if (v.starts_with("--validating-webhook=") && v.size() > 21) return true;
      if (v == "--validating-webhook") return true;
    }
    for (const ContainerPort& p : ct.ports)
      if (p.name == "webhook") return true;
  }
  return false;
}

// --- TLS and redirects ---

namespace {

size_t class_host_hash(std::string_view class_name, std::string_view host) {
  std::string key(class_name);
  key.push_back('\0');
  key.append(to_lower(host));
  return std::hash<std::string>{}(key);
}

}  // namespace

SiblingTls::SiblingTls(const Cluster& c) {
  for (const Ingress& ing : c.ingresses) {
    if (ing.tls.empty()) continue;
    ServingController sc = controller_of(c, ing);
    if (sc.kind != ControllerKind::IngressNginx) continue;
    bool wildcard = false;
    for (const IngressTls& t : ing.tls)
      for (const Field& h : t.hosts) {
        if (h.value.starts_with("*.")) wildcard = true;
        else exact_.emplace_back(class_host_hash(sc.class_name, h.value), &ing);
      }
    if (wildcard) wildcards_.emplace_back(sc.class_name, &ing);
  }
  std::stable_sort(exact_.begin(), exact_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

const Ingress* SiblingTls::find(std::string_view class_name, std::string_view host, const Ingress& self) const {
  // Another Ingress of the same class (not a copy of this one) whose spec.tls names the host.
  auto gives_tls = [&](const Ingress* ing) {
    if (ing == &self || same_identity(ing->meta, self.meta)) return false;
    for (const IngressTls& t : ing->tls)
      for (const Field& h : t.hosts)
        if (tls_host_covers(h.value, host)) return true;
    return false;
  };
  size_t h = class_host_hash(class_name, host);
  auto it = std::lower_bound(exact_.begin(), exact_.end(), h, [](const auto& e, size_t v) { return e.first < v; });
  for (; it != exact_.end() && it->first == h; ++it)
    if (gives_tls(it->second)) return it->second;
  for (const auto& [cls, ing] : wildcards_)
    if (cls == class_name && gives_tls(ing)) return ing;
  return nullptr;
}

const KeyValue* alb_annotation(const ObjectMeta& m, std::string_view name) { return m.annotation(kAlb, name); }

bool is_alb_ingress(const Ingress& ing) {
  Field cls = ing.requested_class();
  return cls.value == "alb" || has_annotation_prefix(ing.meta, kAlb);
}

const Extension* frontend_config(const Cluster& c, const Ingress& ing) {
  const KeyValue* name = ing.meta.annotation("networking.gke.io/v1beta1.FrontendConfig");
  if (!name) return nullptr;
  for (const Extension& e : c.extensions)
    if (e.meta.kind == "FrontendConfig" && e.meta.name == name->value && e.meta.effective_ns() == ing.meta.effective_ns())
      return &e;
  return nullptr;
}

bool alb_redirects(const Ingress& ing) {
  if (alb_annotation(ing.meta, "ssl-redirect")) return true;
  if (!alb_annotation(ing.meta, "actions.ssl-redirect")) return false;
  for (const IngressRule& r : ing.rules)
    for (const IngressPath& p : r.paths)
      if (p.backend.service == "ssl-redirect" && p.backend.port_name == "use-annotation") return true;
  return false;
}

HostTransport transport_of(const Cluster& c, const Ingress& ing, std::string_view host, const SiblingTls& siblings) {
  HostTransport t;
  const ObjectMeta& m = ing.meta;
  for (const IngressTls& entry : ing.tls) {
    // An entry without hosts applies to every host (the API's default).
    bool covers = entry.hosts.empty();
    for (const Field& h : entry.hosts)
      if (!host.empty() && tls_host_covers(h.value, host)) covers = true;
    if (covers) {
      t.https = true;
      t.https_by = "spec.tls";
      break;
    }
  }
  ServingController sc = controller_of(c, ing);
  if (const KeyValue* pass = nginx_annotation(m, "ssl-passthrough"); pass && is_true_value(pass->value)) {
    t.https = t.redirected = true;
    t.https_by = t.redirected_by = "ssl-passthrough";
    return t;
  }
  bool alb = sc.kind == ControllerKind::Alb || is_alb_ingress(ing);
  if (!t.https && alb) {
    const KeyValue* ports = alb_annotation(m, "listen-ports");
    if (alb_annotation(m, "certificate-arn")) t.https = true, t.https_by = "ALB certificate-arn";
    else if (ports && ports->value.find("HTTPS") != std::string_view::npos)
      t.https = true, t.https_by = "ALB HTTPS listener (certificate discovered by host)";
  }
  if (!t.https) {
    for (std::string_view k : {"networking.gke.io/managed-certificates", "ingress.gcp.kubernetes.io/pre-shared-cert"})
      if (m.annotation(k)) {
        t.https = true;
        t.https_by = "GKE " + std::string(k.substr(k.find('/') + 1));
      }
  }
  if (!t.https && !host.empty() && sc.kind == ControllerKind::IngressNginx)
    if (const Ingress* other = siblings.find(sc.class_name, host, ing)) {
      t.https = true;
      t.https_by = "Ingress " + std::string(other->meta.effective_ns()) + "/" + std::string(other->meta.name) +
                   "'s TLS for the same host (ingress-nginx serves one server per host)";
    }

  // Redirects.
  const KeyValue* force = nginx_annotation(m, "force-ssl-redirect");
  const KeyValue* redirect = nginx_annotation(m, "ssl-redirect");
  if (force && is_true_value(force->value)) {
    t.redirected = true;
    t.redirected_by = "force-ssl-redirect";
  } else if (t.https && (sc.kind == ControllerKind::IngressNginx || sc.kind == ControllerKind::Unknown) && !alb &&
             !(redirect && parse_go_bool(redirect->value) == false)) {
    t.redirected = true;  // ingress-nginx's ssl-redirect defaults to true for hosts with TLS
    t.redirected_by = "ssl-redirect (on by default with TLS)";
  }
  if (alb && alb_redirects(ing)) {
    t.redirected = true;
    t.redirected_by = "ALB ssl-redirect";
  }
  if (const Extension* fc = frontend_config(c, ing)) {
    const FlatField* enabled = fc->spec.get("spec.redirectToHttps.enabled");
    if (enabled && to_lower(enabled->value) == "true") {
      t.redirected = true;
      t.redirected_by = "FrontendConfig " + std::string(fc->meta.name) + " redirectToHttps";
    }
  }
  return t;
}

bool controller_needs_node_port(const ServingController& sc, const Ingress& ing, const Service& backend) {
  if (sc.kind == ControllerKind::Gce) {
    const KeyValue* neg = backend.meta.annotation("cloud.google.com/neg");
    return !(neg && neg->value.find("\"ingress\"") != std::string_view::npos && neg->value.find("true") != std::string_view::npos);
  }
  if (sc.kind == ControllerKind::Alb || is_alb_ingress(ing)) {
    const KeyValue* target = alb_annotation(backend.meta, "target-type");
    if (!target) target = alb_annotation(ing.meta, "target-type");
    return !target || target->value == "instance";  // instance is the default
  }
  return false;
}

// --- front doors ---

ControllerKind front_door_kind(const Workload& w) {
  for (const Container& ct : w.containers) {
    std::string_view image = ct.image.value;
    if (image.empty()) continue;
    if (is_ingress_nginx_image(image)) return ControllerKind::IngressNginx;
    if (image.find("nginx/nginx-ingress") != std::string_view::npos || image.find("nginx-plus-ingress") != std::string_view::npos)
      return ControllerKind::NginxInc;
    if (image.find("envoyproxy/envoy") != std::string_view::npos) return ControllerKind::Contour;
    if (image.find("haproxytech/kubernetes-ingress") != std::string_view::npos ||
        image.find("haproxy-ingress") != std::string_view::npos)
      return ControllerKind::HAProxy;
    if (image.find("kong/kubernetes-ingress-controller") != std::string_view::npos || image.starts_with("kong:") ||
        image.find("/kong:") != std::string_view::npos)
      return ControllerKind::Kong;
    // "traefik:v3.1", "docker.io/traefik:2.11", "traefik/traefik"
    std::string_view name = image.substr(0, image.find(':'));
    name = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    if (name == "traefik") return ControllerKind::Traefik;
    if (image.find("proxyv2") != std::string_view::npos) {
      const KeyValue* istio = w.meta.label("istio");
      for (const KeyValue& kv : w.pod_labels)
        if (kv.key == "istio" && kv.value.find("gateway") != std::string_view::npos) istio = &kv;
      if (istio || std::any_of(ct.args.begin(), ct.args.end(), [](const Field& a) { return a.value == "router"; }))
        return ControllerKind::Istio;
    }
  }
  return ControllerKind::Unknown;
}

bool is_traffic_port(const ContainerPort& p) {
  std::string n = to_lower(p.name);
  if (n.starts_with("http") || n.starts_with("web")) return true;  // http, https, http2, web, websecure
  int64_t port = p.host_port ? p.host_port : p.container_port;
  return port == 80 || port == 443;
}

bool is_front_door_service(const Service& s, const std::vector<const Workload*>& selected) {
  if (std::any_of(selected.begin(), selected.end(), [](const Workload* w) { return front_door_kind(*w) != ControllerKind::Unknown; }))
    return true;
  if (!selected.empty()) return false;
  // The workloads are not in the input: the controllers' own selectors.
  struct Label {
    std::string_view key, value;
  };
  static constexpr std::array<Label, 10> kSelectors = {{{"app.kubernetes.io/name", "ingress-nginx"},
                                                        {"app.kubernetes.io/name", "traefik"},
                                                        {"app.kubernetes.io/name", "kubernetes-ingress"},
                                                        {"app.kubernetes.io/name", "haproxy-ingress"},
                                                        {"app.kubernetes.io/name", "contour"},
                                                        {"app.kubernetes.io/name", "kong"},
                                                        {"app", "envoy"},
                                                        {"app", "ingress-nginx"},
                                                        {"istio", "ingressgateway"},
                                                        {"run", "haproxy-ingress"}}};
  for (const KeyValue& kv : s.selector)
    for (const Label& l : kSelectors)
      if (kv.key == l.key && kv.value == l.value) return true;
  return false;
}

}  // namespace ig
