#include "graph/netpol.h"

#include <arpa/inet.h>

#include <algorithm>
#include <tuple>
#include <unordered_set>
#include <cstdlib>

namespace ig {

namespace {

bool selects(const LabelSelector& s, const std::vector<KeyValue>& labels) {
  // An absent or empty selector selects everything.
  return !s.present || s.empty() || s.matches(labels);
}

std::optional<uint32_t> parse_ipv4(std::string_view s) {
  in_addr a{};
  if (inet_pton(AF_INET, std::string(s).c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

bool in_cidr(uint32_t ip, std::string_view cidr) {
  size_t slash = cidr.find('/');
  auto base = parse_ipv4(cidr.substr(0, slash));
  if (!base) return false;  // IPv6 blocks never contain an IPv4 address
  int bits = slash == std::string_view::npos ? 32 : std::atoi(std::string(cidr.substr(slash + 1)).c_str());
  if (bits < 0 || bits > 32) return false;
  uint32_t mask = bits == 0 ? 0 : ~uint32_t(0) << (32 - bits);
  return (ip & mask) == (*base & mask);
}

}  // namespace

bool ipv4_in_block(const std::string& ip, const IpBlock& block) {
  auto a = parse_ipv4(ip);
  if (!a || !in_cidr(*a, block.cidr.value)) return false;
  for (const std::string& e : block.except)
    if (in_cidr(*a, e)) return false;
  return true;
}

bool service_selects(const Service& s, const Workload& w) {
  if (!s.has_selector || s.selector.empty() || s.meta.effective_ns() != w.meta.effective_ns()) return false;
  for (const KeyValue& want : s.selector) {
    auto it = std::find_if(w.pod_labels.begin(), w.pod_labels.end(), [&](const KeyValue& kv) { return kv.key == want.key; });
    if (it == w.pod_labels.end() || it->value != want.value) return false;
  }
  return true;
}

namespace {
NsLabel label_key(std::string_view ns, const KeyValue& kv) { return NsLabel{ns, kv.key, kv.value}; }
}  // namespace

ServiceSelection::ServiceSelection(const Cluster& c) {
  // Index only the labels that some Service or NetworkPolicy selects on first:
  // most pod labels are never looked up.
  std::unordered_set<NsLabel, NsLabelHash> wanted;
  for (const Service& s : c.services)
    if (s.has_selector && !s.selector.empty()) wanted.insert(label_key(s.meta.effective_ns(), s.selector.front()));
  for (const NetworkPolicy& np : c.network_policies)
    if (np.pod_selector.present && !np.pod_selector.match_labels.empty())
      wanted.insert(label_key(np.meta.effective_ns(), np.pod_selector.match_labels.front()));
  for (const Workload& w : c.workloads)
    for (const KeyValue& kv : w.pod_labels) {
      NsLabel key = label_key(w.meta.effective_ns(), kv);
      if (wanted.count(key)) by_label_[key].push_back(&w);
    }
}

std::vector<const Workload*> ServiceSelection::selected(const Service& s) const {
  std::vector<const Workload*> out;
  if (!s.has_selector || s.selector.empty()) return out;
  auto it = by_label_.find(label_key(s.meta.effective_ns(), s.selector.front()));
  if (it == by_label_.end()) return out;
  for (const Workload* w : it->second)
    if (service_selects(s, *w)) out.push_back(w);
  return out;
}

const std::vector<const Workload*>* ServiceSelection::with_label(std::string_view ns, const KeyValue& label) const {
  auto it = by_label_.find(label_key(ns, label));
  return it == by_label_.end() ? nullptr : &it->second;
}

Workload any_pod_elsewhere() {
  Workload w;
  w.meta.kind = "Pod";
  w.meta.name = "any-pod";
  w.meta.ns = "ingressguard-outsider";
  return w;
}

NetworkPolicyEngine::NetworkPolicyEngine(const Cluster& c) : c_(c) {
  for (const NetworkPolicy& np : c.network_policies) {
    std::string_view ns = np.meta.effective_ns();
    if (np.pod_selector.present && !np.pod_selector.match_labels.empty())
      by_first_label_[label_key(ns, np.pod_selector.match_labels.front())].push_back(&np);
    else
      unindexed_[std::string(ns)].push_back(&np);
  }
}

std::string NetworkPolicyEngine::workload_id(const Workload& w) {
  std::string ns(w.meta.effective_ns());
  if (!w.owner_kind.empty() && !w.owner_name.empty()) return ns + "/" + w.owner_name + "[" + w.owner_kind + "]";
  return ns + "/" + std::string(w.meta.name) + "[" + std::string(w.meta.kind) + "]";
}

namespace {
// A selector written out (labels and expressions in order): the cache key of namespaces_matching.
std::string selector_key(const LabelSelector& sel) {
  std::string k;
  for (const KeyValue& kv : sel.match_labels) k.append(kv.key).append("=").append(kv.value).push_back('\n');
  for (const LabelSelectorRequirement& r : sel.match_expressions) {
    k.append(r.key).append(" ").append(r.op);
    for (const std::string& v : r.values) k.append(" ").append(v);
    k.push_back('\n');
  }
  return k;
}
}  // namespace

const std::vector<std::string_view>& NetworkPolicyEngine::namespaces_matching(const LabelSelector& sel) const {
  auto [it, inserted] = by_namespace_selector_.try_emplace(selector_key(sel));
  if (inserted)
    for (const auto& entry : c_.workloads_by_namespace())
      if (sel.matches(namespace_labels(entry.first))) it->second.push_back(entry.first);
  return it->second;
}

std::vector<KeyValue> namespace_labels(const Cluster& c, std::string_view ns) {
  std::vector<KeyValue> labels;
  if (const Namespace* n = c.find_namespace(ns)) labels = n->meta.labels;
  auto it = std::find_if(labels.begin(), labels.end(), [](const KeyValue& kv) { return kv.key == "kubernetes.io/metadata.name"; });
  if (it == labels.end()) {
    KeyValue kv;
    kv.key = "kubernetes.io/metadata.name";
    kv.value = c.strings->intern(ns);
    labels.push_back(kv);
  }
  return labels;
}

const std::vector<KeyValue>& NetworkPolicyEngine::namespace_labels(std::string_view ns) const {
  auto cached = ns_labels_.find(ns);
  if (cached != ns_labels_.end()) return cached->second;
  return ns_labels_.emplace(std::string(ns), ig::namespace_labels(c_, ns)).first->second;
}

bool NetworkPolicyEngine::peer_matches(const NetworkPolicyPeer& peer, std::string_view policy_ns, const Workload& pod) const {
  if (peer.has_ip_block) return false;  // ipBlock peers are outside the cluster
  std::string_view pod_ns = pod.meta.effective_ns();
  if (peer.namespace_selector.present) {
    if (!selects(peer.namespace_selector, namespace_labels(pod_ns))) return false;
  } else if (pod_ns != policy_ns) {
    return false;  // podSelector alone: the policy's namespace only
  }
  return selects(peer.pod_selector, pod.pod_labels);
}

ConnSet NetworkPolicyEngine::rule_ports(const NetworkPolicyRule& rule, const Workload& dst) const {
  if (!rule.has_ports || rule.ports.empty()) return ConnSet::all();
  ConnSet out;
  for (const NetworkPolicyPort& p : rule.ports) {
    auto proto = ConnSet::parse_proto(p.protocol);
    if (!proto) continue;
    if (p.port.empty()) {
      out.add_all(*proto);
      continue;
    }
    bool numeric = std::all_of(p.port.begin(), p.port.end(), ::isdigit);
    if (numeric) {
      int lo = std::atoi(p.port.c_str());
      out.add_range(*proto, lo, p.end_port ? static_cast<int>(*p.end_port) : lo);
      continue;
    }
    // A named port: the destination pod's container port of that name and protocol.
    for (const Container& ct : dst.containers)
      for (const ContainerPort& cp : ct.ports) {
        auto cp_proto = ConnSet::parse_proto(cp.protocol);
        if (cp.name == p.port && cp_proto == proto) out.add_range(*proto, static_cast<int>(cp.container_port), static_cast<int>(cp.container_port));
      }
  }
  return out;
}

std::vector<const NetworkPolicy*> NetworkPolicyEngine::selecting(const Workload& w) const {
  std::vector<const NetworkPolicy*> out;
  std::string_view ns = w.meta.effective_ns();
  if (auto it = unindexed_.find(ns); it != unindexed_.end())
    for (const NetworkPolicy* np : it->second)
      if (selects(np->pod_selector, w.pod_labels)) out.push_back(np);
  for (const KeyValue& kv : w.pod_labels)
    if (auto it = by_first_label_.find(label_key(ns, kv)); it != by_first_label_.end())
      for (const NetworkPolicy* np : it->second)
        if (selects(np->pod_selector, w.pod_labels)) out.push_back(np);
  // Keep the input's order (explanations list policies as written).
  std::sort(out.begin(), out.end(), [](const NetworkPolicy* a, const NetworkPolicy* b) {
    return std::tie(a->meta.loc.file, a->meta.loc.line) < std::tie(b->meta.loc.file, b->meta.loc.line);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());  // a label written twice
  return out;
}

bool NetworkPolicyEngine::ingress_isolated(const Workload& w) const {
  for (const NetworkPolicy* np : selecting(w))
    if (np->affects_ingress()) return true;
  return false;
}

bool NetworkPolicyEngine::egress_isolated(const Workload& w) const {
  for (const NetworkPolicy* np : selecting(w))
    if (np->affects_egress()) return true;
  return false;
}

// What the policies selecting `subject` allow in one direction to peers for
// which `peer_ok` holds; `ports_of` is the pod whose named ports resolve them.
// Not isolated in that direction: everything.
template <class PeerOk>
ConnSet NetworkPolicyEngine::direction_allowed(const Workload& subject, bool ingress, const Workload& ports_of,
                                               PeerOk peer_ok) const {
  bool isolated = false;
  ConnSet out;
  for (const NetworkPolicy* np : selecting(subject)) {
    if (!(ingress ? np->affects_ingress() : np->affects_egress())) continue;
    isolated = true;
    for (const NetworkPolicyRule& r : ingress ? np->ingress : np->egress) {
      bool match = !r.has_peers;
      for (const NetworkPolicyPeer& peer : r.peers) match = match || peer_ok(peer, np->meta.effective_ns());
      if (match) out |= rule_ports(r, ports_of);
    }
  }
  return isolated ? out : ConnSet::all();
}

ConnSet NetworkPolicyEngine::ingress_allowed(const Workload& dst, const Workload& src) const {
  return direction_allowed(dst, true, dst, [&](const NetworkPolicyPeer& p, std::string_view ns) { return peer_matches(p, ns, src); });
}

ConnSet NetworkPolicyEngine::egress_allowed(const Workload& src, const Workload& dst) const {
  return direction_allowed(src, false, dst, [&](const NetworkPolicyPeer& p, std::string_view ns) { return peer_matches(p, ns, dst); });
}

ConnSet NetworkPolicyEngine::allowed(const Workload& src, const Workload& dst) const {
  return egress_allowed(src, dst) & ingress_allowed(dst, src);
}

ConnSet NetworkPolicyEngine::ingress_from_address(const Workload& dst, const std::string& ipv4) const {
  return direction_allowed(dst, true, dst, [&](const NetworkPolicyPeer& p, std::string_view) {
    return p.has_ip_block && ipv4_in_block(ipv4, p.ip_block);
  });
}

}  // namespace ig
