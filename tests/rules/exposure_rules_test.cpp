// Flag and no-flag tests for the exposure rules on top of the NetworkPolicy engine (IG502-IG507).
#include <gtest/gtest.h>

#include "policy/policy.h"
#include "test_support.h"

namespace ig {

using testing::line_of;
using testing::scan_text;
using Lines = std::vector<uint32_t>;

namespace {

// An Ingress in `ns` routing to Service web, which selects the pod app=web.
std::string app(const std::string& ns) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: " + ns +
         "}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: " + ns +
         ".example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n"
         "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: " + ns +
         "}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-" + ns + ", namespace: " + ns +
         "}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
         "    spec: {containers: [{name: c, image: web, ports: [{containerPort: 8080}]}]}\n";
}

std::string deny_and_allow_controller(const std::string& ns) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: " + ns +
         "}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n"
         "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-controller, namespace: " + ns +
         "}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n"
         "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}\n"
         "      podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}\n";
}

}  // namespace

// Tests that a backend with no policy is reachable from any namespace, and one guarded by policies is not.
TEST(ExposureRules, BackendOpenToClusterAndDefaultDeny) {
  std::string open = app("open");
  std::string guarded = app("guarded") + deny_and_allow_controller("guarded");
  std::string t = open + guarded;
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG502"), Lines{line_of(t, "name: web-open")});
  EXPECT_EQ(r->lines("IG503"), Lines{line_of(t, "name: web-open")});  // no Namespace object: reported on the workload
  for (const Finding& f : r->findings) {
    if (f.rule->id != "IG502") continue;  // the connections in words, not the analyzer's set notation
    EXPECT_EQ(f.message, "backend of Ingress i accepts all connections from any pod in any namespace, not only from the "
                           "ingress controller (as far as the NetworkPolicies in the input go)");
  }
}

// Tests a backend as a live cluster holds it: the Deployment, its ReplicaSet and the ReplicaSet's Pod all carry
// the selected labels; the open backend is one finding, on the Deployment. A Pod whose owner is not in the input
// stands for itself and is flagged.
TEST(ExposureRules, BackendJudgedThroughItsOwner) {
  std::string owned = "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-rs\n  namespace: open\n"
                      "  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web-open, controller: true}]\n"
                      "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
                      "    spec: {containers: [{name: c, image: web}]}\n"
                      "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-rs-x\n  namespace: open\n  labels: {app: web}\n"
                      "  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-rs, controller: true}]\n"
                      "spec: {containers: [{name: c, image: web}]}\n";
  std::string t = app("open") + owned;
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG502"), Lines{line_of(t, "name: web-open")});
  // Without the ReplicaSet and Deployment, the pod is the workload.
  std::string orphan = app("open");
  orphan = orphan.substr(0, orphan.find("---\napiVersion: apps/v1\nkind: Deployment")) + owned.substr(owned.find("---\napiVersion: v1\nkind: Pod"));
  auto o = scan_text(orphan);
  EXPECT_EQ(o->lines("IG502"), Lines{line_of(orphan, "name: web-rs-x")});
}

// Tests policies and peers that match nothing, only where the input holds the namespace's workloads.
TEST(ExposureRules, PolicyAndPeerMatchingNothing) {
  std::string t = app("shop") +
                  "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: typo, namespace: shop}\n"
                  "spec:\n  podSelector: {matchLabels: {app: wbe}}\n"
                  "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: peers, namespace: shop}\n"
                  "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n"
                  "    - podSelector: {matchLabels: {role: nothing}}\n    - podSelector: {matchLabels: {app: web}}\n"
                  "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: elsewhere, namespace: empty}\n"
                  "spec:\n  podSelector: {matchLabels: {app: x}}\n";
  // Files are a partial view: pods may come from objects elsewhere or from kinds the input does not
  // know (an operator's custom resources), so nothing is claimed ...
  auto partial = scan_text(t);
  EXPECT_EQ(partial->count("IG504"), 0u);
  EXPECT_EQ(partial->count("IG505"), 0u);
  // ... unless the policy says the input is the whole cluster.
  Policy complete;
  complete.complete_input = true;
  RuleSettings settings;
  settings.policy = &complete;
  auto r = scan_text(t, InputFormat::Yaml, settings);
  EXPECT_EQ(r->lines("IG504"), (Lines{line_of(t, "app: wbe"), line_of(t, "app: x")}));
  EXPECT_EQ(r->lines("IG505"), Lines{line_of(t, "role: nothing")});
}

