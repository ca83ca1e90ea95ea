#include "diff/surface_diff.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/paths.h"
#include "core/text.h"
#include "graph/netpol.h"
#include "semantics/values.h"

namespace ig {

std::string_view to_string(SurfaceChange::Kind k) {
  switch (k) {
    case SurfaceChange::Kind::PathAdded: return "path-added";
    case SurfaceChange::Kind::PathRemoved: return "path-removed";
    case SurfaceChange::Kind::PathChanged: return "path-changed";
    case SurfaceChange::Kind::ReachWidened: return "reach-widened";
    case SurfaceChange::Kind::ReachNarrowed: return "reach-narrowed";
    case SurfaceChange::Kind::CertificateWeakened: return "certificate-weakened";
  }
  return "unknown";
}

std::string diff_fingerprint(std::string_view unit, const Finding& f) {
  std::string key = std::string(unit) + '\n' + std::string(f.rule->id) + '\n' + std::string(f.resource.kind) + '\n' +
                    std::string(f.resource.ns) + '\n' + std::string(f.resource.name) + '\n';
  return key + digits_masked(f.message);
}

namespace {

// A file as the report names it: relative to the side's root, without "./".
std::string shown_path(const Cluster& c, uint32_t file) {
  if (file >= c.files.size()) return {};
  return std::string(without_dot_slash(c.files[file].path));
}

// Where a change is shown: a location of a kept snapshot (the report's or a side's reach snapshot).
void place(SurfaceChange& ch, const Cluster& c, Loc loc) {
  ch.file = shown_path(c, loc.file);
  ch.line = loc.line;
}

// A path's protections, with "not reachable from other namespaces" as one more: a NetworkPolicy that
// stops isolating the workloads is a protection lost too.
std::vector<std::string> guards(const ExposurePath& p) {
  std::vector<std::string> out = p.protections.names();
  if (p.lateral == "restricted") out.push_back("network-isolation");
  return out;
}

Severity loss_severity(const std::string& guard) {
  if (guard == "tls" || guard == "auth" || guard == "client-certificate" || guard == "allowlist") return Severity::High;
  return Severity::Medium;
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& s : a)
    if (std::find(b.begin(), b.end(), s) == b.end()) out.push_back(s);
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// Routes are matched by entry and route (an Ingress renamed with the same host and path is the same
// path); direct exposure (a LoadBalancer, a host port) by the object that opens it.
std::string path_key(const ExposurePath& p) {
  std::string key = p.entry_kind + '\n' + p.entry + '\n' + p.route + '\n';
  if (p.route.empty()) key += std::string(p.via.kind) + '\n' + std::string(p.via.ns) + '\n' + std::string(p.via.name);
  return key;
}

std::string path_subject(const ExposurePath& p) {
  std::string to = p.service.empty() ? (p.workloads.empty() ? std::string("(no backend)") : join(p.workloads))
                                     : p.service;
  if (!p.route.empty()) return p.route + " (" + p.entry_kind + " " + p.entry + ") -> " + to;
  return p.entry_kind + " " + p.entry + " -> " + to;
}

std::string describe(const LabelSelector& s) {
  if (!s.present) return "-";
  std::vector<std::string> parts;
  for (const KeyValue& kv : s.match_labels) parts.push_back(std::string(kv.key) + "=" + std::string(kv.value));
  for (const LabelSelectorRequirement& r : s.match_expressions) {
    std::vector<std::string> values = r.values;
    std::sort(values.begin(), values.end());
    parts.push_back(r.key + " " + r.op + " (" + join(values, ",") + ")");
  }
  std::sort(parts.begin(), parts.end());
  return "{" + join(parts, ",") + "}";
}

std::string describe(const std::vector<NetworkPolicyRule>& rules) {
  std::string out;
  for (const NetworkPolicyRule& r : rules) {
    out += "[";
    if (r.has_peers)
      for (const NetworkPolicyPeer& p : r.peers) {
        out += "(" + describe(p.pod_selector) + describe(p.namespace_selector);
        if (p.has_ip_block) out += std::string(p.ip_block.cidr.value) + " except " + join(p.ip_block.except, ",");
        out += ")";
      }
    out += "|";
    if (r.has_ports)
      for (const NetworkPolicyPort& p : r.ports)
        out += p.protocol + ":" + p.port + "-" + (p.end_port ? std::to_string(*p.end_port) : std::string()) + ",";
    out += "]";
  }
  return out;
}

std::string describe(const NetworkPolicy& np) {
  return describe(np.pod_selector) + join(np.policy_types, ",") + (np.affects_ingress() ? "I" : "") +
         (np.affects_egress() ? "E" : "") + describe(np.ingress) + "/" + describe(np.egress);
}

// What decides who may reach a workload besides the policies: its pods' labels and ports.
std::string workload_digest(const Workload& w) {
  std::vector<std::string> labels;
  for (const KeyValue& kv : w.pod_labels) labels.push_back(std::string(kv.key) + "=" + std::string(kv.value));
  std::sort(labels.begin(), labels.end());
  std::string out = join(labels, ",") + "|";
  for (const Container& c : w.containers)
    for (const ContainerPort& p : c.ports) out += p.name + ":" + std::to_string(p.container_port) + "/" + p.protocol + ",";
  return out;
}

// The workloads a side holds by their ids (a Pod whose owner is in the input is judged through the owner).
std::map<std::string, const Workload*> workloads_by_id(const Cluster& c) {
  std::map<std::string, const Workload*> out;
  for (const Workload& w : c.workloads)
    if (!c.owner_in_input(w)) out.emplace(NetworkPolicyEngine::workload_id(w), &w);
  return out;
}

// An address outside the cluster (TEST-NET-2), standing for "the internet" in a policy's ipBlock.
constexpr const char* kOutsideAddress = "198.51.100.7";
// Pairs of workloads evaluated per unit at most; past it the reach comparison stops with a notice.
constexpr size_t kReachBudget = 4'000'000;

class ReachSide {
 public:
  explicit ReachSide(const Cluster& c) : cluster(c), engine(c), ids(workloads_by_id(c)) {}
  const Cluster& cluster;
  NetworkPolicyEngine engine;
  std::map<std::string, const Workload*> ids;

