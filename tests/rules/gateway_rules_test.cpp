// Gateway API rules (IG1001-IG1013): a flag and a no-flag case each, with
// manifests written after the gateway.networking.k8s.io/v1 reference.
#include <gtest/gtest.h>

#include "tests/test_support.h"

using ig::testing::line_of;
using ig::testing::scan_text;

namespace {

// A Gateway in namespace infra with the listeners given (YAML list items, 4-space indent).
std::string gateway(const std::string& listeners, const std::string& extra_spec = "") {
  return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: public\n  namespace: infra\n"
         "spec:\n  gatewayClassName: eg\n" + extra_spec + "  listeners:\n" + listeners;
}

const std::string kHttpsListener =
    "  - name: https\n    protocol: HTTPS\n    port: 443\n    hostname: shop.example.com\n"
    "    tls:\n      certificateRefs:\n      - name: shop-tls\n"
    "    allowedRoutes:\n      namespaces:\n        from: Selector\n        selector:\n          matchLabels:\n"
    "            kubernetes.io/metadata.name: shop\n";

std::string route(const std::string& name, const std::string& ns, const std::string& hostnames, const std::string& rules,
                  const std::string& section = "https") {
  return "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  parentRefs:\n  - name: public\n    namespace: infra\n    sectionName: " + section + "\n  hostnames: [" +
         hostnames + "]\n  rules:\n" + rules;
}

const std::string kWebRule = "  - backendRefs:\n    - name: web\n      port: 80\n";

}  // namespace

TEST(GatewayListenerFromAll, Flags) {
  std::string y = gateway("  - name: web\n    protocol: HTTP\n    port: 80\n    hostname: shop.example.com\n"
                          "    allowedRoutes:\n      namespaces:\n        from: All\n");
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1001"), std::vector<uint32_t>{line_of(y, "from: All")});
}

TEST(GatewayListenerFromAll, SameAndNamedSelectorPass) {
  auto s = scan_text(gateway(kHttpsListener + "  - name: internal\n    protocol: HTTPS\n    port: 8443\n    hostname: a.example.com\n"));
  EXPECT_EQ(s->count("IG1001"), 0u);
  EXPECT_EQ(s->count("IG1002"), 0u);  // kubernetes.io/metadata.name is set by the API server
}

TEST(GatewayListenerSelector, FlagsMutableLabelsAndEmptySelector) {
  std::string y = gateway("  - name: a\n    protocol: HTTPS\n    port: 443\n    hostname: a.example.com\n"
                          "    allowedRoutes:\n      namespaces:\n        from: Selector\n        selector:\n"
                          "          matchLabels:\n            shared-gateway-access: \"true\"\n"
                          "  - name: b\n    protocol: HTTPS\n    port: 443\n    hostname: b.example.com\n"
                          "    allowedRoutes:\n      namespaces:\n        from: Selector\n        selector: {}\n");
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1002"), (std::vector<uint32_t>{line_of(y, "matchLabels:\n            shared"),
                                                       line_of(y, "selector: {}")}));
}

TEST(GatewayListenerNoHostname, FlagsOnlyWhenOtherNamespacesAttach) {
  std::string y = gateway("  - name: shared\n    protocol: HTTPS\n    port: 443\n"
                          "    allowedRoutes:\n      namespaces:\n        from: All\n"
                          "  - name: own\n    protocol: HTTP\n    port: 80\n");
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1003"), std::vector<uint32_t>{line_of(y, "- name: shared")});
}

TEST(GatewayPlainHttp, FlagsRouteOnHttpListenerWithoutRedirect) {
  std::string listeners = kHttpsListener +
                          "  - name: http\n    protocol: HTTP\n    port: 80\n    hostname: shop.example.com\n"
                          "    allowedRoutes:\n      namespaces:\n        from: Same\n";
  std::string y = gateway(listeners) + route("plain", "infra", "shop.example.com", kWebRule, "http");
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1004"), std::vector<uint32_t>{line_of(y, "hostnames: [shop.example.com]\n  rules:\n  - backendRefs")});
}

TEST(GatewayPlainHttp, RedirectRoutePasses) {
  std::string listeners = kHttpsListener +
                          "  - name: http\n    protocol: HTTP\n    port: 80\n    hostname: shop.example.com\n";
  std::string y = gateway(listeners) +
                  route("redirect", "infra", "shop.example.com",
                        "  - filters:\n    - type: RequestRedirect\n      requestRedirect:\n        scheme: https\n"
                        "        statusCode: 301\n",
                        "http");
  auto s = scan_text(y);
  EXPECT_EQ(s->count("IG1004"), 0u);
}

