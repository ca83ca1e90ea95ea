#include <gtest/gtest.h>

#include "test_support.h"

namespace ig {

using testing::scan_text;
using Lines = std::vector<uint32_t>;

// Tests that every ingress-nginx *-snippet annotation is critical, and other annotations are not snippets.
TEST(SnippetAnnotation, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: s
  annotations:
    nginx.ingress.kubernetes.io/server-snippet: "return 200;"
    nginx.ingress.kubernetes.io/auth-snippet: "x"
    nginx.ingress.kubernetes.io/proxy-body-size: "8m"
    example.com/config-snippet: "harmless"
)");
  EXPECT_EQ(r->lines("IG201"), (Lines{6, 7}));
  for (const Finding& f : r->findings) {
    if (f.rule->id == "IG201") {
      EXPECT_EQ(f.rule->severity, Severity::Critical);
    }
  }
}

// Tests that IngressNightmare-style values are flagged at the value; plain URLs are not.
TEST(AnnotationInjection, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: i
  annotations:
    nginx.ingress.kubernetes.io/auth-url: "http://a.example.com/#;}}}\n\nssl_engine /tmp/x.so;"
    nginx.ingress.kubernetes.io/auth-tls-match-cn: "CN=a\"}"
    nginx.ingress.kubernetes.io/mirror-target: "https://mirror.example.com$request_uri"
    nginx.ingress.kubernetes.io/auth-signin: "https://auth.example.com/start?rd=$escaped_request_uri"
    nginx.ingress.kubernetes.io/rewrite-target: /$2
)");
  EXPECT_EQ(r->lines("IG202"), (Lines{6, 7}));
}

// Tests that allowlists containing 0.0.0.0/0 or ::/0 are flagged; narrow ones are not.
TEST(AllowlistOpen, Flags) {
  auto r = scan_text(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: a
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/8, 0.0.0.0/0"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: b
  annotations:
    nginx.ingress.kubernetes.io/allowlist-source-range: "::/0"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: c
  annotations:
    nginx.ingress.kubernetes.io/allowlist-source-range: "192.0.2.0/24,2001:db8::/32"
)");
  EXPECT_EQ(r->lines("IG203"), (Lines{6, 13}));
}

}  // namespace ig
