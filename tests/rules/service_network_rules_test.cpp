#include <gtest/gtest.h>

#include "test_support.h"

namespace ig {

using testing::scan_text;
using Lines = std::vector<uint32_t>;

// Tests that public LoadBalancers without source ranges (or with 0.0.0.0/0) are flagged; internal or restricted are not.
TEST(LoadBalancerOpen, Flags) {
  auto r = scan_text(R"(apiVersion: v1
kind: Service
metadata: {name: open}
spec:
  type: LoadBalancer
---
apiVersion: v1
kind: Service
metadata: {name: world}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]
---
apiVersion: v1
kind: Service
metadata: {name: restricted}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]
---
apiVersion: v1
kind: Service
metadata:
  name: internal
  annotations:
    networking.gke.io/load-balancer-type: Internal
spec:
  type: LoadBalancer
---
apiVersion: v1
kind: Service
metadata: {name: cluster}
spec:
  ports: [{port: 80}]
)");
  EXPECT_EQ(r->lines("IG401"), (Lines{5, 12}));
}

// Tests that externalIPs are flagged at the field.
TEST(ExternalIps, Flags) {
  auto r = scan_text(R"(apiVersion: v1
kind: Service
metadata: {name: a}
spec:
  externalIPs:
  - 192.0.2.10
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec:
  externalIPs: []
)");
  EXPECT_EQ(r->lines("IG402"), (Lines{6}));
}

// Tests the three allow-all shapes and that default-deny and scoped policies pass.
TEST(NetworkPolicyAllowAll, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all-namespaces, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: world, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock:
        cidr: 0.0.0.0/0
        except: [169.254.169.254/32]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
      podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  - ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-ignored, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: metrics-from-anywhere, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {}}]
    ports: [{port: 9090}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-everywhere, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - {}
  - to: [{namespaceSelector: {}}]
)");
  // Flagged: rules that admit every source on every port to every pod of the namespace. Not
  // flagged: the same opened for named pods (declared public; IG502 judges Ingress backends),
  // a peer limited to a port, and egress (not who reaches the pods).
  EXPECT_EQ(r->lines("IG501"), (Lines{7, 26}));
}

// Tests IG509: a peer with an ipBlock and a selector makes the API server refuse the policy; it is
// reported once at that peer and not judged further (its allow-all rule is not IG501's), while a
// policy with the two in separate peers is valid.
TEST(NetworkPolicyRejected, IpBlockWithSelector) {
  std::string t = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: mixed, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - {}
  - from:
    - ipBlock: {cidr: 10.0.0.0/8}
      namespaceSelector: {matchLabels: {team: ops}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: split, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8}
    - namespaceSelector: {matchLabels: {team: ops}}
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG509"), Lines{testing::line_of(t, "- ipBlock: {cidr: 10.0.0.0/8}\n      namespaceSelector")});
  EXPECT_EQ(r->count("IG501"), 0u);
  EXPECT_EQ(r->cluster.network_policies.size(), 1u);  // the refused one is not in the snapshot
}

}  // namespace ig
