// Table-driven tests of NetworkPolicy semantics: each row is a small cluster,
// a source and a destination, and the connections that must be allowed.
#include <gtest/gtest.h>

#include "graph/netpol.h"
#include "test_support.h"

namespace ig {

namespace {

const char* kPods = R"(
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {team: ops}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
spec:
  containers:
  - name: c
    ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: ops, labels: {app: probe}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: stray, namespace: undeclared, labels: {app: probe}}
spec: {containers: [{name: c}]}
)";

struct Row {
  const char* name;
  const char* policies;
  const char* src;  // namespace/name
  const char* dst;
  const char* conn;
};

const Workload* find(const Cluster& c, std::string_view id) {
  for (const Workload& w : c.workloads)
    if (std::string(w.meta.effective_ns()) + "/" + std::string(w.meta.name) == id) return &w;
  return nullptr;
}

const Row kRows[] = {
    {"no policy: everything is allowed", "", "ops/probe", "shop/web", "All Connections"},
    {"empty podSelector with no rules isolates every pod of the namespace",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n",
     "ops/probe", "shop/web", "No Connections"},
    {"a policy only isolates pods in its own namespace",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: ops}\nspec: {podSelector: {}}\n",
     "ops/probe", "shop/web", "All Connections"},
    {"matchLabels selects the destination; podSelector peer means the policy's namespace only",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n"
     "  ingress: [{from: [{podSelector: {matchLabels: {app: probe}}}]}]\n",
     "ops/probe", "shop/db", "No Connections"},
    {"matchExpressions NotIn",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n"
     "  ingress: [{from: [{podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}}]}]\n",
     "shop/web", "shop/db", "No Connections"},
    {"namespaceSelector on kubernetes.io/metadata.name, even for a namespace never declared",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: undeclared}}}]}]\n",
     "undeclared/stray", "shop/web", "All Connections"},
    {"namespaceSelector and podSelector in one peer: both must match (AND)",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: web}}}]}]\n",
     "ops/probe", "shop/web", "No Connections"},
    {"the same selectors as two peers: either may match (OR)",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}, {podSelector: {matchLabels: {app: web}}}]}]\n",
     "ops/probe", "shop/web", "All Connections"},
    {"ports: numbers, a range with endPort, and a named port resolved on the destination",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{ports: [{port: 443}, {port: 9000, endPort: 9010}, {port: http}, {port: dns, protocol: UDP}]}]\n",
     "ops/probe", "shop/web", "TCP 443,8080,9000-9010,UDP 53"},
    {"a named port the destination lacks allows nothing",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{ports: [{port: http}]}]\n",
     "ops/probe", "shop/db", "No Connections"},
    {"policyTypes absent with egress rules: egress is isolated too",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ops}\nspec:\n  podSelector: {}\n"
     "  egress: [{to: [{namespaceSelector: {matchLabels: {team: ops}}}]}]\n",
     "ops/probe", "shop/web", "No Connections"},
    {"egress: [] without policyTypes isolates no egress (the API server adds Egress only for egress rules)",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ops}\nspec:\n  podSelector: {}\n"
     "  egress: []\n",
     "ops/probe", "shop/web", "All Connections"},
    {"policyTypes: [] is defaulted like an absent one: Ingress",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  policyTypes: []\n",
     "ops/probe", "shop/web", "No Connections"},
    {"policyTypes [Egress] leaves ingress open",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  policyTypes: [Egress]\n",
     "ops/probe", "shop/web", "All Connections"},
    {"several policies add up",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{ports: [{port: 80}]}]\n---\n"
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n"
     "  ingress: [{ports: [{port: 443}]}]\n",
     "ops/probe", "shop/web", "TCP 80,443"},
    {"egress and ingress both apply: the intersection",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: ops}\nspec:\n  podSelector: {}\n"
     "  policyTypes: [Egress]\n  egress: [{ports: [{port: 80}, {port: 443}]}]\n---\n"
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{ports: [{port: 443}, {port: 8443}]}]\n",
     "ops/probe", "shop/web", "TCP 443"},
    {"ipBlock peers never match pods",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
     "  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n",
     "ops/probe", "shop/web", "No Connections"},
};

}  // namespace

// Tests each semantic row of the table through the real loader and the engine.
TEST(NetpolSemantics, Table) {
  for (const Row& row : kRows) {
    auto r = testing::scan_text(std::string(kPods) + "---\n" + row.policies);
    ASSERT_TRUE(r->errors.empty()) << row.name << ": " << r->errors[0].message;
    const Workload* src = find(r->cluster, row.src);
    const Workload* dst = find(r->cluster, row.dst);
    ASSERT_TRUE(src && dst) << row.name;
    NetworkPolicyEngine engine(r->cluster);
    EXPECT_EQ(engine.allowed(*src, *dst).str(), row.conn) << row.name;
  }
}

// Tests ipBlock with except for addresses outside the cluster.
TEST(NetpolSemantics, IpBlockExcept) {
  auto r = testing::scan_text(std::string(kPods) +
                              "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\n"
                              "spec:\n  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n"
                              "    ports: [{port: 443}]\n");
  NetworkPolicyEngine engine(r->cluster);
  const Workload* web = find(r->cluster, "shop/web");
  ASSERT_TRUE(web);
  EXPECT_EQ(engine.ingress_from_address(*web, "10.2.3.4").str(), "TCP 443");
  EXPECT_EQ(engine.ingress_from_address(*web, "10.1.3.4").str(), "No Connections");
  EXPECT_EQ(engine.ingress_from_address(*web, "192.0.2.1").str(), "No Connections");
  EXPECT_TRUE(engine.ingress_isolated(*web));
  EXPECT_FALSE(engine.egress_isolated(*web));
}

// Tests the connection-set algebra and its printing.
TEST(ConnSet, UnionIntersectionAndText) {
  ConnSet a;
  a.add_range(ConnSet::TCP, 80, 80);
  a.add_range(ConnSet::TCP, 81, 90);
  a.add_range(ConnSet::UDP, 53, 53);
  EXPECT_EQ(a.str(), "TCP 80-90,UDP 53");
  ConnSet b;
  b.add_range(ConnSet::TCP, 85, 100);
  b.add_range(ConnSet::SCTP, 1, 5);
  EXPECT_EQ((a & b).str(), "TCP 85-90");
  a |= b;
  EXPECT_EQ(a.str(), "SCTP 1-5,TCP 80-100,UDP 53");
  EXPECT_EQ(ConnSet::all().str(), "All Connections");
  EXPECT_EQ((ConnSet::all() & ConnSet::none()).str(), "No Connections");
  EXPECT_EQ((ConnSet::all() & a), a);
}

}  // namespace ig
