#include "load/certificate.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

namespace ig {

// Certificates are not read with OpenSSL: on Debian bookworm's OpenSSL 3.0,
// decoding one certificate costs about 300 us and one private key 700-850 us
// (the provider decoder framework). GnuTLS takes about 65 us for a certificate
// and its key (libtasn1 builds a tree per structure); mbedTLS about 5 us
// (docs/benchmarks.md). A manifest repository can hold thousands.

namespace {

constexpr unsigned kMaxChain = 64;   // certificates read from one tls.crt
constexpr int kMaxNames = 1000;      // SAN entries kept
constexpr size_t kMaxDnsName = 511;  // longer SAN entries are skipped (GnuTLS's buffer below)

// A string that wipes itself, spare capacity included (it shrinks after
// decoding): it may hold a private key.
struct SecureBuffer {
  std::string data;
  ~SecureBuffer() {
    data.resize(data.capacity());
    gnutls_memset(data.data(), 0, data.size());
  }
};

// Decodes whitespace-free base64 of a length divisible by 4, padding only at
// the end; false for anything else.
bool base64_decode_block(std::string_view text, std::string& out) {
  size_t n = text.size();
  if (n % 4 != 0 || n > static_cast<size_t>(INT32_MAX)) return false;
  size_t pad = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  if (text.find('=') < n - pad) return false;
  out.resize(n / 4 * 3);
  int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(n));
  if (len < 0) return false;
  out.resize(static_cast<size_t>(len) - pad);
  return true;
}

// Base64 as in a Secret's data or a PEM body: whitespace is skipped, anything
// else outside the alphabet fails, padding only at the end. (OpenSSL's block
// decoder, after dropping whitespace when there is any: a third of the time of
// nettle's character-at-a-time decoder here.)
bool base64_decode(std::string_view in, std::string& out) {
  // A Secret's data is one line: decoded as it is. The block decoder refuses
  // whitespace inside, so a PEM body fails at its first line end and is
  // compacted below.
  if (base64_decode_block(in, out)) return true;
  SecureBuffer compact;  // may be a private key's base64
  compact.data.resize(in.size());
  size_t n = 0;
  for (char ch : in) {
    compact.data[n] = ch;
    n += !(ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t');
  }
  return base64_decode_block(std::string_view(compact.data.data(), n), out);
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
  char buf[kMaxDnsName + 1];
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

// The mbedTLS reader. Each helper returns false when the input is not of the
// shape it reads; the GnuTLS reader then decides.

// One PEM block: its label and the DER of its body.
struct PemBlock {
  std::string_view label;
  std::string_view body;
};

// The next "-----BEGIN X-----" ... "-----END X-----" block at or after pos.
std::optional<PemBlock> next_pem_block(std::string_view text, size_t& pos) {
  constexpr std::string_view kBegin = "-----BEGIN ", kDashes = "-----", kEnd = "-----END ";
  size_t b = text.find(kBegin, pos);
  if (b == std::string_view::npos) return std::nullopt;
  size_t label_start = b + kBegin.size();
  size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos) return std::nullopt;
  PemBlock block{text.substr(label_start, label_end - label_start), {}};
  size_t body_start = label_end + kDashes.size();
  size_t e = text.find(kEnd, body_start);
  if (e == std::string_view::npos || text.compare(e + kEnd.size(), block.label.size(), block.label) != 0)
    return std::nullopt;
  block.body = text.substr(body_start, e - body_start);
  pos = e + kEnd.size() + block.label.size();
  return block;
}

// The text of a Secret value: decoded from base64 or taken as it is.
bool secret_text(SecretValue v, std::string& out) {
  if (v.base64) return base64_decode(v.text, out);
  out.assign(v.text);
  return true;
}

int64_t epoch(const mbedtls_x509_time& t) {
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.mon - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.min;
  tm.tm_sec = t.sec;
  return static_cast<int64_t>(timegm(&tm));
}

const char* digest_name(mbedtls_md_type_t md) {
  switch (md) {
    case MBEDTLS_MD_MD5: return "MD5";
    case MBEDTLS_MD_SHA1: return "SHA1";
    case MBEDTLS_MD_SHA224: return "SHA224";
    case MBEDTLS_MD_SHA256: return "SHA256";
    case MBEDTLS_MD_SHA384: return "SHA384";
    case MBEDTLS_MD_SHA512: return "SHA512";
    default: return nullptr;
  }
}

bool same_buf(const mbedtls_x509_buf& a, const mbedtls_x509_buf& b) {
  return a.len == b.len && (a.len == 0 || std::memcmp(a.p, b.p, a.len) == 0);
}

// Names, key, signature and flags of the leaf, as the GnuTLS reader reports them.
bool read_leaf(const mbedtls_x509_crt& leaf, CertInfo& info) {
  // Issuer == subject: whether it is self-issued also depends on key
  // identifiers mbedTLS 2 does not read. Rare; GnuTLS decides.
  if (same_buf(leaf.issuer_raw, leaf.subject_raw)) return false;
  mbedtls_pk_type_t pk = mbedtls_pk_get_type(&leaf.pk);
  if (pk == MBEDTLS_PK_RSA) info.key_type = "RSA";
  else if (pk == MBEDTLS_PK_ECKEY) info.key_type = "EC";
  else return false;
  info.key_bits = static_cast<int>(mbedtls_pk_get_bitlen(&leaf.pk));
  const char* digest = digest_name(leaf.sig_md);
  if (!digest || (leaf.sig_pk != MBEDTLS_PK_RSA && leaf.sig_pk != MBEDTLS_PK_ECDSA)) return false;
  info.signature = std::string(leaf.sig_pk == MBEDTLS_PK_RSA ? "RSA-" : "ECDSA-") + digest;
  info.weak_signature = leaf.sig_md == MBEDTLS_MD_SHA1 || leaf.sig_md == MBEDTLS_MD_MD5;
  info.not_before = epoch(leaf.valid_from);
  info.not_after = epoch(leaf.valid_to);
  info.is_ca = (leaf.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) && leaf.ca_istrue;
  for (const mbedtls_x509_sequence* san = &leaf.subject_alt_names; san && san->buf.p; san = san->next) {
    if (san->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME) || san->buf.len > kMaxDnsName)
      continue;
    if (static_cast<int>(info.dns_names.size()) >= kMaxNames) break;
    info.dns_names.push_back(printable(reinterpret_cast<const char*>(san->buf.p), san->buf.len));
  }
  if (!info.dns_names.empty()) return true;
  for (const mbedtls_x509_name* n = &leaf.subject; n; n = n->next) {
    if (!n->oid.p || MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) != 0) continue;
    // Strings GnuTLS would convert (BMP, universal) are left to it.
    int tag = n->val.tag;
    if (tag != MBEDTLS_ASN1_UTF8_STRING && tag != MBEDTLS_ASN1_PRINTABLE_STRING && tag != MBEDTLS_ASN1_IA5_STRING)
      return false;
    info.dns_names.push_back(printable(reinterpret_cast<const char*>(n->val.p), n->val.len));
    info.names_from_cn = true;
    break;
  }
  return true;
}

