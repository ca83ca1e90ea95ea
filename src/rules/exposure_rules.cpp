// Exposure rules on top of the NetworkPolicy engine: who besides the ingress
// controller can reach what an Ingress serves, namespaces without a default
// deny, policies and peers that match nothing, the controller's admission
// webhook open to every pod, and workloads on host ports.
#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>

#include "graph/netpol.h"
#include "policy/policy.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

bool has_workloads_in(const Cluster& c, std::string_view ns) { return !c.workloads_in(ns).empty(); }

// Whether the unit holds the namespace's NetworkPolicies for sure: the policy says
// the input is complete, or the input creates the Namespace (a unit that creates a
// namespace ships what is applied in it). Otherwise a policy may live elsewhere,
// and a conclusion from a missing one is a low note, not a medium claim.
bool namespace_known(const Cluster& c, const RuleSettings& s, std::string_view ns) {
  return complete_input(s) || c.find_namespace(ns) != nullptr;
}

// Workloads that stand for themselves: not judged through an owner in the input,
// and not run-to-completion Jobs (they listen on nothing).
bool judged_workload(const Cluster& c, const Workload& w) {
  return !c.owner_in_input(w) && w.meta.kind != "Job" && w.meta.kind != "CronJob";
}

// Workloads behind an Ingress: those its backend Services select (each with
// the first Ingress that routes to it). Shared by the rules of one run.
struct IngressBackends {
  IngressBackends(const Cluster& c, DerivedCache& d);
  std::vector<std::pair<const Workload*, const Ingress*>> list;
};

IngressBackends::IngressBackends(const Cluster& c, DerivedCache& d) {
  std::unordered_set<const Workload*> seen;
  const ServiceSelection& selection = *d.get<ServiceSelection>(c);
  for (const Ingress& ing : c.ingresses) {
    auto add = [&](const IngressBackend& b) {
      if (!b.present || b.service.empty()) return;
      const Service* svc = c.find_service(ing.meta.effective_ns(), b.service);
      if (!svc) return;
      // A Pod or ReplicaSet whose owner is in the input is judged through that owner (a live cluster has all three).
      for (const Workload* w : selection.selected(*svc))
        if (judged_workload(c, *w) && seen.insert(w).second) list.emplace_back(w, &ing);
    };
    add(ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths) add(p.backend);
  }
}

void check_backend_open_to_cluster(const Cluster& c, const RuleSettings& s, Findings& out) {
  auto engine = derived<NetworkPolicyEngine>(c, s);
  Workload any = any_pod_elsewhere();
  for (const auto& [w, ing] : derived<IngressBackends>(c, s)->list) {
    ConnSet conn = engine->allowed(any, *w);
    if (conn.empty()) continue;
    bool known = namespace_known(c, s, w->meta.effective_ns());
    out.add(kBackendOpenToCluster.info, w->meta, w->meta.name_loc,
            "backend of Ingress " + std::string(ing->meta.name) + " accepts " + conn.readable() +
                " from any pod in any namespace, not only from the ingress controller" +
                (known ? "" : " (as far as the NetworkPolicies in the input go)"));
    if (!known) out.items().back().severity = Severity::Low;
  }
}

void check_namespace_without_default_deny(const Cluster& c, const RuleSettings& s, Findings& out) {
  const auto& backends = derived<IngressBackends>(c, s)->list;
  std::set<std::string_view> namespaces;
  for (const auto& [w, ing] : backends) namespaces.insert(w->meta.effective_ns());
  for (std::string_view ns : namespaces) {
    bool deny = false;
    const auto& policies = c.network_policies_in(ns);
    for (size_t i : policies) {
      const NetworkPolicy& np = c.network_policies[i];
      if (np.affects_ingress() && (!np.pod_selector.present || np.pod_selector.empty())) deny = true;
    }
    if (deny) continue;
    bool known = namespace_known(c, s, ns);
    std::string message = "namespace " + std::string(ns) + " serves Ingress backends but has no default-deny ingress NetworkPolicy";
    if (!known) message += " in the input";
    // A namespace without any policy: this one finding names every workload it leaves open
    // (IG508 does not repeat it per workload).
    if (policies.empty()) {
      std::vector<std::string_view> names;
      for (size_t i : c.workloads_in(ns))
        if (judged_workload(c, c.workloads[i])) names.push_back(c.workloads[i].meta.name);
      if (!names.empty()) {
        message += "; no NetworkPolicy selects its " + std::to_string(names.size()) + " workload" + (names.size() == 1 ? "" : "s") + " (";
        for (size_t i = 0; i < names.size() && i < 8; ++i) message += (i ? ", " : "") + std::string(names[i]);
        if (names.size() > 8) message += ", and " + std::to_string(names.size() - 8) + " more";
        message += ")";
      }
    }
    if (const Namespace* n = c.find_namespace(ns))
      out.add(kNoDefaultDeny.info, n->meta, n->meta.name_loc, message);
    else
      for (const auto& [w, ing] : backends)
        if (w->meta.effective_ns() == ns) {
          out.add(kNoDefaultDeny.info, w->meta, w->meta.name_loc, message);
          break;
        }
    if (!known) out.items().back().severity = Severity::Low;
  }
}

void check_policy_selects_nothing(const Cluster& c, const RuleSettings& settings, Findings& out) {
  auto index = derived<ServiceSelection>(c, settings);
  for (const NetworkPolicy& np : c.network_policies) {
    std::string_view ns = np.meta.effective_ns();
    // Pods may come from objects the input lacks or kinds it does not know (operators'
    // custom resources): "selects nothing" is a claim only on complete input.
    if (!complete_input(settings) || !np.pod_selector.present || np.pod_selector.empty()) continue;
    bool any = false;
    if (!np.pod_selector.match_labels.empty()) {
      if (const auto* candidates = index->with_label(ns, np.pod_selector.match_labels.front()))
        any = std::any_of(candidates->begin(), candidates->end(),
                          [&](const Workload* w) { return np.pod_selector.matches(w->pod_labels); });
    } else {
      for (size_t i : c.workloads_in(ns))
        if (np.pod_selector.matches(c.workloads[i].pod_labels)) {
          any = true;
          break;
        }
    }
    if (!any)
      out.add(kPolicySelectsNothing.info, np.meta, np.pod_selector.loc,
              "podSelector matches no pod in namespace " + std::string(ns) + ": this policy protects nothing");
  }
}

void check_peer_matches_nothing(const Cluster& c, const RuleSettings& settings, Findings& out) {
  if (!complete_input(settings)) return;  // the peer's pods may be in another unit or of a kind the input lacks
  auto engine = derived<NetworkPolicyEngine>(c, settings);
  for (const NetworkPolicy& np : c.network_policies) {
    std::string_view ns = np.meta.effective_ns();
    for (const auto* rules : {&np.ingress, &np.egress})
      for (const NetworkPolicyRule& r : *rules)
        for (const NetworkPolicyPeer& peer : r.peers) {
          if (peer.has_ip_block) continue;
          // Judge only peers whose candidate namespaces are all in the input.
          bool judged = false, matched = false;
          auto scan_ns = [&](std::string_view wns) {
            for (size_t i : c.workloads_in(wns)) {
              judged = true;
              const Workload& w = c.workloads[i];
              if (!peer.pod_selector.present || peer.pod_selector.empty() || peer.pod_selector.matches(w.pod_labels)) {
                matched = true;
                return;
              }
            }
          };
          if (!peer.namespace_selector.present) {
            scan_ns(ns);
          } else {
            for (std::string_view wns : engine->namespaces_matching(peer.namespace_selector)) {
              scan_ns(wns);
              if (matched) break;
            }
          }
          if (!peer.namespace_selector.present && !has_workloads_in(c, ns)) judged = false;
          // A namespaceSelector that matches no namespace with workloads in the input
          // (say, the controller's, installed separately) is not judged.
          if (complete_input(settings)) judged = true;
          if (judged && !matched)
            out.add(kPeerMatchesNothing.info, np.meta, peer.loc,
                    "this peer matches no pod in the input: the rule allows nothing (a typo in a label?)");
        }
  }
}