TEST(GatewayWeakTls, FlagsListenerOptionAndClientTrafficPolicy) {
  std::string y = gateway("  - name: https\n    protocol: HTTPS\n    port: 443\n    hostname: a.example.com\n"
                          "    tls:\n      certificateRefs:\n      - name: a-tls\n      options:\n"
                          "        example.com/min-tls-version: \"1.0\"\n") +
                  "---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: ClientTrafficPolicy\nmetadata:\n  name: tls\n"
                  "  namespace: infra\nspec:\n  targetRefs:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n"
                  "    name: public\n  tls:\n    minVersion: \"1.1\"\n";
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1005"), (std::vector<uint32_t>{line_of(y, "min-tls-version"), line_of(y, "minVersion")}));
}

TEST(GatewayWeakTls, TwelvePasses) {
  auto s = scan_text("apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: ClientTrafficPolicy\nmetadata:\n  name: tls\n"
                     "  namespace: infra\nspec:\n  targetRefs:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n"
                     "    name: public\n  tls:\n    minVersion: \"1.2\"\n");
  EXPECT_EQ(s->count("IG1005"), 0u);
}

TEST(GatewayInsecureFallback, FlagsFallbackNotValidOnly) {
  std::string tls = "  tls:\n    frontend:\n      default:\n        validation:\n          caCertificateRefs:\n"
                    "          - kind: ConfigMap\n            group: \"\"\n            name: client-ca\n"
                    "          mode: AllowInsecureFallback\n"
                    "      perPort:\n      - port: 8443\n        tls:\n          validation:\n"
                    "            caCertificateRefs:\n            - kind: ConfigMap\n              group: \"\"\n"
                    "              name: client-ca\n";
  std::string y = gateway(kHttpsListener, tls);
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1006"), std::vector<uint32_t>{line_of(y, "mode: AllowInsecureFallback")});
}

TEST(ReferenceGrant, FlagsUnnamedSecretsAndServices) {
  std::string y =
      "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: certs\n  namespace: shop\n"
      "spec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n    namespace: infra\n  to:\n"
      "  - group: \"\"\n    kind: Secret\n"
      "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ReferenceGrant\nmetadata:\n  name: services\n  namespace: shop\n"
      "spec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    namespace: web\n  to:\n"
      "  - group: \"\"\n    kind: Service\n"
      "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ReferenceGrant\nmetadata:\n  name: named\n  namespace: shop\n"
      "spec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n    namespace: infra\n  to:\n"
      "  - group: \"\"\n    kind: Secret\n    name: shop-tls\n";
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1007"), std::vector<uint32_t>{line_of(y, "- group: \"\"\n    kind: Secret\n---")});
  EXPECT_EQ(s->lines("IG1008"), std::vector<uint32_t>{line_of(y, "- group: \"\"\n    kind: Service")});
}

TEST(GatewayHostnameAcrossNamespaces, FlagsBothClaimsOnlyAcrossNamespaces) {
  std::string listener = "  - name: https\n    protocol: HTTPS\n    port: 443\n    tls:\n      certificateRefs:\n"
                         "      - name: wild\n    allowedRoutes:\n      namespaces:\n        from: All\n";
  std::string y = gateway(listener) + route("shop", "shop", "shop.example.com", kWebRule) +
                  route("intruder", "sandbox", "shop.example.com", kWebRule) +
                  route("shop-v2", "shop", "api.example.com", kWebRule) + route("shop-v3", "shop", "api.example.com", kWebRule);
  auto s = scan_text(y);
  auto lines = s->lines("IG1009");
  ASSERT_EQ(lines.size(), 2u);  // api.example.com twice in one namespace is not a takeover
  EXPECT_EQ(lines[0], line_of(y, "hostnames: [shop.example.com]"));
}

TEST(GatewayCors, FlagsWildcardWithCredentialsOnly) {
  std::string cors = "  - filters:\n    - type: CORS\n      cors:\n        allowOrigins:\n        - \"*\"\n"
                     "        allowCredentials: true\n    backendRefs:\n    - name: web\n      port: 80\n";
  std::string safe = "  - filters:\n    - type: CORS\n      cors:\n        allowOrigins:\n        - https://shop.example.com\n"
                     "        allowCredentials: true\n    backendRefs:\n    - name: web\n      port: 80\n";
  std::string y = route("open", "shop", "shop.example.com", cors) + route("safe", "shop", "shop.example.com", safe);
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1010"), std::vector<uint32_t>{line_of(y, "- \"*\"")});
}

TEST(GatewayBackends, MissingServiceAndPortOnlyWhenNamespaceServicesScanned) {
  std::string svc = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n"
                    "  ports:\n  - port: 80\n";
  std::string rules = "  - backendRefs:\n    - name: web\n      port: 80\n    - name: gone\n      port: 80\n"
                      "    - name: web\n      port: 8080\n";
  std::string y = route("r", "shop", "shop.example.com", rules) + svc +
                  route("partial", "other", "other.example.com", "  - backendRefs:\n    - name: unknown\n      port: 80\n");
  auto s = scan_text(y);
  EXPECT_EQ(s->lines("IG1011"), (std::vector<uint32_t>{line_of(y, "name: gone"), line_of(y, "- name: web\n      port: 8080")}));
}

