// NetworkPolicy semantics (networking.k8s.io/v1) over the snapshot's
// workloads: which connections a pod may open to another, with the real rules
// of the API: policies select pods in their own namespace (an empty
// podSelector selects all); a pod selected by no policy of a direction is not
// isolated in it; policyTypes default to Ingress (plus Egress when egress
// rules exist); rules add up across policies; a peer's podSelector and
// namespaceSelector in one entry must both match (AND) while separate entries
// are alternatives (OR); namespaces match on their labels plus
// kubernetes.io/metadata.name; ports are numbers, ranges (endPort) or names
// resolved against the destination pod's container ports; ipBlock peers match
// addresses outside the cluster, never pods.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cluster.h"
#include "graph/conn_set.h"

namespace ig {

// A namespace and one label, as an index key that owns no memory (the views
// point into the Cluster).
struct NsLabel {
  std::string_view ns, key, value;
  bool operator==(const NsLabel& o) const { return ns == o.ns && key == o.key && value == o.value; }
};
// std::string keys found by string_view without building a string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct NsLabelHash {
  size_t operator()(const NsLabel& l) const {
    std::hash<std::string_view> h;
    return h(l.ns) * 31 * 31 + h(l.key) * 31 + h(l.value);
  }
};

// Labels of a namespace: its Namespace object's (when loaded) plus
// kubernetes.io/metadata.name, which the API server sets on every namespace.
std::vector<KeyValue> namespace_labels(const Cluster& c, std::string_view ns);

class NetworkPolicyEngine {
 public:
  // Call after Cluster::index().
  explicit NetworkPolicyEngine(const Cluster& c);

  // Connections `src` may open to `dst` (egress of src AND ingress of dst).
  ConnSet allowed(const Workload& src, const Workload& dst) const;
  // Each direction alone.
  ConnSet ingress_allowed(const Workload& dst, const Workload& src) const;
  ConnSet egress_allowed(const Workload& src, const Workload& dst) const;
  // Connections from an address outside the cluster (IPv4 dotted quad) to dst.
  ConnSet ingress_from_address(const Workload& dst, const std::string& ipv4) const;

  // Whether any policy selects the workload for that direction.
  bool ingress_isolated(const Workload& w) const;
  bool egress_isolated(const Workload& w) const;

  // The policies that select a workload (for explanations).
  std::vector<const NetworkPolicy*> selecting(const Workload& w) const;

  // Labels of a namespace: its own, plus kubernetes.io/metadata.name.
  const std::vector<KeyValue>& namespace_labels(std::string_view ns) const;
  // The namespaces holding workloads that a namespaceSelector selects (an empty one: all of them), in the
  // index's order. Cached by what the selector says: a selector repeated across thousands of policies is
  // matched against the namespaces once.
  const std::vector<std::string_view>& namespaces_matching(const LabelSelector& sel) const;

  // "ns/name[Kind]", named after the controlling owner when there is one.
  static std::string workload_id(const Workload& w);

 private:
  bool peer_matches(const NetworkPolicyPeer& peer, std::string_view policy_ns, const Workload& pod) const;
  ConnSet rule_ports(const NetworkPolicyRule& rule, const Workload& dst) const;
  template <class PeerOk>
  ConnSet direction_allowed(const Workload& subject, bool ingress, const Workload& ports_of, PeerOk peer_ok) const;
  const Cluster& c_;
  mutable StringMap<std::vector<KeyValue>> ns_labels_;  // cache
  mutable StringMap<std::vector<std::string_view>> by_namespace_selector_;  // cache of namespaces_matching
  // Policies by "ns\0key=value" of their first matchLabels entry, and per
  // namespace the ones without matchLabels (checked for every pod).
  std::unordered_map<NsLabel, std::vector<const NetworkPolicy*>, NsLabelHash> by_first_label_;
  StringMap<std::vector<const NetworkPolicy*>> unindexed_;
};

// True when the Service's selector selects the workload's pods (same namespace;
// a Service without a selector selects nothing).
bool service_selects(const Service& s, const Workload& w);

// The workloads each Service selects, through an index on namespace and
// label (a linear scan per Service is quadratic on large inputs).
class ServiceSelection {
 public:
  explicit ServiceSelection(const Cluster& c);
  std::vector<const Workload*> selected(const Service& s) const;
  // Workloads in `ns` carrying that label (nullptr: none).
  const std::vector<const Workload*>* with_label(std::string_view ns, const KeyValue& label) const;

 private:
  std::unordered_map<NsLabel, std::vector<const Workload*>, NsLabelHash> by_label_;
};

// A pod with no labels in a namespace of its own: "any other pod", to ask what
// the rest of the cluster may reach.
Workload any_pod_elsewhere();

// True when the IPv4 address is inside `cidr` and in none of `except`.
bool ipv4_in_block(const std::string& ip, const IpBlock& block);

}  // namespace ig
