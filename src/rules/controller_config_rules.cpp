// The ingress-nginx controller's ConfigMap: settings that re-enable snippets,
// weaken TLS, or let clients spoof their address.
#include <openssl/ssl.h>

#include <algorithm>
#include <memory>
#include <set>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

// Returns the ConfigMaps the ingress-nginx controller reads: those named by a
// controller's --configmap argument, those labelled as part of ingress-nginx,
// the chart's and the static manifests' default names, and any ConfigMap
// holding keys that only ingress-nginx uses.
ControllerConfigMaps::ControllerConfigMaps(const Cluster& c) {
  std::set<std::string> referenced;
  for (const Workload& w : c.workloads)
    for (const Container& ct : w.containers)
      for (size_t i = 0; i < ct.args.size(); ++i) {
        std::string_view a = ct.args[i].value;
        std::string_view value;
        if (a.rfind("--configmap=", 0) == 0) value = a.substr(12);
        else if (a == "--configmap" && i + 1 < ct.args.size()) value = ct.args[i + 1].value;
        if (!value.empty()) referenced.insert(std::string(value.find('/') == std::string_view::npos
                                                              ? std::string(w.meta.effective_ns()) + "/" + std::string(value)
                                                              : std::string(value)));
      }
  for (const ConfigMap& cm : c.config_maps) {
    const KeyValue* name = cm.meta.label("app.kubernetes.io/name");
    const KeyValue* part = cm.meta.label("app.kubernetes.io/part-of");
    bool is = (name && name->value == "ingress-nginx") || (part && part->value == "ingress-nginx") ||
              cm.meta.name == "ingress-nginx-controller" || cm.meta.name == "nginx-configuration" ||
              cm.get("allow-snippet-annotations") || cm.get("annotations-risk-level") ||
              (!referenced.empty() &&
               referenced.count(std::string(cm.meta.effective_ns()) + "/" + std::string(cm.meta.name)));
    if (is) list.push_back(&cm);
  }
}

namespace {

template <typename Fn>
void for_each_config(const Cluster& c, const RuleSettings& s, Fn fn) {
  for (const ConfigMap* cm : derived<ControllerConfigMaps>(c, s)->list) fn(*cm);
}

void check_allow_snippets(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* kv = cm.get("allow-snippet-annotations");
    if (kv && parse_go_bool(kv->value) == true)
      out.add(kConfigAllowSnippets.info, cm.meta, kv->value_loc(),
              "allow-snippet-annotations is \"true\": every Ingress author may inject nginx configuration");
  });
}

void check_risk_level(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* kv = cm.get("annotations-risk-level");
    if (kv && to_lower(trim(kv->value)) == "critical")
      out.add(kConfigRiskLevelCritical.info, cm.meta, kv->value_loc(),
              "annotations-risk-level is Critical: the controller accepts Critical-risk annotations such as snippets");
  });
}

void check_legacy_tls(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* kv = cm.get("ssl-protocols");
    if (!kv) return;
    std::vector<std::string> legacy;
    for (std::string_view p : split_list(kv->value, ' '))
      if (p == "SSLv2" || p == "SSLv3" || p == "TLSv1" || p == "TLSv1.1") legacy.emplace_back(p);
    if (legacy.empty()) return;
    std::string list;
    for (const auto& p : legacy) list += (list.empty() ? "" : ", ") + p;
    out.add(kConfigLegacyTls.info, cm.meta, kv->value_loc(), "ssl-protocols enables " + list);
  });
}

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

