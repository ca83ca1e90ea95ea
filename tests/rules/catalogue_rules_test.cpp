// Flag and no-flag tests for the catalogue rules of issue #3: each test holds
// objects that must be reported and objects that must not, and asserts the
// rule ID and the exact lines.
#include <gtest/gtest.h>

#include "test_support.h"

namespace ig {

using testing::line_of;
using testing::scan_text;
using Lines = std::vector<uint32_t>;

namespace {

std::string ingress(const std::string& name, const std::string& ns, const std::string& annotations,
                    const std::string& host = "a.example.com") {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n" + annotations + "spec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [" + host +
         "]\n  rules:\n  - host: " + host + "\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n" +
         "        backend: {service: {name: web, port: {number: 80}}}\n";
}

}  // namespace

// Tests that ssl-passthrough is flagged only together with controls it voids.
TEST(PassthroughVoidsControls, FlagsOnlyWithIgnoredControls) {
  std::string t = ingress("flag", "a",
                          "    nginx.ingress.kubernetes.io/ssl-passthrough: \"true\"\n"
                          "    nginx.ingress.kubernetes.io/auth-url: https://auth.example.com/\n") +
                  ingress("plain", "b", "    nginx.ingress.kubernetes.io/ssl-passthrough: \"true\"\n") +
                  ingress("off", "c",
                          "    nginx.ingress.kubernetes.io/ssl-passthrough: \"false\"\n"
                          "    nginx.ingress.kubernetes.io/limit-rps: \"5\"\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG204"), Lines{line_of(t, "ssl-passthrough")});
}

// Tests that mirrors to outside hosts are flagged, in-cluster mirrors are not, and mirror-host is never a
// destination: alone it mirrors nothing, beside an in-cluster mirror-target it only names the Host header.
TEST(MirrorExternal, FlagsOutsideHostsOnly) {
  std::string t = ingress("out", "a", "    nginx.ingress.kubernetes.io/mirror-target: https://collector.example.net/m$request_uri\n") +
                  ingress("svc", "b", "    nginx.ingress.kubernetes.io/mirror-target: http://shadow.b.svc.cluster.local/m\n") +
                  ingress("bare", "c", "    nginx.ingress.kubernetes.io/mirror-host: shadow\n") +
                  ingress("ip", "d", "    nginx.ingress.kubernetes.io/mirror-target: http://10.1.2.3:8080/\n") +
                  ingress("hostonly", "e", "    nginx.ingress.kubernetes.io/mirror-host: collector.example.org\n") +
                  ingress("hostheader", "f",
                          "    nginx.ingress.kubernetes.io/mirror-target: http://shadow.f.svc/m\n"
                          "    nginx.ingress.kubernetes.io/mirror-host: www.example.org\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG205"), Lines{line_of(t, "collector.example.net")});
}

// Tests that server-alias is flagged when another namespace serves the host, not for its own namespace's host.
TEST(ServerAliasTakeover, FlagsOtherNamespacesHost) {
  std::string t = ingress("owner", "pay", "    x: y\n", "pay.example.com") +
                  ingress("thief", "shop", "    nginx.ingress.kubernetes.io/server-alias: \"promo.example.com, PAY.example.com\"\n",
                          "shop.example.com") +
                  ingress("own", "pay", "    nginx.ingress.kubernetes.io/server-alias: pay.example.com\n", "www.example.com");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG206"), Lines{line_of(t, "promo.example.com, PAY")});
}

// Tests that optional client-certificate modes are flagged and "on" is not.
TEST(OptionalClientCert, FlagsOptionalModes) {
  std::string t = ingress("a", "a", "    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n") +
                  ingress("b", "b", "    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional_no_ca\n") +
                  ingress("c", "c", "    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG207"), (Lines{line_of(t, "client: optional\n"), line_of(t, "optional_no_ca")}));
}

