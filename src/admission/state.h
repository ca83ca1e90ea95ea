// What the webhook knows of the cluster, for the rules that look across
// objects (a host claimed by another namespace, a backend Service that is also
// a NodePort, a second default IngressClass). Loaded from manifests or
// `kubectl get -o json` output (`serve --state`), then kept up to date with
// what the webhook admits (never on dryRun) and deletes.
//
// A request is judged in a small Cluster: the object under review plus the
// state objects that can matter to it (its namespace's Services, workloads,
// NetworkPolicies and TLS Secrets, the Ingresses sharing one of its hosts,
// every IngressClass and Namespace, the controller's ConfigMaps and
// workloads), so a decision costs the same with 10 or 10,000 objects known.
// Secrets are kept as the loader's summary (names, certificate dates), never
// their data.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cluster.h"
#include "load/loader.h"
#include "policy/policy.h"

namespace ig {

struct AdmissionRequest;

// An object of the state with the pool its strings point into.
template <class T>
struct Held {
  T object;
  std::shared_ptr<StringPool> pool;
};

// Keyed "namespace/name" (workloads "namespace/Kind/name"), so that one
// namespace's objects are adjacent; cluster-scoped kinds by name.
template <class T>
using Table = std::map<std::string, Held<T>, std::less<>>;

// The Cluster a request is judged in, with what keeps its borrowed strings alive.
struct RequestCluster {
  Cluster cluster;
  uint32_t request_file = 0;  // Loc::file of the object under review
  std::vector<std::shared_ptr<StringPool>> pools;
  std::vector<LoadError> errors;  // the object could not be read
};

class ClusterState {
 public:
  ClusterState();

  // Reads manifests (files, directories, "-") and an optional policy file.
  // Problems are returned; objects that could be read are kept.
  static std::shared_ptr<ClusterState> load(const std::vector<std::string>& paths,
                                            const std::optional<std::string>& policy_path,
                                            std::vector<LoadError>& errors);

  // Loads `request.object` and copies in the state objects that matter to it.
  RequestCluster judge_cluster(const AdmissionRequest& request) const;

  // Records an allowed request: CREATE/UPDATE store the object, DELETE drops it.
  // The caller never calls this for dryRun requests.
  void admit(const AdmissionRequest& request);

  const Policy* policy() const { return policy_ ? &*policy_ : nullptr; }
  size_t size() const;  // objects held

 private:
  void absorb(Cluster& loaded);
  void add_ingress_hosts(const std::string& key, const Ingress& ing);
  void drop_ingress_hosts(const std::string& key, const Ingress& ing);

  mutable std::shared_mutex mu_;
  std::vector<SourceFile> files_;  // [0] is "(admitted)"; the rest are --state files
  std::shared_ptr<StringPool> base_pool_;
  std::vector<std::shared_ptr<StringPool>> retained_pools_;  // of a parallel load of the state files
  std::optional<Policy> policy_;
  Table<Ingress> ingresses_;
  Table<IngressClass> classes_;
  Table<Service> services_;
  Table<NetworkPolicy> policies_;
  Table<Namespace> namespaces_;
  Table<Secret> secrets_;
  Table<ConfigMap> config_maps_;
  Table<Workload> workloads_;
  std::unordered_map<std::string, std::set<std::string>> ingresses_by_host_;  // lower-case host ("" for none)
  std::map<std::string, size_t, std::less<>> controller_namespaces_;  // namespace -> ingress-nginx workloads
};

}  // namespace ig
