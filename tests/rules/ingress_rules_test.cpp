#include <gtest/gtest.h>

#include "test_support.h"

namespace ig {

using testing::scan_text;
using Lines = std::vector<uint32_t>;

// Tests that a host without TLS is flagged at the host line, and a covered host is not.
TEST(HostWithoutTls, FlagsUncoveredHosts) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: nginx
  tls:
  - hosts: ["*.example.com"]
    secretName: wild
  rules:
  - host: shop.example.com
  - host: a.b.example.com
  - host: other.example.org
)");
  EXPECT_EQ(r->lines("IG101"), (Lines{12, 13}));
}

// Tests that an Ingress without any spec.tls is flagged, and one with TLS at an AWS ALB is not.
TEST(HostWithoutTls, NoTlsSectionAndExternalTermination) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: plain
spec:
  rules:
  - host: a.example.com
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: alb
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:1:certificate/x
spec:
  rules:
  - host: b.example.com
)");
  EXPECT_EQ(r->lines("IG101"), (Lines{7}));
}

// Tests that ssl-redirect "false" on a TLS Ingress and allow-http "true" are flagged; defaults are not.
TEST(HttpsNotEnforced, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: a
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "false"
    kubernetes.io/ingress.allow-http: "true"
spec:
  tls:
  - hosts: [a.example.com]
  rules:
  - host: a.example.com
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: b
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
    kubernetes.io/ingress.allow-http: "false"
spec:
  tls:
  - hosts: [b.example.com]
  rules:
  - host: b.example.com
)");
  EXPECT_EQ(r->lines("IG102"), (Lines{6, 7}));
}

// Tests that wildcard hosts and host-less rules are flagged, exact hosts are not.
TEST(WildcardAndCatchAll, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: a
spec:
  rules:
  - host: "*.example.com"
  - host: exact.example.com
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
)");
  EXPECT_EQ(r->lines("IG103"), (Lines{7}));
  EXPECT_EQ(r->lines("IG104"), (Lines{9}));
}

// Tests that one host in two namespaces is flagged on both claims; same namespace or other class is not.
TEST(HostAcrossNamespaces, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a, namespace: team-a}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: b, namespace: team-b}
spec:
  ingressClassName: nginx
  rules:
  - host: SHOP.example.com
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: c, namespace: team-a}
spec:
  ingressClassName: nginx
  rules:
  - host: api.example.com
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: d, namespace: team-c}
spec:
  ingressClassName: internal
  rules:
  - host: api.example.com
)");
  EXPECT_EQ(r->lines("IG105"), (Lines{7, 15}));
}

// Tests that a second claim of the same host and path is flagged at its path.
TEST(DuplicateHostPath, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend: {service: {name: api, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: b, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend: {service: {name: api2, port: {number: 80}}}
      - path: /other
        pathType: Prefix
        backend: {service: {name: api2, port: {number: 80}}}
)");
  EXPECT_EQ(r->lines("IG106"), (Lines{21}));
}

// Tests that spec.defaultBackend is flagged and a missing ingress class is flagged.
TEST(DefaultBackendAndClass, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: catch
spec:
  defaultBackend:
    service: {name: web, port: {number: 80}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: classy
  annotations:
    kubernetes.io/ingress.class: nginx
spec:
  rules:
  - host: a.example.com
)");
  EXPECT_EQ(r->lines("IG107"), (Lines{7}));
  EXPECT_EQ(r->lines("IG108"), (Lines{4}));
}

// Tests that a missing Service or port is flagged only when the namespace's Services are in the input.
TEST(BackendMissing, OnlyWithServicesOfThatNamespace) {
  auto r = scan_text(R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports:
  - {name: http, port: 80}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
      - path: /named
        pathType: Prefix
        backend: {service: {name: web, port: {name: http}}}
      - path: /gone
        pathType: Prefix
        backend: {service: {name: ghost, port: {number: 80}}}
      - path: /port
        pathType: Prefix
        backend: {service: {name: web, port: {number: 8080}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: b, namespace: elsewhere}
spec:
  defaultBackend: {service: {name: unknown, port: {number: 80}}}
)");
  EXPECT_EQ(r->lines("IG109"), (Lines{24, 27}));
}

// Tests that sensitive paths are flagged unless auth or a real allowlist protects them.
TEST(SensitivePath, FlagsUnprotected) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: open}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - path: /actuator/env
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
      - path: /shop
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
      - path: /.git
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: guarded
  annotations:
    nginx.ingress.kubernetes.io/auth-url: https://auth.example.com/verify
spec:
  rules:
  - host: b.example.com
    http:
      paths:
      - path: /admin
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
)");
  EXPECT_EQ(r->lines("IG110"), (Lines{9, 15}));
}

// Tests that injection markers in paths are flagged, and a regex quantifier is not.
TEST(PathInjection, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: p}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - path: /var/run/secrets/kubernetes.io/serviceaccount/token
        pathType: ImplementationSpecific
        backend: {service: {name: web, port: {number: 80}}}
      - path: "/x;}location /y{"
        pathType: ImplementationSpecific
        backend: {service: {name: web, port: {number: 80}}}
      - path: /api/v[0-9]{1,2}/items
        pathType: ImplementationSpecific
        backend: {service: {name: web, port: {number: 80}}}
      - path: /static
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
)");
  EXPECT_EQ(r->lines("IG111"), (Lines{9, 12}));
}

}  // namespace ig