  // What decides who may open connections to `w`: the ingress policies that select it, its labels and ports.
  std::string ingress_digest(const Workload& w) {
    std::vector<std::string> parts;
    for (const NetworkPolicy* np : engine.selecting(w))
      if (np->affects_ingress()) {
        auto [it, added] = described_.try_emplace(np);
        if (added) it->second = describe(*np);
        parts.push_back(it->second);
      }
    std::sort(parts.begin(), parts.end());
    return join(parts, "\n") + "\n" + workload_digest(w);
  }
  std::string namespace_digest(std::string_view ns) const {
    std::vector<std::string> labels;
    for (const KeyValue& kv : engine.namespace_labels(ns)) labels.push_back(std::string(kv.key) + "=" + std::string(kv.value));
    std::sort(labels.begin(), labels.end());
    return join(labels, ",");
  }
  // The peers of the ingress rules that select `w`, as (namespaces, pod selector or null); `everyone` when a
  // rule admits every source.
  template <class Fn>
  void for_each_peer(const Workload& w, Fn fn) {
    for (const NetworkPolicy* np : engine.selecting(w)) {
      if (!np->affects_ingress()) continue;
      std::vector<std::string_view> own = {np->meta.effective_ns()};
      for (const NetworkPolicyRule& r : np->ingress) {
        if (!r.has_peers) {
          fn(own, nullptr);
          continue;
        }
        for (const NetworkPolicyPeer& p : r.peers) {
          if (p.has_ip_block) continue;
          fn(p.namespace_selector.present ? engine.namespaces_matching(p.namespace_selector) : own,
             p.pod_selector.present ? &p.pod_selector : nullptr);
        }
      }
    }
  }