// Tests CORS: default origin (*) with default credentials is flagged; a fixed origin or no credentials is not.
TEST(CorsAnyOriginCredentials, FlagsDefaultsAndStar) {
  std::string t = ingress("defaults", "a", "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n") +
                  ingress("star", "b",
                          "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n"
                          "    nginx.ingress.kubernetes.io/cors-allow-origin: \"*\"\n") +
                  ingress("fixed", "c",
                          "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n"
                          "    nginx.ingress.kubernetes.io/cors-allow-origin: https://app.example.com\n") +
                  ingress("nocreds", "d",
                          "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n"
                          "    nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\n") +
                  ingress("disabled", "e", "    nginx.ingress.kubernetes.io/cors-allow-origin: \"*\"\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG208"), (Lines{line_of(t, "enable-cors"), line_of(t, "cors-allow-origin: \"*\"")}));
}

// Tests that HTTPS/GRPCS backends without proxy-ssl-verify on are flagged.
TEST(UpstreamTlsUnverified, FlagsWithoutVerify) {
  std::string t = ingress("a", "a", "    nginx.ingress.kubernetes.io/backend-protocol: GRPCS\n") +
                  ingress("b", "b",
                          "    nginx.ingress.kubernetes.io/backend-protocol: HTTPS\n"
                          "    nginx.ingress.kubernetes.io/proxy-ssl-verify: \"on\"\n") +
                  ingress("c", "c", "    nginx.ingress.kubernetes.io/backend-protocol: HTTP\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG209"), Lines{line_of(t, "GRPCS")});
}

// Tests access-log off, unlimited body size, and their harmless counterparts.
TEST(AccessLogAndBodySize, FlagsOffAndZero) {
  std::string t = ingress("a", "a",
                          "    nginx.ingress.kubernetes.io/enable-access-log: \"false\"\n"
                          "    nginx.ingress.kubernetes.io/proxy-body-size: \"0\"\n") +
                  ingress("b", "b",
                          "    nginx.ingress.kubernetes.io/enable-access-log: \"true\"\n"
                          "    nginx.ingress.kubernetes.io/proxy-body-size: 10m\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG210"), Lines{line_of(t, "access-log: \"false\"")});
  EXPECT_EQ(r->lines("IG211"), Lines{line_of(t, "body-size: \"0\"")});
}

// Tests that redirect targets whose host comes from the request are flagged, fixed hosts are not.
TEST(OpenRedirect, FlagsRequestControlledHosts) {
  std::string t = ingress("a", "a", "    nginx.ingress.kubernetes.io/permanent-redirect: https://$arg_next\n") +
                  ingress("b", "b", "    nginx.ingress.kubernetes.io/auth-signin: https://$http_x_host/start\n") +
                  ingress("c", "c", "    nginx.ingress.kubernetes.io/auth-signin: https://auth.example.com/start?rd=$escaped_request_uri\n") +
                  ingress("d", "d", "    nginx.ingress.kubernetes.io/temporal-redirect: https://www.example.com$request_uri\n");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG212"), (Lines{line_of(t, "$arg_next"), line_of(t, "$http_x_host")}));
}

namespace {
std::string controller(const std::string& name, const std::string& image) {
  return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         ", namespace: ingress-nginx}\nspec:\n  template:\n    spec:\n      containers:\n      - name: controller\n"
         "        image: " + image + "\n";
}
}  // namespace

