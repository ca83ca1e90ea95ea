// libFuzzer target for the TLS Secret readers: the bytes are tls.crt and
// tls.key as PEM text, split at the first NUL byte. Both readers (mbedTLS,
// GnuTLS) and the dispatcher run on every input; nothing may crash, hang or
// grow without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "load/certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view crt = in.substr(0, nul);
  std::string_view key = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
  for (bool base64 : {false, true}) {
    ig::SecretValue c{crt, base64}, k{key, base64};
    ig::CertInfo info = ig::inspect_certificate(c, k);
    if (info.dns_names.size() > 1000) __builtin_trap();
    (void)ig::detail::inspect_fast(c, k);
    (void)ig::detail::inspect_gnutls(c, k);
  }
  return 0;
}
