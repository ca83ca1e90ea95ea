#include "probe/checks.h"

#include <array>

namespace ig::probe {

namespace {

constexpr std::string_view kMozilla = "https://wiki.mozilla.org/Security/Server_Side_TLS";
constexpr std::string_view kRfc8996 = "https://www.rfc-editor.org/rfc/rfc8996 (TLS 1.0 and 1.1 deprecated)";
constexpr std::string_view kOwaspHeaders = "https://owasp.org/www-project-secure-headers/";
constexpr std::string_view kNginxAnnotations =
    "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/";

constexpr std::array kChecks = {
    CheckInfo{"IG900", "SSLv3", Severity::Info,
              "Always skipped: Debian's OpenSSL has no SSLv3, so it cannot be offered from here.", kMozilla},
    CheckInfo{"IG901", "TLS 1.0 accepted", Severity::High,
              "A handshake offering only TLS 1.0 succeeds (high).", kRfc8996},
    CheckInfo{"IG902", "TLS 1.1 accepted", Severity::Medium,
              "A handshake offering only TLS 1.1 succeeds (medium).", kRfc8996},
    CheckInfo{"IG903", "TLS 1.2", Severity::Medium,
              "TLS 1.2 is not offered (medium); with --profile modern, TLS 1.2 accepted fails (medium).", kMozilla},
    CheckInfo{"IG904", "TLS 1.3", Severity::High,
              "TLS 1.3 is not offered (low; high with --profile modern).", kMozilla},
    CheckInfo{"IG905", "TLS 1.2 cipher suites", Severity::Medium,
              "A TLS 1.2 suite outside Mozilla's intermediate configuration is accepted (medium). Suites are found by "
              "offering all and removing each one the server picks.",
              kMozilla},
    CheckInfo{"IG906", "TLS 1.3 cipher suites", Severity::Medium,
              "A TLS 1.3 suite outside Mozilla's intermediate configuration (the CCM suites) is accepted (medium).",
              kMozilla},
    CheckInfo{"IG907", "TLS 1.0/1.1 cipher suites", Severity::Info,
              "Lists the suites each legacy version accepts (info; the versions fail on their own).", kMozilla},
    CheckInfo{"IG908", "key-exchange groups", Severity::Low,
              "A group outside Mozilla's X25519, P-256 and P-384 is accepted (X448, P-521, ffdhe*) (low); one "
              "handshake per group offered alone, counted only when the group is used.",
              kMozilla},
    CheckInfo{"IG909", "cipher suite categories", Severity::Critical,
              "Every suite accepted in TLS 1.0-1.2 sorted into testssl.sh's categories and rated as testssl.sh rates "
              "them: NULL, anonymous and export suites (critical), LOW: 64-bit, DES, RC2, RC4 (high), 3DES or IDEA "
              "(medium), obsolete CBC (low). No extra handshake: the suites found for IG905 and IG907 are classified.",
              "https://testssl.sh"},
    CheckInfo{"IG910", "certificate chain", Severity::High,
              "The certificate is not trusted by the system's roots or --ca, or none is presented (high).",
              "https://www.rfc-editor.org/rfc/rfc5280"},
    CheckInfo{"IG911", "certificate validity", Severity::Critical,
              "Expired (critical), expiring within 30 days (medium), lifetime above 366 days, or 90 with --profile "
              "modern (low).",
              kMozilla},
    CheckInfo{"IG912", "certificate host", Severity::High, "The probed host is not among the certificate's names (high).",
              "https://www.rfc-editor.org/rfc/rfc6125"},
    CheckInfo{"IG913", "certificate key", Severity::High,
              "RSA below 2048 bits or EC below 256 (high); not ECDSA with --profile modern (low).", kMozilla},
    CheckInfo{"IG914", "certificate signature", Severity::High,
              "SHA-1 or MD5 signature on a certificate that is not self-signed (high).", kMozilla},
    CheckInfo{"IG915", "ingress-nginx fake certificate", Severity::High,
              "ingress-nginx serves its \"Kubernetes Ingress Controller Fake Certificate\": the Ingress's TLS Secret "
              "is missing or invalid (high).",
              "https://kubernetes.github.io/ingress-nginx/user-guide/tls/"},
    CheckInfo{"IG916", "client certificate requested", Severity::Info,
              "Reports whether the server asks for a client certificate (info).", "https://www.rfc-editor.org/rfc/rfc8446"},
    CheckInfo{"IG917", "unknown SNI", Severity::Low,
              "A handshake naming an unknown server gets this host's certificate (low).",
              "https://www.rfc-editor.org/rfc/rfc6066"},
    CheckInfo{"IG920", "HSTS", Severity::Medium,
              "Strict-Transport-Security missing (medium), max-age below a year (medium) or two years (low).",
              "https://www.rfc-editor.org/rfc/rfc6797"},
    CheckInfo{"IG921", "X-Content-Type-Options", Severity::Low, "The header is not nosniff (low).", kOwaspHeaders},
    CheckInfo{"IG922", "frame protection", Severity::Low,
              "Neither X-Frame-Options nor a Content-Security-Policy frame-ancestors (low).", kOwaspHeaders},
    CheckInfo{"IG923", "Referrer-Policy", Severity::Info, "No Referrer-Policy header (info).", kOwaspHeaders},
    CheckInfo{"IG924", "Server header", Severity::Low, "The Server header names a version (low).", kOwaspHeaders},
    CheckInfo{"IG925", "plain-HTTP redirect", Severity::Medium,
              "Plain HTTP is answered without a 301/308 to HTTPS on the same host (medium); a 302/307 (low); nothing "
              "listening on plain HTTP passes.",
              "https://www.rfc-editor.org/rfc/rfc6797#section-7.2"},
    CheckInfo{"IG926", "unknown Host", Severity::Medium,
              "A request with an unknown Host header gets a 2xx answer: the default backend serves an application "
              "(medium).",
              kNginxAnnotations},
    CheckInfo{"IG927", "sensitive paths", Severity::High,
              "/.env, /.git/config, /server-status or /admin answer 200 unlike a path that cannot exist (high); "
              "skipped when the request budget ran out, an error when a path got no answer.",
              "https://owasp.org/www-project-web-security-testing-guide/"},
    CheckInfo{"IG928", "CORS", Severity::High,
              "An unknown Origin is echoed in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true "
              "(high); any Origin allowed without credentials (low).",
              "https://fetch.spec.whatwg.org/#http-cors-protocol"},
    CheckInfo{"IG930", "reachability", Severity::High,
              "The TLS endpoint cannot be reached: an error, and exit code 2.", ""},
    CheckInfo{"IG931", "no TLS declared", Severity::Info,
              "With --from: the TLS checks are skipped for an Ingress host without TLS.", ""},
    CheckInfo{"IG940", "declared allowlist", Severity::High,
              "With --from: the route's declared source-range allowlist does not answer the prober's own address "
              "(outside the range) with 403 (high); skipped when the prober is inside the range.",
              kNginxAnnotations},
    CheckInfo{"IG941", "allowlist and spoofed headers", Severity::Critical,
              "With --from: X-Forwarded-For, X-Real-IP or Forwarded claiming an address inside the allowlist gets "
              "past it (critical).",
              "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers"},
    CheckInfo{"IG942", "declared auth", Severity::High,
              "With --from: auth-url or auth-type is declared and the route answers without credentials (anything "
              "but 401, 403, 302, 303, 307) (high).",
              kNginxAnnotations},
    CheckInfo{"IG943", "declared rate limit", Severity::High,
              "With --from: limit-rps or limit-rpm is declared and no 429/503 comes within max(3 x limit, 50) "
              "requests in 4 s (high).",
              kNginxAnnotations},
    CheckInfo{"IG944", "rate limit and spoofed headers", Severity::High,
              "With --from: a burst with a new X-Forwarded-For per request is never limited while the plain burst is "
              "(high).",
              kNginxAnnotations},
    CheckInfo{"IG945", "declared connection limit", Severity::Medium,
              "With --from: limit-connections is declared and 3 x limit (20 to 150) concurrent requests get no "
              "429/503 (a warning, medium: a backend that answers at once ends each request before the next starts).",
              kNginxAnnotations},
    CheckInfo{"IG946", "declared client certificates", Severity::High,
              "With --from: auth-tls-verify-client is on and the server neither requests a certificate nor answers "
              "400 \"No required SSL certificate was sent\" (high).",
              kNginxAnnotations},
};

}  // namespace

std::span<const CheckInfo> check_catalog() { return kChecks; }

const CheckInfo* find_check(std::string_view id) {
  for (const CheckInfo& c : kChecks)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace ig::probe