TEST(GatewayBackends, CrossNamespaceNeedsAGrant) {
  std::string rules = "  - backendRefs:\n    - name: billing\n      namespace: payments\n      port: 80\n";
  std::string grant = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ReferenceGrant\nmetadata:\n  name: from-shop\n"
                      "  namespace: payments\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n"
                      "    namespace: shop\n  to:\n  - group: \"\"\n    kind: Service\n    name: billing\n";
  std::string y = route("r", "shop", "shop.example.com", rules);
  EXPECT_EQ(scan_text(y)->lines("IG1012"), std::vector<uint32_t>{line_of(y, "- name: billing")});
  EXPECT_EQ(scan_text(y + grant)->count("IG1012"), 0u);
}

TEST(GatewayBackends, CrossNamespaceCertificateNeedsAGrant) {
  std::string listener = "  - name: https\n    protocol: HTTPS\n    port: 443\n    hostname: shop.example.com\n"
                         "    tls:\n      certificateRefs:\n      - name: shop-tls\n        namespace: shop\n";
  std::string grant = "---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: certs\n"
                      "  namespace: shop\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n"
                      "    namespace: infra\n  to:\n  - group: \"\"\n    kind: Secret\n    name: shop-tls\n";
  std::string y = gateway(listener);
  EXPECT_EQ(scan_text(y)->lines("IG1012"), std::vector<uint32_t>{line_of(y, "- name: shop-tls")});
  EXPECT_EQ(scan_text(y + grant)->count("IG1012"), 0u);
}

TEST(GatewayListenerSets, FlagsAllowedListenersFromAll) {
  std::string y = gateway(kHttpsListener, "  allowedListeners:\n    namespaces:\n      from: All\n");
  EXPECT_EQ(scan_text(y)->lines("IG1013"), std::vector<uint32_t>{line_of(y, "from: All")});
  EXPECT_EQ(scan_text(gateway(kHttpsListener, "  allowedListeners:\n    namespaces:\n      from: Same\n"))->count("IG1013"), 0u);
}

// A ListenerSet's listener admitting every namespace is reported like the Gateway's own.
TEST(GatewayListenerSets, ListenerSetListenersAreChecked) {
  std::string y = gateway(kHttpsListener, "  allowedListeners:\n    namespaces:\n      from: Same\n") +
                  "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\nmetadata:\n  name: extra\n"
                  "  namespace: infra\nspec:\n  parentRef:\n    name: public\n  listeners:\n  - name: more\n"
                  "    protocol: HTTPS\n    port: 443\n    hostname: more.example.com\n    allowedRoutes:\n"
                  "      namespaces:\n        from: All\n";
  EXPECT_EQ(scan_text(y)->lines("IG1001"), std::vector<uint32_t>{line_of(y, "from: All")});
}

namespace {

// The shop's Ingress before the migration: allowlist, basic auth, a rate limit, TLS (so the
// redirect and HSTS of ingress-nginx's defaults).
const std::string kShopIngress =
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\n  annotations:\n"
    "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n"
    "    nginx.ingress.kubernetes.io/auth-type: basic\n    nginx.ingress.kubernetes.io/auth-secret: users\n"
    "    nginx.ingress.kubernetes.io/limit-rps: \"10\"\n"
    "spec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n"
    "  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
    "        backend:\n          service: {name: web, port: {number: 80}}\n";

const std::string kMigrationListeners =
    kHttpsListener + "  - name: http\n    protocol: HTTP\n    port: 80\n    hostname: shop.example.com\n"
                     "    allowedRoutes:\n      namespaces:\n        from: All\n";

}  // namespace

TEST(MigrationProtectionLost, FlagsEveryProtectionTheRoutesDropped) {
  std::string y = kShopIngress + "---\n" + gateway(kMigrationListeners) +
                  route("shop", "shop", "shop.example.com", kWebRule) +
                  route("shop-plain", "shop", "shop.example.com", kWebRule, "http");
  auto s = scan_text(y);
  ASSERT_EQ(s->count("IG1020"), 2u);
  std::string https_msg, http_msg;
  for (const ig::Finding& f : s->findings)
    if (f.rule->id == "IG1020") (f.resource.name == "shop" ? https_msg : http_msg) = f.message;
  EXPECT_NE(https_msg.find("loses source allowlist, authentication, rate limit, HSTS"), std::string::npos) << https_msg;
  EXPECT_NE(http_msg.find("HTTPS redirect"), std::string::npos) << http_msg;
  EXPECT_EQ(s->lines("IG1020")[0], line_of(y, "hostnames: [shop.example.com]"));
}

