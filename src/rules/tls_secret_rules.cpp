// TLS Secrets behind Ingresses: present, readable, matching, valid, strong,
// and covering the hosts that use them. Certificates were read at load time
// (load/certificate.cpp); only their summary is used here, never the data.
#include <ctime>

#include "core/text.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

bool is_tls_secret(const Secret& s) {
  return s.type == "kubernetes.io/tls" || s.cert.state != CertInfo::State::Absent;
}


std::string secret_id(const Secret& s) { return std::string(s.meta.effective_ns()) + "/" + std::string(s.meta.name); }

// Each Ingress TLS entry with the Secret it names (nullptr when absent).
template <class Fn>
void for_each_tls_ref(const Cluster& c, Fn fn) {
  for (const Ingress& ing : c.ingresses)
    for (const IngressTls& tls : ing.tls)
      if (tls.secret_name && !tls.secret_name.value.empty())
        fn(ing, tls, c.find_secret(ing.meta.effective_ns(), tls.secret_name.value));
}

// cert-manager's ingress-shim creates the Secret of an Ingress annotated with an issuer.
bool secret_issued_for(const Ingress& ing) {
  for (std::string_view k : {"cert-manager.io/issuer", "cert-manager.io/cluster-issuer"})
    if (ing.meta.annotation(k)) return true;
  const KeyValue* acme = ing.meta.annotation("kubernetes.io/tls-acme");
  return acme && parse_go_bool(acme->value).value_or(false);
}

void check_secret_missing(const Cluster& c, const RuleSettings& settings, Findings& out) {
  bool complete = complete_input(settings);
  for_each_tls_ref(c, [&](const Ingress& ing, const IngressTls& tls, const Secret* s) {
    if (s || !c.has_secrets_in(ing.meta.effective_ns()) || secret_issued_for(ing)) return;
    // The AWS Load Balancer Controller never reads the Secret (spec.tls hosts only select ACM certificates).
    if (controller_of(c, ing).kind == ControllerKind::Alb) return;
    // Secrets are rarely kept with the manifests (cert-manager, sealed or external secrets make
    // them): absent from a partial input is a low note, a claim only on complete input.
    out.add(kTlsSecretMissing.info, ing.meta, tls.secret_name.loc,
            "TLS Secret '" + std::string(tls.secret_name.value) + "' " +
                (complete ? "does not exist" : "is not in the input") + " in namespace " +
                std::string(ing.meta.effective_ns()) + "; " +
                (complete ? "the controller serves its default certificate" : "without it the controller serves its default certificate"));
    if (!complete) out.items().back().severity = Severity::Low;
  });
}

void check_secret_unusable(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Secret& s : c.secrets) {
    if (!is_tls_secret(s)) continue;
    const CertInfo& cert = s.cert;
    if (cert.state == CertInfo::State::Absent) {
      out.add(kTlsSecretUnusable.info, s.meta, s.meta.name_loc, "TLS Secret " + secret_id(s) + " has no tls.crt");
    } else if (cert.state == CertInfo::State::Unreadable) {
      out.add(kTlsSecretUnusable.info, s.meta, cert.loc, cert.error);
    } else if (!s.has_tls_key) {
      out.add(kTlsSecretUnusable.info, s.meta, cert.loc, "TLS Secret " + secret_id(s) + " has no tls.key");
    } else if (cert.key == CertInfo::KeyMatch::Unreadable) {
      out.add(kTlsSecretUnusable.info, s.meta, cert.key_loc,
              "tls.key is not a readable unencrypted PEM private key");
    } else if (cert.key == CertInfo::KeyMatch::Mismatch) {
      out.add(kTlsSecretUnusable.info, s.meta, cert.key_loc, "tls.key does not belong to the certificate in tls.crt");
    }
  }
}

void check_expiry(const Cluster& c, const RuleSettings& settings, Findings& out) {
  int64_t now = settings.current_time();
  for (const Secret& s : c.secrets) {
    const CertInfo& cert = s.cert;
    if (cert.state != CertInfo::State::Ok) continue;
    if (cert.not_after <= now) {
      out.add(kCertExpired.info, s.meta, cert.loc, "certificate expired on " + utc_date(cert.not_after));
    } else if (cert.not_before > now) {
      out.add(kCertExpired.info, s.meta, cert.loc, "certificate is not valid before " + utc_date(cert.not_before));
    }
  }
}

void check_expiring_soon(const Cluster& c, const RuleSettings& settings, Findings& out) {
  int64_t now = settings.current_time();
  int64_t soon = now + static_cast<int64_t>(settings.cert_expiry_days) * 86400;
  for (const Secret& s : c.secrets) {
    const CertInfo& cert = s.cert;
    if (cert.state != CertInfo::State::Ok || cert.not_after <= now || cert.not_before > now || cert.not_after > soon) continue;
    int64_t days = (cert.not_after - now) / 86400;
    out.add(kCertExpiringSoon.info, s.meta, cert.loc,
            "certificate expires on " + utc_date(cert.not_after) + " (in " + std::to_string(days) + " days)");
  }
}

void check_weak_key(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Secret& s : c.secrets) {
    const CertInfo& cert = s.cert;
    if (cert.state != CertInfo::State::Ok) continue;
    bool weak = ((cert.key_type == "RSA" || cert.key_type == "RSA-PSS") && cert.key_bits < 2048) ||
                (cert.key_type == "EC" && cert.key_bits < 256) || cert.key_type == "DSA";
    if (weak)
      out.add(kCertWeakKey.info, s.meta, cert.loc,
              "certificate key is " + cert.key_type + " " + std::to_string(cert.key_bits) + " bits");
  }
}

