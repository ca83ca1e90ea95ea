#include "testing/certgen.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace ig::testing {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};

[[noreturn]] void fail(const char* what) {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  throw std::runtime_error(std::string(what) + ": " + buf);
}

std::unique_ptr<EVP_PKEY, Free> generate(const std::string& kind) {
  EVP_PKEY* k = nullptr;
  if (kind == "ec") {
    k = EVP_EC_gen("P-256");
  } else if (kind == "ed25519") {
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else if (kind.rfind("rsa:", 0) == 0) {
    k = EVP_RSA_gen(static_cast<unsigned>(std::stoul(kind.substr(4))));
  } else {
    throw std::runtime_error("unknown key kind " + kind);
  }
  if (!k) fail("key generation");
  return std::unique_ptr<EVP_PKEY, Free>(k);
}

std::string bio_text(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  return std::string(p, static_cast<size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) fail("write key");
  return bio_text(bio.get());
}

std::unique_ptr<EVP_PKEY, Free> from_pem(const std::string& pem) {
  std::unique_ptr<BIO, Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!k) fail("read key");
  return std::unique_ptr<EVP_PKEY, Free>(k);
}

std::unique_ptr<X509, Free> cert_from_pem(const std::string& pem) {
  std::unique_ptr<BIO, Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (!x) fail("read certificate");
  return std::unique_ptr<X509, Free>(x);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

std::string make_key(const std::string& kind) { return to_pem(generate(kind).get()); }

KeyPair make_certificate(const CertSpec& spec) { return make_certificate_with_key(spec, make_key(spec.key)); }

KeyPair make_certificate_with_key(const CertSpec& spec, const std::string& key_pem) {
  auto key = from_pem(key_pem);
  std::unique_ptr<X509, Free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before_days * 86400));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after_days * 86400));
  X509_set_pubkey(cert.get(), key.get());
  std::string cn = !spec.common_name.empty() ? spec.common_name : spec.dns_names.empty() ? "test" : spec.dns_names.front();
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);

  std::unique_ptr<X509, Free> issuer_cert;
  std::unique_ptr<EVP_PKEY, Free> issuer_key;
  if (spec.issuer) {
    issuer_cert = cert_from_pem(spec.issuer->cert_pem);
    issuer_key = from_pem(spec.issuer->key_pem);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }
  X509* issuer = issuer_cert ? issuer_cert.get() : cert.get();
  add_ext(cert.get(), issuer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (spec.san && !spec.dns_names.empty()) {
    std::string san;
    for (const auto& n : spec.dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
    add_ext(cert.get(), issuer, NID_subject_alt_name, san);
  }
  EVP_PKEY* signer = issuer_key ? issuer_key.get() : key.get();
  const EVP_MD* md = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? nullptr : EVP_get_digestbyname(spec.digest.c_str());
  if (!X509_sign(cert.get(), signer, md)) fail("sign");

  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  return KeyPair{key_pem, bio_text(bio.get())};
}

std::string traditional_key_pem(const std::string& key_pem) {
  auto key = from_pem(key_pem);
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
    fail("write key");
  return bio_text(bio.get());
}

std::string base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace ig::testing