// Tests controller version rules on image tags, digests and old registries; F5's controller is not ingress-nginx.
TEST(ControllerVersions, ClassifiesImages) {
  std::string t = controller("nightmare", "registry.k8s.io/ingress-nginx/controller:v1.11.4@sha256:abcd") +
                  controller("twelve-zero", "registry.k8s.io/ingress-nginx/controller:v1.12.0") +
                  controller("fixed-nightmare", "registry.k8s.io/ingress-nginx/controller-chroot:v1.12.1") +
                  controller("fourteen", "registry.k8s.io/ingress-nginx/controller:v1.14.4") +
                  controller("last", "registry.k8s.io/ingress-nginx/controller:v1.15.1") +
                  controller("ancient", "quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.26.1") +
                  controller("untagged", "registry.k8s.io/ingress-nginx/controller@sha256:abcd") +
                  controller("f5", "nginx/nginx-ingress:3.7.0");
  auto r = scan_text(t);
  auto at = [&](const char* image) { return line_of(t, image); };
  // One finding per image, under the most severe rule that applies; the message names the rest.
  EXPECT_EQ(r->lines("IG311"), (Lines{at("controller:v1.11.4"), at("controller:v1.12.0"), at("0.26.1")}));
  EXPECT_EQ(r->lines("IG312"), (Lines{at("chroot:v1.12.1"), at("controller:v1.14.4")}));
  EXPECT_EQ(r->lines("IG310"), (Lines{at("controller:v1.15.1"), at("controller@sha256")}));
  EXPECT_EQ(r->count("IG313"), 0u);  // 0.26.1 is reported once, by IG311, naming the pre-1.9 defaults
  for (const Finding& f : r->findings) {
    if (f.loc.line != at("0.26.1")) continue;
    EXPECT_EQ(f.message,
                "ingress-nginx 0.26.1 is affected by IngressNightmare (CVE-2025-1974, unauthenticated RCE through the "
                "admission webhook); it also predates annotation validation and allows snippet annotations by default "
                "[IG313]; it also is retired (March 2026): no more security fixes, and its bundled nginx has unpatched "
                "CVEs [IG310]");
  }
  size_t on_images = 0;
  for (const Finding& f : r->findings) on_images += f.rule->id.starts_with("IG31");
  EXPECT_EQ(on_images, 7u);  // seven ingress-nginx images, seven findings
}

// Tests that the admission webhook Service is flagged when NodePort/LoadBalancer/externalIPs, not as ClusterIP.
TEST(AdmissionWebhookExposed, FlagsExposedTypes) {
  std::string t = R"(apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller-admission, namespace: ingress-nginx}
spec:
  type: NodePort
  ports: [{name: https-webhook, port: 443, targetPort: webhook}]
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller-admission, namespace: other}
spec:
  ports: [{name: https-webhook, port: 443, targetPort: webhook}]
---
apiVersion: v1
kind: Service
metadata: {name: payments-admission, namespace: pay}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [10.0.0.0/8]
  ports: [{port: 443, targetPort: 9443}]
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG314"), Lines{line_of(t, "type: NodePort")});
}

// Tests ExternalName targets: loopback, metadata and cluster-internal names flagged; external hosts not.
TEST(ExternalNameInternal, FlagsInternalTargets) {
  std::string t = R"(apiVersion: v1
kind: Service
metadata: {name: a}
spec: {type: ExternalName, externalName: localhost}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec: {type: ExternalName, externalName: 169.254.169.254}
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec: {type: ExternalName, externalName: vault.secrets.svc.cluster.local.}
---
apiVersion: v1
kind: Service
metadata: {name: d}
spec: {type: ExternalName, externalName: api.partner.example.com}
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG403"), (Lines{4, 9, 14}));
}

// Tests that a NodePort Service backing an Ingress is flagged; one not used by an Ingress, or in another namespace, is not.
TEST(BackendExposedDirectly, FlagsNodePortBackends) {
  std::string t = ingress("i", "a", "    x: y\n") + R"(---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec:
  type: NodePort
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: b}
spec:
  type: LoadBalancer
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: a}
spec:
  type: NodePort
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG404"), Lines{line_of(t, "type: NodePort")});
}

// Tests deprecated API versions, missing classes (only when classes are in the input) and multiple defaults.
TEST(IngressHygiene, DeprecatedMissingClassAndDefaults) {
  std::string t = R"(apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old, annotations: {kubernetes.io/ingress.class: gone}}
spec: {backend: {serviceName: web, servicePort: 80}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: new}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: public
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG112"), Lines{1});
  EXPECT_EQ(r->lines("IG113"), Lines{3});
  uint32_t first = line_of(t, "is-default-class");
  EXPECT_EQ(r->lines("IG114"), (Lines{first, first + 7}));
  // Without IngressClasses in the input, a missing class cannot be told apart from a partial input.
  auto partial = scan_text("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {ingressClassName: nginx}\n");
  EXPECT_EQ(partial->count("IG113"), 0u);
}