// Whether the private key in `pem` (PKCS#8, PKCS#1 or SEC1) belongs to the leaf.
std::optional<CertInfo::KeyMatch> fast_key_match(const mbedtls_x509_crt& leaf, std::string_view pem) {
  size_t pos = 0;
  std::optional<PemBlock> block = next_pem_block(pem, pos);
  if (!block || (block->label != "PRIVATE KEY" && block->label != "RSA PRIVATE KEY" && block->label != "EC PRIVATE KEY"))
    return std::nullopt;
  SecureBuffer der;
  if (!base64_decode(block->body, der.data)) return std::nullopt;
  mbedtls_pk_context key;
  mbedtls_pk_init(&key);
  std::unique_ptr<mbedtls_pk_context, void (*)(mbedtls_pk_context*)> guard(&key, &mbedtls_pk_free);
  if (mbedtls_pk_parse_key(&key, reinterpret_cast<const unsigned char*>(der.data.data()), der.data.size(), nullptr, 0) != 0)
    return std::nullopt;
  mbedtls_pk_type_t crt_type = mbedtls_pk_get_type(&leaf.pk), key_type = mbedtls_pk_get_type(&key);
  if (key_type != MBEDTLS_PK_RSA && key_type != MBEDTLS_PK_ECKEY) return std::nullopt;
  if (crt_type != key_type) return CertInfo::KeyMatch::Mismatch;
  bool same = false;
  if (key_type == MBEDTLS_PK_RSA) {
    const mbedtls_rsa_context* a = mbedtls_pk_rsa(leaf.pk);
    const mbedtls_rsa_context* b = mbedtls_pk_rsa(key);
    same = mbedtls_mpi_cmp_mpi(&a->N, &b->N) == 0 && mbedtls_mpi_cmp_mpi(&a->E, &b->E) == 0;
  } else {
    const mbedtls_ecp_keypair* a = mbedtls_pk_ec(leaf.pk);
    const mbedtls_ecp_keypair* b = mbedtls_pk_ec(key);
    same = a->grp.id == b->grp.id && mbedtls_ecp_point_cmp(&a->Q, &b->Q) == 0;
  }
  return same ? CertInfo::KeyMatch::Match : CertInfo::KeyMatch::Mismatch;
}

}  // namespace