// Names of the weak TLS 1.2-and-earlier suites an OpenSSL cipher string selects.
std::vector<std::string> weak_ciphers(const std::string& spec) {
  std::vector<std::string> weak;
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_method()));
  if (ctx) {
    SSL_CTX_set_security_level(ctx.get(), 0);  // list what the string selects, not what policy allows
    if (SSL_CTX_set_cipher_list(ctx.get(), spec.c_str()) == 1) {
      STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
      for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
        const SSL_CIPHER* ci = sk_SSL_CIPHER_value(list, i);
        if (std::string_view(SSL_CIPHER_get_version(ci)) == "TLSv1.3") continue;
        int enc = SSL_CIPHER_get_cipher_nid(ci);
        int kx = SSL_CIPHER_get_kx_nid(ci);
        int auth = SSL_CIPHER_get_auth_nid(ci);
        int md = SSL_CIPHER_get_digest_nid(ci);
        bool bad = enc == NID_undef || enc == NID_rc4 || enc == NID_des_cbc || enc == NID_des_ede3_cbc ||
                   auth == NID_auth_null || kx == NID_kx_rsa || md == NID_md5;
        if (bad) weak.emplace_back(SSL_CIPHER_get_name(ci));
      }
    }
  }
  // Suites this OpenSSL build no longer implements are dropped from the
  // expansion above; the names in the string still show the intent.
  for (std::string_view tok : split_list(spec, ':')) {
    if (tok[0] == '!' || tok[0] == '-') continue;
    std::string t(tok);
    for (std::string_view w : {"RC4", "3DES", "DES-CBC", "NULL", "EXPORT", "EXP-", "aNULL", "eNULL", "MD5", "ADH", "AECDH"})
      if (t.find(w) != std::string::npos && std::find(weak.begin(), weak.end(), t) == weak.end()) {
        weak.push_back(t);
        break;
      }
  }
  return weak;
}

void check_weak_ciphers(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* kv = cm.get("ssl-ciphers");
    if (!kv || trim(kv->value).empty()) return;
    std::vector<std::string> weak = weak_ciphers(std::string(trim(kv->value)));
    if (weak.empty()) return;
    std::string list;
    for (size_t i = 0; i < weak.size() && i < 5; ++i) list += (i ? ", " : "") + weak[i];
    if (weak.size() > 5) list += " and " + std::to_string(weak.size() - 5) + " more";
    out.add(kConfigWeakCiphers.info, cm.meta, kv->value_loc(), "ssl-ciphers enables weak suites: " + list);
  });
}

constexpr int64_t kMinHstsMaxAge = 15552000;  // 180 days

void check_hsts(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    if (const KeyValue* kv = cm.get("hsts"); kv && parse_go_bool(kv->value) == false) {
      out.add(kConfigHstsWeak.info, cm.meta, kv->value_loc(), "hsts is \"false\": browsers are not told to insist on HTTPS");
      return;
    }
    const KeyValue* age = cm.get("hsts-max-age");
    if (!age) return;
    std::string v(trim(age->value));
    bool numeric = !v.empty() && v.size() < 18 && std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (numeric && std::stoll(v) < kMinHstsMaxAge)
      out.add(kConfigHstsWeak.info, cm.meta, age->value_loc(),
              "hsts-max-age is " + v + " seconds, below 180 days (15552000)");
  });
}

void check_forwarded_headers(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* cidr = cm.get("proxy-real-ip-cidr");
    bool open = !cidr;  // the default is 0.0.0.0/0
    if (cidr)
      for (std::string_view r : split_list(cidr->value, ','))
        if (is_open_cidr(r)) open = true;
    if (!open) return;
    for (auto key : {"use-forwarded-headers", "enable-real-ip", "use-proxy-protocol"}) {
      const KeyValue* kv = cm.get(key);
      if (kv && parse_go_bool(kv->value) == true)
        out.add(kConfigForwardedHeadersTrusted.info, cm.meta, kv->value_loc(),
                std::string(key) + " is \"true\" while proxy-real-ip-cidr " +
                    (cidr ? "includes 0.0.0.0/0" : "is left at its default 0.0.0.0/0") +
                    ": any client can set its own source address");
    }
  });
}

void check_path_validation(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* kv = cm.get("strict-validate-path-type");
    if (kv && parse_go_bool(kv->value) == false)
      out.add(kConfigPathValidationOff.info, cm.meta, kv->value_loc(),
              "strict-validate-path-type is \"false\": Prefix and Exact paths may carry any characters into nginx.conf");
  });
}

void check_server_tokens(const Cluster& c, const RuleSettings& s, Findings& out) {
  for_each_config(c, s, [&](const ConfigMap& cm) {
    const KeyValue* kv = cm.get("server-tokens");
    if (kv && parse_go_bool(kv->value) == true)
      out.add(kConfigServerTokens.info, cm.meta, kv->value_loc(),
              "server-tokens is \"true\": responses and error pages reveal the nginx version");
  });
}

}  // namespace