// Tests inline exemptions: a valid one suppresses only its rules (kept in the result with the reason); a malformed one is reported.
TEST(InlineExemption, SuppressesAndValidates) {
  std::string t = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: a
  annotations:
    ingressguard.io/ignore: "IG103, IG108: wildcard is owned by the platform team until 2027"
spec:
  rules:
  - host: "*.example.com"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: b
  annotations:
    ingressguard.io/ignore: "IG103"
spec:
  rules:
  - host: "*.example.org"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: c
  annotations:
    ingressguard.io/ignore: "IG999: no such rule"
spec:
  ingressClassName: nginx
)";
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG003"), (Lines{line_of(t, "\"IG103\""), line_of(t, "IG999")}));
  ASSERT_EQ(r->lines("IG103"), (Lines{line_of(t, "*.example.com"), line_of(t, "*.example.org")}));
  for (const Finding& f : r->findings) {
    bool in_a = f.resource.name == "a";
    bool exempt = in_a && (f.rule->id == "IG103" || f.rule->id == "IG108");
    EXPECT_EQ(f.suppressed != nullptr, exempt) << f.rule->id << " on " << f.resource.name;
    if (exempt) {
      EXPECT_EQ(f.suppressed->reason, "wildcard is owned by the platform team until 2027");
    }
  }
  EXPECT_GT(r->count("IG101"), 0u);  // IG101 on a is not exempted
}

}  // namespace ig

namespace ig {

// Tests ingress-nginx's value validators: booleans, integers, sizes, CIDRs and option lists (case rules included).
TEST(AnnotationValueInvalid, FlagsWhatTheControllerRefuses) {
  std::string bad = "    nginx.ingress.kubernetes.io/ssl-redirect: \"maybe\"\n"
                    "    nginx.ingress.kubernetes.io/limit-rps: \"ten\"\n"
                    "    nginx.ingress.kubernetes.io/proxy-body-size: \"8 MB\"\n"
                    "    nginx.ingress.kubernetes.io/whitelist-source-range: \"10.0.0.0/8, 300.1.1.1\"\n"
                    "    nginx.ingress.kubernetes.io/proxy-buffering: \"On\"\n";
  std::string good = "    nginx.ingress.kubernetes.io/ssl-redirect: \"TRUE\"\n"
                     "    nginx.ingress.kubernetes.io/limit-rps: \"10\"\n"
                     "    nginx.ingress.kubernetes.io/proxy-body-size: \"8m\"\n"
                     "    nginx.ingress.kubernetes.io/whitelist-source-range: \"10.0.0.0/8, 2001:db8::/32, 192.0.2.1\"\n"
                     "    nginx.ingress.kubernetes.io/proxy-buffering: \"on\"\n"
                     "    nginx.ingress.kubernetes.io/backend-protocol: \"grpcs\"\n"
                     "    nginx.ingress.kubernetes.io/session-cookie-samesite: \"Strict\"\n";
  std::string t = ingress("bad", "a", bad) + ingress("good", "b", good);
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG213"), (Lines{line_of(t, "maybe"), line_of(t, "ten"), line_of(t, "8 MB"), line_of(t, "300.1.1.1"),
                                      line_of(t, "\"On\"")}));
}

