// The exposure graph on small clusters: entry points, routes, protections,
// Services to workloads, and what NetworkPolicies leave open besides the entry.
#include <gtest/gtest.h>

#include "graph/exposure.h"
#include "test_support.h"

namespace ig {

namespace {

const char* kCluster = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/auth-url: https://auth.example.com/check
    nginx.ingress.kubernetes.io/whitelist-source-range: 203.0.113.0/24
    nginx.ingress.kubernetes.io/limit-rps: "10"
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: t}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
  - host: plain.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: web}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {type: LoadBalancer, selector: {app: db}, loadBalancerSourceRanges: [10.0.0.0/8]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: db, ports: [{containerPort: 5432, hostPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-controller, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
)";

const ExposurePath* find(const std::vector<ExposurePath>& paths, std::string_view kind, std::string_view route) {
  for (const ExposurePath& p : paths)
    if (p.entry_kind == kind && p.route == route) return &p;
  return nullptr;
}

}  // namespace

// Tests every entry kind and the protections and lateral verdicts recorded on each path.
TEST(Exposure, PathsProtectionsAndLateralAccess) {
  auto r = testing::scan_text(kCluster);
  auto paths = build_exposure(r->cluster);
  const ExposurePath* shop = find(paths, "ingress-class", "shop.example.com/");
  ASSERT_TRUE(shop);
  EXPECT_EQ(shop->entry, "nginx");
  EXPECT_EQ(shop->service, "shop/web");
  EXPECT_EQ(shop->workloads, std::vector<std::string>{"shop/web[Deployment]"});
  EXPECT_EQ(shop->protections.names(),
            (std::vector<std::string>{"tls", "https-redirect", "auth", "allowlist", "rate-limit"}));
  EXPECT_EQ(shop->protections.level(), 3);
  EXPECT_EQ(shop->lateral, "restricted");
  const ExposurePath* plain = find(paths, "ingress-class", "plain.example.com/");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->protections.tls);
  EXPECT_EQ(plain->protections.level(), 2);  // auth and limits, but no TLS
  const ExposurePath* lb = find(paths, "load-balancer", "");
  ASSERT_TRUE(lb);
  EXPECT_EQ(lb->entry, "shop/db");
  EXPECT_TRUE(lb->protections.allowlist);
  EXPECT_EQ(lb->lateral, "open");
  EXPECT_TRUE(find(paths, "node-port", ""));
  const ExposurePath* host = find(paths, "host-port", "");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->entry, "shop/db[Deployment]:5432");
  EXPECT_EQ(paths.size(), 5u);
}

// Tests the edge Internet -> controller Service -> ingress class: the LoadBalancer Service in front of
// the ingress-nginx Deployment (found through the IngressClass's controller) is recorded on the class's paths.
TEST(Exposure, IngressClassExposedByItsController) {
  std::string y = std::string(kCluster) + R"(---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec: {containers: [{name: controller, image: "registry.k8s.io/ingress-nginx/controller:v1.15.1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec: {type: LoadBalancer, selector: {app.kubernetes.io/name: ingress-nginx}, ports: [{port: 443}]}
)";
  auto r = testing::scan_text(y);
  auto paths = build_exposure(r->cluster);
  const ExposurePath* shop = find(paths, "ingress-class", "shop.example.com/");
  ASSERT_TRUE(shop);
  EXPECT_EQ(shop->entry_via, "ingress-nginx/ingress-nginx-controller (LoadBalancer)");
  // Without the controller in the input the class stands alone.
  auto bare = build_exposure(testing::scan_text(kCluster)->cluster);
  EXPECT_EQ(find(bare, "ingress-class", "shop.example.com/")->entry_via, "");
}

// Tests Gateway API routes in the graph: one path per listener a route attaches to, with its
// protections (TLS on the HTTPS listener; a policy attached to the route; plain HTTP open).
TEST(Exposure, GatewayRoutes) {
  std::string y = std::string(kCluster) + R"(---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
  - {name: https, protocol: HTTPS, port: 443, hostname: "*.example.com", allowedRoutes: {namespaces: {from: All}},
     tls: {certificateRefs: [{name: wildcard}]}}
  - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: Same}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  hostnames: [api.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: api, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: api}]
  jwt: {providers: [{name: idp, remoteJWKS: {uri: "https://idp.example.com/jwks"}}]}
)";
  auto r = testing::scan_text(y);
  auto paths = build_exposure(r->cluster);
  const ExposurePath* api = find(paths, "gateway-listener", "api.example.com/v1");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->entry, "infra/public:https");
  EXPECT_EQ(api->via.kind, "HTTPRoute");
  EXPECT_EQ(api->service, "shop/web");
  EXPECT_EQ(api->workloads, std::vector<std::string>{"shop/web[Deployment]"});
  EXPECT_EQ(api->protections.names(), (std::vector<std::string>{"tls", "https-redirect", "auth"}));
  // The HTTP listener admits only the Gateway's own namespace: the shop's route is not on it.
  size_t gateway_paths = 0;
  for (const ExposurePath& p : paths) gateway_paths += p.entry_kind == "gateway-listener";
  EXPECT_EQ(gateway_paths, 1u);
}

}  // namespace ig
