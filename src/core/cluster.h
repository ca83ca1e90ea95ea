// The Cluster snapshot: typed, compact views of the objects rules care about,
// indexed by kind/namespace/name. Every field a rule may point at keeps its
// source location. Built by the loader (load/snapshot.h); read by rules.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <type_traits>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/string_pool.h"

namespace ig {

// A position in a loaded source file: the file's index in Cluster::files.
struct Loc {
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t col = 0;
};

// Where a Secret's value is written: from (line, col) to just before (end_line,
// end_col). No excerpt of any report may show these bytes.
struct RedactedSpan {
  uint32_t file = 0;
  uint32_t line = 0, col = 0;
  uint32_t end_line = 0, end_col = 0;
};

struct SourceFile {
  std::string path;     // as given on the command line; "-" for stdin
  std::string content;  // kept only for stdin, whose lines cannot be read again
};

// A string field with where it was written. `present` distinguishes "" from absent.
struct Field {
  std::string_view value;  // points into the owning Cluster's string pool
  Loc loc;
  bool present = false;
  explicit operator bool() const { return present; }
};

// Key and value point into the owning Cluster's string pool.
// Key and value share their file, so the two positions take 20 bytes, not 24
// (a 100 MB input holds ~720,000 of these).
struct KeyValue {
  std::string_view key;
  std::string_view value;
  uint32_t file = 0;
  uint32_t key_line = 0, key_col = 0;
  uint32_t value_line = 0, value_col = 0;
  // Written unquoted as a boolean or number: the API server rejects it where a
  // string is required (annotations, labels, ConfigMap data).
  bool non_string = false;

  Loc key_loc() const { return Loc{file, key_line, key_col}; }
  Loc value_loc() const { return Loc{file, value_line, value_col}; }
  void set_locs(Loc k, Loc v) {
    file = k.file;
    key_line = k.line;
    key_col = k.col;
    value_line = v.line;
    value_col = v.col;
  }
};

// One bit of a 64-bit signature for the key prefix + name, from its length and
// last bytes. An object's annotation keys OR their bits together; a lookup
// whose bit is clear needs no scan of the annotations (most lookups ask for an
// annotation the object does not have).
inline uint64_t key_signature_bit(std::string_view prefix, std::string_view name) {
  size_t n = prefix.size() + name.size();
  uint64_t tail = 0;
  for (size_t i = 0; i < 8 && i < n; ++i) {
    size_t pos = n - 1 - i;
    unsigned char ch = static_cast<unsigned char>(pos >= prefix.size() ? name[pos - prefix.size()] : prefix[pos]);
    tail |= uint64_t{ch} << (8 * i);
  }
  uint64_t h = (tail ^ (n * 0x9E3779B97F4A7C15ull)) * 0xff51afd7ed558ccdull;
  return uint64_t{1} << (h >> 58);
}

// The strings point into the owning Cluster's string pool.
struct ObjectMeta {
  std::string_view api_version;
  std::string_view kind;
  std::string_view name;
  std::string_view ns;      // as written; empty when unspecified
  Loc loc;                  // start of the object
  Loc api_version_loc;
  Loc name_loc;
  std::string_view origin;  // Helm `# Source:` template, if any
  std::vector<KeyValue> labels;
  std::vector<KeyValue> annotations;
  // key_signature_bit of every annotation key, set by the loader; 0 when not
  // computed (then lookups scan).
  uint64_t annotation_keys = 0;

