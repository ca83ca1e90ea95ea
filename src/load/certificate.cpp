#include "load/certificate.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <string>

namespace ig {

// Certificates are read with GnuTLS rather than OpenSSL: on Debian bookworm's
// OpenSSL 3.0, decoding one certificate costs about 300 us and one private key
// 700-850 us (the provider decoder framework), against 27 us and 8-37 us with
// GnuTLS (docs/benchmarks.md). A manifest repository can hold thousands.

namespace {

constexpr unsigned kMaxChain = 64;   // certificates read from one tls.crt
constexpr int kMaxNames = 1000;      // SAN entries kept

// A string that wipes itself: it may hold a private key.
struct SecureBuffer {
  std::string data;
  ~SecureBuffer() {
    if (!data.empty()) OPENSSL_cleanse(data.data(), data.size());
  }
};

bool base64_decode(std::string_view in, std::string& out) {
  std::unique_ptr<EVP_ENCODE_CTX, void (*)(EVP_ENCODE_CTX*)> ctx(EVP_ENCODE_CTX_new(), &EVP_ENCODE_CTX_free);
  if (!ctx) return false;
  out.assign(in.size() / 4 * 3 + 4, '\0');
  EVP_DecodeInit(ctx.get());
  int n = 0, total = 0;
  // EVP_DecodeUpdate takes int lengths; feed large values in pieces.
  size_t pos = 0;
  while (pos < in.size()) {
    int len = static_cast<int>(std::min<size_t>(in.size() - pos, 1 << 20));
    if (EVP_DecodeUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &n,
                         reinterpret_cast<const unsigned char*>(in.data() + pos), len) < 0)
      return false;
    total += n;
    pos += static_cast<size_t>(len);
  }
  if (EVP_DecodeFinal(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &n) < 0) return false;
  total += n;
  out.resize(static_cast<size_t>(total));
  return true;
}

gnutls_datum_t datum(const std::string& s) {
  return gnutls_datum_t{reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())),
                        static_cast<unsigned>(std::min<size_t>(s.size(), UINT32_MAX))};
}

std::string printable(const char* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < 256; ++i) {
    unsigned char ch = static_cast<unsigned char>(p[i]);
    s.push_back(ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '?');
  }
  return s;
}

void read_names(gnutls_x509_crt_t crt, CertInfo& info) {
  // GnuTLS keeps the decoded subjectAltName from the import: each call is cheap.
  char buf[512];
  for (unsigned seq = 0; static_cast<int>(info.dns_names.size()) < kMaxNames; ++seq) {
    size_t size = sizeof buf;
    unsigned critical = 0;
    int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, &critical);
    if (type == GNUTLS_E_SHORT_MEMORY_BUFFER) continue;  // longer than any DNS name may be
    if (type < 0) break;
    if (type == GNUTLS_SAN_DNSNAME) info.dns_names.push_back(printable(buf, size));
  }
  if (!info.dns_names.empty()) return;
  size_t size = sizeof buf;
  if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) == 0) {
    info.dns_names.push_back(printable(buf, size));
    info.names_from_cn = true;
  }
}

const char* key_type(int pk) {
  switch (pk) {
    case GNUTLS_PK_RSA: return "RSA";
    case GNUTLS_PK_RSA_PSS: return "RSA-PSS";
    case GNUTLS_PK_ECDSA: return "EC";
    case GNUTLS_PK_EDDSA_ED25519: return "ED25519";
    case GNUTLS_PK_EDDSA_ED448: return "ED448";
    case GNUTLS_PK_DSA: return "DSA";
    default: return "other";
  }
}

// Returns the public key algorithm.
int read_key_and_signature(gnutls_x509_crt_t crt, CertInfo& info) {
  unsigned bits = 0;
  int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
  if (pk >= 0) {
    info.key_type = key_type(pk);
    info.key_bits = static_cast<int>(bits);
  }
  int sign = gnutls_x509_crt_get_signature_algorithm(crt);
  if (sign >= 0) {
    auto algo = static_cast<gnutls_sign_algorithm_t>(sign);
    if (const char* name = gnutls_sign_get_name(algo)) info.signature = name;
    gnutls_digest_algorithm_t hash = gnutls_sign_get_hash_algorithm(algo);
    info.weak_signature = hash == GNUTLS_DIG_SHA1 || hash == GNUTLS_DIG_MD5 || hash == GNUTLS_DIG_MD2;
  }
  return pk;
}

struct Datum {
  gnutls_datum_t d{nullptr, 0};
  ~Datum() { gnutls_free(d.data); }
  bool operator==(const Datum& o) const {
    return d.size == o.d.size && (d.size == 0 || std::equal(d.data, d.data + d.size, o.d.data));
  }
};

