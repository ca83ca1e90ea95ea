// NetworkPolicy rules that allow every source (or destination).
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// A rule that admits every source on every port. Rules limited to ports (a
// metrics or webhook port open to all namespaces) are not "all traffic".
void check_rules(const NetworkPolicy& np, const std::vector<NetworkPolicyRule>& rules, Findings& out) {
  for (const NetworkPolicyRule& r : rules) {
    if (r.has_ports) continue;
    if (!r.has_peers) {
      out.add(kNetworkPolicyAllowAll.info, np.meta, r.loc,
              "empty ingress rule ({}) admits every source on every port to every pod of namespace " +
                  std::string(np.meta.effective_ns()));
      continue;
    }
    for (const NetworkPolicyPeer& p : r.peers) {
      if (p.namespace_selector.present && p.namespace_selector.empty() &&
          (!p.pod_selector.present || p.pod_selector.empty())) {
        out.add(kNetworkPolicyAllowAll.info, np.meta, p.loc,
                "from: namespaceSelector: {} admits every pod of every namespace, on every port, to every pod of namespace " +
                    std::string(np.meta.effective_ns()));
      } else if (p.has_ip_block && is_open_cidr(p.ip_block.cidr.value)) {
        out.add(kNetworkPolicyAllowAll.info, np.meta, p.ip_block.cidr.loc,
                "from: ipBlock " + std::string(p.ip_block.cidr.value) +
                    " admits every address, on every port, to every pod of namespace " + std::string(np.meta.effective_ns()));
      }
    }
  }
}

// Inbound only: this is about who can reach the pods. A policy that names its
// pods and admits everyone declares those pods public (a web frontend, an API
// server); what it opens for Ingress backends is IG502's finding. A policy that
// selects every pod of the namespace and admits everyone cancels the
// namespace's isolation, default-deny included.
void check_allow_all(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const NetworkPolicy& np : c.network_policies)
    if (np.affects_ingress() && (!np.pod_selector.present || np.pod_selector.empty())) check_rules(np, np.ingress, out);
}

void check_rejected_policy(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const InputIssue& i : c.input_issues)
    if (i.kind == InputIssue::Kind::RejectedObject && c.objects[i.object].kind == "NetworkPolicy")
      out.add(kNetworkPolicyRejected.info, c.objects[i.object], i.loc,
              i.detail + ": the API server refuses this NetworkPolicy, so none of its rules apply (not judged further)");
}

}  // namespace

const Rule kNetworkPolicyRejected{
    .info = {.id = "IG509",
             .title = "NetworkPolicy the API server refuses",
             .severity = Severity::Medium,
             .category = "network-policy",
             .rationale = "A peer may name an ipBlock or selectors, not both; the API server rejects the whole policy, "
                          "so the isolation it describes is never in force (and applying it fails).",
             .remediation = "Split the peer: one entry with the ipBlock, another with the selectors.",
             .references = {"https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/"}},
    .check = &check_rejected_policy,
};

const Rule kNetworkPolicyAllowAll{
    .info = {.id = "IG501",
             .title = "NetworkPolicy allows all traffic",
             .severity = Severity::High,
             .category = "network-policy",
             .rationale = "An ingress rule that is empty, or whose peer is namespaceSelector: {} without a pod selector or "
                          "ipBlock 0.0.0.0/0, with no port limit, in a policy that selects every pod of the namespace: "
                          "policies add up, so this one rule opens every pod of the namespace to everything, whatever "
                          "default-deny or narrower policies say.",
             .remediation = "Name the allowed peers: the ingress controller's namespace and pods, by kubernetes.io/metadata.name.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/"}},
    .check = &check_allow_all,
};

}  // namespace ig::rules
