// Flag and no-flag tests for the exposure rules on top of the NetworkPolicy engine (IG502-IG507).
#include <gtest/gtest.h>

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
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG504"), Lines{line_of(t, "app: wbe")});
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
  auto open = scan_text(controller);
  EXPECT_EQ(open->lines("IG506"), Lines{line_of(controller, "name: ctrl")});
  EXPECT_EQ(scan_text(controller + policy)->count("IG506"), 0u);
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

}  // namespace ig

namespace ig {

// Tests IG508: a workload no policy selects is reported; one selected by any policy (even egress-only) is not.
TEST(ExposureRules, WorkloadSelectedByNoPolicy) {
  std::string t = app("a") + app("b") +
                  "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: b}\n"
                  "spec: {podSelector: {}, policyTypes: [Egress]}\n";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG508"), Lines{line_of(t, "name: web-a")});
}

}  // namespace ig
