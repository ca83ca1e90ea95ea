// TLS Secret rules on certificates generated in the test (testing/certgen.h).
#include <gtest/gtest.h>

#include <ctime>

#include "policy/policy.h"
#include "test_support.h"
#include "testing/certgen.h"

namespace ig {

using testing::line_of;
using testing::scan_text;
using Lines = std::vector<uint32_t>;

namespace {

std::string secret(const std::string& name, const testing::KeyPair& kp, const std::string& ns = "web") {
  return "---\napiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " + testing::base64(kp.cert_pem) +
         "\n  tls.key: " + testing::base64(kp.key_pem) + "\n";
}

std::string tls_ingress(const std::string& name, const std::string& host, const std::string& secret_name) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: " + name +
         ", namespace: web}\nspec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [" + host + "]\n    secretName: " +
         secret_name + "\n  rules:\n  - host: " + host + "\n";
}

// A certificate for `names`, adjusted by `tweak`.
template <class Fn>
testing::KeyPair make(std::vector<std::string> names, Fn tweak) {
  testing::CertSpec spec;
  spec.dns_names = std::move(names);
  tweak(spec);
  return testing::make_certificate(spec);
}
testing::KeyPair make(std::vector<std::string> names) {
  return make(std::move(names), [](testing::CertSpec&) {});
}

const testing::KeyPair& test_ca() {
  static testing::KeyPair ca = make({}, [](testing::CertSpec& s) {
    s.common_name = "Test CA";
    s.ca = true;
  });
  return ca;
}

testing::KeyPair good(const std::string& host) {
  return make({host}, [](testing::CertSpec& s) { s.issuer = &test_ca(); });
}

}  // namespace

// Tests that a valid CA-issued certificate covering its hosts produces no TLS finding at all.
TEST(TlsSecrets, GoodCertificateIsClean) {
  std::string t = secret("ok", good("*.example.com")) + tls_ingress("i", "shop.example.com", "ok");
  auto r = scan_text(t);
  for (const char* id : {"IG601", "IG602", "IG603", "IG604", "IG605", "IG606", "IG607", "IG608"})
    EXPECT_EQ(r->count(id), 0u) << id;
  ASSERT_EQ(r->cluster.secrets.size(), 1u);
  const CertInfo& cert = r->cluster.secrets[0].cert;
  EXPECT_EQ(cert.state, CertInfo::State::Ok);
  EXPECT_EQ(cert.key, CertInfo::KeyMatch::Match);
  EXPECT_EQ(cert.key_type, "EC");
  EXPECT_EQ(cert.key_bits, 256);
  EXPECT_EQ(cert.dns_names, std::vector<std::string>{"*.example.com"});
}

// Tests that a Secret named by an Ingress but absent is reported only when the input holds that namespace's Secrets.
TEST(TlsSecrets, MissingOnlyWithNamespaceSecrets) {
  std::string t = secret("other", good("x.example.com")) + tls_ingress("i", "a.example.com", "absent");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG601"), Lines{line_of(t, "secretName: absent")});
  auto partial = scan_text(tls_ingress("i", "a.example.com", "absent"));
  EXPECT_EQ(partial->count("IG601"), 0u);
  // Secrets rarely live with the manifests: on a partial input the note is low, a claim only on complete input.
  for (const Finding& f : r->findings) {
    if (f.rule->id != "IG601") continue;
    EXPECT_EQ(f.severity, Severity::Low);
    EXPECT_EQ(f.message, "TLS Secret 'absent' is not in the input in namespace web; without it the controller serves its default certificate");
  }
  Policy complete;
  complete.complete_input = true;
  RuleSettings settings;
  settings.policy = &complete;
  auto whole = scan_text(t, InputFormat::Yaml, settings);
  ASSERT_EQ(whole->count("IG601"), 1u);
  for (const Finding& f : whole->findings)
    if (f.rule->id == "IG601") {
      EXPECT_EQ(f.severity, Severity::High) << f.message;  // the rule's own severity
    }
  // cert-manager's ingress-shim creates the Secret of an Ingress that names an issuer.
  std::string issued = secret("other", good("x.example.com")) + tls_ingress("i", "a.example.com", "absent");
  const std::string meta = "metadata: {name: i, namespace: web}";
  issued.replace(issued.find(meta), meta.size(), "metadata: {name: i, namespace: web, annotations: {cert-manager.io/cluster-issuer: le}}");
  EXPECT_EQ(scan_text(issued)->count("IG601"), 0u);
  // The AWS Load Balancer Controller never reads the Secret: its spec.tls hosts only select ACM certificates.
  std::string alb = secret("other", good("x.example.com")) + tls_ingress("i", "a.example.com", "absent");
  alb.replace(alb.find("ingressClassName: nginx"), 23, "ingressClassName: alb");
  EXPECT_EQ(scan_text(alb, InputFormat::Yaml, settings)->count("IG601"), 0u);
}