void check_webhook_reachable(const Cluster& c, const RuleSettings& s, Findings& out) {
  auto engine = derived<NetworkPolicyEngine>(c, s);
  Workload any = any_pod_elsewhere();
  for (const Workload& w : c.workloads) {
    if (!runs_admission_webhook(w)) continue;  // no webhook, nothing to reach
    ConnSet webhook;
    webhook.add_range(ConnSet::TCP, 8443, 8443);
    ConnSet open = engine->allowed(any, w) & webhook;
    if (!open.empty())
      out.add(kWebhookReachableFromPods.info, w.meta, w.meta.name_loc,
              "any pod can reach the ingress-nginx admission webhook (TCP 8443): no NetworkPolicy limits it to the API server");
  }
}

// Port 0 stands for hostNetwork, which exempt images do not cover.
bool host_port_accepted(const RuleSettings& s, const Container* ct, int64_t port) {
  if (!s.policy) return false;
  if (port == 0) return s.policy->allow_host_network;
  for (const std::string& g : s.policy->host_port_exempt_images)
    if (ct && ct->image && glob_match(g, ct->image.value)) return true;
  for (const auto& [lo, hi] : s.policy->allowed_host_ports)
    if (port >= lo && port <= hi) return true;
  return false;
}

void check_host_ports(const Cluster& c, const RuleSettings& settings, Findings& out) {
  for (const Workload& w : c.workloads) {
    // An ingress controller or gateway proxy on the node's ports 80/443 is the front door
    // itself (the map shows it as the entry); its other host ports (stats, metrics) are not.
    bool front_door = front_door_kind(w) != ControllerKind::Unknown;
    if (w.host_network && !front_door && !host_port_accepted(settings, nullptr, 0)) {
      out.add(kHostPortExposure.info, w.meta, w.host_network_loc,
              "hostNetwork: every port the pod listens on is open on the node's addresses, outside Services and NetworkPolicies");
    }
    for (const Container& ct : w.containers)
      for (const ContainerPort& p : ct.ports)
        if (p.host_port && !(front_door && is_traffic_port(p)) && !host_port_accepted(settings, &ct, p.host_port))
          out.add(kHostPortExposure.info, w.meta, p.loc,
                  "hostPort " + std::to_string(p.host_port) + " opens the port on the node's addresses, bypassing Services and the Ingress");
  }
}

void check_not_isolated(const Cluster& c, const RuleSettings& s, Findings& out) {
  auto engine = derived<NetworkPolicyEngine>(c, s);
  // A namespace without any policy is one root cause, not a finding per workload. IG503 names its
  // workloads when it serves Ingress backends; otherwise, on complete input only (a partial view
  // cannot tell that the cluster has no policy there), one note here on its first workload.
  std::set<std::string_view> backend_namespaces;
  for (const auto& [w, ing] : derived<IngressBackends>(c, s)->list) backend_namespaces.insert(w->meta.effective_ns());
  std::set<std::string_view> noted;
  for (const Workload& w : c.workloads) {
    if (!judged_workload(c, w)) continue;
    std::string_view ns = w.meta.effective_ns();
    if (c.network_policies_in(ns).empty()) {
      if (!complete_input(s) || backend_namespaces.count(ns) || !noted.insert(ns).second) continue;
      std::vector<std::string_view> names;
      for (size_t i : c.workloads_in(ns))
        if (judged_workload(c, c.workloads[i])) names.push_back(c.workloads[i].meta.name);
      std::string list;
      for (size_t i = 0; i < names.size() && i < 8; ++i) list += (i ? ", " : "") + std::string(names[i]);
      if (names.size() > 8) list += ", and " + std::to_string(names.size() - 8) + " more";
      out.add(kWorkloadNotIsolated.info, w.meta, w.meta.name_loc,
              "namespace " + std::string(ns) + " has no NetworkPolicy (complete input): its " +
                  std::to_string(names.size()) + " workload" + (names.size() == 1 ? "" : "s") + " (" + list +
                  (names.size() == 1 ? ") accepts" : ") accept") +
                  " connections from every pod and may connect anywhere");
      continue;
    }
    // Any policy counts here (IG502 and IG503 judge inbound exposure itself).
    if (engine->selecting(w).empty())
      out.add(kWorkloadNotIsolated.info, w.meta, w.meta.name_loc,
              "no NetworkPolicy selects these pods: neither their inbound nor their outbound traffic is restricted");
  }
}

}  // namespace

