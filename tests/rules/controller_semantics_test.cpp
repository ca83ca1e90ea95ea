// Rules read through the serving controller's semantics (semantics/controller.h):
// each change has a case the rule flags and one it must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "policy/policy.h"
#include "semantics/controller.h"
#include "test_support.h"

namespace ig {

using testing::line_of;
using testing::scan_text;
using Lines = std::vector<uint32_t>;

namespace {

// An Ingress of `cls` ("" for none) for `host`, with extra annotation lines and an optional TLS entry.
std::string ingress(const std::string& name, const std::string& cls, const std::string& host,
                    const std::string& annotations = "", bool tls = false, const std::string& ns = "shop",
                    const std::string& service = "web") {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n    x: y\n" + annotations + "spec:\n" + (cls.empty() ? "" : "  ingressClassName: " + cls + "\n") +
         (tls ? "  tls:\n  - hosts: [" + host + "]\n    secretName: t\n" : "") + "  rules:\n  - host: " + host +
         "\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
         "          service: {name: " + service + ", port: {number: 80}}\n";
}

std::string service(const std::string& name, const std::string& type, const std::string& annotations = "",
                    const std::string& ns = "shop") {
  return "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n    x: y\n" + annotations + "spec:\n  type: " + type + "\n  selector: {app: " + name +
         "}\n  ports: [{name: http, port: 80}]\n";
}

// 1-based line of the first `marker` after `anchor` in `text`.
uint32_t line_after(const std::string& text, const std::string& anchor, const std::string& marker) {
  size_t at = text.find(marker, text.find(anchor));
  return line_of(text.substr(0, at) + "\x01", "\x01");
}

}  // namespace

// Tests the controller a class names: IngressClass spec.controller first, the class name's
// convention next, the default class for class-less Ingresses, then ALB/GKE annotations.
TEST(ControllerSemantics, WhoServesAnIngress) {
  std::string t = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: public\n  annotations:\n"
                  "    ingressclass.kubernetes.io/is-default-class: \"true\"\nspec: {controller: traefik.io/ingress-controller}\n" +
                  ingress("a", "public", "a.example.com") + ingress("b", "nginx", "b.example.com") +
                  ingress("c", "", "c.example.com");
  auto r = scan_text(t);
  std::vector<ControllerKind> kinds;
  for (const Ingress& ing : r->cluster.ingresses) kinds.push_back(controller_of(r->cluster, ing).kind);
  EXPECT_EQ(kinds, (std::vector<ControllerKind>{ControllerKind::Traefik, ControllerKind::IngressNginx, ControllerKind::Traefik}));
  auto alone = scan_text(ingress("alb", "", "d.example.com", "    alb.ingress.kubernetes.io/scheme: internal\n") +
                         ingress("gke", "", "e.example.com", "    kubernetes.io/ingress.global-static-ip-name: ip\n") +
                         ingress("none", "", "f.example.com"));
  kinds.clear();
  for (const Ingress& ing : alone->cluster.ingresses) kinds.push_back(controller_of(alone->cluster, ing).kind);
  EXPECT_EQ(kinds, (std::vector<ControllerKind>{ControllerKind::Alb, ControllerKind::Gce, ControllerKind::Unknown}));
}

// Tests IG101 against TLS set up outside the Ingress's spec.tls: force-ssl-redirect, TLS for the same host
// from another Ingress of the same ingress-nginx class, an ALB HTTPS listener; and the cases that stay plain.
TEST(ControllerSemantics, HostWithoutTlsReadsTheController) {
  std::string t = ingress("forced", "nginx", "forced.example.com", "    nginx.ingress.kubernetes.io/force-ssl-redirect: \"true\"\n") +
                  ingress("main", "nginx", "shop.example.com", "", true) +
                  ingress("api", "nginx", "shop.example.com") +                        // sibling TLS: covered
                  ingress("other-class", "internal", "shop.example.com") +             // another controller: plain
                  ingress("alb", "alb", "alb.example.com", "    alb.ingress.kubernetes.io/listen-ports: '[{\"HTTPS\": 443}]'\n") +
                  ingress("alb-http", "alb", "plain.example.com");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG101"), (Lines{line_after(t, "name: other-class", "- host:"), line_after(t, "name: alb-http", "- host:")}));
}

// Tests that IG101's message and fix fit the load balancer: an ALB lacks an HTTPS listener (not a TLS
// Secret, which it never reads), a GKE Ingress a certificate of its kinds; ingress-nginx keeps the rule's fix.
TEST(ControllerSemantics, HostWithoutTlsFixFitsTheController) {
  std::string t = ingress("alb-http", "alb", "plain.example.com") +
                  ingress("gke", "", "gke.example.com", "    kubernetes.io/ingress.global-static-ip-name: ip\n") +
                  ingress("nginx", "nginx", "nginx.example.com");
  auto r = scan_text(t);
  ASSERT_EQ(r->count("IG101"), 3u);
  std::map<std::string, const Finding*> by_name;
  for (const Finding& f : r->findings)
    if (f.rule->id == "IG101") by_name[std::string(f.resource.name)] = &f;
  EXPECT_NE(by_name["alb-http"]->message.find("no HTTPS listener"), std::string::npos) << by_name["alb-http"]->message;
  EXPECT_NE(by_name["alb-http"]->remediation().find("listen-ports"), std::string::npos);
  EXPECT_EQ(by_name["alb-http"]->remediation().find("Secret"), std::string::npos);
  EXPECT_NE(by_name["gke"]->remediation().find("ManagedCertificate"), std::string::npos);
  EXPECT_NE(by_name["gke"]->message.find("ManagedCertificate"), std::string::npos) << by_name["gke"]->message;
  EXPECT_EQ(by_name["nginx"]->remediation(), by_name["nginx"]->rule->remediation);
  EXPECT_NE(by_name["nginx"]->message.find("(no spec.tls)"), std::string::npos);
}

// Tests that two copies of one Ingress (same namespace and name, alternatives of an example) are not
// each other's TLS sibling nor a duplicate route, and are reported once as defined twice.
TEST(ControllerSemantics, CopiesOfOneObjectAreAlternatives) {
  std::string with_tls = ingress("registry", "nginx", "registry.example.com", "", true);
  std::string without = ingress("registry", "nginx", "registry.example.com");
  std::string t = with_tls + without;
  auto r = scan_text(t);
  EXPECT_EQ(r->count("IG106"), 0u);
  EXPECT_EQ(r->count("IG105"), 0u);
  // The copy without TLS is plain: the other copy is the same object, not a sibling.
  uint32_t before = static_cast<uint32_t>(std::count(with_tls.begin(), with_tls.end(), '\n'));
  EXPECT_EQ(r->lines("IG101"), Lines{before + line_of(without, "- host:")});
  ASSERT_EQ(r->lines("IG004"), Lines{2});
  // Identical copies (an example repeating a shared object) apply the same object: not reported.
  EXPECT_EQ(scan_text(with_tls + with_tls)->count("IG004"), 0u);
  // Kinds outside the front door (a Deployment's two versions) are not this rule's business.
  std::string deploy = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n";
  std::string deploy2 = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 2}\n";
  EXPECT_EQ(scan_text(deploy + deploy2)->count("IG004"), 0u);
}