TEST(MigrationProtectionLost, PoliciesAndFiltersThatRestoreEverythingPass) {
  std::string https_rule =
      "  - filters:\n    - type: ResponseHeaderModifier\n      responseHeaderModifier:\n        set:\n"
      "        - name: Strict-Transport-Security\n          value: max-age=63072000\n"
      "    backendRefs:\n    - name: web\n      port: 80\n";
  std::string redirect_rule = "  - filters:\n    - type: RequestRedirect\n      requestRedirect:\n        scheme: https\n"
                              "        statusCode: 301\n";
  std::string policies =
      "---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata:\n  name: shop\n  namespace: shop\n"
      "spec:\n  targetRefs:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    name: shop\n"
      "  basicAuth:\n    users:\n      name: users\n  authorization:\n    defaultAction: Deny\n    rules:\n"
      "    - action: Allow\n      principal:\n        clientCIDRs:\n        - 10.0.0.0/8\n"
      "---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata:\n  name: shop\n"
      "  namespace: shop\nspec:\n  targetRefs:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    name: shop\n"
      "  rateLimit:\n    type: Local\n    local:\n      rules:\n      - limit:\n          requests: 10\n          unit: Second\n";
  std::string y = kShopIngress + "---\n" + gateway(kMigrationListeners) + route("shop", "shop", "shop.example.com", https_rule) +
                  route("shop-redirect", "shop", "shop.example.com", redirect_rule, "http") + policies;
  auto s = scan_text(y);
  EXPECT_EQ(s->count("IG1020"), 0u) << (s->findings.empty() ? "" : s->findings.front().message);
}

TEST(MigrationProtectionLost, TraefikMiddlewareByExtensionRefCounts) {
  std::string rule = "  - filters:\n    - type: ExtensionRef\n      extensionRef:\n        group: traefik.io\n"
                     "        kind: Middleware\n        name: guard\n    backendRefs:\n    - name: web\n      port: 80\n";
  std::string middleware =
      "---\napiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: guard\n  namespace: shop\nspec:\n"
      "  ipAllowList:\n    sourceRange: [10.0.0.0/8]\n";
  std::string y = kShopIngress + "---\n" + gateway(kHttpsListener) + route("shop", "shop", "shop.example.com", rule) + middleware;
  auto s = scan_text(y);
  ASSERT_EQ(s->count("IG1020"), 1u);
  const ig::Finding* f = nullptr;
  for (const ig::Finding& x : s->findings)
    if (x.rule->id == "IG1020") f = &x;
  // The allowlist comes back through the middleware; auth, rate limit and HSTS do not.
  EXPECT_NE(f->message.find("loses authentication, rate limit, HSTS"), std::string::npos) << f->message;
}

TEST(MigrationProtectionLost, OtherHostnamesAreNotCompared) {
  std::string y = kShopIngress + "---\n" + gateway(kHttpsListener) + route("blog", "shop", "blog.example.com", kWebRule);
  EXPECT_EQ(scan_text(y)->count("IG1020"), 0u);
}

// IG705 without a policy file: a workload labelled ingressguard.io/exposure=internal behind an Ingress of a
// class that does not say internal, or behind a Gateway route, is flagged; the internal class is not.
TEST(InternalBehindPublic, WithoutPolicyWorkloadLabelAndGateway) {
  std::string backend =
      "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: admin\n  namespace: shop\nspec:\n  selector: {app: admin}\n"
      "  ports:\n  - port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: admin\n  namespace: shop\n"
      "spec:\n  selector: {matchLabels: {app: admin}}\n  template:\n    metadata:\n      labels: {app: admin, "
      "ingressguard.io/exposure: internal}\n    spec:\n      containers: [{name: c, image: admin}]\n";
  auto ingress = [](const std::string& cls) {
    return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: admin\n  namespace: shop\nspec:\n"
           "  ingressClassName: " + cls + "\n  rules:\n  - host: admin.example.com\n    http:\n      paths:\n"
           "      - path: /\n        pathType: Prefix\n        backend:\n          service: {name: admin, port: {number: 80}}\n";
  };
  std::string y = ingress("nginx") + backend;
  EXPECT_EQ(scan_text(y)->lines("IG705"), std::vector<uint32_t>{line_of(y, "service: {name: admin")});
  EXPECT_EQ(scan_text(ingress("nginx-internal") + backend)->count("IG705"), 0u);
  std::string g = gateway(kHttpsListener) +
                  route("admin", "shop", "shop.example.com", "  - backendRefs:\n    - name: admin\n      port: 80\n") + backend;
  EXPECT_EQ(scan_text(g)->lines("IG705"), std::vector<uint32_t>{line_of(g, "- name: admin\n      port: 80")});
}