namespace detail {

std::optional<CertInfo> inspect_fast(SecretValue crt, SecretValue key) {
  std::string pem;
  if (!secret_text(crt, pem)) return std::nullopt;
  mbedtls_x509_crt chain;
  mbedtls_x509_crt_init(&chain);
  std::unique_ptr<mbedtls_x509_crt, void (*)(mbedtls_x509_crt*)> guard(&chain, &mbedtls_x509_crt_free);
  std::string der;
  CertInfo info;
  size_t pos = 0;
  while (info.chain_length < static_cast<int>(kMaxChain)) {
    std::optional<PemBlock> block = next_pem_block(pem, pos);
    if (!block) {
      if (pem.find("-----BEGIN ", pos) != std::string::npos) return std::nullopt;  // a block cut short
      break;
    }
    if (block->label != "CERTIFICATE" && block->label != "X509 CERTIFICATE") continue;
    if (!base64_decode(block->body, der) ||
        mbedtls_x509_crt_parse_der(&chain, reinterpret_cast<const unsigned char*>(der.data()), der.size()) != 0)
      return std::nullopt;
    ++info.chain_length;
  }
  if (info.chain_length == 0 || !read_leaf(chain, info)) return std::nullopt;
  info.state = CertInfo::State::Ok;
  if (!key.text.empty()) {
    SecureBuffer key_pem;
    if (!secret_text(key, key_pem.data)) return std::nullopt;
    std::optional<CertInfo::KeyMatch> match = fast_key_match(chain, key_pem.data);
    if (!match) return std::nullopt;
    info.key = *match;
  }
  return info;
}

CertInfo inspect_gnutls(SecretValue crt, SecretValue key) {
  CertInfo info;
  std::string pem;
  if (!secret_text(crt, pem)) {
    info.state = CertInfo::State::Unreadable;
    info.error = "tls.crt is not valid base64";
    return info;
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
    info.key = secret_text(key, key_pem.data) ? check_key(leaf, pk, key_pem.data) : CertInfo::KeyMatch::Unreadable;
  }
  for (unsigned i = 0; i < count; ++i) gnutls_x509_crt_deinit(chain[i]);
  return info;
}

}  // namespace detail

CertInfo inspect_certificate(SecretValue crt, SecretValue key) {
  if (std::optional<CertInfo> info = detail::inspect_fast(crt, key)) return std::move(*info);
  return detail::inspect_gnutls(crt, key);
}

}  // namespace ig
