#include "load/snapshot.h"

#include <algorithm>
#include <string>

#include "load/certificate.h"
#include "load/object_reader.h"
#include "load/scalar.h"

namespace ig {

namespace {

class CoreReader : public load::ObjectReader {
 public:
  using ObjectReader::ObjectReader;

  IngressBackend backend(const Node* b) {
    IngressBackend out;
    if (!b || !b->is_map()) return out;
    out.present = true;
    out.loc = loc(b);
    if (const Node* svc = b->get("service"); svc && svc->is_map()) {  // networking.k8s.io/v1
      out.service = str(svc->get("name"));
      out.service_loc = loc(svc->get("name") ? svc->get("name") : svc);
      if (const Node* port = svc->get("port"); port && port->is_map()) {
        if (const Node* num = port->get("number")) {
          out.port_number = as_int(num);
          out.port_loc = loc(num);
        } else if (const Node* nm = port->get("name")) {
          out.port_name = str(nm);
          out.port_loc = loc(nm);
        }
      }
    } else if (const Node* name = b->get("serviceName")) {  // extensions/v1beta1, networking.k8s.io/v1beta1
      out.service = str(name);
      out.service_loc = loc(name);
      if (const Node* port = b->get("servicePort")) {
        if (auto n = as_int(port)) out.port_number = n;
        else out.port_name = str(port);
        out.port_loc = loc(port);
      }
    } else if (b->get("resource")) {
      out.resource = true;
    }
    return out;
  }

  void ingress(const Node* obj, ObjectMeta m) {
    Ingress ing;
    ing.meta = std::move(m);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      ing.class_name = field(spec->get("ingressClassName"));
      const Node* db = spec->get("defaultBackend");
      if (!db) db = spec->get("backend");  // v1beta1
      ing.default_backend = backend(db);
      if (const Node* tls = spec->get("tls")) {
        ing.has_tls_section = tls->is_seq() && tls->count > 0;
        ing.tls_loc = loc(tls);
        if (tls->is_seq()) {
          for (uint32_t i = 0; i < tls->count; ++i) {
            const Node* t = tls->item(i);
            IngressTls entry;
            entry.loc = loc(t);
            entry.hosts = fields(t->get("hosts"));
            entry.secret_name = field(t->get("secretName"));
            ing.tls.push_back(std::move(entry));
          }
        }
      }
      if (const Node* rules = spec->get("rules"); rules && rules->is_seq()) {
        for (uint32_t i = 0; i < rules->count; ++i) {
          const Node* r = rules->item(i);
          IngressRule rule;
          rule.loc = loc(r);
          rule.host = field(r->get("host"));
          const Node* http = r->get("http");
          const Node* paths = http ? http->get("paths") : nullptr;
          if (paths && paths->is_seq()) {
            for (uint32_t j = 0; j < paths->count; ++j) {
              const Node* p = paths->item(j);
              IngressPath path;
              path.loc = loc(p);
              path.path = field(p->get("path"));
              path.path_type = str(p->get("pathType"));
              path.backend = backend(p->get("backend"));
              rule.paths.push_back(std::move(path));
            }
          }
          ing.rules.push_back(std::move(rule));
        }
      }
    }
    c_.ingresses.push_back(std::move(ing));
  }

  void ingress_class(const Node* obj, ObjectMeta m) {
    IngressClass ic;
    ic.meta = std::move(m);
    if (const Node* spec = obj->get("spec")) ic.controller = field(spec->get("controller"));
    const KeyValue* d = ic.meta.annotation("ingressclass.kubernetes.io/is-default-class");
    ic.is_default = d && d->value == "true";
    c_.ingress_classes.push_back(std::move(ic));
  }

  void service(const Node* obj, ObjectMeta m) {
    Service s;
    s.meta = std::move(m);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      s.loc_spec = loc(spec);
      s.type = field(spec->get("type"));
      if (const Node* ports = spec->get("ports"); ports && ports->is_seq()) {
        for (uint32_t i = 0; i < ports->count; ++i) {
          const Node* p = ports->item(i);
          ServicePort sp;
          sp.loc = loc(p);
          sp.name = str(p->get("name"));
          sp.port = as_int(p->get("port")).value_or(0);
          sp.target_port = str(p->get("targetPort"));
          sp.node_port = as_int(p->get("nodePort")).value_or(0);
          sp.protocol = str(p->get("protocol"));
          s.ports.push_back(std::move(sp));
        }
      }
      if (const Node* sel = spec->get("selector"); sel && sel->is_map()) {
        s.has_selector = true;
        s.selector = string_map(sel, false);
      }
      if (const Node* ips = spec->get("externalIPs")) {
        s.external_ips = fields(ips);
        s.external_ips_loc = loc(ips);
      }
      s.load_balancer_source_ranges = fields(spec->get("loadBalancerSourceRanges"));
      s.external_name = field(spec->get("externalName"));
      s.external_traffic_policy = field(spec->get("externalTrafficPolicy"));
    }
    c_.services.push_back(std::move(s));
  }

  std::vector<NetworkPolicyRule> netpol_rules(const Node* seq, const char* peers_key) {
    std::vector<NetworkPolicyRule> out;
    if (!seq || !seq->is_seq()) return out;
    for (uint32_t i = 0; i < seq->count; ++i) {
      const Node* r = seq->item(i);
      NetworkPolicyRule rule;
      rule.loc = loc(r);
      if (const Node* peers = r->get(peers_key); peers && peers->is_seq() && peers->count > 0) {
        rule.has_peers = true;
        for (uint32_t j = 0; j < peers->count; ++j) {
          const Node* p = peers->item(j);
          NetworkPolicyPeer peer;
          peer.loc = loc(p);
          peer.pod_selector = selector(p->get("podSelector"));
          peer.namespace_selector = selector(p->get("namespaceSelector"));
          if (const Node* ib = p->get("ipBlock"); ib && ib->is_map()) {
            peer.has_ip_block = true;
            peer.ip_block.cidr = field(ib->get("cidr"));
            for (const Field& f : fields(ib->get("except"))) peer.ip_block.except.emplace_back(f.value);
          }
          rule.peers.push_back(std::move(peer));
        }
      }
      if (const Node* ports = r->get("ports"); ports && ports->is_seq() && ports->count > 0) {
        rule.has_ports = true;
        for (uint32_t j = 0; j < ports->count; ++j) {
          const Node* p = ports->item(j);
          NetworkPolicyPort port;
          port.protocol = str(p->get("protocol"));
          port.port = str(p->get("port"));
          port.end_port = as_int(p->get("endPort"));
          rule.ports.push_back(std::move(port));
        }
      }
      out.push_back(std::move(rule));
    }
    return out;
  }

  void network_policy(const Node* obj, ObjectMeta m) {
    NetworkPolicy np;
    np.meta = std::move(m);
    const Node* spec = obj->get("spec");
    if (spec && spec->is_map()) {
      np.pod_selector = selector(spec->get("podSelector"));
      if (const Node* pt = spec->get("policyTypes"); pt && pt->is_seq()) {
        np.has_policy_types = true;
        for (const Field& f : fields(pt)) np.policy_types.emplace_back(f.value);
      }
      if (const Node* in = spec->get("ingress")) {
        np.has_ingress = true;
        np.ingress_loc = loc(in);
        np.ingress = netpol_rules(in, "from");
      }
      if (const Node* eg = spec->get("egress")) {
        np.has_egress = true;
        np.egress_loc = loc(eg);
        np.egress = netpol_rules(eg, "to");
      }
    }
    // A peer with an ipBlock and a selector is refused by the API server's validation
    // ("may not specify more than 1 peer type"): the policy never exists in a cluster.
    for (const auto* rules : {&np.ingress, &np.egress})
      for (const NetworkPolicyRule& r : *rules)
        for (const NetworkPolicyPeer& peer : r.peers)
          if (peer.has_ip_block && (peer.pod_selector.present || peer.namespace_selector.present)) {
            c_.input_issues.push_back(InputIssue{InputIssue::Kind::RejectedObject,
                                                 "a peer sets ipBlock together with a " +
                                                     std::string(peer.pod_selector.present ? "podSelector" : "namespaceSelector"),
                                                 peer.loc, peer.loc, object_index_});
            return;
          }
    c_.network_policies.push_back(std::move(np));
  }