 private:
  std::unordered_map<const NetworkPolicy*, std::string> described_;
};

// Registers a file (by the path shown) in a kept snapshot.
uint32_t file_id(Cluster& to, std::unordered_map<std::string, uint32_t>& ids, std::string path) {
  auto [it, added] = ids.emplace(path, static_cast<uint32_t>(to.files.size()));
  if (added) to.files.push_back(SourceFile{std::move(path), {}});
  return it->second;
}

// Copies what the report needs of a finding or a path's object out of a unit's snapshot.
class Keeper {
 public:
  Keeper(const DiffUnitInput& in, Cluster& report, std::unordered_map<std::string, uint32_t>& ids)
      : in_(in), report_(report), ids_(ids) {}
  ObjectRef object(ObjectRef o) {
    o.api_version = report_.strings->intern(o.api_version);
    o.kind = report_.strings->intern(o.kind);
    o.ns = report_.strings->intern(o.ns);
    o.name = report_.strings->intern(o.name);
    o.origin = report_.strings->intern(o.origin);
    o.loc.file = file(o.loc.file);
    return o;
  }
  Finding finding(const Finding& f) {
    Finding out = f;
    out.resource = object(f.resource);
    out.loc.file = file(f.loc.file);
    return out;
  }
  ExposurePath path(const ExposurePath& p) {
    ExposurePath out = p;
    if (in_.locate) out.via.loc = in_.locate(out.via.loc);
    out.via = object(out.via);
    return out;
  }

 private:
  uint32_t file(uint32_t id) { return file_id(report_, ids_, shown_path(*in_.cluster, id)); }
  const DiffUnitInput& in_;
  Cluster& report_;
  std::unordered_map<std::string, uint32_t>& ids_;
};

// The objects reach and certificates are judged by, copied into a snapshot of their own (strings in its
// pool, locations in the files shown): namespaces, NetworkPolicies, workloads without their containers'
// images and arguments, Secrets (their certificate summaries; never data) and the TLS sections of Ingresses.
class ReachCopy {
 public:
  explicit ReachCopy(const DiffUnitInput& in) : in_(in), out_(std::make_unique<Cluster>()) {}
  std::unique_ptr<Cluster> run() {
    const Cluster& c = *in_.cluster;
    for (const Namespace& n : c.namespaces) out_->namespaces.push_back(Namespace{meta(n.meta)});
    for (const NetworkPolicy& np : c.network_policies) {
      NetworkPolicy copy = np;
      copy.meta = meta(np.meta);
      selector(copy.pod_selector);
      for (auto* rules : {&copy.ingress, &copy.egress})
        for (NetworkPolicyRule& r : *rules)
          for (NetworkPolicyPeer& p : r.peers) {
            selector(p.pod_selector);
            selector(p.namespace_selector);
            p.ip_block.cidr.value = str(p.ip_block.cidr.value);
          }
      out_->network_policies.push_back(std::move(copy));
    }
    for (const Workload& w : c.workloads) {
      Workload copy;
      copy.meta = meta(w.meta);
      copy.pod_labels = labels(w.pod_labels);
      copy.selector = w.selector;
      selector(copy.selector);
      copy.host_network = w.host_network;
      for (const Container& ct : w.containers) {
        Container kept;
        kept.name = ct.name;
        kept.ports = ct.ports;
        copy.containers.push_back(std::move(kept));
      }
      copy.owner_kind = w.owner_kind;
      copy.owner_name = w.owner_name;
      out_->workloads.push_back(std::move(copy));
    }
    for (const Secret& sec : c.secrets) {
      Secret copy;
      copy.meta = meta(sec.meta);
      copy.type = sec.type;
      copy.has_tls_key = sec.has_tls_key;
      copy.cert = sec.cert;
      out_->secrets.push_back(std::move(copy));
    }
    for (const Ingress& ing : c.ingresses) {
      if (ing.tls.empty()) continue;
      Ingress copy;
      copy.meta = meta(ing.meta);
      for (const IngressTls& t : ing.tls) {
        IngressTls kept;
        for (const Field& h : t.hosts) kept.hosts.push_back(Field{str(h.value), {}, h.present});
        kept.secret_name = Field{str(t.secret_name.value), {}, t.secret_name.present};
        copy.tls.push_back(std::move(kept));
      }
      out_->ingresses.push_back(std::move(copy));
    }
    out_->index();
    return std::move(out_);
  }