// Tests that an ingress-nginx canary repeats its main Ingress's host and path without IG106, while a
// second non-canary Ingress on the same host and path is still reported.
TEST(ControllerSemantics, CanariesRepeatHostAndPath) {
  std::string main = ingress("main", "nginx", "shop.example.com", "", true);
  std::string canary = ingress("canary", "nginx", "shop.example.com", "    nginx.ingress.kubernetes.io/canary: \"true\"\n"
                                                                      "    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n", true);
  EXPECT_EQ(scan_text(main + canary)->count("IG106"), 0u);
  std::string rival = ingress("rival", "nginx", "shop.example.com", "", true);
  EXPECT_EQ(scan_text(main + rival)->count("IG106"), 1u);
}

// Tests IG404 with the controller's needs: GCE without NEG and ALB in instance mode need NodePort
// backends; GCE with NEG, ALB in ip mode and ingress-nginx do not; an unknown controller cannot be
// judged; a LoadBalancer backend is reported whatever the controller.
TEST(ControllerSemantics, NodePortBackendsTheControllerNeeds) {
  auto nodeport_findings = [](const std::string& cls, const std::string& ing_annotations, const std::string& svc_annotations) {
    return scan_text(ingress("web", cls, "shop.example.com", ing_annotations, true) + service("web", "NodePort", svc_annotations))
        ->count("IG404");
  };
  EXPECT_EQ(nodeport_findings("gce", "", ""), 0u);
  EXPECT_EQ(nodeport_findings("gce", "", "    cloud.google.com/neg: '{\"ingress\": true}'\n"), 1u);
  EXPECT_EQ(nodeport_findings("alb", "", ""), 0u);
  EXPECT_EQ(nodeport_findings("alb", "    alb.ingress.kubernetes.io/target-type: ip\n", ""), 1u);
  EXPECT_EQ(nodeport_findings("nginx", "", ""), 1u);
  EXPECT_EQ(nodeport_findings("", "", ""), 0u);
  EXPECT_EQ(scan_text(ingress("web", "gce", "shop.example.com", "", true) + service("web", "LoadBalancer"))->count("IG404"), 1u);
}

// Tests IG107: a GKE Ingress with only a default backend has a load balancer of its own (nothing else's
// traffic is caught); on a shared ingress-nginx controller the default backend catches every host.
TEST(ControllerSemantics, DefaultBackendOnlyMattersOnSharedControllers) {
  std::string single = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: single\n  annotations:\n"
                       "    kubernetes.io/ingress.class: CLASS\nspec:\n  defaultBackend:\n    service: {name: web, port: {number: 80}}\n";
  auto with_class = [&](const std::string& cls) {
    std::string y = single;
    y.replace(y.find("CLASS"), 5, cls);
    return scan_text(y)->count("IG107");
  };
  EXPECT_EQ(with_class("gce"), 0u);
  EXPECT_EQ(with_class("nginx"), 1u);
}

// Tests IG212: $host in auth-signin is the Ingress's own host when every rule names a host; with a
// rule without a host (any Host header reaches it) it is an open redirect.
TEST(ControllerSemantics, HostVariablePinnedByTheServerBlock) {
  std::string signin = "    nginx.ingress.kubernetes.io/auth-url: https://$host/oauth2/auth\n"
                       "    nginx.ingress.kubernetes.io/auth-signin: https://$host/oauth2/start?rd=$escaped_request_uri\n";
  EXPECT_EQ(scan_text(ingress("app", "nginx", "app.example.com", signin, true))->count("IG212"), 0u);
  std::string catch_all = ingress("app", "nginx", "app.example.com", signin, true);
  catch_all.replace(catch_all.find("  - host: app.example.com\n"), 26, "  - host: \"\"\n");
  EXPECT_EQ(scan_text(catch_all)->count("IG212"), 1u);
}

// Tests IG401: the ingress controller's own LoadBalancer is the front door (by the workload it selects,
// or by the controller's well-known selector when the workload is not in the input); an application's
// LoadBalancer is reported.
TEST(ControllerSemantics, ControllerLoadBalancerIsTheFrontDoor) {
  std::string controller = R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    metadata: {labels: {app: ctrl}}
    spec: {containers: [{name: c, image: registry.k8s.io/ingress-nginx/controller:v1.15.1}]}
)";
  std::string lb = service("ctrl", "LoadBalancer", "", "ingress-nginx");
  EXPECT_EQ(scan_text(controller + lb)->count("IG401"), 0u);
  std::string by_selector = "---\napiVersion: v1\nkind: Service\nmetadata: {name: envoy, namespace: projectcontour}\n"
                            "spec:\n  type: LoadBalancer\n  selector: {app: envoy}\n  ports: [{port: 80}]\n";
  EXPECT_EQ(scan_text(by_selector)->count("IG401"), 0u);
  EXPECT_EQ(scan_text(service("shop", "LoadBalancer"))->count("IG401"), 1u);
}