  // Namespace the object lands in when applied without -n.
  std::string_view effective_ns() const { return ns.empty() ? std::string_view("default") : std::string_view(ns); }
  const KeyValue* annotation(std::string_view key) const;
  // The annotation prefix + name, compared in place.
  const KeyValue* annotation(std::string_view prefix, std::string_view name) const;
  const KeyValue* label(std::string_view key) const;
};

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

struct LabelSelector {
  bool present = false;
  Loc loc;
  std::vector<KeyValue> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  // An empty selector ({}) selects everything.
  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
  bool matches(const std::vector<KeyValue>& labels) const;
};

// A Service reference from an Ingress backend.
struct IngressBackend {
  bool present = false;
  Loc loc;
  std::string service;      // empty for resource backends
  Loc service_loc;
  std::optional<int64_t> port_number;
  std::string port_name;
  Loc port_loc;
  bool resource = false;    // spec.*.backend.resource (not a Service)
};

struct IngressPath {
  Field path;
  std::string path_type;
  IngressBackend backend;
  Loc loc;
};

struct IngressRule {
  Field host;  // absent or empty: matches every host
  Loc loc;
  std::vector<IngressPath> paths;
};

struct IngressTls {
  std::vector<Field> hosts;
  Field secret_name;
  Loc loc;
};

struct Ingress {
  ObjectMeta meta;
  Field class_name;  // spec.ingressClassName
  IngressBackend default_backend;
  bool has_tls_section = false;
  Loc tls_loc;
  std::vector<IngressRule> rules;
  std::vector<IngressTls> tls;

  // The class asked for: spec.ingressClassName, else the legacy
  // kubernetes.io/ingress.class annotation (with where it is written).
  Field requested_class() const;
};

struct IngressClass {
  ObjectMeta meta;
  Field controller;
  bool is_default = false;
};

struct ServicePort {
  std::string name;
  int64_t port = 0;
  std::string target_port;
  int64_t node_port = 0;
  std::string protocol;
  Loc loc;
};

struct Service {
  ObjectMeta meta;
  Field type;  // ClusterIP when absent
  Loc loc_spec;
  std::vector<ServicePort> ports;
  std::vector<KeyValue> selector;
  bool has_selector = false;
  std::vector<Field> external_ips;
  Loc external_ips_loc;
  std::vector<Field> load_balancer_source_ranges;
  Field external_name;
  Field external_traffic_policy;

  std::string_view type_or_default() const {
    return type.present && !type.value.empty() ? std::string_view(type.value) : std::string_view("ClusterIP");
  }
};

struct IpBlock {
  Field cidr;
  std::vector<std::string> except;
};

struct NetworkPolicyPeer {
  Loc loc;
  LabelSelector pod_selector;
  LabelSelector namespace_selector;
  bool has_ip_block = false;
  IpBlock ip_block;
};

struct NetworkPolicyPort {
  std::string protocol;  // TCP when empty
  std::string port;      // number or name; empty = all ports
  std::optional<int64_t> end_port;
};

struct NetworkPolicyRule {
  Loc loc;
  bool has_peers = false;  // `from`/`to` present and non-empty
  std::vector<NetworkPolicyPeer> peers;
  bool has_ports = false;
  std::vector<NetworkPolicyPort> ports;
};

struct NetworkPolicy {
  ObjectMeta meta;
  LabelSelector pod_selector;
  std::vector<std::string> policy_types;  // as written; see effective_policy_types
  bool has_policy_types = false;
  bool has_ingress = false;
  bool has_egress = false;
  Loc ingress_loc;
  Loc egress_loc;
  std::vector<NetworkPolicyRule> ingress;
  std::vector<NetworkPolicyRule> egress;