// Tests unusable Secrets: garbage certificate, mismatched key, missing key, encrypted-looking junk key.
TEST(TlsSecrets, Unusable) {
  testing::KeyPair a = good("a.example.com");
  testing::KeyPair b = good("b.example.com");
  testing::KeyPair mismatched{b.key_pem, a.cert_pem};
  std::string t = secret("mismatch", mismatched) +
                  "---\napiVersion: v1\nkind: Secret\nmetadata: {name: junk, namespace: web}\ntype: kubernetes.io/tls\n"
                  "data:\n  tls.crt: bm90IGEgY2VydGlmaWNhdGU=\n  tls.key: bm90IGEga2V5\n" +
                  "---\napiVersion: v1\nkind: Secret\nmetadata: {name: nokey, namespace: web}\ntype: kubernetes.io/tls\n"
                  "stringData:\n  tls.crt: |\n" +
                  [&] {
                    std::string indented;
                    for (size_t i = 0, j; i < a.cert_pem.size(); i = j + 1) {
                      j = a.cert_pem.find('\n', i);
                      indented += "    " + a.cert_pem.substr(i, j - i) + "\n";
                    }
                    return indented;
                  }() +
                  "---\napiVersion: v1\nkind: Secret\nmetadata: {name: badkey, namespace: web}\ntype: kubernetes.io/tls\n"
                  "data:\n  tls.crt: " + testing::base64(a.cert_pem) + "\n  tls.key: bm90IGEga2V5\n";
  auto r = scan_text(t);
  uint32_t mismatch_key = line_of(t, "tls.key: " + testing::base64(b.key_pem));
  uint32_t junk_crt = line_of(t, "tls.crt: bm90");
  uint32_t nokey_crt = line_of(t, "stringData:") + 1;
  uint32_t badkey = line_of(t, "name: badkey") + 4;
  EXPECT_EQ(r->lines("IG602"), (Lines{mismatch_key, junk_crt, nokey_crt, badkey}));
}

// Tests expiry: expired, not yet valid, expiring within the window (configurable), and outside it.
TEST(TlsSecrets, Expiry) {
  auto cert = [](int64_t from, int64_t to) {
    return make({"a.example.com"}, [&](testing::CertSpec& s) {
      s.not_before_days = from;
      s.not_after_days = to;
    });
  };
  std::string t = secret("expired", cert(-100, -1)) + secret("future", cert(5, 300)) + secret("soon", cert(-100, 10)) +
                  secret("later", cert(-100, 60));
  auto at = [&](const char* name) { return line_of(t, std::string("name: ") + name) + 3; };
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG603"), (Lines{at("expired"), at("future")}));
  EXPECT_EQ(r->lines("IG604"), Lines{at("soon")});
  RuleSettings wide;
  wide.cert_expiry_days = 90;
  auto r90 = scan_text(t, InputFormat::Yaml, wide);
  EXPECT_EQ(r90->lines("IG604"), (Lines{at("soon"), at("later")}));
  // A fixed clock: a year from now, everything has expired.
  RuleSettings later;
  later.now = static_cast<int64_t>(std::time(nullptr)) + 400 * 86400;
  EXPECT_EQ(scan_text(t, InputFormat::Yaml, later)->count("IG603"), 4u);
}

// Tests weak keys and signatures: RSA 1024 and SHA-1 flagged; RSA 2048 SHA-256 not; a self-signed SHA-1 root is judged as self-signed only.
TEST(TlsSecrets, WeakKeyAndSignature) {
  auto issued = [](const char* key, const char* digest) {
    return make({"a.example.com"}, [&](testing::CertSpec& s) {
      s.key = key;
      s.digest = digest;
      s.issuer = &test_ca();
    });
  };
  std::string t = secret("rsa1024", issued("rsa:1024", "sha256")) + secret("sha1", issued("ec", "sha1")) +
                  secret("rsa2048", issued("rsa:2048", "sha256"));
  auto at = [&](const char* name) { return line_of(t, std::string("name: ") + name) + 3; };
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG605"), Lines{at("rsa1024")});
  EXPECT_EQ(r->lines("IG606"), Lines{at("sha1")});
  EXPECT_EQ(r->count("IG608"), 0u);
}

// Tests SAN coverage: exact and one-label wildcard match (case-insensitive); other hosts and deeper names do not; CN-only certificates use the CN.
TEST(TlsSecrets, HostCoverage) {
  std::string t = secret("wild", good("*.Example.com")) + tls_ingress("ok", "shop.example.com", "wild") +
                  tls_ingress("deep", "a.b.example.com", "wild") + tls_ingress("apex", "example.com", "wild") +
                  secret("cn", make({"cn.example.com"}, [](testing::CertSpec& s) { s.san = false; })) +
                  tls_ingress("cn-ok", "cn.example.com", "cn");
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG607"), (Lines{line_of(t, "hosts: [a.b.example.com]"), line_of(t, "hosts: [example.com]")}));
}

// Tests that a self-signed leaf is flagged and a CA-issued one is not.
TEST(TlsSecrets, SelfSigned) {
  std::string t = secret("self", make({"a.example.com"})) + secret("issued", good("a.example.com"));
  auto r = scan_text(t);
  EXPECT_EQ(r->lines("IG608"), Lines{line_of(t, "name: self") + 3});
}

// Tests that no Secret data (certificate or key bytes) appears in any finding message.
TEST(TlsSecrets, MessagesNeverHoldSecretData) {
  testing::KeyPair kp = make({"a.example.com"}, [](testing::CertSpec& s) { s.not_after_days = -1; });
  std::string key_b64 = testing::base64(kp.key_pem);
  std::string crt_b64 = testing::base64(kp.cert_pem);
  auto r = scan_text(secret("s", kp) + tls_ingress("i", "b.example.com", "s"));
  ASSERT_FALSE(r->findings.empty());
  for (const Finding& f : r->findings) {
    EXPECT_EQ(f.message.find(key_b64.substr(40, 20)), std::string::npos);
    EXPECT_EQ(f.message.find(crt_b64.substr(40, 20)), std::string::npos);
    EXPECT_EQ(f.message.find("PRIVATE KEY"), std::string::npos);
  }
}

}  // namespace ig
