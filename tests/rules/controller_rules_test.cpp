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
  };
}

class ControllerRule : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(ControllerRule, FlagsTheBadAndPassesTheGood) {
  const Case& c = GetParam();
  auto bad = scan_text(c.flagged);
  ASSERT_TRUE(bad->errors.empty());
  uint32_t want = line_of(c.flagged, c.marker);
  ASSERT_NE(want, 0u) << "marker not in the manifest: " << c.marker;
  EXPECT_EQ(bad->lines(c.rule), std::vector<uint32_t>{want}) << c.flagged;
  auto good = scan_text(c.clean);
  EXPECT_EQ(good->count(c.rule), 0u) << c.clean;
}

INSTANTIATE_TEST_SUITE_P(Controllers, ControllerRule, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });
