// Other controllers' rules (Traefik, HAProxy, AWS, GKE, Contour, Istio): for
// each rule a manifest that must be flagged at a marked line, and the same
// resource done right that must not be. Manifests follow each project's API
// reference (field paths in ../shared/knowledge/ingress-security.md, section 3).
#include <gtest/gtest.h>

#include "tests/test_support.h"

using ig::testing::line_of;
using ig::testing::scan_text;

namespace {

struct Case {
  const char* name;
  const char* rule;
  std::string flagged;
  std::string marker;  // where the finding points (first occurrence in `flagged`)
  std::string clean;
};

std::string traefik(const std::string& kind, const std::string& name, const std::string& spec,
                    const std::string& ns = "shop") {
  return "apiVersion: traefik.io/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n" + spec;
}

std::string traefik_deployment(const std::string& args) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: traefik\n  namespace: traefik\nspec:\n  template:\n"
         "    spec:\n      containers:\n      - name: traefik\n        image: traefik:v3.6.25\n        args:\n" + args;
}

// An Ingress of `cls` in namespace `ns` with the annotations (4-space indented lines) and TLS when asked.
std::string ingress(const std::string& name, const std::string& cls, const std::string& annotations, bool tls = true,
                    const std::string& ns = "shop", const std::string& service = "web") {
  return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n" + (annotations.empty() ? "    x: y\n" : annotations) + "spec:\n  ingressClassName: " + cls +
         "\n" + (tls ? "  tls:\n  - hosts: [" + name + ".example.com]\n    secretName: t\n" : "") + "  rules:\n  - host: " +
         name + ".example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n" +
         "          service: {name: " + service + ", port: {number: 80}}\n";
}

std::string service(const std::string& name, const std::string& annotations) {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: shop\n  annotations:\n" +
         annotations + "spec:\n  selector: {app: " + name + "}\n  ports:\n  - port: 80\n";
}

// The ALB's legacy redirect: the path's backend is Service ssl-redirect, port use-annotation.
std::string legacy_redirect_backend(std::string y) {
  const std::string from = "service: {name: web, port: {number: 80}}";
  y.replace(y.find(from), from.size(), "service: {name: ssl-redirect, port: {name: use-annotation}}");
  return y;
}

const std::string kAlbHttps =
    "    alb.ingress.kubernetes.io/scheme: internal\n"
    "    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc\n";

std::string obj(const std::string& api, const std::string& kind, const std::string& name, const std::string& spec,
                const std::string& ns = "shop") {
  return "apiVersion: " + api + "\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n" + spec;
}

const std::string kProxy = "  virtualhost:\n    fqdn: shop.example.com\n    tls:\n      secretName: shop-tls\n";

std::string istio_gateway(const std::string& servers) {
  return obj("networking.istio.io/v1", "Gateway", "edge", "  selector:\n    istio: ingressgateway\n  servers:\n" + servers,
             "istio-system");
}

const std::string kFrontendConfig =
    "apiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata:\n  name: strict\n  namespace: shop\nspec:\n"
    "  sslPolicy: modern-tls12\n  redirectToHttps:\n    enabled: true\n";

const std::string kRoute = "  entryPoints: [websecure]\n  routes:\n  - match: Host(`shop.example.com`)\n    kind: Rule\n"
                           "    services:\n    - name: web\n      port: 80\n";

