// The policy file: validation errors at the policy's own lines, discovery,
// and the rules and adjustments it drives (IG701-IG706, overrides, disabled
// rules, exemptions), through the real loader and engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "policy/policy.h"
#include "test_support.h"

namespace ig {

namespace fs = std::filesystem;
using testing::line_of;
using Lines = std::vector<uint32_t>;

namespace {

fs::path write_temp(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("ig_policy_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p;
}

struct PolicyScan {
  std::unique_ptr<testing::ScanOutcome> scan;
  std::optional<Policy> policy;
  std::vector<LoadError> errors;
};

PolicyScan scan_with_policy(const std::string& manifests, const std::string& policy_text, RuleSettings settings = {}) {
  PolicyScan out;
  out.scan = std::make_unique<testing::ScanOutcome>();
  Loader loader(out.scan->cluster);
  loader.load_buffer("test.yaml", manifests);
  out.scan->cluster.index();
  fs::path p = write_temp("policy.yaml", policy_text);
  out.policy = load_policy(p.string(), out.scan->cluster, out.errors);
  fs::remove(p);
  if (out.policy) settings.policy = &*out.policy;
  out.scan->findings = run_rules(out.scan->cluster, settings);
  return out;
}

const std::string kHeader = "apiVersion: ingressguard.io/v1\nkind: Policy\n";

std::string ingress(const std::string& name, const std::string& ns, const std::string& cls, const std::string& host,
                    const std::string& annotations = "", const std::string& service = "web") {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n    x.example.com/owner: team\n" + annotations + "spec:\n  ingressClassName: " + cls +
         "\n  tls:\n  - hosts: [\"" + host + "\"]\n  rules:\n  - host: \"" + host +
         "\"\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {service: {name: " + service +
         ", port: {number: 80}}}\n";
}

}  // namespace

// Tests that every kind of mistake is reported at its line in the policy file, and the policy is not used.
TEST(PolicyFile, ErrorsPointAtPolicyLines) {
  std::string bad = kHeader +
                    "rules:\n  disabled: [IG999]\n  severity: {IG101: severe}\n"
                    "hostz: []\n"
                    "exemptions:\n  - rule: IG101\n    expires: 2026-13-01\n"
                    "internalServiceLabel: novalue\n";
  auto r = scan_with_policy("", bad);
  EXPECT_FALSE(r.policy);
  std::vector<std::pair<uint32_t, std::string>> got;
  for (const LoadError& e : r.errors) got.emplace_back(e.mark.line, e.message.substr(0, 20));
  ASSERT_EQ(r.errors.size(), 6u);
  EXPECT_EQ(r.errors[0].mark.line, line_of(bad, "IG999"));
  EXPECT_EQ(r.errors[1].mark.line, line_of(bad, "severe"));
  EXPECT_EQ(r.errors[2].mark.line, line_of(bad, "hostz"));
  EXPECT_EQ(r.errors[3].mark.line, line_of(bad, "- rule: IG101"));  // no reason
  EXPECT_EQ(r.errors[4].mark.line, line_of(bad, "2026-13-01"));
  EXPECT_EQ(r.errors[5].mark.line, line_of(bad, "novalue"));
  EXPECT_NE(r.errors[2].message.find("unknown key 'hostz'"), std::string::npos);
  // Not YAML at all, or the wrong kind.
  EXPECT_FALSE(scan_with_policy("", "a: [1,\n").policy);
  auto wrong = scan_with_policy("", "apiVersion: v1\nkind: ConfigMap\n");
  ASSERT_EQ(wrong.errors.size(), 2u);
  EXPECT_EQ(wrong.errors[0].mark.line, 1u);
}

// Tests the annotation allowlist with globs and a per-namespace override; ingressguard's own annotation is always allowed.
TEST(PolicyFile, AnnotationAllowlist) {
  std::string m = ingress("a", "shop", "nginx", "a.example.com",
                          "    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\n"
                          "    nginx.ingress.kubernetes.io/server-snippet: x\n"
                          "    ingressguard.io/ignore: \"IG201: reviewed\"\n") +
                  ingress("b", "legacy", "nginx", "b.example.com", "    nginx.ingress.kubernetes.io/server-snippet: x\n");
  auto r = scan_with_policy(m, kHeader +
                                   "annotations:\n  allowed: [\"nginx.ingress.kubernetes.io/ssl-*\", \"x.example.com/*\"]\n"
                                   "  namespaces:\n    legacy: [\"*\"]\n");
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(r.scan->lines("IG701"), Lines{line_of(m, "server-snippet")});
}

// Tests allowed classes, host ownership by namespace, hosts per class, and internal Services behind public classes.
TEST(PolicyFile, ClassesHostsAndInternalServices) {
  std::string m = ingress("ok", "shop", "public", "www.example.com") +
                  ingress("taken", "blog", "public", "shop.example.com") +
                  ingress("internal-ok", "ops", "internal", "grafana.internal.example.com") +
                  ingress("internal-leak", "ops", "internal", "status.example.com") +
                  ingress("stray", "ops", "experimental", "x.example.net") +
                  ingress("exposed", "ops", "public", "admin.example.org", "", "admin") +
                  "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: admin\n  namespace: ops\n  labels:\n"
                  "    ingressguard.io/exposure: internal\n";
  auto r = scan_with_policy(m, kHeader +
                                   "ingressClasses:\n  allowed: [public, internal]\n"
                                   "hosts:\n  - host: \"shop.example.com\"\n    namespaces: [shop]\n"
                                   "  - host: \"*.internal.example.com\"\n    namespaces: [ops, \"team-*\"]\n"
                                   "classes:\n  public: {public: true}\n"
                                   "  internal:\n    hosts: [\"*.internal.example.com\"]\n    public: false\n");
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(r.scan->lines("IG702"), Lines{line_of(m, "ingressClassName: experimental")});
  EXPECT_EQ(r.scan->lines("IG703"), Lines{line_of(m, "- host: \"shop.example.com")});
  EXPECT_EQ(r.scan->lines("IG704"), Lines{line_of(m, "- host: \"status.example.com")});
  EXPECT_EQ(r.scan->lines("IG705"), Lines{line_of(m, "name: admin,") });
}

// Tests severity overrides, disabled rules, exemptions (matching by kind, namespace glob and name), and expiry.
TEST(PolicyFile, OverridesDisabledAndExemptions) {
  std::string m = ingress("a", "shop", "nginx", "*.example.com") + ingress("b", "team-1", "nginx", "*.example.org");
  std::string p = kHeader +
                  "rules:\n  disabled: [IG108]\n  severity: {IG103: critical}\n"
                  "exemptions:\n"
                  "  - rule: IG103\n    resource: {kind: Ingress, namespace: \"team-*\"}\n    reason: wildcard for previews\n"
                  "    expires: 2999-12-31\n"
                  "  - rule: IG101\n    resource: {name: a}\n    reason: old\n    expires: 2020-01-01\n";
  auto r = scan_with_policy(m, p);
  ASSERT_TRUE(r.policy);
  ASSERT_EQ(r.scan->count("IG103"), 2u);
  for (const Finding& f : r.scan->findings) {
    if (f.rule->id == "IG103") {
      EXPECT_EQ(f.severity, Severity::Critical);
      EXPECT_EQ(f.suppressed != nullptr, f.resource.name == "b");
      if (f.suppressed) {
        EXPECT_EQ(f.suppressed->kind, "policy");
      }
    }
    if (f.rule->id == "IG101") {
      EXPECT_FALSE(f.suppressed != nullptr);  // expired exemption no longer applies
    }
  }
  EXPECT_EQ(r.scan->count("IG108"), 0u);
  ASSERT_EQ(r.scan->count("IG706"), 1u);
  EXPECT_EQ(r.scan->lines("IG706"), Lines{line_of(p, "2020-01-01")});
  // With a clock in 2019 the exemption still holds.
  RuleSettings past;
  past.now = 1546300800;  // 2019-01-01
  auto early = scan_with_policy(m, p, past);
  EXPECT_EQ(early.scan->count("IG706"), 0u);
}

// Tests discovery: ./.ingressguard.yaml first, else the root of the git repository holding the scanned path.
TEST(PolicyFile, Discovery) {
  fs::path repo = fs::temp_directory_path() / ("ig_repo_" + std::to_string(::getpid()));
  fs::create_directories(repo / ".git");
  fs::create_directories(repo / "deploy/prod");
  std::ofstream(repo / ".ingressguard.yaml") << kHeader;
  auto found = find_policy((repo / "deploy/prod").string());
  ASSERT_TRUE(found);
  EXPECT_EQ(fs::path(*found), repo / ".ingressguard.yaml");
  fs::remove(repo / ".ingressguard.yaml");
  EXPECT_FALSE(find_policy((repo / "deploy/prod").string()));
  fs::remove_all(repo);
}

}  // namespace ig

namespace ig {

// Tests the policy's hostPorts (ranges, hostNetwork, exempt images), services.allowedExternalIPs and completeInput.
TEST(PolicyFile, HostPortsExternalIpsAndCompleteInput) {
  std::string m = R"(apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  hostNetwork: true
  containers:
  - name: in-range
    image: web
    ports: [{containerPort: 80, hostPort: 8080}]
  - name: out-of-range
    image: web
    ports: [{containerPort: 81, hostPort: 9443}]
  - name: exempt
    image: safe.example.com/agent
    ports: [{containerPort: 82, hostPort: 10250}]
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {externalIPs: [192.0.2.10, 198.51.100.7]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lonely, namespace: nowhere}
spec: {podSelector: {matchLabels: {app: x}}}
)";
  std::string p = kHeader +
                  "hostPorts:\n  allowed: [\"80-9000\"]\n  hostNetwork: false\n  exemptImages: [\"safe.example.com/*\"]\n"
                  "services:\n  allowedExternalIPs: [192.0.2.0/24]\n"
                  "completeInput: true\n";
  auto r = scan_with_policy(m, p);
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(r.scan->lines("IG507"), (Lines{line_of(m, "hostNetwork"), line_of(m, "hostPort: 9443")}));
  ASSERT_EQ(r.scan->count("IG402"), 1u);
  for (const Finding& f : r.scan->findings)
    if (f.rule->id == "IG402") {
      EXPECT_EQ(f.message.find("192.0.2.10"), std::string::npos);
      EXPECT_NE(f.message.find("198.51.100.7"), std::string::npos);
    }
  EXPECT_EQ(r.scan->lines("IG504"), Lines{line_of(m, "app: x")});
  // Without completeInput, a policy in a namespace the input holds nothing of is not judged.
  EXPECT_EQ(scan_with_policy(m, kHeader).scan->count("IG504"), 0u);
  // Malformed ranges point at their line.
  auto bad = scan_with_policy("", kHeader + "hostPorts:\n  allowed: [\"90-80\"]\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].mark.line, 4u);
}

}  // namespace ig