const Rule kConfigAllowSnippets{
    .info = {.id = "IG301",
             .title = "Controller allows snippet annotations",
             .severity = Severity::High,
             .category = "controller-config",
             .rationale = "allow-snippet-annotations: \"true\" lets every Ingress author inject nginx configuration into the "
                          "shared controller, whose ServiceAccount can read all Secrets.",
             .remediation = "Set allow-snippet-annotations: \"false\" (the default since v1.9.0).",
             .references = {"CVE-2021-25742", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations"}},
    .check = &check_allow_snippets,
};

const Rule kConfigRiskLevelCritical{
    .info = {.id = "IG302",
             .title = "Controller accepts Critical-risk annotations",
             .severity = Severity::High,
             .category = "controller-config",
             .rationale = "annotations-risk-level: Critical makes the controller accept the annotations its maintainers rate "
                          "Critical (snippets), which the default High level rejects.",
             .remediation = "Leave annotations-risk-level at High or lower.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations-risk/"}},
    .check = &check_risk_level,
};

const Rule kConfigLegacyTls{
    .info = {.id = "IG303",
             .title = "Controller enables legacy TLS protocol versions",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "SSLv3, TLS 1.0 and TLS 1.1 have known attacks and are deprecated (RFC 8996).",
             .remediation = "Set ssl-protocols: \"TLSv1.2 TLSv1.3\" (the default).",
             .references = {"https://www.rfc-editor.org/rfc/rfc8996", "https://ssl-config.mozilla.org/guidelines/5.7.json"}},
    .check = &check_legacy_tls,
};

const Rule kConfigWeakCiphers{
    .info = {.id = "IG304",
             .title = "Controller enables weak cipher suites",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "NULL, anonymous, export, RC4, DES/3DES and MD5 suites are broken; RSA key exchange has no forward "
                          "secrecy.",
             .remediation = "Use the default ssl-ciphers or Mozilla's intermediate list (ECDHE with AES-GCM or ChaCha20).",
             .references = {"https://wiki.mozilla.org/Security/Server_Side_TLS"}},
    .check = &check_weak_ciphers,
};

const Rule kConfigHstsWeak{
    .info = {.id = "IG305",
             .title = "HSTS disabled or too short",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "Without Strict-Transport-Security (or with a max-age under 180 days) browsers may be downgraded to "
                          "plain HTTP on their next visit.",
             .remediation = "Keep hsts: \"true\" and hsts-max-age of at least 15552000 (31536000 is the default).",
             .references = {"https://www.rfc-editor.org/rfc/rfc6797"}},
    .check = &check_hsts,
};

const Rule kConfigForwardedHeadersTrusted{
    .info = {.id = "IG306",
             .title = "Client address taken from headers anyone can send",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "With use-forwarded-headers, enable-real-ip or use-proxy-protocol and proxy-real-ip-cidr at "
                          "0.0.0.0/0, any client sets its own address: IP allowlists, rate limits and logs can be bypassed.",
             .remediation = "Set proxy-real-ip-cidr to the addresses of the load balancer in front of the controller.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers"}},
    .check = &check_forwarded_headers,
};

const Rule kConfigPathValidationOff{
    .info = {.id = "IG307",
             .title = "Strict path validation disabled",
             .severity = Severity::Medium,
             .category = "injection",
             .rationale = "strict-validate-path-type: \"false\" lets Prefix and Exact paths carry characters that have been "
                          "used to inject nginx directives.",
             .remediation = "Set strict-validate-path-type: \"true\" (the default since v1.12).",
             .references = {"CVE-2022-4886", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#strict-validate-path-type"}},
    .check = &check_path_validation,
};

const Rule kConfigServerTokens{
    .info = {.id = "IG308",
             .title = "Controller discloses its version",
             .severity = Severity::Low,
             .category = "hardening",
             .rationale = "server-tokens: \"true\" puts the nginx version in the Server header and error pages, telling "
                          "attackers which CVEs apply (every ingress-nginx release ships nginx 1.27.1).",
             .remediation = "Set server-tokens: \"false\" (the default).",
             .references = {"CVE-2026-42945", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#server-tokens"}},
    .check = &check_server_tokens,
};

}  // namespace ig::rules
