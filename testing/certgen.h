// Certificates made on the fly for tests and benchmarks (never for
// production use): a key, a certificate with the names and validity asked
// for, self-signed or issued by a given CA, as PEM text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ig::testing {

struct KeyPair {
  std::string key_pem;   // PKCS#8 private key
  std::string cert_pem;  // the certificate
};

struct CertSpec {
  std::vector<std::string> dns_names;  // subjectAltName; the first is also the CN
  std::string common_name;             // overrides the CN when set
  bool san = true;                     // false: CN only
  int64_t not_before_days = -1;        // relative to now
  int64_t not_after_days = 365;
  std::string key = "ec";              // "ec" (P-256), "rsa:BITS", "ed25519"
  std::string digest = "sha256";       // "sha256", "sha1", ...
  bool ca = false;
  const KeyPair* issuer = nullptr;     // null: self-signed
};

// Throws std::runtime_error if OpenSSL fails.
KeyPair make_certificate(const CertSpec& spec);
// A key of that kind reused for several certificates (RSA generation is slow).
std::string make_key(const std::string& kind);
KeyPair make_certificate_with_key(const CertSpec& spec, const std::string& key_pem);

// The same key in OpenSSL's traditional form ("RSA PRIVATE KEY", "EC PRIVATE KEY").
std::string traditional_key_pem(const std::string& key_pem);

std::string base64(const std::string& data);  // one line, as in a Secret's data

}  // namespace ig::testing