// Tests the admission webhook: reachable without a policy, closed by one that admits 8443 only from an ipBlock.
TEST(ExposureRules, WebhookReachableFromPods) {
  std::string controller =
      "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ctrl, namespace: ingress-nginx}\nspec:\n"
      "  template:\n    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}\n"
      "    spec: {containers: [{name: c, image: registry.k8s.io/ingress-nginx/controller:v1.15.1}]}\n";
  std::string policy =
      "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ingress-nginx}\n"
      "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 80}, {port: 443}]\n"
      "  - from: [{ipBlock: {cidr: 10.0.0.0/28}}]\n    ports: [{port: 8443}]\n";
  // No webhook configured: nothing to reach.
  EXPECT_EQ(scan_text(controller)->count("IG506"), 0u);
  std::string webhook = controller;
  webhook.replace(webhook.find("}]}\n"), 4, ", args: [/nginx-ingress-controller, --validating-webhook=:8443]}]}\n");
  auto open = scan_text(webhook);
  EXPECT_EQ(open->lines("IG506"), Lines{line_of(webhook, "name: ctrl")});
  EXPECT_EQ(scan_text(webhook + policy)->count("IG506"), 0u);
}

// Tests hostPort and hostNetwork, and a plain containerPort that is neither.
TEST(ExposureRules, HostPorts) {
  std::string t = R"(apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - name: c
    ports:
    - containerPort: 8080
      hostPort: 80
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  hostNetwork: true
  containers: [{name: c}]
---
apiVersion: v1
kind: Pod
metadata: {name: c}
spec:
  containers: [{name: c, ports: [{containerPort: 8080}]}]
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG507"), (Lines{line_of(t, "- containerPort: 8080"), line_of(t, "hostNetwork")}));
}

// Tests that an ingress controller's host ports 80/443 are its front door, not a bypass, while its
// stats port on the node is still reported; other workloads on the host network are reported.
TEST(ExposureRules, ControllerHostPortsAreTheFrontDoor) {
  std::string t = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: haproxy, namespace: ingress}
spec:
  template:
    spec:
      containers:
      - name: controller
        image: haproxytech/kubernetes-ingress:3.0.1
        ports:
        - name: http
          containerPort: 8080
          hostPort: 8080
        - name: https
          containerPort: 8443
          hostPort: 8443
        - name: stat
          containerPort: 1024
          hostPort: 1024
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: envoy, namespace: projectcontour}
spec:
  template:
    spec:
      containers:
      - name: envoy
        image: docker.io/envoyproxy/envoy:v1.31.0
        ports:
        - containerPort: 8080
          hostPort: 80
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: installer, namespace: kube-system}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: i, image: busybox}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: a, image: agent, ports: [{containerPort: 9100}]}]
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG507"), (Lines{line_of(t, "- name: stat"), line_of(t, "hostNetwork: true\n      containers: [{name: i"),
                                      line_of(t, "hostNetwork: true\n      containers: [{name: a")}));
}

}  // namespace ig

