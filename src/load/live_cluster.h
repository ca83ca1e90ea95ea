// Reading a live cluster for `scan --cluster`. kubectl is the API client: it already handles the
// kubeconfig, every authentication plugin (exec credentials for EKS, GKE and AKS, OIDC), proxies and
// paging (`--chunk-size`), so ingressguard runs it instead of speaking to the API server itself.
//
// What is read: the kinds the rules use that the cluster serves (`kubectl api-resources`), each with one
// `kubectl get RESOURCE --all-namespaces -o json`: Ingresses, IngressClasses, Services, NetworkPolicies,
// Namespaces, Pods and the controllers that own them (Deployments, ReplicaSets, StatefulSets, DaemonSets,
// Jobs, CronJobs: a pod whose owner is read is judged through it), TLS Secrets only (`--field-selector type=kubernetes.io/tls`;
// only their certificates' public facts are kept), ConfigMaps only in the namespaces the caller names
// (those that run an ingress controller), and the Gateway API, Traefik, Contour, Istio, Envoy Gateway,
// GKE and AWS Load Balancer Controller kinds when installed. A kind that cannot be read (RBAC forbids
// it, the request fails) is named with the reason; a kind the cluster does not serve is simply absent.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "load/loader.h"

namespace ig {

struct LiveClusterOptions {
  std::string kubeconfig;  // --kubeconfig; empty: kubectl's own default ($KUBECONFIG, ~/.kube/config)
  std::string context;     // --context; empty: the kubeconfig's current context
  uint64_t max_bytes = 1ull << 30;  // per kubectl answer
  int timeout_seconds = 120;        // per kubectl run
  // After everything else is read: the namespaces whose ConfigMaps to read (the ingress controllers').
  std::function<std::vector<std::string>(const Cluster&)> configmap_namespaces;
  // Namespaces to read a kind in, one by one, when listing it across all namespaces is forbidden (an
  // identity with Roles in some namespaces only). The unit is then not complete.
  std::vector<std::string> namespaces;
};

struct LiveClusterRead {
  bool reached = false;                  // discovery answered
  std::string context;                   // the context read ("" when kubectl could not tell)
  std::vector<std::string> read;         // resources read, as kubectl names them (ingresses.networking.k8s.io)
  std::vector<std::string> unreadable;   // "networkpolicies.networking.k8s.io (forbidden: ...)"
  std::vector<std::string> partial;      // resources read only in LiveClusterOptions::namespaces
  size_t objects = 0;
};

// Reads into `loader`, one buffer per resource named `cluster://CONTEXT/RESOURCE`. What stops the read
// (kubectl missing, the cluster unreachable) is an error in `errors`.
LiveClusterRead read_live_cluster(const LiveClusterOptions& o, Loader& loader, std::vector<LoadError>& errors);

// Points findings on live objects at the object: file `cluster://CONTEXT/NAMESPACE/KIND/NAME` (no
// NAMESPACE for cluster-scoped kinds), line and column in the object as `kubectl get KIND NAME -o json`
// prints it, and the field's JSON path and value where the list's text was kept (kKeepStreamedText).
struct Finding;
void locate_live_findings(Cluster& unit, const std::string& cluster_uri, std::vector<Finding>& findings);

// The resources read, in order, as `kubectl api-resources -o name` names them.
const std::vector<std::string>& live_cluster_resources();

}  // namespace ig
