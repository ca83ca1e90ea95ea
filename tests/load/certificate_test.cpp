// The certificate readers: the fast one (mbedTLS) must give the same summary
// as the reference (GnuTLS) on every input it accepts, must accept the common
// shapes (so the scan stays fast), and must leave the rest to GnuTLS.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "load/certificate.h"
#include "testing/certgen.h"

namespace ig {
namespace {

using testing::CertSpec;
using testing::KeyPair;

struct Case {
  std::string name;
  std::string crt;  // PEM
  std::string key;  // PEM, or empty
  bool fast;        // the fast reader must take it
};

KeyPair make(std::vector<std::string> names, const KeyPair* issuer, void (*tweak)(CertSpec&) = nullptr) {
  CertSpec spec;
  spec.dns_names = std::move(names);
  spec.issuer = issuer;
  if (tweak) tweak(spec);
  return testing::make_certificate(spec);
}

void expect_same(const CertInfo& fast, const CertInfo& ref, const std::string& name) {
  SCOPED_TRACE(name);
  EXPECT_EQ(fast.state, ref.state);
  EXPECT_EQ(fast.error, ref.error);
  EXPECT_EQ(fast.not_before, ref.not_before);
  EXPECT_EQ(fast.not_after, ref.not_after);
  EXPECT_EQ(fast.dns_names, ref.dns_names);
  EXPECT_EQ(fast.names_from_cn, ref.names_from_cn);
  EXPECT_EQ(fast.key_type, ref.key_type);
  EXPECT_EQ(fast.key_bits, ref.key_bits);
  EXPECT_EQ(fast.signature, ref.signature);
  EXPECT_EQ(fast.weak_signature, ref.weak_signature);
  EXPECT_EQ(fast.self_signed, ref.self_signed);
  EXPECT_EQ(fast.is_ca, ref.is_ca);
  EXPECT_EQ(fast.chain_length, ref.chain_length);
  EXPECT_EQ(fast.key, ref.key);
}

std::vector<Case> cases() {
  static const KeyPair ca = make({}, nullptr, [](CertSpec& s) {
    s.common_name = "Parity CA";
    s.ca = true;
  });
  KeyPair ec = make({"a.example.com", "*.b.example.com"}, &ca);
  KeyPair rsa = make({"rsa.example.com"}, &ca, [](CertSpec& s) { s.key = "rsa:2048"; });
  KeyPair weak = make({"weak.example.com"}, &ca, [](CertSpec& s) {
    s.key = "rsa:1024";
    s.digest = "sha1";
  });
  KeyPair sha384 = make({"384.example.com"}, &ca, [](CertSpec& s) { s.digest = "sha384"; });
  KeyPair cn_only = make({"cn.example.com"}, &ca, [](CertSpec& s) { s.san = false; });
  KeyPair expired = make({"old.example.com"}, &ca, [](CertSpec& s) {
    s.not_before_days = -400;
    s.not_after_days = -30;
  });
  KeyPair sub_ca = make({}, &ca, [](CertSpec& s) {
    s.common_name = "Sub CA";
    s.ca = true;
  });
  KeyPair self = make({"self.example.com"}, nullptr);
  KeyPair ed = make({"ed.example.com"}, &ca, [](CertSpec& s) { s.key = "ed25519"; });
  std::string cut = ec.cert_pem.substr(0, ec.cert_pem.size() / 2);
  return {
      {"EC P-256, two SANs, PKCS#8 key", ec.cert_pem, ec.key_pem, true},
      {"RSA 2048", rsa.cert_pem, rsa.key_pem, true},
      {"RSA 1024 signed with SHA-1", weak.cert_pem, weak.key_pem, true},
      {"SHA-384", sha384.cert_pem, sha384.key_pem, true},
      {"CN only", cn_only.cert_pem, cn_only.key_pem, true},
      {"expired", expired.cert_pem, expired.key_pem, true},
      {"intermediate CA", sub_ca.cert_pem, sub_ca.key_pem, true},
      {"leaf and chain", ec.cert_pem + ca.cert_pem, ec.key_pem, true},
      {"text around the blocks", "subject=a\n" + ec.cert_pem + "\ntrailer\n", ec.key_pem, true},
      {"SEC1 EC key", ec.cert_pem, testing::traditional_key_pem(ec.key_pem), true},
      {"PKCS#1 RSA key", rsa.cert_pem, testing::traditional_key_pem(rsa.key_pem), true},
      {"EC key of another certificate", ec.cert_pem, sha384.key_pem, true},
      {"RSA key of another certificate", rsa.cert_pem, weak.key_pem, true},
      {"EC certificate, RSA key", ec.cert_pem, rsa.key_pem, true},
      {"no key", ec.cert_pem, "", true},
      {"self-signed", self.cert_pem, self.key_pem, false},
      {"Ed25519", ed.cert_pem, ed.key_pem, false},
      {"key that is not PEM", ec.cert_pem, "not a key", false},
      {"not a certificate", "not a certificate", "", false},
      {"certificate cut short", cut, ec.key_pem, false},
  };
}

// Tests, on each case in base64 (data) and as text (stringData), that the fast reader takes exactly the common shapes and agrees with GnuTLS on every field.
TEST(Certificate, FastReaderAgreesWithGnuTls) {
  for (const Case& c : cases()) {
    for (bool base64 : {true, false}) {
      std::string crt = base64 ? testing::base64(c.crt) : c.crt;
      std::string key = base64 && !c.key.empty() ? testing::base64(c.key) : c.key;
      SecretValue crt_value{crt, base64}, key_value{key, base64};
      std::optional<CertInfo> fast = detail::inspect_fast(crt_value, key_value);
      CertInfo ref = detail::inspect_gnutls(crt_value, key_value);
      EXPECT_EQ(fast.has_value(), c.fast) << c.name << (base64 ? " (base64)" : " (text)");
      if (fast) expect_same(*fast, ref, c.name);
      // What the loader calls: the fast answer when there is one, else GnuTLS's.
      expect_same(inspect_certificate(crt_value, key_value), ref, c.name + " via inspect_certificate");
    }
  }
}

// Tests a few reference answers outright, so that agreement is not agreement on nothing.
TEST(Certificate, ReferenceAnswers) {
  std::vector<Case> all = cases();
  auto get = [&](const std::string& name) {
    for (const Case& c : all)
      if (c.name == name) return inspect_certificate({c.crt, false}, {c.key, false});
    ADD_FAILURE() << name;
    return CertInfo{};
  };
  CertInfo ec = get("EC P-256, two SANs, PKCS#8 key");
  EXPECT_EQ(ec.state, CertInfo::State::Ok);
  EXPECT_EQ(ec.key, CertInfo::KeyMatch::Match);
  EXPECT_EQ(ec.key_type, "EC");
  EXPECT_EQ(ec.key_bits, 256);
  EXPECT_EQ(ec.signature, "ECDSA-SHA256");
  EXPECT_EQ(ec.dns_names, (std::vector<std::string>{"a.example.com", "*.b.example.com"}));
  EXPECT_FALSE(ec.self_signed);
  EXPECT_FALSE(ec.is_ca);
  EXPECT_GT(ec.not_after, ec.not_before);
  CertInfo weak = get("RSA 1024 signed with SHA-1");
  EXPECT_EQ(weak.key_type, "RSA");
  EXPECT_EQ(weak.key_bits, 1024);
  EXPECT_EQ(weak.signature, "ECDSA-SHA1");  // signed by the EC CA
  EXPECT_TRUE(weak.weak_signature);
  EXPECT_EQ(get("CN only").dns_names, std::vector<std::string>{"cn.example.com"});
  EXPECT_TRUE(get("CN only").names_from_cn);
  EXPECT_TRUE(get("intermediate CA").is_ca);
  EXPECT_EQ(get("leaf and chain").chain_length, 2);
  EXPECT_EQ(get("SEC1 EC key").key, CertInfo::KeyMatch::Match);
  EXPECT_EQ(get("PKCS#1 RSA key").key, CertInfo::KeyMatch::Match);
  EXPECT_EQ(get("EC key of another certificate").key, CertInfo::KeyMatch::Mismatch);
  EXPECT_EQ(get("RSA key of another certificate").key, CertInfo::KeyMatch::Mismatch);
  EXPECT_EQ(get("EC certificate, RSA key").key, CertInfo::KeyMatch::Mismatch);
  EXPECT_EQ(get("no key").key, CertInfo::KeyMatch::Unknown);
  EXPECT_TRUE(get("self-signed").self_signed);
  EXPECT_EQ(get("Ed25519").key_type, "ED25519");
  EXPECT_EQ(get("key that is not PEM").key, CertInfo::KeyMatch::Unreadable);
  EXPECT_EQ(get("not a certificate").state, CertInfo::State::Unreadable);
  EXPECT_EQ(get("certificate cut short").state, CertInfo::State::Unreadable);
}

}  // namespace
}  // namespace ig
