#include <gtest/gtest.h>

#include "test_support.h"

namespace ig {

using testing::scan_text;
using Lines = std::vector<uint32_t>;

namespace {
// The chart's ConfigMap with the given data lines (data starts at line 8).
std::string controller_cm(const std::string& data) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\n"
         "  labels: {app.kubernetes.io/name: ingress-nginx}\n  # data follows\ndata:\n" +
         data;
}
}  // namespace

// Tests each ConfigMap setting rule on an insecure controller ConfigMap.
TEST(ControllerConfig, InsecureSettingsFlagged) {
  auto r = scan_text(controller_cm(
      "  allow-snippet-annotations: \"true\"\n"           // 9
      "  annotations-risk-level: Critical\n"              // 10
      "  ssl-protocols: \"TLSv1 TLSv1.1 TLSv1.2\"\n"        // 11
      "  ssl-ciphers: \"ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:RC4-MD5\"\n"  // 12
      "  hsts-max-age: \"86400\"\n"                          // 13
      "  use-forwarded-headers: \"true\"\n"                  // 14
      "  strict-validate-path-type: \"false\"\n"             // 15
      "  server-tokens: \"true\"\n"));                       // 16
  EXPECT_EQ(r->lines("IG301"), (Lines{9}));
  EXPECT_EQ(r->lines("IG302"), (Lines{10}));
  EXPECT_EQ(r->lines("IG303"), (Lines{11}));
  EXPECT_EQ(r->lines("IG304"), (Lines{12}));
  EXPECT_EQ(r->lines("IG305"), (Lines{13}));
  EXPECT_EQ(r->lines("IG306"), (Lines{14}));
  EXPECT_EQ(r->lines("IG307"), (Lines{15}));
  EXPECT_EQ(r->lines("IG308"), (Lines{16}));
  bool names_rsa_suite = false;
  for (const Finding& f : r->findings)
    if (f.rule->id == "IG304") names_rsa_suite = f.message.find("AES128-SHA") != std::string::npos;
  EXPECT_TRUE(names_rsa_suite);
}

// Tests that the controller's defaults and hardened values produce no finding.
TEST(ControllerConfig, HardenedSettingsPass) {
  auto r = scan_text(controller_cm(
      "  allow-snippet-annotations: \"false\"\n"
      "  annotations-risk-level: High\n"
      "  ssl-protocols: \"TLSv1.2 TLSv1.3\"\n"
      "  ssl-ciphers: \"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305\"\n"
      "  hsts: \"true\"\n"
      "  hsts-max-age: \"31536000\"\n"
      "  use-forwarded-headers: \"true\"\n"
      "  proxy-real-ip-cidr: \"192.0.2.0/24\"\n"
      "  server-tokens: \"false\"\n"));
  EXPECT_TRUE(r->findings.empty()) << r->findings[0].rule->id << ": " << r->findings[0].message;
}

// Tests that hsts "false" is flagged and that an application ConfigMap with look-alike keys is ignored.
TEST(ControllerConfig, HstsOffAndOnlyControllerConfigMaps) {
  auto r = scan_text(controller_cm("  hsts: \"false\"\n") +
                     "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\n  namespace: shop\n"
                     "data:\n  server-tokens: \"true\"\n  hsts: \"false\"\n");
  EXPECT_EQ(r->lines("IG305"), (Lines{9}));
  EXPECT_EQ(r->count("IG308"), 0u);
}

// Tests that a ConfigMap named by the controller's --configmap argument is recognised.
TEST(ControllerConfig, FoundThroughControllerArgs) {
  auto r = scan_text(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: edge, namespace: edge}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.11.3
        args: ["/nginx-ingress-controller", "--configmap=$(POD_NAMESPACE)/edge-conf", "--configmap=edge/edge-conf"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: edge-conf, namespace: edge}
data:
  ssl-protocols: "SSLv3 TLSv1.2"
)");
  EXPECT_EQ(r->lines("IG303"), (Lines{18}));
}

}  // namespace ig