// Tests absence on a partial input: a backend Service missing from the input is a low note there, and a
// medium claim only when the policy says the input is complete.
TEST(ControllerSemantics, MissingBackendIsUnknownOnPartialInput) {
  std::string t = ingress("web", "nginx", "shop.example.com", "", true, "shop", "nope") + service("other", "ClusterIP");
  auto partial = scan_text(t);
  ASSERT_EQ(partial->count("IG109"), 1u);
  for (const Finding& f : partial->findings) {
    if (f.rule->id == "IG109") {
      EXPECT_EQ(f.severity, Severity::Low) << f.message;
    }
  }
  Policy complete;
  complete.complete_input = true;
  RuleSettings settings;
  settings.policy = &complete;
  auto whole = scan_text(t, InputFormat::Yaml, settings);
  for (const Finding& f : whole->findings)
    if (f.rule->id == "IG109") {
      EXPECT_EQ(f.severity, Severity::Medium);
      EXPECT_EQ(f.message, "backend Service shop/nope does not exist");
    }
}

// Tests IG1142 with HTTPS from a managed certificate (no spec.tls) and the FrontendConfig redirect.
TEST(ControllerSemantics, GkeRedirectSeesManagedCertificates) {
  std::string managed = ingress("web", "gce", "shop.example.com", "    networking.gke.io/managed-certificates: shop-cert\n");
  EXPECT_EQ(scan_text(managed)->count("IG1142"), 1u);
  EXPECT_EQ(scan_text(managed)->count("IG101"), 0u);  // HTTPS is served: not "plain HTTP"
  std::string redirected = ingress("web", "gce", "shop.example.com",
                                   "    networking.gke.io/managed-certificates: shop-cert\n"
                                   "    networking.gke.io/v1beta1.FrontendConfig: fc\n") +
                           "---\napiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata: {name: fc, namespace: shop}\n"
                           "spec:\n  redirectToHttps: {enabled: true}\n";
  auto r = scan_text(redirected);
  EXPECT_EQ(r->count("IG1142"), 0u);
  EXPECT_EQ(r->count("IG102"), 0u);
}

// Tests IG1163: AUTO_PASSTHROUGH on the east-west gateway is what it is for; on an edge gateway it is reported.
TEST(ControllerSemantics, AutoPassthroughOnEastWestGateway) {
  auto gateway = [](const std::string& selector, int port) {
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: istio-system}\nspec:\n"
           "  selector: {istio: " + selector + "}\n  servers:\n  - port: {number: " + std::to_string(port) +
           ", name: tls, protocol: TLS}\n    tls: {mode: AUTO_PASSTHROUGH}\n    hosts: [\"*.local\"]\n";
  };
  EXPECT_EQ(scan_text(gateway("eastwestgateway", 15443))->count("IG1163"), 0u);
  EXPECT_EQ(scan_text(gateway("ingressgateway", 443))->count("IG1163"), 1u);
}

// Tests IG1003: a listener without a hostname that admits exactly the namespaces named by the immutable
// kubernetes.io/metadata.name label is not shared; one admitting by another label is.
TEST(ControllerSemantics, ListenerAdmittingNamedNamespacesIsNotShared) {
  auto gateway = [](const std::string& key) {
    return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: infra}\nspec:\n"
           "  gatewayClassName: eg\n  listeners:\n  - name: http\n    protocol: HTTP\n    port: 80\n"
           "    allowedRoutes:\n      namespaces:\n        from: Selector\n        selector:\n          matchLabels: {" +
           key + ": team-a}\n";
  };
  EXPECT_EQ(scan_text(gateway("kubernetes.io/metadata.name"))->count("IG1003"), 0u);
  EXPECT_EQ(scan_text(gateway("team"))->count("IG1003"), 1u);
}

}  // namespace ig