  bool affects_ingress() const;
  bool affects_egress() const;
};

struct Namespace {
  ObjectMeta meta;
};

// What a TLS Secret's certificate says, read at load time so that neither the
// certificate's bytes nor the private key stay in memory. Only facts that are
// public anyway (validity, names, key size, algorithms) are kept.
struct CertInfo {
  enum class State { Absent, Unreadable, Ok };
  enum class KeyMatch { Unknown, Match, Mismatch, Unreadable };
  State state = State::Absent;
  std::string error;            // why Unreadable; never quotes the data
  Loc loc;                      // the tls.crt value
  Loc key_loc;                  // the tls.key value
  int64_t not_before = 0;       // seconds since the epoch (UTC)
  int64_t not_after = 0;
  std::vector<std::string> dns_names;  // subjectAltName DNS entries, or the CN when there are none
  bool names_from_cn = false;
  std::string key_type;         // RSA, EC, ED25519, DSA, ...
  int key_bits = 0;
  std::string signature;        // e.g. sha256WithRSAEncryption
  bool weak_signature = false;  // SHA-1 or MD5
  bool self_signed = false;     // issuer == subject and signed by its own key
  bool is_ca = false;
  int chain_length = 0;         // certificates in tls.crt
  KeyMatch key = KeyMatch::Unknown;
  // The key's comparable strength in bits (NIST SP 800-57 part 1, table 2): RSA (PKCS#1 or PSS) and DSA by
  // modulus size, EC by half the curve size, Ed25519 128, Ed448 224; 0 when the key type is unknown.
  int security_bits() const;
};

// A Secret. Only its key names and, for TLS Secrets, the certificate summary
// are kept: never the data.
struct Secret {
  ObjectMeta meta;
  std::string type;
  std::vector<std::string> data_keys;
  bool has_tls_key = false;
  CertInfo cert;
};

struct ConfigMap {
  ObjectMeta meta;
  std::vector<KeyValue> data;
  const KeyValue* get(std::string_view key) const;
};

struct ContainerPort {
  int64_t container_port = 0;
  int64_t host_port = 0;
  std::string name;
  std::string protocol;
  Loc loc;
};

struct Container {
  std::string name;
  Field image;
  std::vector<Field> args;  // command and args, in order
  std::vector<ContainerPort> ports;
};

// Any object with a pod template: Pod, Deployment, StatefulSet, DaemonSet,
// ReplicaSet, ReplicationController, Job, CronJob.
struct Workload {
  ObjectMeta meta;
  std::vector<KeyValue> pod_labels;
  LabelSelector selector;
  bool host_network = false;
  Loc host_network_loc;
  std::vector<Container> containers;  // init and ephemeral containers included
  // The controlling owner (metadata.ownerReferences), e.g. the ReplicaSet of a Pod.
  std::string owner_kind;
  std::string owner_name;
};

}  // namespace ig

#include "core/gateway.h"

namespace ig {

// An input problem inside an otherwise valid object (duplicate key, wrong
// scalar type), reported through the input rules.
struct InputIssue {
  // RejectedObject: the API server refuses the object as written (detail says why); it is left
  // out of the snapshot, as it would be out of the cluster.
  enum class Kind { DuplicateKey, NonStringValue, RejectedObject } kind;
  std::string detail;  // duplicate key: the key; empty for the count of repeats not listed
  Loc loc;
  Loc other;  // duplicate key: the first occurrence
  size_t object;  // index into Cluster::objects
  uint64_t times = 0;  // duplicate key: how often it is set (or, unlisted, how many more repeats)
};

// Identity of every object loaded, whatever its kind. The strings point into
// the owning Cluster's string pool, so a ref (and a Finding, which holds one)
// is valid while that Cluster lives.
struct ObjectRef {
  std::string_view api_version;
  std::string_view kind;
  std::string_view ns;
  std::string_view name;
  Loc loc;
  std::string_view origin;
  uint64_t content = 0;  // front-door kinds: hash of the object as written (keys in order), to tell copies that differ
};

// What makes two written objects one object in the cluster: the API group (the
// legacy extensions group read as the one that replaced it), the kind, the
// namespace objects land in, and the name. "networking.k8s.io\nIngress\nshop\nweb".
std::string identity_key(std::string_view api_version, std::string_view kind, std::string_view ns, std::string_view name);
inline std::string identity_key(const ObjectRef& r) { return identity_key(r.api_version, r.kind, r.ns, r.name); }
bool same_identity(const ObjectMeta& a, const ObjectMeta& b);

// The kinds that make up the front door, where which of two copies wins decides
// hosts, TLS, backends or who may reach the pods (the loader hashes their content
// to tell copies that differ).
bool is_front_door_kind(std::string_view kind);

// Objects of one kind: deques (they grow without copying what they hold and
// without a vector's doubling slack; a 100 MB input holds ~150,000 objects,
// and references stay valid as it grows), in segments, so that the stores of
// Clusters loaded on other threads are adopted whole instead of moved object
// by object (which cost a second copy of every object and left the threads'
// malloc arenas full of holes).
template <class T>
class ObjectStore {
 public:
  template <bool Const>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const T*, T*>;
    using reference = std::conditional_t<Const, const T&, T&>;
    using Segments = std::conditional_t<Const, const std::vector<std::deque<T>>, std::vector<std::deque<T>>>;