namespace ig {

// Tests IG508: in a namespace with policies, a workload none of them selects is reported; one selected
// by any policy (even egress-only) is not; a namespace without any policy gives no IG508 per workload.
TEST(ExposureRules, WorkloadSelectedByNoPolicy) {
  std::string t = app("a") + app("b") + app("c") +
                  "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: b}\n"
                  "spec: {podSelector: {}, policyTypes: [Egress]}\n"
                  "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: other, namespace: a}\n"
                  "spec: {podSelector: {matchLabels: {app: nobody}}, policyTypes: [Ingress]}\n";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG508"), Lines{line_of(t, "name: web-a")});
}

// Tests IG508's root-cause note for a namespace without any NetworkPolicy and without Ingress backends: on complete
// input, one finding on its first workload naming them all (not one per workload); on a partial view nothing (the
// cluster may hold policies the files do not); a namespace that serves Ingress backends is IG503's, not IG508's.
TEST(ExposureRules, NamespaceWithoutPoliciesOnCompleteInput) {
  std::string t = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: batch}
spec: {template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: c, image: worker}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: queue, namespace: batch}
spec: {template: {metadata: {labels: {app: queue}}, spec: {containers: [{name: c, image: queue}]}}}
)" + app("shop");
  EXPECT_EQ(scan_text(t)->count("IG508"), 0u);
  Policy complete;
  complete.complete_input = true;
  RuleSettings settings;
  settings.policy = &complete;
  auto r = scan_text(t, InputFormat::Yaml, settings);
  ASSERT_EQ(r->lines("IG508"), Lines{line_of(t, "name: worker")});
  for (const Finding& x : r->findings) {
    if (x.rule->id == "IG508") {
      EXPECT_EQ(x.message, "namespace batch has no NetworkPolicy (complete input): its 2 workloads (worker, queue) accept "
                           "connections from every pod and may connect anywhere");
    }
  }
  EXPECT_EQ(r->count("IG503"), 1u);  // shop, with its Ingress backend
  // A policy in the namespace: the note goes, and each workload it leaves out is judged on its own.
  std::string with_policy = t + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q, namespace: batch}\n"
                                "spec: {podSelector: {matchLabels: {app: queue}}, policyTypes: [Ingress]}\n";
  auto p = scan_text(with_policy, InputFormat::Yaml, settings);
  EXPECT_EQ(p->lines("IG508"), Lines{line_of(with_policy, "name: worker")});
  for (const Finding& x : p->findings) {
    if (x.rule->id == "IG508") {
      EXPECT_EQ(x.message.rfind("no NetworkPolicy selects these pods", 0), 0u) << x.message;
    }
  }
}

// Tests the root cause of a namespace without any NetworkPolicy: one IG503 that names its workloads
// (low and "in the input" when the input does not create the namespace), and no IG508 per workload.
TEST(ExposureRules, NamespaceWithoutPoliciesIsOneFinding) {
  std::string t = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: web}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec: {template: {metadata: {labels: {app: cart}}, spec: {containers: [{name: c, image: cart}]}}}
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->count("IG508"), 0u);
  ASSERT_EQ(r->count("IG503"), 1u);
  const Finding* f = nullptr;
  for (const Finding& x : r->findings)
    if (x.rule->id == "IG503") f = &x;
  EXPECT_EQ(f->severity, Severity::Low);
  EXPECT_EQ(f->message,
            "namespace shop serves Ingress backends but has no default-deny ingress NetworkPolicy in the input; no "
            "NetworkPolicy selects its 2 workloads (web, cart)");
  // The input creates the namespace: it holds the namespace's policies, so the claim is medium.
  std::string owned = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" + t;
  auto o = scan_text(owned);
  ASSERT_EQ(o->lines("IG503"), Lines{3});
  for (const Finding& x : o->findings) {
    if (x.rule->id == "IG503") {
      EXPECT_EQ(x.severity, Severity::Medium) << x.message;
    }
  }
}

// Tests that a Pod whose owner is not in the input counts as a workload of its own, and one whose
// ReplicaSet is in the input is judged through it.
TEST(ExposureRules, PodsWithoutTheirOwnerAreWorkloads) {
  std::string t = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: some, namespace: a}
spec: {podSelector: {matchLabels: {app: x}}, policyTypes: [Ingress]}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan-abc
  namespace: a
  labels: {app: y}
  ownerReferences: [{kind: ReplicaSet, name: gone-123, controller: true}]
spec: {containers: [{name: c, image: y}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: kept-1, namespace: a}
spec: {template: {metadata: {labels: {app: z}}, spec: {containers: [{name: c, image: z}]}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: kept-1-xyz
  namespace: a
  labels: {app: z}
  ownerReferences: [{kind: ReplicaSet, name: kept-1, controller: true}]
spec: {containers: [{name: c, image: z}]}
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG508"), (Lines{line_of(t, "name: orphan-abc"), line_of(t, "metadata: {name: kept-1,")}));
}

}  // namespace ig