void check_weak_signature(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Secret& s : c.secrets)
    if (s.cert.state == CertInfo::State::Ok && s.cert.weak_signature && !s.cert.self_signed)
      out.add(kCertWeakSignature.info, s.meta, s.cert.loc, "certificate is signed with " + s.cert.signature);
}

bool cert_covers(const CertInfo& cert, std::string_view host) {
  for (const std::string& n : cert.dns_names)
    if (tls_host_covers(to_lower(n), to_lower(host))) return true;
  return false;
}

void check_host_not_in_cert(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_tls_ref(c, [&](const Ingress& ing, const IngressTls& tls, const Secret* s) {
    if (!s || s->cert.state != CertInfo::State::Ok) return;
    for (const Field& h : tls.hosts) {
      if (h.value.empty() || cert_covers(s->cert, h.value)) continue;
      std::string names;
      for (size_t i = 0; i < s->cert.dns_names.size() && i < 5; ++i) names += (i ? ", " : "") + s->cert.dns_names[i];
      if (s->cert.dns_names.size() > 5) names += ", ...";
      out.add(kCertHostMismatch.info, ing.meta, h.loc,
              "host " + std::string(h.value) + " is not in the certificate of Secret " + secret_id(*s) + " (" +
                  (names.empty() ? std::string("no DNS names") : names) + ")");
    }
  });
}

void check_self_signed(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Secret& s : c.secrets)
    if (s.cert.state == CertInfo::State::Ok && s.cert.self_signed && s.cert.chain_length == 1)
      out.add(kCertSelfSigned.info, s.meta, s.cert.loc, "certificate is self-signed; clients cannot verify it");
}

}  // namespace

const Rule kTlsSecretMissing{
    .info = {.id = "IG601",
             .title = "TLS Secret missing",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "When the Secret named in spec.tls does not exist, ingress-nginx serves its self-signed fake "
                          "certificate for the host (other controllers drop TLS or the route).",
             .remediation = "Create the Secret in the Ingress's namespace (for example with cert-manager) or fix secretName.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"}},
    .check = &check_secret_missing,
};

const Rule kTlsSecretUnusable{
    .info = {.id = "IG602",
             .title = "TLS Secret unusable",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "A TLS Secret without a readable certificate, or whose private key is missing, encrypted or "
                          "does not match the certificate, cannot be served: the controller falls back to its default "
                          "certificate.",
             .remediation = "Store the PEM certificate chain in tls.crt and its unencrypted private key in tls.key.",
             .references = {"https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets"}},
    .check = &check_secret_unusable,
};

const Rule kCertExpired{
    .info = {.id = "IG603",
             .title = "Certificate expired or not yet valid",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "Clients refuse an expired certificate; users learn to click through warnings.",
             .remediation = "Renew the certificate (automate renewal with cert-manager or your CA's ACME endpoint).",
             .references = {"https://cert-manager.io/docs/"}},
    .check = &check_expiry,
};

const Rule kCertExpiringSoon{
    .info = {.id = "IG604",
             .title = "Certificate expires soon",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "A certificate within the warning window (30 days by default, --cert-expiry-days) will break "
                          "the host unless renewal happens in time.",
             .remediation = "Renew now and check that automated renewal works.",
             .references = {"https://cert-manager.io/docs/usage/certificate/"}},
    .check = &check_expiring_soon,
};

const Rule kCertWeakKey{
    .info = {.id = "IG605",
             .title = "Certificate key too weak",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "RSA keys under 2048 bits, EC keys under 256 bits and DSA keys are below current baselines "
                          "(Mozilla Server Side TLS, CA/Browser Forum).",
             .remediation = "Reissue the certificate with an ECDSA P-256 or RSA 2048+ key.",
             .references = {"https://wiki.mozilla.org/Security/Server_Side_TLS"}},
    .check = &check_weak_key,
};

const Rule kCertWeakSignature{
    .info = {.id = "IG606",
             .title = "Certificate signed with SHA-1 or MD5",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "SHA-1 and MD5 signatures can be forged (chosen-prefix collisions); clients reject them.",
             .remediation = "Reissue the certificate with a SHA-256 (or stronger) signature.",
             .references = {"https://shattered.io/"}},
    .check = &check_weak_signature,
};

const Rule kCertHostMismatch{
    .info = {.id = "IG607",
             .title = "Ingress host not covered by its certificate",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "A host listed in spec.tls whose certificate does not name it fails verification in every "
                          "client.",
             .remediation = "Add the host to the certificate's subjectAltName, or point the TLS entry at the right Secret.",
             .references = {"https://www.rfc-editor.org/rfc/rfc6125"}},
    .check = &check_host_not_in_cert,
};

const Rule kCertSelfSigned{
    .info = {.id = "IG608",
             .title = "Self-signed certificate",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "Clients cannot verify a self-signed leaf; users are trained to accept warnings, which "
                          "invites interception.",
             .remediation = "Use a certificate from a public or organisation CA that clients trust.",
             .references = {"https://wiki.mozilla.org/Security/Server_Side_TLS"}},
    .check = &check_self_signed,
};

}  // namespace ig::rules
