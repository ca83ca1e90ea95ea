#include "core/cluster.h"

#include <algorithm>
#include <array>

#include <algorithm>

namespace ig {

namespace {
// The entry whose key is prefix + name, compared in place.
const KeyValue* find_kv(const std::vector<KeyValue>& kvs, std::string_view prefix, std::string_view name) {
  for (const auto& kv : kvs)
    if (kv.key.size() == prefix.size() + name.size() && kv.key.compare(0, prefix.size(), prefix) == 0 &&
        kv.key.compare(prefix.size(), std::string_view::npos, name) == 0)
      return &kv;
  return nullptr;
}
const KeyValue* find_kv(const std::vector<KeyValue>& kvs, std::string_view key) { return find_kv(kvs, {}, key); }
}  // namespace

const KeyValue* ObjectMeta::annotation(std::string_view key) const { return annotation({}, key); }

const KeyValue* ObjectMeta::annotation(std::string_view prefix, std::string_view name) const {
  if (annotation_keys && !(annotation_keys & key_signature_bit(prefix, name))) return nullptr;
  return find_kv(annotations, prefix, name);
}

const KeyValue* ObjectMeta::label(std::string_view key) const { return find_kv(labels, key); }
Field Ingress::requested_class() const {
  if (class_name) return class_name;
  Field f;
  if (const KeyValue* a = meta.annotation("kubernetes.io/ingress.class")) {
    f.value = a->value;
    f.loc = a->value_loc();
    f.present = true;
  }
  return f;
}

std::string identity_key(std::string_view api_version, std::string_view kind, std::string_view ns, std::string_view name) {
  size_t slash = api_version.find('/');
  std::string_view group = slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
  if (group == "extensions")
    group = kind == "Ingress" || kind == "NetworkPolicy" || kind == "IngressClass" ? "networking.k8s.io" : "apps";
  std::string key;
  key.reserve(group.size() + kind.size() + ns.size() + name.size() + 10);
  key.append(group).append(1, '\n').append(kind).append(1, '\n').append(ns.empty() ? std::string_view("default") : ns);
  key.append(1, '\n').append(name);
  return key;
}

bool is_front_door_kind(std::string_view kind) {
  static constexpr std::array<std::string_view, 14> kKinds = {
      "Ingress",   "IngressClass", "Service",        "NetworkPolicy", "Gateway",   "ListenerSet",   "HTTPRoute",
      "GRPCRoute", "TLSRoute",     "TCPRoute",       "ReferenceGrant", "IngressRoute", "HTTPProxy", "VirtualService"};
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

bool same_identity(const ObjectMeta& a, const ObjectMeta& b) {
  return a.kind == b.kind && a.name == b.name && a.effective_ns() == b.effective_ns() &&
         identity_key(a.api_version, a.kind, a.ns, a.name) == identity_key(b.api_version, b.kind, b.ns, b.name);
}

const KeyValue* ConfigMap::get(std::string_view key) const { return find_kv(data, key); }

bool LabelSelector::matches(const std::vector<KeyValue>& labels) const {
  for (const auto& want : match_labels) {
    const KeyValue* have = find_kv(labels, want.key);
    if (!have || have->value != want.value) return false;
  }
  for (const auto& req : match_expressions) {
    const KeyValue* have = find_kv(labels, req.key);
    bool in_values = have && std::find(req.values.begin(), req.values.end(), have->value) != req.values.end();
    if (req.op == "In" && !in_values) return false;
    if (req.op == "NotIn" && in_values) return false;
    if (req.op == "Exists" && !have) return false;
    if (req.op == "DoesNotExist" && have) return false;
    if (req.op != "In" && req.op != "NotIn" && req.op != "Exists" && req.op != "DoesNotExist") return false;
  }
  return true;
}

// As the API server defaults them: policyTypes absent or empty means Ingress, plus Egress when
// there is at least one egress rule (an empty `egress: []` isolates nothing).
bool NetworkPolicy::affects_ingress() const {
  if (policy_types.empty()) return true;
  return std::find(policy_types.begin(), policy_types.end(), "Ingress") != policy_types.end();
}

bool NetworkPolicy::affects_egress() const {
  if (policy_types.empty()) return !egress.empty();
  return std::find(policy_types.begin(), policy_types.end(), "Egress") != policy_types.end();
}

bool Cluster::owner_in_input(const Workload& w) const {
  if (w.owner_kind.empty()) return false;
  for (size_t i : workloads_in(w.meta.effective_ns())) {
    const Workload& o = workloads[i];
    if (o.meta.kind == w.owner_kind && o.meta.name == w.owner_name) return true;
  }
  return false;
}

const std::vector<size_t>& Cluster::workloads_in(std::string_view ns) const {
  static const std::vector<size_t> kNone;
  auto it = workloads_by_ns_.find(ns);
  return it == workloads_by_ns_.end() ? kNone : it->second;
}

const std::vector<size_t>& Cluster::network_policies_in(std::string_view ns) const {
  static const std::vector<size_t> kNone;
  auto it = policies_by_ns_.find(ns);
  return it == policies_by_ns_.end() ? kNone : it->second;
}

void Cluster::adopt(Cluster&& other) {
  size_t object_offset = objects.size();
  objects.adopt(std::move(other.objects));
  ingresses.adopt(std::move(other.ingresses));
  ingress_classes.adopt(std::move(other.ingress_classes));
  services.adopt(std::move(other.services));
  network_policies.adopt(std::move(other.network_policies));
  namespaces.adopt(std::move(other.namespaces));
  secrets.adopt(std::move(other.secrets));
  config_maps.adopt(std::move(other.config_maps));
  workloads.adopt(std::move(other.workloads));
  gateways.adopt(std::move(other.gateways));
  gateway_classes.adopt(std::move(other.gateway_classes));
  listener_sets.adopt(std::move(other.listener_sets));
  routes.adopt(std::move(other.routes));
  reference_grants.adopt(std::move(other.reference_grants));
  backend_tls_policies.adopt(std::move(other.backend_tls_policies));
  gateway_policies.adopt(std::move(other.gateway_policies));
  extensions.adopt(std::move(other.extensions));
  flattened_bytes += other.flattened_bytes;
  redacted.insert(redacted.end(), other.redacted.begin(), other.redacted.end());  // file ids are global
  for (InputIssue& issue : other.input_issues) {
    issue.object += object_offset;  // an index into `objects`
    input_issues.push_back(std::move(issue));
  }
  other.input_issues.clear();
  retained_strings.push_back(other.strings);
  retained_strings.insert(retained_strings.end(), other.retained_strings.begin(), other.retained_strings.end());
}

void Cluster::index() {
  workloads_by_ns_.clear();
  policies_by_ns_.clear();
  for (size_t i = 0; i < workloads.size(); ++i) workloads_by_ns_[workloads[i].meta.effective_ns()].push_back(i);
  for (size_t i = 0; i < network_policies.size(); ++i) policies_by_ns_[network_policies[i].meta.effective_ns()].push_back(i);
  services_by_name_.clear();
  namespaces_by_name_.clear();
  secrets_by_name_.clear();
  classes_by_name_.clear();
  service_count_by_ns_.clear();
  secret_count_by_ns_.clear();
  for (size_t i = 0; i < services.size(); ++i) {
    std::string_view ns = services[i].meta.effective_ns();
    services_by_name_[NsName{ns, services[i].meta.name}] = i;
    ++service_count_by_ns_[ns];
  }
  for (size_t i = 0; i < namespaces.size(); ++i) namespaces_by_name_[namespaces[i].meta.name] = i;
  for (size_t i = 0; i < secrets.size(); ++i) {
    std::string_view ns = secrets[i].meta.effective_ns();
    secrets_by_name_[NsName{ns, secrets[i].meta.name}] = i;
    ++secret_count_by_ns_[ns];
  }
  for (size_t i = 0; i < ingress_classes.size(); ++i) classes_by_name_[ingress_classes[i].meta.name] = i;
  gateways_by_name_.clear();
  gateway_classes_by_name_.clear();
  for (size_t i = 0; i < gateways.size(); ++i) gateways_by_name_[NsName{gateways[i].meta.effective_ns(), gateways[i].meta.name}] = i;
  for (size_t i = 0; i < gateway_classes.size(); ++i)
    gateway_classes_by_name_[gateway_classes[i].meta.name] = i;
}

const Service* Cluster::find_service(std::string_view ns, std::string_view name) const {
  auto it = services_by_name_.find(NsName{ns, name});
  return it == services_by_name_.end() ? nullptr : &services[it->second];
}

const Namespace* Cluster::find_namespace(std::string_view name) const {
  auto it = namespaces_by_name_.find(name);
  return it == namespaces_by_name_.end() ? nullptr : &namespaces[it->second];
}

const Secret* Cluster::find_secret(std::string_view ns, std::string_view name) const {
  auto it = secrets_by_name_.find(NsName{ns, name});
  return it == secrets_by_name_.end() ? nullptr : &secrets[it->second];
}

const IngressClass* Cluster::find_ingress_class(std::string_view name) const {
  auto it = classes_by_name_.find(name);
  return it == classes_by_name_.end() ? nullptr : &ingress_classes[it->second];
}

const Gateway* Cluster::find_gateway(std::string_view ns, std::string_view name) const {
  auto it = gateways_by_name_.find(NsName{ns, name});
  return it == gateways_by_name_.end() ? nullptr : &gateways[it->second];
}

const GatewayClass* Cluster::find_gateway_class(std::string_view name) const {
  auto it = gateway_classes_by_name_.find(name);
  return it == gateway_classes_by_name_.end() ? nullptr : &gateway_classes[it->second];
}

bool Cluster::has_services_in(std::string_view ns) const {
  return service_count_by_ns_.count(ns) > 0;
}

bool Cluster::has_secrets_in(std::string_view ns) const {
  return secret_count_by_ns_.count(ns) > 0;
}

int CertInfo::security_bits() const {
  if (key_type == "RSA" || key_type == "RSA-PSS" || key_type == "DSA") {
    if (key_bits >= 15360) return 256;
    if (key_bits >= 7680) return 192;
    if (key_bits >= 3072) return 128;
    if (key_bits >= 2048) return 112;
    if (key_bits >= 1024) return 80;
    return key_bits / 16;
  }
  if (key_type == "EC") return key_bits / 2;
  if (key_type == "ED25519") return 128;
  if (key_type == "ED448") return 224;
  return 0;
}

}  // namespace ig
