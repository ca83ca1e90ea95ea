#include "admission/state.h"

#include <mutex>

#include "admission/review.h"
#include "semantics/controller.h"
#include "semantics/values.h"

namespace ig {

namespace {

std::string ns_key(const ObjectMeta& m) { return std::string(m.effective_ns()) + "/" + std::string(m.name); }
std::string workload_key(const Workload& w) {
  return std::string(w.meta.effective_ns()) + "/" + std::string(w.meta.kind) + "/" + std::string(w.meta.name);
}

// Every object of `t` in namespace `ns`: their keys share the prefix "ns/".
template <class T, class Fn>
void for_namespace(const Table<T>& t, std::string_view ns, Fn fn) {
  std::string prefix = std::string(ns) + "/";
  for (auto it = t.lower_bound(prefix); it != t.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    fn(it->first, it->second);
}

// The hosts an Ingress answers for, lower-case; "" for rules without a host
// and for a default backend.
std::vector<std::string> ingress_hosts(const Ingress& ing, bool with_aliases) {
  std::vector<std::string> out;
  if (ing.default_backend.present) out.emplace_back();
  for (const IngressRule& r : ing.rules) out.push_back(to_lower(r.host.value));
  if (with_aliases)
    if (const KeyValue* alias = nginx_annotation(ing.meta, "server-alias"))
      for (std::string_view h : split_list(alias->value, ',')) out.push_back(to_lower(h));
  return out;
}

bool controller_workload(const Workload& w) {
  for (const Container& c : w.containers)
    if (is_ingress_nginx_image(c.image.value)) return true;
  return false;
}

// The API server fills in the namespace of a namespaced object from the
// request; the object's own text may leave it out.
void default_namespace(Cluster& c, const std::string& ns) {
  if (ns.empty()) return;
  std::string_view v = c.strings->intern(ns);
  auto fix = [&](auto& store) {
    for (auto& o : store)
      if (o.meta.ns.empty()) o.meta.ns = v;
  };
  fix(c.ingresses);
  fix(c.services);
  fix(c.network_policies);
  fix(c.secrets);
  fix(c.config_maps);
  fix(c.workloads);
  fix(c.gateways);
  fix(c.listener_sets);
  fix(c.routes);
  fix(c.reference_grants);
  fix(c.backend_tls_policies);
  fix(c.gateway_policies);
  fix(c.extensions);
  for (ObjectRef& r : c.objects)
    if (r.ns.empty()) r.ns = v;
}

template <class T>
void put(Table<T>& table, std::string key, T&& object, const std::shared_ptr<StringPool>& pool) {
  table.insert_or_assign(std::move(key), Held<T>{std::move(object), pool});
}

}  // namespace

ClusterState::ClusterState() : base_pool_(std::make_shared<StringPool>()) {
  files_.push_back(SourceFile{"(admitted by the webhook)", {}});
}

std::shared_ptr<ClusterState> ClusterState::load(const std::vector<std::string>& paths,
                                                 const std::optional<std::string>& policy_path,
                                                 std::vector<LoadError>& errors) {
  auto state = std::make_shared<ClusterState>();
  Cluster base;
  base.files = state->files_;
  Loader loader(base);
  for (const std::string& p : paths) loader.load_path(p);
  errors.insert(errors.end(), loader.errors().begin(), loader.errors().end());
  if (policy_path) state->policy_ = load_policy(*policy_path, base, errors);
  state->files_ = base.files;
  state->base_pool_ = base.strings;
  state->retained_pools_ = base.retained_strings;
  state->absorb(base);
  return state;
}

void ClusterState::add_ingress_hosts(const std::string& key, const Ingress& ing) {
  for (std::string& h : ingress_hosts(ing, false)) ingresses_by_host_[std::move(h)].insert(key);
}

void ClusterState::drop_ingress_hosts(const std::string& key, const Ingress& ing) {
  for (const std::string& h : ingress_hosts(ing, false)) {
    auto it = ingresses_by_host_.find(h);
    if (it == ingresses_by_host_.end()) continue;
    it->second.erase(key);
    if (it->second.empty()) ingresses_by_host_.erase(it);
  }
}

// Moves every object of `loaded` into the tables (a later object replaces an
// earlier one with the same key). The caller holds the write lock or owns the state.
void ClusterState::absorb(Cluster& loaded) {
  const std::shared_ptr<StringPool>& pool = loaded.strings;
  for (Ingress& ing : loaded.ingresses) {
    std::string key = ns_key(ing.meta);
    if (auto it = ingresses_.find(key); it != ingresses_.end()) drop_ingress_hosts(key, it->second.object);
    add_ingress_hosts(key, ing);
    put(ingresses_, std::move(key), std::move(ing), pool);
  }
  for (IngressClass& o : loaded.ingress_classes) put(classes_, std::string(o.meta.name), std::move(o), pool);
  for (Namespace& o : loaded.namespaces) put(namespaces_, std::string(o.meta.name), std::move(o), pool);
  for (Service& o : loaded.services) put(services_, ns_key(o.meta), std::move(o), pool);
  for (NetworkPolicy& o : loaded.network_policies) put(policies_, ns_key(o.meta), std::move(o), pool);
  for (Secret& o : loaded.secrets) put(secrets_, ns_key(o.meta), std::move(o), pool);
  for (ConfigMap& o : loaded.config_maps) put(config_maps_, ns_key(o.meta), std::move(o), pool);
  bool workloads_changed = !loaded.workloads.empty();
  for (Workload& o : loaded.workloads) put(workloads_, workload_key(o), std::move(o), pool);
  if (workloads_changed) {
    controller_namespaces_.clear();
    for (const auto& [key, held] : workloads_)
      if (controller_workload(held.object)) ++controller_namespaces_[std::string(held.object.meta.effective_ns())];
  }
}

size_t ClusterState::size() const {
  std::shared_lock lock(mu_);
  return ingresses_.size() + classes_.size() + namespaces_.size() + services_.size() + policies_.size() +
         secrets_.size() + config_maps_.size() + workloads_.size();
}

RequestCluster ClusterState::judge_cluster(const AdmissionRequest& request) const {
  RequestCluster rc;
  Cluster& c = rc.cluster;
  std::shared_lock lock(mu_);
  c.files = files_;
  rc.request_file = static_cast<uint32_t>(c.files.size());
  Loader loader(c);
  loader.load_buffer("request " + request.uid, request.object, InputFormat::Json, false);
  rc.errors = loader.errors();
  default_namespace(c, request.ns);
  if (!rc.errors.empty() || c.objects.empty()) {
    c.index();
    return rc;
  }
  rc.pools.push_back(base_pool_);
  auto keep = [&](const auto& held) {
    if (held.pool != base_pool_) rc.pools.push_back(held.pool);
  };
  const ObjectRef self = c.objects.front();
  const std::string self_kind(self.kind);
  const std::string ns(self.ns.empty() ? std::string_view("default") : self.ns);
  const std::string self_key = ns + "/" + std::string(self.name);
  const std::string self_name(self.name);

  // A copy of each state object that can matter, skipping the one under review.
  auto copy_all = [&](const auto& table, auto& into, std::string_view kind, bool by_name) {
    for (const auto& [key, held] : table) {
      if (self_kind == kind && key == (by_name ? self_name : self_key)) continue;
      into.push_back(held.object);
      keep(held);
    }
  };
  auto copy_namespace = [&](const auto& table, auto& into, std::string_view kind, std::string_view in_ns) {
    for_namespace(table, in_ns, [&](const std::string& key, const auto& held) {
      if (self_kind == kind && key == self_key) return;
      into.push_back(held.object);
      keep(held);
    });
  };
  copy_all(classes_, c.ingress_classes, "IngressClass", true);
  copy_all(namespaces_, c.namespaces, "Namespace", true);

  // The request's namespace, and the ingress controller's.
  std::set<std::string, std::less<>> namespaces{ns};
  for (const auto& [controller_ns, count] : controller_namespaces_) namespaces.insert(controller_ns);
  // An Ingress needs only the Services it routes to, plus one more of its
  // namespace when none of those exists (so that "missing" is told apart
  // from "not in the state"): a namespace may hold thousands.
  const bool ingress_request = self_kind == "Ingress" && !c.ingresses.empty();
  if (ingress_request) {
    std::set<std::string> wanted;
    auto want = [&](const IngressBackend& b) {
      if (b.present && !b.service.empty()) wanted.insert(ns + "/" + b.service);
    };
    const Ingress& ing = c.ingresses.front();
    want(ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths) want(p.backend);
    size_t found = 0;
    for (const std::string& key : wanted)
      if (auto it = services_.find(key); it != services_.end()) {
        c.services.push_back(it->second.object);
        keep(it->second);
        ++found;
      }
    std::string prefix = ns + "/";
    if (auto it = services_.lower_bound(prefix); found == 0 && it != services_.end() && it->first.rfind(prefix, 0) == 0) {
      c.services.push_back(it->second.object);
      keep(it->second);
    }
  }
  for (const std::string& n : namespaces) {
    if (!ingress_request || n != ns) copy_namespace(services_, c.services, "Service", n);
    copy_namespace(policies_, c.network_policies, "NetworkPolicy", n);
    copy_namespace(secrets_, c.secrets, "Secret", n);
    copy_namespace(config_maps_, c.config_maps, "ConfigMap", n);
    if (self_kind != "NetworkPolicy") copy_namespace(workloads_, c.workloads, "", n);
  }
  // A NetworkPolicy's peers may select pods anywhere.
  if (self_kind == "NetworkPolicy") copy_all(workloads_, c.workloads, "", false);

  if (ingress_request) {
    std::set<std::string> seen{self_key};
    for (const std::string& h : ingress_hosts(c.ingresses.front(), true)) {
      auto it = ingresses_by_host_.find(h);
      if (it == ingresses_by_host_.end()) continue;
      for (const std::string& key : it->second) {
        if (!seen.insert(key).second) continue;
        const Held<Ingress>& held = ingresses_.find(key)->second;
        c.ingresses.push_back(held.object);
        keep(held);
      }
    }
  } else if (self_kind != "IngressClass" && self_kind != "Namespace") {
    // Services, NetworkPolicies, Secrets and ConfigMaps matter to the Ingresses of their namespace.
    copy_namespace(ingresses_, c.ingresses, "Ingress", ns);
  }
  c.index();
  return rc;
}

void ClusterState::admit(const AdmissionRequest& request) {
  if (request.operation == "DELETE") {
    std::unique_lock lock(mu_);
    std::string key = (request.ns.empty() ? std::string("default") : request.ns) + "/" + request.name;
    const std::string& k = request.kind;
    if (k == "Ingress") {
      if (auto it = ingresses_.find(key); it != ingresses_.end()) {
        drop_ingress_hosts(key, it->second.object);
        ingresses_.erase(it);
      }
    } else if (k == "IngressClass") {
      classes_.erase(request.name);
    } else if (k == "Service") {
      services_.erase(key);
    } else if (k == "NetworkPolicy") {
      policies_.erase(key);
    } else if (k == "Secret") {
      secrets_.erase(key);
    } else if (k == "ConfigMap") {
      config_maps_.erase(key);
    }
    return;
  }
  if ((request.operation != "CREATE" && request.operation != "UPDATE") || request.object.empty()) return;
  // Parsed outside the lock; its files[0] is the state's "(admitted)" entry.
  Cluster loaded;
  Loader loader(loaded);
  loader.load_buffer("(admitted)", request.object, InputFormat::Json, false);
  if (!loader.errors().empty()) return;
  default_namespace(loaded, request.ns);
  std::unique_lock lock(mu_);
  absorb(loaded);
}

}  // namespace ig