  // Every scalar under a Secret value (a scalar, or whatever a malformed one nests) is kept out of excerpts.
  void redact(const Node* value) {
    std::vector<const Node*> todo{value};
    while (!todo.empty()) {
      const Node* n = todo.back();
      todo.pop_back();
      if (!n) continue;
      if (n->is_scalar()) {
        c_.redacted.push_back(RedactedSpan{file_, n->mark.line, n->mark.col, n->end.line, n->end.col});
        continue;
      }
      uint32_t children = n->is_map() ? 2 * n->count : n->count;
      for (uint32_t i = 0; i < children; ++i) todo.push_back(n->children[i]);
    }
  }

  void secret(const Node* obj, ObjectMeta m) {
    Secret s;
    s.meta = std::move(m);
    s.type = str(obj->get("type"));
    // stringData is merged over data by the API server.
    const Node* crt = nullptr;
    const Node* key = nullptr;
    bool crt_base64 = true, key_base64 = true;
    for (const char* section : {"data", "stringData"}) {
      const Node* data = obj->get(section);
      if (!data || !data->is_map()) continue;
      bool base64 = section[0] == 'd';
      for (uint32_t i = 0; i < data->count; ++i) {
        redact(data->value(i));
        std::string k = str(data->key(i));
        if (k == "tls.crt") crt = data->value(i), crt_base64 = base64;
        if (k == "tls.key") key = data->value(i), key_base64 = base64, s.has_tls_key = true;
        if (std::find(s.data_keys.begin(), s.data_keys.end(), k) == s.data_keys.end()) s.data_keys.push_back(std::move(k));
      }
    }
    if (crt) {
      SecretValue crt_value{scalar_text(crt).value_or(std::string_view()), crt_base64};
      SecretValue key_value{key ? scalar_text(key).value_or(std::string_view()) : std::string_view(), key_base64};
      s.cert = inspect_certificate(crt_value, key_value);
      s.cert.loc = loc(crt);
      s.cert.key_loc = key ? loc(key) : Loc{};
    }
    c_.secrets.push_back(std::move(s));
  }

  void config_map(const Node* obj, ObjectMeta m) {
    ConfigMap cm;
    cm.meta = std::move(m);
    cm.data = string_map(obj->get("data"), true);
    c_.config_maps.push_back(std::move(cm));
  }

  void containers(const Node* seq, Workload& w) {
    if (!seq || !seq->is_seq()) return;
    for (uint32_t i = 0; i < seq->count; ++i) {
      const Node* c = seq->item(i);
      Container out;
      out.name = str(c->get("name"));
      out.image = field(c->get("image"));
      for (const char* key : {"command", "args"}) {
        for (Field& f : fields(c->get(key))) out.args.push_back(std::move(f));
      }
      if (const Node* ports = c->get("ports"); ports && ports->is_seq()) {
        for (uint32_t j = 0; j < ports->count; ++j) {
          const Node* p = ports->item(j);
          ContainerPort cp;
          cp.loc = loc(p);
          cp.container_port = as_int(p->get("containerPort")).value_or(0);
          cp.host_port = as_int(p->get("hostPort")).value_or(0);
          cp.name = str(p->get("name"));
          cp.protocol = str(p->get("protocol"));
          out.ports.push_back(std::move(cp));
        }
      }
      w.containers.push_back(std::move(out));
    }
  }