// Tests that IG112 names each kind's own removal and migration: pathType and the backend form for an Ingress,
// nothing of the sort for a NetworkPolicy (removed in 1.16) or an IngressClass; v1 objects are not flagged.
TEST(DeprecatedApi, MessageFitsTheKind) {
  std::string t =
      "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {podSelector: {}}\n---\n"
      "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: old, namespace: a}\n"
      "spec: {rules: [{host: a.example.com, http: {paths: [{path: /, backend: {serviceName: web, servicePort: 80}}]}}]}\n---\n"
      "apiVersion: networking.k8s.io/v1beta1\nkind: IngressClass\nmetadata: {name: c}\nspec: {controller: k8s.io/ingress-nginx}\n---\n"
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: new, namespace: a}\nspec: {podSelector: {}}\n";
  auto r = scan_text(t);
  ASSERT_EQ(r->lines("IG112"), (Lines{1, 6, 11}));
  std::string np = r->message("IG112", 1), ing = r->message("IG112", 6), ic = r->message("IG112", 11);
  EXPECT_NE(np.find("since Kubernetes 1.16"), std::string::npos) << np;
  EXPECT_EQ(np.find("pathType"), std::string::npos) << np;
  EXPECT_NE(ing.find("since Kubernetes 1.22"), std::string::npos) << ing;
  EXPECT_NE(ing.find("pathType"), std::string::npos) << ing;
  EXPECT_EQ(ic.find("pathType"), std::string::npos) << ic;
}

// Tests the controller's character-class validators: characters outside an annotation's class (a pipe or angle
// bracket in auth-url, an nginx variable in permanent-redirect, a quote in server-alias) are refused; nginx
// variables where the class allows them, regex server names, and spaces where they are removed first are not.
TEST(AnnotationValueInvalid, FlagsCharactersTheValidatorRefuses) {
  std::string bad = "    nginx.ingress.kubernetes.io/auth-url: \"http://auth.svc/check|curl\"\n"
                    "    nginx.ingress.kubernetes.io/auth-signin: \"https://login.example.com/<script>\"\n"
                    "    nginx.ingress.kubernetes.io/permanent-redirect: \"https://www.example.com$request_uri\"\n"
                    "    nginx.ingress.kubernetes.io/server-alias: \"a.example.com, b.example.com'\"\n"
                    "    nginx.ingress.kubernetes.io/auth-realm: \"Realm\\\\x\"\n";
  std::string good = "    nginx.ingress.kubernetes.io/auth-url: \"http://auth.svc:8080/check?rd=$escaped_request_uri&x=1\"\n"
                     "    nginx.ingress.kubernetes.io/auth-signin: \"https://$host/oauth2/start?rd=$escaped_request_uri\"\n"
                     "    nginx.ingress.kubernetes.io/permanent-redirect: \"https://www.example.com/new?from=old\"\n"
                     "    nginx.ingress.kubernetes.io/server-alias: \"~^www\\\\d+\\\\.example\\\\.com$, *.example.org\"\n"
                     "    nginx.ingress.kubernetes.io/auth-realm: \"Authentication Required - shop\"\n"
                     "    nginx.ingress.kubernetes.io/auth-response-headers: \"X-User, X-Email\"\n";
  std::string t = ingress("bad", "a", bad) + ingress("good", "b", good);
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG213"), (Lines{line_of(t, "check|curl"), line_of(t, "<script>"), line_of(t, "$request_uri"),
                                      line_of(t, "b.example.com'"), line_of(t, "Realm")}));
  EXPECT_NE(r->message("IG213", line_of(t, "check|curl")).find("contains '|'"), std::string::npos);
}

// Tests the risk level: only when a controller ConfigMap sets it; annotations above it are reported.
TEST(AnnotationAboveRiskLevel, UsesTheControllersLevel) {
  std::string ing = ingress("i", "a",
                            "    nginx.ingress.kubernetes.io/server-alias: b.example.com\n"
                            "    nginx.ingress.kubernetes.io/limit-rps: \"5\"\n"
                            "    nginx.ingress.kubernetes.io/auth-url: https://auth.example.com/\n");
  std::string cm = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\n"
                   "data:\n  annotations-risk-level: Medium\n";
  auto r = scan_text(ing + cm);
  std::string t = ing + cm;
  EXPECT_EQ(r->lines("IG214"), (Lines{line_of(t, "server-alias"), line_of(t, "auth-url")}));
  EXPECT_EQ(scan_text(ing)->count("IG214"), 0u);  // level unknown: nothing said
}

}  // namespace ig
