// The exposure graph: every path from outside the cluster to a workload.
// Internet -> entry point (an ingress class, a Gateway listener, a
// LoadBalancer or NodePort Service, externalIPs, a host port or host network)
// -> route (an Ingress host/path, a Gateway API route's hostname/path) ->
// Service -> workloads, with the protections in force on the
// way and what NetworkPolicies let reach the workloads besides the entry.
#pragma once

#include <string>
#include <vector>

#include "core/cluster.h"
#include "semantics/controller.h"

namespace ig {

struct Protections {
  bool tls = false;             // served over TLS
  bool https_redirect = false;  // plain HTTP redirected to HTTPS
  bool auth = false;            // external or basic auth, or client certificates required
  bool allowlist = false;       // source allowlist that is not 0.0.0.0/0
  bool rate_limit = false;
  bool waf = false;             // ModSecurity enabled
  bool client_cert = false;     // mTLS with verification on
  // 0 (nothing) to 3 (TLS, access control and rate limit or WAF): used to colour the map.
  int level() const;
  std::vector<std::string> names() const;
};

struct ExposurePath {
  // ingress-class, gateway-listener, load-balancer, node-port, external-ip, host-port, host-network
  std::string entry_kind;
  std::string entry;       // class name, ns/gateway:listener, ns/service, ns/workload:port
  // For an ingress class: the Service that exposes its controller ("ns/name (LoadBalancer)"),
  // when the input holds the controller and such a Service; the edge Internet -> controller -> class.
  std::string entry_via;
  std::string route;       // host/path for Ingress and Gateway routes; empty for direct exposure
  ObjectRef via;           // the Ingress, route, Service or workload that opens the path
  std::string service;     // ns/name of the Service, when there is one
  std::vector<std::string> workloads;  // ns/name[Kind]
  Protections protections;
  // Whether a pod in another namespace can reach the workloads directly:
  // "restricted", "open" (no policy limits it), or "unknown" (no workload in the input).
  std::string lateral;
};

// What the controller enforces for one Ingress rule (its host): TLS and the HTTPS redirect as the
// serving controller applies them (semantics/controller.h: transport_of), plus the ingress-nginx
// and ALB authentication, allowlist, rate-limit and WAF annotations. `auth` is declared
// authentication only; the map also counts client certificates as auth on its paths.
Protections ingress_protections(const Cluster& c, const Ingress& ing, const IngressRule& r, const SiblingTls& siblings);

std::vector<ExposurePath> build_exposure(const Cluster& c);

}  // namespace ig
