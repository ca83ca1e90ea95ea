// Reads a TLS Secret's certificate (and checks its private key) with GnuTLS.
// Input is untrusted; the result keeps no secret material, and buffers that
// held the key are wiped.
#pragma once

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

}  // namespace ig