 private:
  std::string_view str(std::string_view v) { return out_->strings->intern(v); }
  std::vector<KeyValue> labels(const std::vector<KeyValue>& in) {
    std::vector<KeyValue> out;
    out.reserve(in.size());
    for (KeyValue kv : in) {
      kv.key = str(kv.key);
      kv.value = str(kv.value);
      kv.file = 0;
      out.push_back(kv);
    }
    return out;
  }
  void selector(LabelSelector& s) { s.match_labels = labels(s.match_labels); }
  ObjectMeta meta(const ObjectMeta& m) {
    ObjectMeta out;
    out.api_version = str(m.api_version);
    out.kind = str(m.kind);
    out.name = str(m.name);
    out.ns = str(m.ns);
    out.labels = labels(m.labels);
    out.loc = in_.locate ? in_.locate(m.loc) : m.loc;
    out.loc.file = file_id(*out_, ids_, shown_path(*in_.cluster, out.loc.file));
    return out;
  }
  const DiffUnitInput& in_;
  std::unique_ptr<Cluster> out_;
  std::unordered_map<std::string, uint32_t> ids_;
};

void compare_workload_reach(const std::string& unit_name, const Cluster& base_c, const Cluster& head_c,
                            const SurfaceDiff::Placer& place_head, SurfaceDiff::ReachChanges& result) {
  std::vector<SurfaceChange>& out = result.changes;
  std::vector<std::string>& notes = result.notes;
  ReachSide base(base_c), head(head_c);
  // Who may connect to a workload changes when the ingress policies selecting it, its labels or its ports
  // change (then every source its policies name, on either side, is compared), or when a namespace its
  // policies select by label is relabelled (then that namespace's workloads are). A change in a source's
  // own egress policies alone is not compared.
  struct Affected {
    const Workload *was, *now;
    std::set<std::string> sources;  // workload ids; empty with `all`: every source its policies name
    bool all = false;
  };
  std::map<std::string, Affected> affected;
  for (const auto& [id, hw] : head.ids) {
    auto it = base.ids.find(id);
    if (it != base.ids.end() && base.ingress_digest(*it->second) != head.ingress_digest(*hw))
      affected[id] = Affected{it->second, hw, {}, true};
  }
  std::set<std::string_view> relabelled;
  for (const auto& [ns, _] : head_c.workloads_by_namespace())
    if (base.namespace_digest(ns) != head.namespace_digest(ns)) relabelled.insert(ns);
  if (!relabelled.empty()) {
    for (const auto& [id, hw] : head.ids) {
      auto it = base.ids.find(id);
      if (it == base.ids.end() || affected.count(id)) continue;
      std::set<std::string> sources;
      for (auto sw : {std::pair{&base, it->second}, std::pair{&head, hw}})
        sw.first->for_each_peer(*sw.second, [&](const std::vector<std::string_view>& namespaces, const LabelSelector*) {
          for (std::string_view ns : namespaces)
            if (relabelled.count(ns))
              for (size_t i : head_c.workloads_in(ns)) sources.insert(NetworkPolicyEngine::workload_id(head_c.workloads[i]));
        });
      if (!sources.empty()) affected[id] = Affected{it->second, hw, std::move(sources), false};
    }
  }
  size_t budget = kReachBudget;
  size_t skipped = 0;
  Workload elsewhere = any_pod_elsewhere();
  for (auto& entry : affected) {  // no structured bindings: lambdas below capture these (clang 14)
    const std::string& dst = entry.first;
    Affected& a = entry.second;
    // Sources: the two that stand for everyone, then the named workloads present on both sides.
    std::set<std::string> named = std::move(a.sources);
    if (a.all)
      for (auto sw : {std::pair{&base, a.was}, std::pair{&head, a.now}})
        sw.first->for_each_peer(*sw.second, [&](const std::vector<std::string_view>& namespaces, const LabelSelector* pods) {
          for (std::string_view ns : namespaces)
            for (size_t i : sw.first->cluster.workloads_in(ns)) {
              const Workload& s = sw.first->cluster.workloads[i];
              if (!pods || pods->matches(s.pod_labels)) named.insert(NetworkPolicyEngine::workload_id(s));
            }
        });
    std::erase_if(named, [&](const std::string& id) { return id == dst || !base.ids.count(id) || !head.ids.count(id); });
    if (named.size() + 2 > budget) {
      ++skipped;
      continue;
    }
    budget -= named.size() + 2;
    // group -> (sources whose reach widened, narrowed), each with what it may open now and before
    std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> by_group;
    auto compare = [&](const std::string& group, const std::string& who, const ConnSet& was, const ConnSet& now) {
      if (was == now) return;
      if (!((now & was) == now))
        by_group[group].first.push_back(who + ": " + now.readable() + " (was " + (was.empty() ? "none" : was.readable()) + ")");
      if (!((now & was) == was))
        by_group[group].second.push_back(who + ": " + (now.empty() ? std::string("none") : now.readable()) + " (was " +
                                         was.readable() + ")");
    };
    if (a.all) {
      compare("outside the cluster", "outside the cluster", base.engine.ingress_from_address(*a.was, kOutsideAddress),
              head.engine.ingress_from_address(*a.now, kOutsideAddress));
      compare("any namespace", "any namespace", base.engine.ingress_allowed(*a.was, elsewhere),
              head.engine.ingress_allowed(*a.now, elsewhere));
    }
    for (const std::string& id : named) {
      std::string_view ns(id.data(), id.find('/'));
      compare("namespace " + std::string(ns), id, base.engine.allowed(*base.ids.at(id), *a.was),
              head.engine.allowed(*head.ids.at(id), *a.now));
    }
    for (auto& [group, lists] : by_group) {
      for (int widened = 1; widened >= 0; --widened) {
        std::vector<std::string>& who = widened ? lists.first : lists.second;
        if (who.empty()) continue;
        SurfaceChange ch;
        ch.kind = widened ? SurfaceChange::Kind::ReachWidened : SurfaceChange::Kind::ReachNarrowed;
        ch.subject = dst;
        bool everyone = group == "outside the cluster" || group == "any namespace";
        ch.severity = !widened ? Severity::Info : everyone ? Severity::Medium : Severity::Low;
        std::string count = everyone ? group : std::to_string(who.size()) + " workload(s) of " + group;
        ch.summary = (widened ? "reachable from more: " : "reachable from less: ") + count;
        (widened ? ch.gained : ch.lost) = who;
        auto pols = head.engine.selecting(*a.now);
        place_head(ch, pols.empty() ? a.now->meta.loc : pols.front()->meta.loc);
        out.push_back(std::move(ch));
      }
    }
  }
  if (skipped)
    notes.push_back(unit_name + ": NetworkPolicy reach of " + std::to_string(skipped) +
                      " workload(s) not compared (more than " + std::to_string(kReachBudget) +
                      " connections to evaluate in one unit)");
}

void compare_certificates(const Cluster& base_c, const Cluster& head_c, const SurfaceDiff::Placer& place_head,
                          std::vector<SurfaceChange>& out) {
  // (namespace, Secret name) -> the hosts the head's Ingresses serve with it; built when first needed.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<std::string_view>> served;
  for (const Secret& hs : head_c.secrets) {
    if (hs.cert.state != CertInfo::State::Ok) continue;
    const Secret* bs = base_c.find_secret(hs.meta.effective_ns(), hs.meta.name);
    if (!bs || bs->cert.state != CertInfo::State::Ok) continue;
    const CertInfo &was = bs->cert, &now = hs.cert;
    std::vector<std::string> lost;
    Severity sev = Severity::Info;
    if (now.not_after < was.not_after) {
      lost.push_back("expires " + utc_date(now.not_after) + " (was " + utc_date(was.not_after) + ")");
      sev = std::max(sev, Severity::Low);
    }
    // An unknown key type on either side is no comparison (0 would read as the weakest).
    if (now.security_bits() > 0 && was.security_bits() > 0 && now.security_bits() < was.security_bits()) {
      lost.push_back("key " + now.key_type + " " + std::to_string(now.key_bits) + " bits (was " + was.key_type + " " +
                     std::to_string(was.key_bits) + ")");
      sev = std::max(sev, Severity::Medium);
    }
    if (now.weak_signature && !was.weak_signature) {
      lost.push_back("signed with " + now.signature + " (was " + was.signature + ")");
      sev = std::max(sev, Severity::Medium);
    }
    // Hosts the head's Ingresses serve with this Secret that the old certificate covered and the new does not.
    std::set<std::string> uncovered;
    auto covers = [](const CertInfo& c, std::string_view host) {
      return std::any_of(c.dns_names.begin(), c.dns_names.end(), [&](const std::string& n) { return tls_host_covers(n, host); });
    };
    if (was.dns_names != now.dns_names) {
      if (served.empty())
        for (const Ingress& ing : head_c.ingresses)
          for (const IngressTls& t : ing.tls)
            for (const Field& h : t.hosts) served[{ing.meta.effective_ns(), t.secret_name.value}].push_back(h.value);
      auto it = served.find({hs.meta.effective_ns(), hs.meta.name});
      if (it != served.end())
        for (std::string_view h : it->second)
          if (covers(was, h) && !covers(now, h)) uncovered.emplace(h);
    }
    if (!uncovered.empty()) {
      lost.push_back("no longer covers " + join(std::vector<std::string>(uncovered.begin(), uncovered.end())));
      sev = Severity::High;
    }
    if (lost.empty()) continue;
    SurfaceChange ch;
    ch.kind = SurfaceChange::Kind::CertificateWeakened;
    ch.severity = sev;
    ch.subject = "Secret " + std::string(hs.meta.effective_ns()) + "/" + std::string(hs.meta.name);
    ch.summary = "certificate replaced by a weaker one: " + join(lost, "; ");
    ch.lost = std::move(lost);
    place_head(ch, hs.meta.loc);
    out.push_back(std::move(ch));
  }
}

}  // namespace

std::unique_ptr<Cluster> SurfaceDiff::copy_reach(const DiffUnitInput& side) {
  return side.cluster ? ReachCopy(side).run() : nullptr;
}

DiffSideUnit SurfaceDiff::keep(const DiffUnitInput& in, std::unique_ptr<Cluster> reach) {
  DiffSideUnit out;
  if (!in.cluster) return out;
  out.present = true;
  out.reach = reach ? std::move(reach) : copy_reach(in);
  Keeper keeper(in, report, report_files_);
  if (in.findings)
    for (const Finding& f : *in.findings)
      if (!f.suppressed) out.findings.push_back(keeper.finding(f));
  if (in.paths)
    for (const ExposurePath& p : *in.paths) out.paths.push_back(keeper.path(p));
  return out;
}

SurfaceDiff::ReachChanges SurfaceDiff::compare_reach(const std::string& name, const DiffSideUnit& base,
                                                     const DiffUnitInput& head) const {
  ReachChanges out;
  if (!base.present || !head.cluster) return out;
  auto place_head = [&](SurfaceChange& ch, Loc loc) {
    if (head.locate) loc = head.locate(loc);
    place(ch, *head.cluster, loc);
  };
  compare_workload_reach(name, *base.reach, *head.cluster, place_head, out);
  compare_certificates(*base.reach, *head.cluster, place_head, out.changes);
  return out;
}

void SurfaceDiff::compare_unit(const std::string& name, const DiffSideUnit& base, const DiffUnitInput& head,
                               ReachChanges reach) {
  auto unit = static_cast<uint32_t>(units.size());
  units.push_back(name);
  static const std::vector<Finding> kNoFindings;
  static const std::vector<ExposurePath> kNoPaths;
  const auto& head_findings = head.cluster && head.findings ? *head.findings : kNoFindings;
  const auto& head_paths = head.cluster && head.paths ? *head.paths : kNoPaths;
  std::optional<Keeper> keeper;
  if (head.cluster) keeper.emplace(head, report, report_files_);

  // Findings, matched by fingerprint (as many times as each side has them).
  std::unordered_map<std::string, std::vector<const Finding*>> open;
  for (const Finding& f : base.findings) open[diff_fingerprint(name, f)].push_back(&f);
  for (const Finding& f : head_findings) {
    if (f.suppressed) continue;
    auto it = open.find(diff_fingerprint(name, f));
    if (it != open.end() && !it->second.empty()) {
      it->second.pop_back();
      ++unchanged;
    } else {
      introduced.push_back(keeper->finding(f));
      introduced.back().unit = unit;
    }
  }
  for (auto& [_, left] : open)
    for (const Finding* f : left) {
      fixed.push_back(*f);
      fixed.back().unit = unit;
    }

  // Exposure paths.
  std::multimap<std::string, const ExposurePath*> before;
  for (const ExposurePath& p : base.paths) before.emplace(path_key(p), &p);
  for (const ExposurePath& p : head_paths) {
    // Among base paths of the same entry and route (two Ingresses claiming one host), the one opened by the
    // same object, else the one to the same Service.
    auto [first, last] = before.equal_range(path_key(p));
    auto it = first == last ? before.end() : first;
    for (auto c = first; c != last; ++c) {
      const ObjectRef& v = c->second->via;
      if (v.kind == p.via.kind && v.ns == p.via.ns && v.name == p.via.name) {
        it = c;
        break;
      }
      if (c->second->service == p.service && it == first) it = c;
    }
    SurfaceChange ch;
    ch.unit = unit;
    ch.subject = path_subject(p);
    auto kept = [&] {  // the path in the report, for a change that is recorded
      ch.head_path = keeper->path(p);
      place(ch, report, ch.head_path->via.loc);
    };
    if (it == before.end()) {
      ch.kind = SurfaceChange::Kind::PathAdded;
      ch.gained = guards(p);
      bool open_door = !p.protections.tls && !p.protections.auth && !p.protections.allowlist && !p.protections.client_cert;
      ch.severity = open_door ? Severity::Medium : Severity::Low;
      ch.summary = open_door ? "new path from outside, with neither TLS nor access control"
                             : "new path from outside, protected by " + join(ch.gained);
      kept();
      changes.push_back(std::move(ch));
      continue;
    }
    const ExposurePath& old = *it->second;
    before.erase(it);
    ch.base_path = old;
    ch.lost = minus(guards(old), guards(p));
    ch.gained = minus(guards(p), guards(old));
    std::vector<std::string> notes;
    if (old.service != p.service) notes.push_back("Service " + old.service + " -> " + p.service);
    if (old.workloads != p.workloads) notes.push_back("workloads " + join(old.workloads) + " -> " + join(p.workloads));
    if (old.entry_via != p.entry_via) notes.push_back("exposed by " + p.entry_via + " (was " + old.entry_via + ")");
    if (ch.lost.empty() && ch.gained.empty() && notes.empty()) continue;
    ch.kind = SurfaceChange::Kind::PathChanged;
    for (const std::string& g : ch.lost) ch.severity = std::max(ch.severity, loss_severity(g));
    std::vector<std::string> said;
    if (!ch.lost.empty())
      said.push_back("lost " + join(ch.lost) +
                     (old.protections.level() == p.protections.level()
                          ? std::string()
                          : " (protection level " + std::to_string(old.protections.level()) + " -> " +
                                std::to_string(p.protections.level()) + ")"));
    if (!ch.gained.empty()) said.push_back("gained " + join(ch.gained));
    said.insert(said.end(), notes.begin(), notes.end());
    ch.summary = join(said, "; ");
    kept();
    changes.push_back(std::move(ch));
  }
  for (const auto& [_, p] : before) {
    SurfaceChange ch;
    ch.kind = SurfaceChange::Kind::PathRemoved;
    ch.unit = unit;
    ch.subject = path_subject(*p);
    ch.summary = "path from outside removed";
    ch.lost = guards(*p);
    place(ch, report, p->via.loc);
    ch.base_path = *p;
    changes.push_back(std::move(ch));
  }

  for (SurfaceChange& ch : reach.changes) {
    ch.unit = unit;
    changes.push_back(std::move(ch));
  }
  notices.insert(notices.end(), reach.notes.begin(), reach.notes.end());
}

void SurfaceDiff::finish() {
  std::stable_sort(changes.begin(), changes.end(), [](const SurfaceChange& a, const SurfaceChange& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.unit != b.unit) return a.unit < b.unit;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.subject < b.subject;
  });
  auto order = [&](std::vector<Finding>& v) {
    std::stable_sort(v.begin(), v.end(), [&](const Finding& a, const Finding& b) {
      if (a.severity != b.severity) return a.severity > b.severity;
      const std::string &fa = report.files[a.loc.file].path, &fb = report.files[b.loc.file].path;
      if (fa != fb) return fa < fb;
      return a.loc.line < b.loc.line;
    });
  };
  order(introduced);
  order(fixed);
}

std::optional<Severity> SurfaceDiff::highest() const {
  std::optional<Severity> out;
  auto raise = [&](Severity s) { out = out ? std::max(*out, s) : s; };
  for (const SurfaceChange& c : changes)
    if (c.kind != SurfaceChange::Kind::PathRemoved && c.kind != SurfaceChange::Kind::ReachNarrowed) raise(c.severity);
  for (const Finding& f : introduced) raise(f.severity);
  return out;
}

}  // namespace ig
