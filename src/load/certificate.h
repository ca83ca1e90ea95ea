// Reads a TLS Secret's certificate and checks its private key against it.
// Input is untrusted; the result keeps no secret material, and buffers that
// held the key are wiped.
//
// Two readers: mbedTLS parses the common shape (PEM blocks of RSA or EC
// certificates and keys) in a few microseconds; anything else, or anything
// mbedTLS refuses, is read by GnuTLS, whose answers are the reference.
#pragma once

#include <optional>
#include <string_view>

#include "core/cluster.h"

namespace ig {

// A Secret value: base64 when it comes from `data`, PEM text from `stringData`.
struct SecretValue {
  std::string_view text;
  bool base64 = true;
};

// Reads tls.crt and checks tls.key (whose text may be empty) against it.
CertInfo inspect_certificate(SecretValue crt, SecretValue key);

namespace detail {
// The two readers behind inspect_certificate, for the test that holds them to
// the same answers. inspect_fast returns nothing when the input is not of the
// shape it reads, and the caller asks inspect_gnutls.
std::optional<CertInfo> inspect_fast(SecretValue crt, SecretValue key);
CertInfo inspect_gnutls(SecretValue crt, SecretValue key);
}  // namespace detail

}  // namespace ig
