// Who serves an Ingress and what that controller does with it: the one place
// that knows which controller a class names, how each controller terminates
// TLS and redirects plain HTTP, which workloads and Services are the
// controllers' own front door, and the ingress-nginx conventions (annotation
// prefix, canaries, the admission webhook). The rules, the exposure graph and
// the webhook state ask here instead of re-deriving it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/cluster.h"

namespace ig {

enum class ControllerKind { Unknown, IngressNginx, NginxInc, Gce, Alb, Traefik, HAProxy, Contour, Istio, Kong, Other };

std::string_view to_string(ControllerKind k);

// The kind an IngressClass's spec.controller names (e.g. k8s.io/ingress-nginx).
ControllerKind kind_of_controller_name(std::string_view spec_controller);

struct ServingController {
  ControllerKind kind = ControllerKind::Unknown;
  std::string_view class_name;  // the class asked for, or the input's default class; empty when neither
  // One proxy serves the Ingresses of many teams (ingress-nginx, Traefik, ...): a
  // catch-all or a host of one Ingress affects the others. False for GCE and
  // ALB (a load balancer per Ingress, or per ALB group) and when unknown.
  bool shared() const;
};

// The controller that serves `ing`: its class (spec.ingressClassName, else the
// legacy annotation) through the input's IngressClass, else by the class name's
// convention (nginx, gce, alb, traefik, ...); a class-less Ingress through the
// input's default IngressClass, else by its annotations (ALB's, GKE's);
// Unknown when the input cannot tell.
ServingController controller_of(const Cluster& c, const Ingress& ing);

// --- ingress-nginx ---

inline constexpr std::string_view kNginxPrefix = "nginx.ingress.kubernetes.io/";

// The value of an ingress-nginx annotation (prefix added), or nullptr.
const KeyValue* nginx_annotation(const ObjectMeta& meta, std::string_view name);

// The community ingress-nginx controller's image (not F5's nginx/nginx-ingress).
bool is_ingress_nginx_image(std::string_view image);

// canary: "true": the Ingress splits traffic of a host and path that another
// Ingress serves; repeating that host and path is how canaries work.
bool is_canary(const Ingress& ing);

// The ingress-nginx controller container runs its validating admission
// webhook (--validating-webhook set, or a webhook port declared).
bool runs_admission_webhook(const Workload& w);

// --- TLS and redirects as the serving controller applies them ---

struct HostTransport {
  bool https = false;           // the host is served over HTTPS by the controller (or passed through)
  std::string https_by;         // how: "spec.tls", "Ingress ns/name's TLS for the same host", "ALB HTTPS listener", ...
  bool redirected = false;      // plain HTTP answers with a redirect to HTTPS
  std::string redirected_by;
};

// How `host` of `ing` (empty: a rule without a host) reaches clients.
// ingress-nginx serves one server per host for all its Ingresses, so TLS for
// the host from another Ingress of the same class counts, and its ssl-redirect
// (default on) then applies; force-ssl-redirect redirects even without TLS.
// ALB: certificate-arn or an HTTPS listen-port (certificates discovered by
// host); ssl-redirect or the legacy actions.ssl-redirect backend. GKE: managed
// or pre-shared certificates; FrontendConfig redirectToHttps.
class SiblingTls;
HostTransport transport_of(const Cluster& c, const Ingress& ing, std::string_view host, const SiblingTls& siblings);

// Which ingress-nginx Ingresses give a host TLS, per class: built once per
// snapshot (rules share it through their derived cache).
class SiblingTls {
 public:
  explicit SiblingTls(const Cluster& c);
  // An Ingress of class `class_name` (an ingress-nginx class) with spec.tls for `host`, other than
  // `self` and its copies (the same object written twice is one object), or nullptr.
  const Ingress* find(std::string_view class_name, std::string_view host, const Ingress& self) const;

 private:
  // (hash of class NUL lowercased host, Ingress), sorted by hash; the Ingress is checked on lookup.
  std::vector<std::pair<size_t, const Ingress*>> exact_;
  std::vector<std::pair<std::string_view, const Ingress*>> wildcards_;  // (class, Ingress) with a "*.example.com" TLS host
};

// ALB: the annotation with the alb.ingress.kubernetes.io/ prefix, or nullptr.
const KeyValue* alb_annotation(const ObjectMeta& m, std::string_view name);
bool is_alb_ingress(const Ingress& ing);
// The ALB answers plain HTTP with a redirect: ssl-redirect, or the legacy
// actions.ssl-redirect annotation used by a path whose backend is Service
// "ssl-redirect" on port "use-annotation".
bool alb_redirects(const Ingress& ing);
// The GKE FrontendConfig the Ingress names, when the input has it.
const Extension* frontend_config(const Cluster& c, const Ingress& ing);

// A backend Service must be of type NodePort for this controller: GCE without
// container-native load balancing (no cloud.google.com/neg ingress: true on the
// Service), ALB with target-type instance (its default).
bool controller_needs_node_port(const ServingController& sc, const Ingress& ing, const Service& backend);

// --- front doors ---

// The ingress controller or gateway data plane a workload runs (its images:
// ingress-nginx, Envoy, Traefik, HAProxy, Istio's gateway proxy, Kong, NGINX
// Inc.), Unknown for anything else.
ControllerKind front_door_kind(const Workload& w);

// A container port that carries the front door's client traffic (named http*,
// https*, web*, or port 80/443), not its stats, metrics or webhook port.
bool is_traffic_port(const ContainerPort& p);

// A LoadBalancer or NodePort Service in front of an ingress controller: it
// selects a front-door workload of the input, or (when the workloads are not
// in the input) carries a controller's well-known selector.
bool is_front_door_service(const Service& s, const std::vector<const Workload*>& selected);

}  // namespace ig