std::vector<Case> cases() {
  return {
      {"IngressRouteWithoutTls", "IG1101", traefik("IngressRoute", "web", kRoute), "match: Host",
       traefik("IngressRoute", "web", kRoute + "  tls:\n    secretName: shop-tls\n")},
      {"IngressRouteWithEmptyTls", "IG1101", traefik("IngressRoute", "web", kRoute), "match: Host",
       traefik("IngressRoute", "web", kRoute + "  tls: {}\n")},  // TLS with the default certificate
      {"AllowlistOpen", "IG1102", traefik("Middleware", "allow", "  ipAllowList:\n    sourceRange:\n    - 10.0.0.0/8\n    - 0.0.0.0/0\n"),
       "0.0.0.0/0", traefik("Middleware", "allow", "  ipAllowList:\n    sourceRange:\n    - 10.0.0.0/8\n")},
      {"AllowlistDepth", "IG1103",
       traefik("Middleware", "allow", "  ipAllowList:\n    sourceRange: [10.0.0.0/8]\n    ipStrategy:\n      depth: 2\n"),
       "depth: 2", traefik("Middleware", "allow", "  ipAllowList:\n    sourceRange: [10.0.0.0/8]\n    ipStrategy:\n      depth: 0\n")},
      {"RateLimitByHeader", "IG1103",
       traefik("Middleware", "rl", "  rateLimit:\n    average: 10\n    sourceCriterion:\n      requestHeaderName: X-User\n"),
       "requestHeaderName", traefik("Middleware", "rl", "  rateLimit:\n    average: 10\n")},
      {"ForwardAuthTrust", "IG1104",
       traefik("Middleware", "auth", "  forwardAuth:\n    address: https://auth.shop.svc/check\n    trustForwardHeader: true\n"),
       "trustForwardHeader", traefik("Middleware", "auth", "  forwardAuth:\n    address: https://auth.shop.svc/check\n")},
      {"ForwardAuthInsecureTls", "IG1104",
       traefik("Middleware", "auth", "  forwardAuth:\n    address: https://auth.shop.svc/check\n    tls:\n      insecureSkipVerify: true\n"),
       "insecureSkipVerify", traefik("Middleware", "auth", "  forwardAuth:\n    address: https://auth.shop.svc/check\n    tls:\n      ca: ca.crt\n")},
      {"HstsShort", "IG1105", traefik("Middleware", "h", "  headers:\n    stsSeconds: 300\n"), "stsSeconds",
       traefik("Middleware", "h", "  headers:\n    stsSeconds: 63072000\n")},
      {"CorsWildcard", "IG1106",
       traefik("Middleware", "cors", "  headers:\n    accessControlAllowCredentials: true\n    accessControlAllowOriginList:\n    - \"*\"\n"),
       "- \"*\"",
       traefik("Middleware", "cors", "  headers:\n    accessControlAllowCredentials: true\n    accessControlAllowOriginList:\n    - https://shop.example.com\n")},
      {"TlsOptionOld", "IG1107", traefik("TLSOption", "compat", "  minVersion: VersionTLS10\n"), "minVersion",
       traefik("TLSOption", "compat", "  minVersion: VersionTLS12\n")},
      {"TlsOptionClientCertOptional", "IG1108",
       traefik("TLSOption", "mtls", "  minVersion: VersionTLS12\n  clientAuth:\n    secretNames: [client-ca]\n"
                                    "    clientAuthType: VerifyClientCertIfGiven\n"),
       "clientAuthType",
       traefik("TLSOption", "mtls", "  minVersion: VersionTLS12\n  clientAuth:\n    secretNames: [client-ca]\n"
                                    "    clientAuthType: RequireAndVerifyClientCert\n")},
      {"DefaultTlsOptionOutsideTraefik", "IG1109",
       traefik_deployment("        - --providers.kubernetescrd\n") + "---\n" +
           traefik("TLSOption", "default", "  minVersion: VersionTLS12\n", "tenant-a"),
       "name: default",
       traefik_deployment("        - --providers.kubernetescrd\n") + "---\n" +
           traefik("TLSOption", "default", "  minVersion: VersionTLS12\n", "traefik")},
      {"ServersTransportSkipVerify", "IG1110", traefik("ServersTransport", "st", "  insecureSkipVerify: true\n"),
       "insecureSkipVerify", traefik("ServersTransport", "st", "  serverName: web.shop.svc\n  rootCAs:\n  - secret: ca\n")},
      {"ApiInsecureFlag", "IG1111", traefik_deployment("        - --api.insecure=true\n        - --api.dashboard=true\n"),
       "--api.insecure", traefik_deployment("        - --api.dashboard=true\n")},
      {"DashboardRouteWithoutAuth", "IG1111",
       traefik("IngressRoute", "dash", "  routes:\n  - match: Host(`traefik.example.com`)\n    kind: Rule\n"
                                       "    services:\n    - name: api@internal\n      kind: TraefikService\n  tls: {}\n"),
       "api@internal",
       traefik("IngressRoute", "dash", "  routes:\n  - match: Host(`traefik.example.com`)\n    kind: Rule\n"
                                       "    middlewares:\n    - name: admin-auth\n"
                                       "    services:\n    - name: api@internal\n      kind: TraefikService\n  tls: {}\n")},
      {"ForwardedHeadersInsecure", "IG1112",
       traefik_deployment("        - --entryPoints.web.forwardedHeaders.insecure\n"), "forwardedHeaders.insecure",
       traefik_deployment("        - --entryPoints.web.forwardedHeaders.trustedIPs=10.0.0.10/32\n")},
      // HAProxy
      {"HaproxyBackendSnippet", "IG1121",
       ingress("app", "haproxy", "    haproxy.org/backend-config-snippet: |\n      http-request set-header X-Admin 1\n"),
       "haproxy.org/backend-config-snippet", ingress("app", "haproxy", "    haproxy.org/ssl-redirect: \"true\"\n")},
      {"HaproxyIngressConfigBackend", "IG1121",
       service("app", "    haproxy-ingress.github.io/config-backend: \"acl x path /\"\n"), "config-backend",
       service("app", "    haproxy-ingress.github.io/balance-algorithm: roundrobin\n")},
      {"HaproxySrcIpHeader", "IG1122", ingress("app", "haproxy", "    haproxy.org/src-ip-header: True-Client-IP\n"),
       "True-Client-IP", ingress("app", "haproxy", "    haproxy.org/allow-list: 10.0.0.0/8\n")},
      {"HaproxyClientCertOptional", "IG1123",
       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: haproxy-kubernetes-ingress\n  namespace: haproxy\ndata:\n"
       "  client-ca: haproxy/client-ca\n  client-crt-optional: \"true\"\n",
       "client-crt-optional",
       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: haproxy-kubernetes-ingress\n  namespace: haproxy\ndata:\n"
       "  client-ca: haproxy/client-ca\n"},
      {"HaproxyAuthTlsNotStrict", "IG1123",
       ingress("app", "haproxy", "    haproxy-ingress.github.io/auth-tls-secret: client-ca\n"
                                 "    haproxy-ingress.github.io/auth-tls-strict: \"false\"\n"),
       "auth-tls-strict", ingress("app", "haproxy", "    haproxy-ingress.github.io/auth-tls-secret: client-ca\n")},
      // AWS Load Balancer Controller
      {"AlbDefaultSslPolicy", "IG1131", ingress("app", "alb", kAlbHttps, false), "name: app",
       ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n", false)},
      {"AlbLegacySslPolicy", "IG1131",
       ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS-1-1-2017-01\n", false),
       "ELBSecurityPolicy-TLS-1-1",
       ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09\n", false)},
      // An internet-facing ALB is a front door, public by design: only an ignored restriction is a finding.
      {"AlbInboundCidrsIgnored", "IG1132",
       ingress("app", "alb", "    alb.ingress.kubernetes.io/scheme: internet-facing\n"
                             "    alb.ingress.kubernetes.io/inbound-cidrs: 203.0.113.0/24\n"
                             "    alb.ingress.kubernetes.io/security-groups: sg-1\n", false),
       "inbound-cidrs",
       ingress("app", "alb", "    alb.ingress.kubernetes.io/scheme: internet-facing\n", false)},
      {"AlbHttpListenerWithLegacyRedirect", "IG1134",
       ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n"
                                         "    alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'\n", false),
       "listen-ports",
       legacy_redirect_backend(ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n"
                                         "    alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'\n"
                                         "    alb.ingress.kubernetes.io/actions.ssl-redirect: '{\"Type\": \"redirect\"}'\n", false))},
      {"AlbGroupAcrossNamespaces", "IG1133",
       ingress("a", "alb", "    alb.ingress.kubernetes.io/group.name: shared\n", false, "team-a") + "---\n" +
           ingress("b", "alb", "    alb.ingress.kubernetes.io/group.name: shared\n", false, "team-b"),
       "shared",  // the first member; the second is checked below
       ingress("a", "alb", "    alb.ingress.kubernetes.io/group.name: shared\n", false, "team-a") + "---\n" +
           ingress("b", "alb", "    alb.ingress.kubernetes.io/group.name: shared\n", false, "team-a")},
      {"AlbHttpListenerWithoutRedirect", "IG1134",
       ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n"
                                         "    alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'\n", false),
       "listen-ports",
       ingress("app", "alb", kAlbHttps + "    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n"
                                         "    alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'\n"
                                         "    alb.ingress.kubernetes.io/ssl-redirect: '443'\n", false)},
      {"AlbAuthAllow", "IG1135",
       ingress("app", "alb", "    alb.ingress.kubernetes.io/auth-type: oidc\n"
                             "    alb.ingress.kubernetes.io/auth-on-unauthenticated-request: allow\n", false),
       "auth-on-unauthenticated-request",
       ingress("app", "alb", "    alb.ingress.kubernetes.io/auth-type: oidc\n"
                             "    alb.ingress.kubernetes.io/auth-on-unauthenticated-request: authenticate\n", false)},
      // GKE
      {"GkeWithoutFrontendConfig", "IG1141", ingress("app", "gce", ""), "- hosts:",
       ingress("app", "gce", "    networking.gke.io/v1beta1.FrontendConfig: strict\n") + "---\n" + kFrontendConfig},
      {"GkeFrontendConfigWithoutPolicy", "IG1141",
       ingress("app", "gce", "    networking.gke.io/v1beta1.FrontendConfig: strict\n") + "---\n" +
           "apiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata:\n  name: strict\n  namespace: shop\n"
           "spec:\n  redirectToHttps:\n    enabled: true\n",
       "name: strict\n", ingress("app", "gce", "    networking.gke.io/v1beta1.FrontendConfig: strict\n") + "---\n" + kFrontendConfig},
      {"GkeNoRedirect", "IG1142", ingress("app", "gce", ""), "- hosts:",
       ingress("app", "gce", "    kubernetes.io/ingress.allow-http: \"false\"\n")},
      {"GkeNoCloudArmor", "IG1143", ingress("app", "gce", "", true, "shop", "web") + "---\n" + service("web", "    x: y\n"),
       "name: web, port",
       ingress("app", "gce", "", true, "shop", "web") + "---\n" +
           service("web", "    cloud.google.com/backend-config: '{\"default\": \"armored\"}'\n") +
           "---\napiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: armored\n  namespace: shop\n"
           "spec:\n  securityPolicy:\n    name: edge-waf\n"},
      // Contour
      {"ContourPermitInsecure", "IG1151",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "  routes:\n  - services:\n    - name: web\n      port: 80\n"
                                                        "    permitInsecure: true\n"),
       "permitInsecure",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "  routes:\n  - services:\n    - name: web\n      port: 80\n")},
      {"ContourSkipClientValidation", "IG1152",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "      clientValidation:\n        caSecret: client-ca\n"
                                                        "        skipClientCertValidation: true\n"),
       "skipClientCertValidation",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "      clientValidation:\n        caSecret: client-ca\n")},
      {"ContourAuthFailOpen", "IG1152",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "    authorization:\n      extensionRef:\n        name: authz\n"
                                                        "      failOpen: true\n"),
       "failOpen",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "    authorization:\n      extensionRef:\n        name: authz\n")},
      {"ContourDelegationToAll", "IG1153",
       obj("projectcontour.io/v1", "TLSCertificateDelegation", "wildcard",
           "  delegations:\n  - secretName: wildcard-tls\n    targetNamespaces:\n    - \"*\"\n"),
       "- \"*\"",
       obj("projectcontour.io/v1", "TLSCertificateDelegation", "wildcard",
           "  delegations:\n  - secretName: wildcard-tls\n    targetNamespaces:\n    - shop\n")},
      {"ContourLegacyTls", "IG1154",
       obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "      minimumProtocolVersion: \"1.1\"\n"),
       "minimumProtocolVersion", obj("projectcontour.io/v1", "HTTPProxy", "shop", kProxy + "      minimumProtocolVersion: \"1.3\"\n")},
      // Istio
      {"IstioHttpWithoutRedirect", "IG1161",
       istio_gateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"shop/shop.example.com\"]\n"),
       "protocol: HTTP",
       istio_gateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"shop/shop.example.com\"]\n"
                     "    tls:\n      httpsRedirect: true\n")},
      {"IstioLegacyTls", "IG1162",
       istio_gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [\"shop/*\"]\n    tls:\n"
                     "      mode: SIMPLE\n      credentialName: shop-tls\n      minProtocolVersion: TLSV1_0\n"),
       "minProtocolVersion",
       istio_gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [\"shop/*\"]\n    tls:\n"
                     "      mode: SIMPLE\n      credentialName: shop-tls\n      minProtocolVersion: TLSV1_2\n")},
      {"IstioOptionalMutual", "IG1163",
       istio_gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [\"shop/*\"]\n    tls:\n"
                     "      mode: OPTIONAL_MUTUAL\n      credentialName: shop-tls\n"),
       "OPTIONAL_MUTUAL",
       istio_gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [\"shop/*\"]\n    tls:\n"
                     "      mode: MUTUAL\n      credentialName: shop-tls\n")},
      {"IstioPermissiveMtls", "IG1164",
       obj("security.istio.io/v1", "PeerAuthentication", "default", "  mtls:\n    mode: PERMISSIVE\n", "istio-system"),
       "PERMISSIVE", obj("security.istio.io/v1", "PeerAuthentication", "default", "  mtls:\n    mode: STRICT\n", "istio-system")},
      {"IstioAllowAll", "IG1165", obj("security.istio.io/v1", "AuthorizationPolicy", "allow", "  action: ALLOW\n  rules:\n  - {}\n"),
       "- {}",
       obj("security.istio.io/v1", "AuthorizationPolicy", "allow",
           "  action: ALLOW\n  rules:\n  - from:\n    - source:\n        namespaces: [istio-system]\n")},
      {"IstioTokenNotRequired", "IG1166",
       obj("security.istio.io/v1", "RequestAuthentication", "jwt",
           "  selector:\n    matchLabels: {app: web}\n  jwtRules:\n  - issuer: https://idp.example.com\n"),
       "name: jwt",
       obj("security.istio.io/v1", "RequestAuthentication", "jwt",
           "  selector:\n    matchLabels: {app: web}\n  jwtRules:\n  - issuer: https://idp.example.com\n") + "---\n" +
           obj("security.istio.io/v1", "AuthorizationPolicy", "require-jwt",
               "  selector:\n    matchLabels: {app: web}\n  rules:\n  - from:\n    - source:\n        requestPrincipals: [\"*\"]\n")},
      {"IstioCorsWildcard", "IG1167",
       obj("networking.istio.io/v1", "VirtualService", "shop",
           "  hosts: [shop.example.com]\n  http:\n  - corsPolicy:\n      allowOrigins:\n      - exact: \"*\"\n"
           "      allowCredentials: true\n    route:\n    - destination: {host: web}\n"),
       "exact: \"*\"",
       obj("networking.istio.io/v1", "VirtualService", "shop",
           "  hosts: [shop.example.com]\n  http:\n  - corsPolicy:\n      allowOrigins:\n      - exact: https://shop.example.com\n"
           "      allowCredentials: true\n    route:\n    - destination: {host: web}\n")},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ControllerRule : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(ControllerRule, FlagsTheBadAndPassesTheGood) {
  const Case& c = GetParam();
  auto bad = scan_text(c.flagged);
  ASSERT_TRUE(bad->errors.empty());
  uint32_t want = line_of(c.flagged, c.marker);
  ASSERT_NE(want, 0u) << "marker not in the manifest: " << c.marker;
  auto got = bad->lines(c.rule);
  ASSERT_FALSE(got.empty()) << c.flagged;
  EXPECT_EQ(got.front(), want) << c.flagged;
  if (std::string_view(c.name) != "AlbGroupAcrossNamespaces") EXPECT_EQ(got.size(), 1u) << c.flagged;
  else EXPECT_EQ(got.size(), 2u);  // every member of the shared group
  auto good = scan_text(c.clean);
  EXPECT_EQ(good->count(c.rule), 0u) << c.clean;
}

INSTANTIATE_TEST_SUITE_P(Controllers, ControllerRule, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });
