// Contour (projectcontour.io/v1) and Istio (networking.istio.io,
// security.istio.io): TLS modes, client certificates that are not required,
// permissive mTLS, allow-all authorization, credentialed CORS.
#include <algorithm>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// --- Contour ---

void check_contour_permit_insecure(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"projectcontour.io/"}, "HTTPProxy", [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const FlatField* f : s.all("spec.routes[*].permitInsecure"))
      if (is_true(f))
        out.add(kContourPermitInsecure.info, m, f->loc,
                "permitInsecure serves this route over plain HTTP although the virtual host has TLS");
  });
}

void check_contour_auth(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"projectcontour.io/"}, "HTTPProxy", [&](const ObjectMeta& m, const FlatSpec& s) {
    const char* kChecks[][2] = {
        {"spec.virtualhost.tls.clientValidation.skipClientCertValidation",
         "skipClientCertValidation: client certificates are asked for but never verified"},
        {"spec.virtualhost.tls.clientValidation.optionalClientCertificate",
         "optionalClientCertificate: clients without a certificate are let in"},
        {"spec.virtualhost.authorization.failOpen",
         "authorization failOpen: when the auth server fails or times out, requests go through unauthenticated"}};
    for (const auto& [path, text] : kChecks)
      if (const FlatField* f = s.get(path); is_true(f)) out.add(kContourAuthBypass.info, m, f->loc, text);
  });
}

void check_contour_delegation(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"projectcontour.io/"}, "TLSCertificateDelegation", [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const FlatField* f : s.all("spec.delegations[*].targetNamespaces[*]"))
      if (f->value == "*")
        out.add(kContourDelegationToAll.info, m, f->loc,
                "the certificate is delegated to every namespace: any team can serve its hosts with it");
  });
}

void check_contour_tls_version(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"projectcontour.io/"}, "HTTPProxy", [&](const ObjectMeta& m, const FlatSpec& s) {
    if (const FlatField* f = s.get("spec.virtualhost.tls.minimumProtocolVersion"); f && (f->value == "1.1" || f->value == "1.0"))
      out.add(kContourLegacyTls.info, m, f->loc, "minimumProtocolVersion " + f->value + " accepts TLS below 1.2");
  });
}

// --- Istio ---

// The east-west gateway of a multi-cluster mesh, where AUTO_PASSTHROUGH belongs:
// selected by istio: eastwestgateway, or serving the cross-network port 15443.
bool is_east_west_gateway(const FlatSpec& s) {
  if (const FlatField* sel = s.get("spec.selector.istio"); sel && sel->value == "eastwestgateway") return true;
  for (const FlatField* port : s.all("spec.servers[*].port.number"))
    if (port->value == "15443") return true;
  return false;
}

void istio_gateway_walk(const Cluster& c, Findings& out) {
  for_each_extension(c, {"networking.istio.io/"}, "Gateway", [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const FlatField* proto : s.all("spec.servers[*].port.protocol")) {
      std::string server = proto->path.substr(0, proto->path.find(".port."));
      if (to_lower(proto->value) == "http" && !is_true(s.get(server + ".tls.httpsRedirect")))
        out.add(kIstioHttpWithoutRedirect.info, m, proto->loc,
                "HTTP server without tls.httpsRedirect: its hosts are served in clear text");
    }
    for (const FlatField* f : s.all("spec.servers[*].tls.minProtocolVersion"))
      if (f->value == "TLSV1_0" || f->value == "TLSV1_1")
        out.add(kIstioLegacyTls.info, m, f->loc, "minProtocolVersion " + f->value + " accepts TLS below 1.2");
    for (const FlatField* f : s.all("spec.servers[*].tls.mode")) {
      if (f->value == "OPTIONAL_MUTUAL")
        out.add(kIstioWeakTlsMode.info, m, f->loc, "OPTIONAL_MUTUAL: client certificates are verified when sent, not required");
      else if (f->value == "AUTO_PASSTHROUGH" && !is_east_west_gateway(s))
        out.add(kIstioWeakTlsMode.info, m, f->loc,
                "AUTO_PASSTHROUGH routes by SNI to every mesh service: meant for east-west gateways, not the edge");
    }
  });
}

void check_istio_http(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kIstioHttpWithoutRedirect.info, out, [&](Findings& f) { istio_gateway_walk(c, f); });
}
void check_istio_legacy_tls(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kIstioLegacyTls.info, out, [&](Findings& f) { istio_gateway_walk(c, f); });
}
void check_istio_tls_mode(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kIstioWeakTlsMode.info, out, [&](Findings& f) { istio_gateway_walk(c, f); });
}

void check_istio_peer_authentication(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"security.istio.io/"}, "PeerAuthentication", [&](const ObjectMeta& m, const FlatSpec& s) {
    if (const FlatField* f = s.get("spec.mtls.mode"); f && (f->value == "PERMISSIVE" || f->value == "DISABLE"))
      out.add(kIstioPermissiveMtls.info, m, f->loc,
              "mTLS mode " + f->value + ": workloads " + (m.effective_ns() == "istio-system" ? "of the whole mesh " : "") +
                  "accept plain-text connections, so the gateway can be bypassed by any pod");
    // Port-level modes: spec.portLevelMtls.<port>.mode.
    for (const FlatField& f : s.fields)
      if (f.path.starts_with("spec.portLevelMtls.") && f.path.ends_with(".mode") && (f.value == "PERMISSIVE" || f.value == "DISABLE"))
        out.add(kIstioPermissiveMtls.info, m, f.loc, "port-level mTLS mode " + f.value + " accepts plain text on that port");
  });
}

void check_istio_allow_all(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const GatewayPolicy& p : c.gateway_policies) {
    if (p.meta.kind != "AuthorizationPolicy" || !p.meta.api_version.starts_with("security.istio.io/")) continue;
    const FlatField* action = p.spec.get("spec.action");
    if (action && action->value != "ALLOW") continue;
    for (const FlatField* r : p.spec.all("spec.rules[*]"))
      if (r->value.empty())
        out.add(kIstioAllowAll.info, p.meta, r->loc,
                "an empty rule ({}) in an ALLOW policy matches every request: the policy allows everything it selects");
  }
}

void check_istio_request_authentication(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"security.istio.io/"}, "RequestAuthentication", [&](const ObjectMeta& m, const FlatSpec&) {
    bool required = false;
    for (const GatewayPolicy& p : c.gateway_policies)
      if (p.meta.kind == "AuthorizationPolicy" &&
          (p.meta.effective_ns() == m.effective_ns() || p.meta.effective_ns() == "istio-system") &&
          !p.spec.all("spec.rules[*].from[*].source.requestPrincipals[*]").empty())
        required = true;
    if (!required)
      out.add(kIstioTokenNotRequired.info, m, m.name_loc,
              "RequestAuthentication alone rejects bad tokens but lets requests without a token through; no "
              "AuthorizationPolicy here requires requestPrincipals");
  });
}

void check_istio_cors(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_extension(c, {"networking.istio.io/"}, "VirtualService", [&](const ObjectMeta& m, const FlatSpec& s) {
    for (const FlatField* cred : s.all("spec.http[*].corsPolicy.allowCredentials")) {
      if (!is_true(cred)) continue;
      std::string base = cred->path.substr(0, cred->path.size() - std::string_view("allowCredentials").size());
      for (const FlatField& f : s.fields)
        if (f.path.starts_with(base + "allowOrigins[") &&
            ((f.path.ends_with(".exact") && f.value == "*") || (f.path.ends_with(".regex") && (f.value == ".*" || f.value == ".+"))))
          out.add(kIstioCorsWildcardCredentials.info, m, f.loc,
                  "corsPolicy allows origin " + f.value + " with allowCredentials: any site can read authenticated answers");
    }
  });
}

}  // namespace

const Rule kContourPermitInsecure{
    .info = {.id = "IG1151",
             .title = "Contour route served over plain HTTP (permitInsecure)",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "permitInsecure: true serves the route over HTTP next to the TLS virtual host.",
             .remediation = "Remove permitInsecure (or set disablePermitInsecure in Contour's configuration).",
             .references = {"https://projectcontour.io/docs/main/config/tls-termination/#permitting-insecure-requests"}},
    .check = &check_contour_permit_insecure,
};

const Rule kContourAuthBypass{
    .info = {.id = "IG1152",
             .title = "Contour client certificates or external auth that let requests through",
             .severity = Severity::High,
             .category = "authentication",
             .rationale = "skipClientCertValidation and optionalClientCertificate weaken mutual TLS; authorization "
                          "failOpen lets requests in when the auth server is down.",
             .remediation = "Verify client certificates and require them; keep failOpen false.",
             .references = {"https://projectcontour.io/docs/main/config/client-authorization/",
                            "https://projectcontour.io/docs/main/config/api/#projectcontour.io/v1.ClientValidation"}},
    .check = &check_contour_auth,
};

const Rule kContourDelegationToAll{
    .info = {.id = "IG1153",
             .title = "Contour certificate delegated to every namespace",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "A TLSCertificateDelegation with targetNamespaces ['*'] lets any namespace terminate TLS with "
                          "the certificate (often a wildcard), so any team can serve hosts that look legitimate.",
             .remediation = "List the namespaces that need the certificate.",
             .references = {"https://projectcontour.io/docs/main/config/tls-delegation/"}},
    .check = &check_contour_delegation,
};

const Rule kContourLegacyTls{
    .info = {.id = "IG1154",
             .title = "Contour virtual host accepts TLS below 1.2",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "minimumProtocolVersion below 1.2 accepts deprecated TLS versions (RFC 8996).",
             .remediation = "Remove the setting (1.2 is Contour's default) or set 1.3.",
             .references = {"https://projectcontour.io/docs/main/config/tls-termination/"}},
    .check = &check_contour_tls_version,
};

const Rule kIstioHttpWithoutRedirect{
    .info = {.id = "IG1161",
             .title = "Istio Gateway HTTP server without a redirect",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "An HTTP server of an Istio Gateway serves its hosts in clear text unless tls.httpsRedirect is set.",
             .remediation = "Set tls.httpsRedirect: true on the HTTP server.",
             .references = {"https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings"}},
    .check = &check_istio_http,
};

const Rule kIstioLegacyTls{
    .info = {.id = "IG1162",
             .title = "Istio Gateway accepts TLS below 1.2",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "minProtocolVersion TLSV1_0 or TLSV1_1 accepts deprecated TLS versions.",
             .remediation = "Set minProtocolVersion: TLSV1_2 (or leave it unset).",
             .references = {"https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSProtocol"}},
    .check = &check_istio_legacy_tls,
};

const Rule kIstioWeakTlsMode{
    .info = {.id = "IG1163",
             .title = "Istio Gateway TLS mode that does not authenticate clients or exposes the mesh",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "OPTIONAL_MUTUAL accepts clients without a certificate; AUTO_PASSTHROUGH on an edge gateway "
                          "routes any SNI to the matching mesh service.",
             .remediation = "Use MUTUAL where client certificates are meant to authenticate; keep AUTO_PASSTHROUGH to "
                            "east-west gateways.",
             .references = {"https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode"}},
    .check = &check_istio_tls_mode,
};

const Rule kIstioPermissiveMtls{
    .info = {.id = "IG1164",
             .title = "Istio mTLS permissive or disabled",
             .severity = Severity::Medium,
             .category = "network-policy",
             .rationale = "PERMISSIVE (the default without a policy) or DISABLE lets workloads accept plain text, so any "
                          "pod can reach them without passing the gateway's checks or presenting a mesh identity.",
             .remediation = "Apply a mesh-wide PeerAuthentication with mtls.mode: STRICT in the root namespace.",
             .references = {"https://istio.io/latest/docs/reference/config/security/peer_authentication/"}},
    .check = &check_istio_peer_authentication,
};

const Rule kIstioAllowAll{
    .info = {.id = "IG1165",
             .title = "Istio AuthorizationPolicy allows everything",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "An ALLOW policy with an empty rule ({}) matches every request; it often replaces a deny-all "
                          "by mistake.",
             .remediation = "Write rules with from/to/when conditions, or delete the policy.",
             .references = {"https://istio.io/latest/docs/reference/config/security/authorization-policy/"}},
    .check = &check_istio_allow_all,
};

const Rule kIstioTokenNotRequired{
    .info = {.id = "IG1166",
             .title = "Istio RequestAuthentication without a policy requiring a token",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "RequestAuthentication validates tokens that are sent, but a request without any token passes "
                          "unless an AuthorizationPolicy requires requestPrincipals.",
             .remediation = "Add an AuthorizationPolicy requiring requestPrincipals: ['*'] for the same workloads.",
             .references = {"https://istio.io/latest/docs/reference/config/security/request_authentication/"}},
    .check = &check_istio_request_authentication,
};

const Rule kIstioCorsWildcardCredentials{
    .info = {.id = "IG1167",
             .title = "Istio VirtualService CORS allows any origin with credentials",
             .severity = Severity::High,
             .category = "cors",
             .rationale = "allowOrigins exact '*' or regex '.*' with allowCredentials lets any site read authenticated "
                          "answers.",
             .remediation = "List the allowed origins, or drop allowCredentials.",
             .references = {"https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy"}},
    .check = &check_istio_cors,
};

}  // namespace ig::rules