// Compares the public halves directly for RSA and EC keys (a few microseconds),
// and through SHA-256 key identifiers for other kinds (about 25 us).
bool same_public_key(gnutls_x509_crt_t leaf, int crt_pk, gnutls_x509_privkey_t key) {
  int key_pk = gnutls_x509_privkey_get_pk_algorithm(key);
  if (crt_pk != key_pk) return false;
  if (crt_pk == GNUTLS_PK_RSA) {
    Datum m1, e1, m2, e2;
    if (gnutls_x509_crt_get_pk_rsa_raw(leaf, &m1.d, &e1.d) == 0 &&
        gnutls_x509_privkey_export_rsa_raw2(key, &m2.d, &e2.d, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) == 0)
      return m1 == m2 && e1 == e2;
  } else if (crt_pk == GNUTLS_PK_ECDSA) {
    gnutls_ecc_curve_t c1, c2;
    Datum x1, y1, x2, y2, k;
    if (gnutls_x509_crt_get_pk_ecc_raw(leaf, &c1, &x1.d, &y1.d) == 0 &&
        gnutls_x509_privkey_export_ecc_raw(key, &c2, &x2.d, &y2.d, &k.d) == 0) {
      if (k.d.data) gnutls_memset(k.d.data, 0, k.d.size);
      return c1 == c2 && x1 == x2 && y1 == y2;
    }
  }
  unsigned char a[64], b[64];
  size_t al = sizeof a, bl = sizeof b;
  return gnutls_x509_crt_get_key_id(leaf, GNUTLS_KEYID_USE_SHA256, a, &al) >= 0 &&
         gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, b, &bl) >= 0 && al == bl &&
         std::equal(a, a + al, b);
}

CertInfo::KeyMatch check_key(gnutls_x509_crt_t leaf, int crt_pk, const std::string& pem) {
  gnutls_x509_privkey_t key;
  if (gnutls_x509_privkey_init(&key) < 0) return CertInfo::KeyMatch::Unreadable;
  gnutls_datum_t d = datum(pem);
  // No password: an encrypted key is unusable by an ingress controller.
  int rc = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, nullptr, GNUTLS_PKCS_PLAIN);
  CertInfo::KeyMatch result = CertInfo::KeyMatch::Unreadable;
  if (rc >= 0) result = same_public_key(leaf, crt_pk, key) ? CertInfo::KeyMatch::Match : CertInfo::KeyMatch::Mismatch;
  gnutls_x509_privkey_deinit(key);
  return result;
}

}  // namespace

CertInfo inspect_certificate(SecretValue crt, SecretValue key) {
  CertInfo info;
  std::string pem;
  if (crt.base64) {
    if (!base64_decode(crt.text, pem)) {
      info.state = CertInfo::State::Unreadable;
      info.error = "tls.crt is not valid base64";
      return info;
    }
  } else {
    pem.assign(crt.text);
  }
  gnutls_x509_crt_t chain[kMaxChain];
  unsigned count = kMaxChain;
  gnutls_datum_t d = datum(pem);
  // Without FAIL_IF_EXCEED, a longer chain is read up to kMaxChain.
  int rc = gnutls_x509_crt_list_import(chain, &count, &d, GNUTLS_X509_FMT_PEM, 0);
  if (rc <= 0) {
    info.state = CertInfo::State::Unreadable;
    info.error = rc == GNUTLS_E_BASE64_DECODING_ERROR || rc == 0 || rc == GNUTLS_E_NO_CERTIFICATE_FOUND
                     ? "tls.crt holds no PEM certificate"
                     : std::string("tls.crt cannot be read: ") + gnutls_strerror(rc);
    return info;
  }
  count = static_cast<unsigned>(rc);
  gnutls_x509_crt_t leaf = chain[0];
  info.state = CertInfo::State::Ok;
  info.chain_length = static_cast<int>(count);
  info.not_before = static_cast<int64_t>(gnutls_x509_crt_get_activation_time(leaf));
  info.not_after = static_cast<int64_t>(gnutls_x509_crt_get_expiration_time(leaf));
  read_names(leaf, info);
  int pk = read_key_and_signature(leaf, info);
  // Issuer and subject match (names and key identifiers): self-issued.
  info.self_signed = gnutls_x509_crt_check_issuer(leaf, leaf) != 0;
  unsigned critical = 0;
  info.is_ca = gnutls_x509_crt_get_ca_status(leaf, &critical) > 0;

  if (!key.text.empty()) {
    SecureBuffer key_pem;
    if (key.base64 && !base64_decode(key.text, key_pem.data)) {
      info.key = CertInfo::KeyMatch::Unreadable;
    } else {
      if (!key.base64) key_pem.data.assign(key.text);
      info.key = check_key(leaf, pk, key_pem.data);
    }
  }
  for (unsigned i = 0; i < count; ++i) gnutls_x509_crt_deinit(chain[i]);
  return info;
}

}  // namespace ig