    Iter() = default;
    Iter(Segments* segs, size_t seg, size_t i) : segs_(segs), seg_(seg), i_(i) { skip_empty(); }
    reference operator*() const { return (*segs_)[seg_][i_]; }
    pointer operator->() const { return &(*segs_)[seg_][i_]; }
    Iter& operator++() {
      ++i_;
      skip_empty();
      return *this;
    }
    Iter operator++(int) {
      Iter old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iter& o) const { return seg_ == o.seg_ && i_ == o.i_; }

   private:
    void skip_empty() {
      while (segs_ && seg_ < segs_->size() && i_ >= (*segs_)[seg_].size()) {
        ++seg_;
        i_ = 0;
      }
    }
    Segments* segs_ = nullptr;
    size_t seg_ = 0;
    size_t i_ = 0;
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  iterator begin() { return iterator(&segs_, 0, 0); }
  iterator end() { return iterator(&segs_, segs_.size(), 0); }
  const_iterator begin() const { return const_iterator(&segs_, 0, 0); }
  const_iterator end() const { return const_iterator(&segs_, segs_.size(), 0); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t n) { return const_cast<T&>(std::as_const(*this)[n]); }
  const T& operator[](size_t n) const {
    for (const auto& seg : segs_) {
      if (n < seg.size()) return seg[n];
      n -= seg.size();
    }
    return segs_.back()[n];  // out of range, as for a deque
  }
  T& front() { return *begin(); }
  const T& front() const { return *begin(); }
  void push_back(const T& v) { last().push_back(v); ++size_; }
  void push_back(T&& v) { last().push_back(std::move(v)); ++size_; }
  void clear() {
    segs_.clear();
    size_ = 0;
  }
  // Appends every object of `other`, in order, without moving them.
  void adopt(ObjectStore&& other) {
    for (auto& seg : other.segs_)
      if (!seg.empty()) segs_.push_back(std::move(seg));
    size_ += other.size_;
    other.clear();
  }

 private:
  std::deque<T>& last() {
    if (segs_.empty()) segs_.emplace_back();
    return segs_.back();
  }
  std::vector<std::deque<T>> segs_;
  size_t size_ = 0;
};

class Cluster {
 public:
  // Backs every KeyValue; shared so that a copy of the snapshot stays valid.
  std::shared_ptr<StringPool> strings = std::make_shared<StringPool>();
  // Pools of Clusters merged into this one (a parallel load): their strings are in use here.
  std::vector<std::shared_ptr<StringPool>> retained_strings;
  std::vector<SourceFile> files;
  std::vector<RedactedSpan> redacted;  // every Secret data/stringData value, in load order
  ObjectStore<ObjectRef> objects;
  ObjectStore<Ingress> ingresses;
  ObjectStore<IngressClass> ingress_classes;
  ObjectStore<Service> services;
  ObjectStore<NetworkPolicy> network_policies;
  ObjectStore<Namespace> namespaces;
  ObjectStore<Secret> secrets;
  ObjectStore<ConfigMap> config_maps;
  ObjectStore<Workload> workloads;
  ObjectStore<Gateway> gateways;
  ObjectStore<GatewayClass> gateway_classes;
  ObjectStore<ListenerSet> listener_sets;
  ObjectStore<Route> routes;
  ObjectStore<ReferenceGrant> reference_grants;
  ObjectStore<BackendTlsPolicy> backend_tls_policies;
  ObjectStore<GatewayPolicy> gateway_policies;
  ObjectStore<Extension> extensions;
  size_t flattened_bytes = 0;  // held by the FlatSpecs above (bounded by FlatSpec::kClusterBudget)
  std::vector<InputIssue> input_issues;