  void workload(const Node* obj, ObjectMeta m) {
    Workload w;
    w.meta = std::move(m);
    if (const Node* md = obj->get("metadata"); md && md->is_map())
      if (const Node* owners = md->get("ownerReferences"); owners && owners->is_seq())
        for (uint32_t i = 0; i < owners->count; ++i) {
          const Node* o = owners->item(i);
          bool controller = as_bool(o->get("controller")).value_or(false);
          if (w.owner_kind.empty() || controller) {
            w.owner_kind = str(o->get("kind"));
            w.owner_name = str(o->get("name"));
          }
        }
    const Node* spec = obj->get("spec");
    const Node* pod_spec = nullptr;
    if (w.meta.kind == "Pod") {
      pod_spec = spec;
      w.pod_labels = w.meta.labels;
    } else if (spec && spec->is_map()) {
      const Node* tmpl_owner = spec;
      if (w.meta.kind == "CronJob") {
        const Node* jt = spec->get("jobTemplate");
        tmpl_owner = jt ? jt->get("spec") : nullptr;
      }
      if (w.meta.kind != "CronJob") w.selector = selector(spec->get("selector"));
      const Node* tmpl = tmpl_owner ? tmpl_owner->get("template") : nullptr;
      if (tmpl && tmpl->is_map()) {
        if (const Node* md = tmpl->get("metadata")) w.pod_labels = string_map(md->get("labels"), true);
        pod_spec = tmpl->get("spec");
      }
      // ReplicationController: spec.selector is a plain label map.
      if (w.meta.kind == "ReplicationController" && spec->get("selector")) {
        w.selector = LabelSelector{};
        w.selector.present = true;
        w.selector.loc = loc(spec->get("selector"));
        w.selector.match_labels = string_map(spec->get("selector"), false);
      }
    }
    if (pod_spec && pod_spec->is_map()) {
      if (const Node* hn = pod_spec->get("hostNetwork")) {
        w.host_network = as_bool(hn).value_or(false);
        w.host_network_loc = loc(hn);
      }
      containers(pod_spec->get("initContainers"), w);
      containers(pod_spec->get("containers"), w);
      containers(pod_spec->get("ephemeralContainers"), w);
    }
    c_.workloads.push_back(std::move(w));
  }

  // A hash of the whole object as written (iterative: documents nest up to 10,000 levels).
  static uint64_t content_hash(const Node* root) {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    std::vector<const Node*> todo{root};
    while (!todo.empty()) {
      const Node* n = todo.back();
      todo.pop_back();
      if (!n) continue;
      mix(static_cast<uint64_t>(n->kind) + 1);
      if (n->is_scalar()) {
        mix(std::hash<std::string_view>{}(n->text));
        continue;
      }
      mix(n->count);
      uint32_t children = n->is_map() ? 2 * n->count : n->count;
      for (uint32_t i = children; i > 0; --i) todo.push_back(n->children[i - 1]);
    }
    return h;
  }

  // Returns false when the node is not a Kubernetes object.
  bool object(const Node* obj) {
    if (!obj || !obj->is_map()) return false;
    const Node* kind_node = obj->get("kind");
    auto kind = kind_node ? as_string(kind_node) : std::optional<std::string_view>(item_kind_);
    auto api = obj->get("apiVersion") ? as_string(obj->get("apiVersion")) : std::optional<std::string_view>(item_api_);
    if (!kind || !api || kind->empty() || api->empty()) return false;
    object_index_ = c_.objects.size();  // input issues found below belong to it
    ObjectMeta m = meta(obj, kind_node);
    c_.objects.push_back(
        ObjectRef{m.api_version, m.kind, m.ns, m.name, m.loc, m.origin, is_front_door_kind(m.kind) ? content_hash(obj) : 0});
    std::string_view k = m.kind;
    if (k == "Ingress") ingress(obj, std::move(m));
    else if (k == "IngressClass") ingress_class(obj, std::move(m));
    else if (k == "Service") service(obj, std::move(m));
    else if (k == "NetworkPolicy") network_policy(obj, std::move(m));
    else if (k == "Namespace") c_.namespaces.push_back(Namespace{std::move(m)});
    else if (k == "Secret") secret(obj, std::move(m));
    else if (k == "ConfigMap") config_map(obj, std::move(m));
    else if (k == "Pod" || k == "Deployment" || k == "StatefulSet" || k == "DaemonSet" || k == "ReplicaSet" ||
             k == "ReplicationController" || k == "Job" || k == "CronJob" || k == "DeploymentConfig")
      workload(obj, std::move(m));
    else
      load::read_gateway_object(*this, obj, m);
    return true;
  }

};