const Rule kWorkloadNotIsolated{
    .info = {.id = "IG508",
             .title = "Workload selected by no NetworkPolicy",
             .severity = Severity::Low,
             .category = "network-policy",
             .rationale = "Pods that no NetworkPolicy selects accept connections from every pod in the cluster and may "
                          "connect anywhere; one compromised workload can reach them all.",
             .remediation = "Add a default-deny ingress policy to the namespace and allow only the traffic the workload needs.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/#isolated-and-non-isolated-pods"}},
    .check = &check_not_isolated,
};

const Rule kBackendOpenToCluster{
    .info = {.id = "IG502",
             .title = "Ingress backend reachable from any namespace",
             .severity = Severity::Medium,
             .category = "network-policy",
             .rationale = "Only the ingress controller should talk to a workload an Ingress exposes; without a policy any "
                          "compromised pod in any namespace can reach it directly, skipping the Ingress's TLS, "
                          "authentication, allowlists and WAF.",
             .remediation = "Add a NetworkPolicy that admits the backend's port only from the ingress controller's namespace and pods.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/"}},
    .check = &check_backend_open_to_cluster,
};

const Rule kNoDefaultDeny{
    .info = {.id = "IG503",
             .title = "Namespace with exposed workloads has no default-deny policy",
             .severity = Severity::Medium,
             .category = "network-policy",
             .rationale = "Without a default-deny ingress policy, every new workload in the namespace starts reachable "
                          "from everywhere until someone writes a policy for it.",
             .remediation = "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress], then allow what is needed.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic"}},
    .check = &check_namespace_without_default_deny,
};

const Rule kPolicySelectsNothing{
    .info = {.id = "IG504",
             .title = "NetworkPolicy selects no pod",
             .severity = Severity::Low,
             .category = "network-policy",
             .rationale = "A policy whose podSelector matches no pod in its namespace protects nothing; usually a label "
                          "typo, or the workload moved.",
             .remediation = "Fix the podSelector so that it matches the pods it was written for.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/"}},
    .check = &check_policy_selects_nothing,
};

const Rule kPeerMatchesNothing{
    .info = {.id = "IG505",
             .title = "NetworkPolicy peer matches no pod",
             .severity = Severity::Low,
             .category = "network-policy",
             .rationale = "A from/to entry that matches no pod allows nothing; the traffic the author meant to allow is "
                          "blocked, and the fix often ends up being a much wider rule.",
             .remediation = "Correct the peer's selectors (labels, namespace labels, or the AND/OR structure).",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors"}},
    .check = &check_peer_matches_nothing,
};

const Rule kWebhookReachableFromPods{
    .info = {.id = "IG506",
             .title = "ingress-nginx admission webhook reachable from any pod",
             .severity = Severity::High,
             .category = "network-policy",
             .rationale = "IngressNightmare (CVE-2025-1974) is exploited by sending an AdmissionReview to the controller's "
                          "webhook port from inside the Pod network; only the API server needs to reach it.",
             .remediation = "In the controller's namespace, admit TCP 8443 only from the API server's addresses (or disable the webhook).",
             .references = {"CVE-2025-1974"}},
    .check = &check_webhook_reachable,
};

const Rule kHostPortExposure{
    .info = {.id = "IG507",
             .title = "Workload on host ports or host network",
             .severity = Severity::Medium,
             .category = "exposure",
             .rationale = "hostPort and hostNetwork open ports on every node address, outside Services, the Ingress and "
                          "most NetworkPolicy implementations.",
             .remediation = "Expose the workload through a Service and the Ingress; drop hostPort/hostNetwork.",
             .references = {"https://kubernetes.io/docs/concepts/configuration/overview/#services"}},
    .check = &check_host_ports,
};

}  // namespace ig::rules
