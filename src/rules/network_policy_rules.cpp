// NetworkPolicy rules that allow every source (or destination).
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

void check_rules(const NetworkPolicy& np, const std::vector<NetworkPolicyRule>& rules, const char* dir,
                 const char* peers, Findings& out) {
  for (const NetworkPolicyRule& r : rules) {
    if (!r.has_peers && !r.has_ports) {
      out.add(kNetworkPolicyAllowAll.info, np.meta, r.loc,
              std::string("empty ") + dir + " rule ({}) allows all traffic on every port");
      continue;
    }
    for (const NetworkPolicyPeer& p : r.peers) {
      if (p.namespace_selector.present && p.namespace_selector.empty() &&
          (!p.pod_selector.present || p.pod_selector.empty())) {
        out.add(kNetworkPolicyAllowAll.info, np.meta, p.loc,
                std::string(peers) + " namespaceSelector: {} allows every pod in every namespace");
      } else if (p.has_ip_block && is_open_cidr(p.ip_block.cidr.value)) {
        out.add(kNetworkPolicyAllowAll.info, np.meta, p.ip_block.cidr.loc,
                std::string(peers) + " ipBlock " + std::string(p.ip_block.cidr.value) + " allows every address");
      }
    }
  }
}

void check_allow_all(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const NetworkPolicy& np : c.network_policies) {
    if (np.affects_ingress()) check_rules(np, np.ingress, "ingress", "from:", out);
    if (np.affects_egress()) check_rules(np, np.egress, "egress", "to:", out);
  }
}

}  // namespace

const Rule kNetworkPolicyAllowAll{
    .info = {.id = "IG501",
             .title = "NetworkPolicy allows all traffic",
             .severity = Severity::High,
             .category = "network-policy",
             .rationale = "An empty rule, namespaceSelector: {} without a pod selector, or ipBlock 0.0.0.0/0 cancels the "
                          "isolation the policy seems to provide; policies add up, so one such rule opens the pods it selects.",
             .remediation = "Name the allowed peers: the ingress controller's namespace and pods, by kubernetes.io/metadata.name.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/network-policies/"}},
    .check = &check_allow_all,
};

}  // namespace ig::rules