  // Calls fn(const ObjectMeta&) for every object of a modelled kind.
  template <class Fn>
  void for_each_meta(Fn fn) const {
    for (const auto& o : ingresses) fn(o.meta);
    for (const auto& o : ingress_classes) fn(o.meta);
    for (const auto& o : services) fn(o.meta);
    for (const auto& o : network_policies) fn(o.meta);
    for (const auto& o : namespaces) fn(o.meta);
    for (const auto& o : secrets) fn(o.meta);
    for (const auto& o : config_maps) fn(o.meta);
    for (const auto& o : workloads) fn(o.meta);
    for (const auto& o : gateways) fn(o.meta);
    for (const auto& o : gateway_classes) fn(o.meta);
    for (const auto& o : listener_sets) fn(o.meta);
    for (const auto& o : routes) fn(o.meta);
    for (const auto& o : reference_grants) fn(o.meta);
    for (const auto& o : backend_tls_policies) fn(o.meta);
    for (const auto& o : gateway_policies) fn(o.meta);
    for (const auto& o : extensions) fn(o.meta);
  }

  // Appends every object of `other` (loaded on another thread) after this
  // Cluster's own, without moving them, and keeps its strings alive. Both
  // must share one file numbering.
  void adopt(Cluster&& other);

  // Builds the name indexes; call once after loading.
  void index();

  const Service* find_service(std::string_view ns, std::string_view name) const;
  const Namespace* find_namespace(std::string_view name) const;
  const Secret* find_secret(std::string_view ns, std::string_view name) const;
  const IngressClass* find_ingress_class(std::string_view name) const;
  const Gateway* find_gateway(std::string_view ns, std::string_view name) const;
  const GatewayClass* find_gateway_class(std::string_view name) const;
  // True when the input holds at least one Service in that namespace: only
  // then can a missing Service be told apart from a partial input.
  bool has_services_in(std::string_view ns) const;
  bool has_secrets_in(std::string_view ns) const;
  // Workloads (indexes into `workloads`) by the namespace they land in, and
  // the NetworkPolicies of a namespace.
  const std::vector<size_t>& workloads_in(std::string_view ns) const;
  // The workload's controlling owner (ownerReferences) is in the input too: it is
  // judged through that owner. A Pod whose ReplicaSet is not in the input is a
  // workload of its own.
  bool owner_in_input(const Workload& w) const;
  const std::unordered_map<std::string_view, std::vector<size_t>>& workloads_by_namespace() const { return workloads_by_ns_; }
  const std::vector<size_t>& network_policies_in(std::string_view ns) const;

 private:
  std::unordered_map<std::string_view, std::vector<size_t>> workloads_by_ns_;
  std::unordered_map<std::string_view, std::vector<size_t>> policies_by_ns_;
  // Keys are views of the objects' own strings (pool-owned, or the literal
  // "default"): a lookup allocates nothing.
  struct NsName {
    std::string_view ns, name;
    bool operator==(const NsName&) const = default;
  };
  struct NsNameHash {
    size_t operator()(const NsName& k) const {
      std::hash<std::string_view> h;
      return h(k.ns) * 31 + h(k.name);
    }
  };
  std::unordered_map<NsName, size_t, NsNameHash> services_by_name_;
  std::unordered_map<std::string_view, size_t> namespaces_by_name_;
  std::unordered_map<NsName, size_t, NsNameHash> secrets_by_name_;
  std::unordered_map<std::string_view, size_t> classes_by_name_;
  std::unordered_map<NsName, size_t, NsNameHash> gateways_by_name_;
  std::unordered_map<std::string_view, size_t> gateway_classes_by_name_;
  std::unordered_map<std::string_view, size_t> service_count_by_ns_;
  std::unordered_map<std::string_view, size_t> secret_count_by_ns_;
};

}  // namespace ig