bool is_list(const Node* root) {
  const Node* items = root->get("items");
  return is_list_kind(as_string(root->get("kind")).value_or(std::string_view())) && items && items->is_seq();
}

void attribute_duplicates(Cluster& cluster, uint32_t file, const Document& doc,
                          const std::vector<std::pair<uint32_t, size_t>>& starts);

}  // namespace

bool is_list_kind(std::string_view kind) { return kind.size() >= 4 && kind.substr(kind.size() - 4) == "List"; }

std::string_view list_item_kind(std::string_view list_kind) {
  return is_list_kind(list_kind) && list_kind != "List" ? list_kind.substr(0, list_kind.size() - 4) : std::string_view();
}

SnapshotCounts add_document(Cluster& cluster, uint32_t file, const Document& doc) {
  SnapshotCounts counts;
  const Node* root = doc.root;
  if (!root || !root->is_map()) {
    counts.skipped = 1;
    return counts;
  }
  CoreReader reader(cluster, file, doc);
  size_t first_object = cluster.objects.size();
  std::vector<std::pair<uint32_t, size_t>> starts;  // line where each object starts -> object index
  if (is_list(root)) {
    const Node* items = root->get("items");
    std::string_view item_kind = list_item_kind(as_string(root->get("kind")).value_or(std::string_view()));
    if (!item_kind.empty())
      reader.set_item_defaults(item_kind, as_string(root->get("apiVersion")).value_or(std::string_view()));
    for (uint32_t i = 0; i < items->count; ++i) {
      size_t index = cluster.objects.size();
      if (reader.object(items->item(i))) {
        ++counts.objects;
        starts.emplace_back(items->item(i)->mark.line, index);
      } else {
        ++counts.skipped;
      }
    }
  } else if (reader.object(root)) {
    counts.objects = 1;
    starts.emplace_back(root->mark.line, first_object);
  } else {
    counts.skipped = 1;
  }
  attribute_duplicates(cluster, file, doc, starts);
  return counts;
}

SnapshotCounts add_list_item(Cluster& cluster, uint32_t file, const Document& item, std::string_view default_kind,
                             std::string_view default_api_version) {
  SnapshotCounts counts;
  if (!item.root || !item.root->is_map()) {
    counts.skipped = 1;
    return counts;
  }
  CoreReader reader(cluster, file, item);
  if (!default_kind.empty()) reader.set_item_defaults(default_kind, default_api_version);
  size_t index = cluster.objects.size();
  if (!reader.object(item.root)) {
    counts.skipped = 1;
    return counts;
  }
  counts.objects = 1;
  attribute_duplicates(cluster, file, item, {{item.root->mark.line, index}});
  return counts;
}

namespace {
// Repeated keys become input issues of the object that starts last before them.
void attribute_duplicates(Cluster& cluster, uint32_t file, const Document& doc,
                          const std::vector<std::pair<uint32_t, size_t>>& starts) {
  if (starts.empty()) return;
  for (const DuplicateKey& d : doc.duplicates) {
    // Attribute the duplicate to the object that starts last before it.
    size_t owner = starts.front().second;
    for (const auto& [line, index] : starts)
      if (line <= d.second.line) owner = index;
    cluster.input_issues.push_back(InputIssue{InputIssue::Kind::DuplicateKey, d.key,
                                              Loc{file, d.second.line, d.second.col},
                                              Loc{file, d.first.line, d.first.col}, owner, d.times});
  }
  if (doc.unlisted_duplicates && !doc.duplicates.empty()) {
    const InputIssue& last = cluster.input_issues.back();
    cluster.input_issues.push_back(InputIssue{InputIssue::Kind::DuplicateKey, {}, last.loc, last.other, last.object,
                                              doc.unlisted_duplicates});
  }
}
}  // namespace

}  // namespace ig
