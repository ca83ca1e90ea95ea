// HAProxy ingress controllers (haproxytech's and jcmoraisjr's), the AWS Load
// Balancer Controller and GKE Ingress: the security knobs their annotations
// and companion resources (IngressClassParams, FrontendConfig, BackendConfig) set.
#include <algorithm>
#include <map>
#include <set>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// --- HAProxy ---

// haproxytech: haproxy.org/, haproxy.com/, ingress.kubernetes.io/ prefixes are equivalent;
// jcmoraisjr: haproxy-ingress.github.io/ (and ingress.kubernetes.io/).
const KeyValue* haproxy_annotation(const ObjectMeta& m, std::initializer_list<std::string_view> names) {
  // The first of them in the object's order (the annotations are one array).
  const KeyValue* first = nullptr;
  for (std::string_view prefix : {"haproxy.org/", "haproxy.com/", "ingress.kubernetes.io/", "haproxy-ingress.github.io/"})
    for (std::string_view n : names)
      if (const KeyValue* kv = m.annotation(prefix, n); kv && (!first || kv < first)) first = kv;
  return first;
}

template <class Fn>
void for_each_annotated(const Cluster& c, Fn fn) {
  for (const Ingress& i : c.ingresses) fn(i.meta);
  for (const Service& s : c.services) fn(s.meta);
}

void check_haproxy_snippets(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_annotated(c, [&](const ObjectMeta& m) {
    if (const KeyValue* kv = haproxy_annotation(
            m, {"backend-config-snippet", "config-backend", "config-backend-early", "config-backend-late", "config-defaults"}))
      out.add(kHaproxySnippet.info, m, kv->key_loc(),
              std::string(kv->key) + " puts raw HAProxy directives from an " + std::string(m.kind) +
                  " author into the shared proxy configuration");
  });
}

void check_haproxy_client_ip_header(const Cluster& c, const RuleSettings&, Findings& out) {
  for_each_annotated(c, [&](const ObjectMeta& m) {
    if (const KeyValue* kv = haproxy_annotation(m, {"src-ip-header", "allowlist-source-header"}))
      out.add(kHaproxyClientIpFromHeader.info, m, kv->value_loc(),
              std::string(kv->key) + ": " + std::string(kv->value) +
                  " makes the client address (allowlists, limits, logs) whatever the client writes in that header");
  });
  for (const ConfigMap& cm : c.config_maps)
    if (const KeyValue* kv = cm.get("src-ip-header"))
      out.add(kHaproxyClientIpFromHeader.info, cm.meta, kv->value_loc(),
              "src-ip-header: " + std::string(kv->value) + " takes every client address from a request header");
}

void check_haproxy_client_cert_optional(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const ConfigMap& cm : c.config_maps)
    if (const KeyValue* kv = cm.get("client-crt-optional"); kv && parse_go_bool(kv->value) == true)
      out.add(kHaproxyClientCertOptional.info, cm.meta, kv->value_loc(),
              "client-crt-optional: clients without a valid certificate are let in");
  for (const Ingress& i : c.ingresses)
    if (const KeyValue* kv = haproxy_annotation(i.meta, {"auth-tls-strict"}); kv && parse_go_bool(kv->value) == false)
      out.add(kHaproxyClientCertOptional.info, i.meta, kv->value_loc(),
              "auth-tls-strict: \"false\": a missing or invalid client certificate is passed on instead of refused");
}

// --- AWS Load Balancer Controller ---

const KeyValue* alb(const ObjectMeta& m, std::string_view name) { return alb_annotation(m, name); }

// Policies that accept TLS 1.0 or 1.1 (the controller's default is ELBSecurityPolicy-2016-08).
bool legacy_elb_policy(std::string_view p) {
  return p == "ELBSecurityPolicy-2016-08" || p == "ELBSecurityPolicy-2015-05" || p.starts_with("ELBSecurityPolicy-TLS-1-0") ||
         p.starts_with("ELBSecurityPolicy-TLS-1-1") || p == "ELBSecurityPolicy-FS-2018-06" ||
         p.starts_with("ELBSecurityPolicy-FS-1-1") || p == "ELBSecurityPolicy-TLS13-1-0-2021-06" ||
         p == "ELBSecurityPolicy-TLS13-1-1-2021-06" || p.starts_with("ELBSecurityPolicy-TLS13-1-0") ||
         p.starts_with("ELBSecurityPolicy-TLS13-1-1");
}

bool alb_has_https(const Ingress& i) {
  if (alb(i.meta, "certificate-arn") || i.has_tls_section) return true;
  const KeyValue* ports = alb(i.meta, "listen-ports");
  return ports && ports->value.find("HTTPS") != std::string_view::npos;
}

// The IngressClassParams of the Ingress's class, when the input has them.
const Extension* class_params(const Cluster& c, const Ingress& i) {
  const IngressClass* cls = c.find_ingress_class(i.requested_class().value);
  if (!cls) return nullptr;
  for (const Extension& e : c.extensions)
    if (e.meta.kind == "IngressClassParams" && e.meta.name == cls->meta.name) return &e;
  return nullptr;
}

void check_alb_ssl_policy(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& i : c.ingresses) {
    if (!is_alb_ingress(i) || !alb_has_https(i)) continue;
    const KeyValue* p = alb(i.meta, "ssl-policy");
    const Extension* params = class_params(c, i);
    const FlatField* class_policy = params ? params->spec.get("spec.sslPolicy") : nullptr;
    if (p && legacy_elb_policy(p->value))
      out.add(kAlbLegacySslPolicy.info, i.meta, p->value_loc(), "ssl-policy " + std::string(p->value) + " accepts TLS 1.0/1.1");
    else if (!p && class_policy && legacy_elb_policy(class_policy->value))
      out.add(kAlbLegacySslPolicy.info, params->meta, class_policy->loc,
              "sslPolicy " + class_policy->value + " accepts TLS 1.0/1.1 for every Ingress of the class");
    else if (!p && !class_policy)
      out.add(kAlbLegacySslPolicy.info, i.meta, i.meta.name_loc,
              "HTTPS listener without ssl-policy: the controller's default ELBSecurityPolicy-2016-08 accepts TLS 1.0/1.1");
  }
}

// An internet-facing ALB is a front door, public by design (the map shows it);
// what is wrong is a source restriction that the controller ignores.
void check_alb_internet_facing(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& i : c.ingresses)
    if (const KeyValue* cidrs = alb(i.meta, "inbound-cidrs"); cidrs && alb(i.meta, "security-groups"))
      out.add(kAlbOpenToInternet.info, i.meta, cidrs->key_loc(),
              "inbound-cidrs is ignored when security-groups is set: the listed security groups decide alone");
}

void check_alb_group(const Cluster& c, const RuleSettings&, Findings& out) {
  std::map<std::string, std::vector<const Ingress*>> groups;
  for (const Ingress& i : c.ingresses)
    if (const KeyValue* g = alb(i.meta, "group.name")) groups[std::string(g->value)].push_back(&i);
  for (const auto& [name, members] : groups) {
    std::set<std::string_view> nss;
    for (const Ingress* i : members) nss.insert(i->meta.effective_ns());
    if (nss.size() < 2) continue;
    for (const Ingress* i : members) {
      const Extension* params = class_params(c, *i);
      if (params && params->spec.has("spec.group.name")) continue;  // pinned by the class
      out.add(kAlbSharedGroup.info, i->meta, alb(i->meta, "group.name")->value_loc(),
              "IngressGroup " + name + " spans " + std::to_string(nss.size()) +
                  " namespaces: each member can add rules of higher priority, or change the WAF, for the whole shared ALB");
    }
  }
}

void check_alb_http_redirect(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& i : c.ingresses) {
    if (!is_alb_ingress(i)) continue;
    const KeyValue* ports = alb(i.meta, "listen-ports");
    bool http = ports && ports->value.find("\"HTTP\"") != std::string_view::npos;
    if (!http || !alb_has_https(i) || alb_redirects(i)) continue;
    out.add(kAlbHttpWithoutRedirect.info, i.meta, ports->value_loc(),
            "listen-ports opens HTTP next to HTTPS without ssl-redirect: the application is served in clear text too");
  }
}

void check_alb_auth_allow(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& i : c.ingresses) {
    if (const KeyValue* kv = alb(i.meta, "auth-on-unauthenticated-request"); kv && kv->value == "allow")
      out.add(kAlbAuthWeak.info, i.meta, kv->value_loc(),
              "auth-on-unauthenticated-request: allow lets requests without a session through to the backend");
    if (const KeyValue* kv = alb(i.meta, "mutual-authentication");
        kv && kv->value.find("passthrough") != std::string_view::npos)
      out.add(kAlbAuthWeak.info, i.meta, kv->value_loc(),
              "mutual-authentication mode passthrough: the ALB forwards client certificates without verifying them");
  }
}

// --- GKE Ingress ---

bool is_gce_external(const Ingress& i) {
  Field cls = i.requested_class();
  return cls.value == "gce";
}

void check_gke_ssl_policy(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& i : c.ingresses) {
    if (!is_gce_external(i) || !i.has_tls_section) continue;
    const KeyValue* annotation = i.meta.annotation("networking.gke.io/v1beta1.FrontendConfig");
    const Extension* fc = frontend_config(c, i);
    if (fc && fc->spec.get("spec.sslPolicy")) continue;
    if (annotation && !fc) continue;  // the FrontendConfig is not in the input: cannot tell
    out.add(kGkeNoSslPolicy.info, fc ? fc->meta : i.meta, fc ? fc->meta.name_loc : i.tls_loc,
            fc ? "FrontendConfig without sslPolicy: the load balancer uses GCP's default COMPATIBLE profile (TLS 1.0)"
               : "GKE Ingress with TLS and no FrontendConfig: GCP's default SSL policy (COMPATIBLE, TLS 1.0) applies");
  }
}

void check_gke_redirect(const Cluster& c, const RuleSettings& s, Findings& out) {
  auto siblings = derived<SiblingTls>(c, s);
  for (const Ingress& i : c.ingresses) {
    if (!is_gce_external(i)) continue;
    // HTTPS from spec.tls, a managed or a pre-shared certificate: port 80 then serves beside it.
    HostTransport t = transport_of(c, i, {}, *siblings);
    if (!(i.has_tls_section || t.https) || t.redirected) continue;
    const KeyValue* allow_http = i.meta.annotation("kubernetes.io/ingress.allow-http");
    if (allow_http && parse_go_bool(allow_http->value) == false) continue;  // no port 80 at all
    const KeyValue* annotation = i.meta.annotation("networking.gke.io/v1beta1.FrontendConfig");
    const Extension* fc = frontend_config(c, i);
    if (annotation && !fc) continue;
    const FlatField* enabled = fc ? fc->spec.get("spec.redirectToHttps.enabled") : nullptr;
    if (enabled && to_lower(enabled->value) == "true") continue;
    out.add(kGkeNoHttpsRedirect.info, i.meta, allow_http ? allow_http->value_loc() : i.has_tls_section ? i.tls_loc : i.meta.name_loc,
            "GKE serves this Ingress on port 80 too and nothing redirects to HTTPS (FrontendConfig redirectToHttps, or "
            "kubernetes.io/ingress.allow-http: \"false\")");
  }
}

void check_gke_cloud_armor(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& i : c.ingresses) {
    if (!is_gce_external(i)) continue;
    std::set<std::string> seen;
    for (const IngressRule& r : i.rules)
      for (const IngressPath& p : r.paths) {
        const std::string& name = p.backend.service;
        if (name.empty() || !seen.insert(name).second) continue;
        const Service* s = c.find_service(i.meta.effective_ns(), name);
        if (!s) continue;
        const KeyValue* bc = s->meta.annotation("cloud.google.com/backend-config");
        if (!bc) bc = s->meta.annotation("beta.cloud.google.com/backend-config");
        bool armored = false, known = !bc;
        if (bc)
          for (const Extension& e : c.extensions)
            if (e.meta.kind == "BackendConfig" && e.meta.effective_ns() == s->meta.effective_ns() &&
                bc->value.find("\"" + std::string(e.meta.name) + "\"") != std::string_view::npos) {
              known = true;
              const FlatField* sp = e.spec.get("spec.securityPolicy.name");
              armored = armored || (sp && !sp->value.empty());
            }
        if (armored || !known) continue;
        out.add(kGkeNoCloudArmor.info, i.meta, p.backend.service_loc,
                "Service " + name + " behind an internet-facing GKE load balancer has no Cloud Armor policy "
                "(BackendConfig securityPolicy)");
      }
  }
}

}  // namespace

const Rule kHaproxySnippet{
    .info = {.id = "IG1121",
             .title = "HAProxy configuration snippet set by a tenant",
             .severity = Severity::High,
             .category = "injection",
             .rationale = "backend-config-snippet (haproxytech) and config-backend (haproxy-ingress) on an Ingress or "
                          "Service insert raw HAProxy directives into the shared proxy: any Ingress author can reroute, "
                          "read headers of others' traffic, or break the proxy.",
             .remediation = "Disable tenant snippets (--disable-config-snippets=backend, --disable-config-keywords) and move "
                            "the directives to the controller's ConfigMap.",
             .references = {"https://github.com/haproxytech/kubernetes-ingress/blob/master/documentation/annotations.md",
                            "https://haproxy-ingress.github.io/docs/configuration/keys/#configuration-snippet"}},
    .check = &check_haproxy_snippets,
};

const Rule kHaproxyClientIpFromHeader{
    .info = {.id = "IG1122",
             .title = "HAProxy takes the client address from a request header",
             .severity = Severity::High,
             .category = "access-control",
             .rationale = "src-ip-header and allowlist-source-header make allowlists, rate limits and logs use an "
                          "address the client writes.",
             .remediation = "Use the connection's address, or the PROXY protocol from a trusted load balancer.",
             .references = {"https://github.com/haproxytech/kubernetes-ingress/blob/master/documentation/annotations.md#src-ip-header"}},
    .check = &check_haproxy_client_ip_header,
};

const Rule kHaproxyClientCertOptional{
    .info = {.id = "IG1123",
             .title = "HAProxy client certificates optional",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "client-crt-optional (haproxytech, global) and auth-tls-strict: false (haproxy-ingress) let "
                          "clients without a valid certificate through where mutual TLS was meant to keep them out.",
             .remediation = "Leave client certificates mandatory; have the backend refuse requests without the "
                            "verified-certificate header if optional ones are needed.",
             .references = {"https://haproxy-ingress.github.io/docs/configuration/keys/#auth-tls"}},
    .check = &check_haproxy_client_cert_optional,
};

const Rule kAlbLegacySslPolicy{
    .info = {.id = "IG1131",
             .title = "AWS ALB security policy allows TLS 1.0/1.1",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "Without alb.ingress.kubernetes.io/ssl-policy the controller uses ELBSecurityPolicy-2016-08, "
                          "which accepts TLS 1.0 and 1.1 and CBC suites.",
             .remediation = "Set ssl-policy (or IngressClassParams sslPolicy) to ELBSecurityPolicy-TLS13-1-2-2021-06 or "
                            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.",
             .references = {"https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl-policy",
                            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"}},
    .check = &check_alb_ssl_policy,
};

const Rule kAlbOpenToInternet{
    .info = {.id = "IG1132",
             .title = "ALB inbound-cidrs ignored",
             .severity = Severity::Medium,
             .category = "exposure",
             .rationale = "inbound-cidrs next to security-groups is silently ignored: the author believes the ALB admits "
                          "only the listed ranges while the security groups decide alone.",
             .remediation = "Put the allowed ranges in the security groups, or drop security-groups and keep inbound-cidrs.",
             .references = {"https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#inbound-cidrs"}},
    .check = &check_alb_internet_facing,
};

const Rule kAlbSharedGroup{
    .info = {.id = "IG1133",
             .title = "AWS IngressGroup shared across namespaces",
             .severity = Severity::High,
             .category = "host-takeover",
             .rationale = "An IngressGroup is one ALB: any member can add rules with a higher priority for others' hosts "
                          "and paths, or change the WAF for all of them.",
             .remediation = "Pin the group in IngressClassParams (group.name, namespaceSelector) and give each team its "
                            "own class, or disable group.name annotations.",
             .references = {"https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ingressgroup"}},
    .check = &check_alb_group,
};

const Rule kAlbHttpWithoutRedirect{
    .info = {.id = "IG1134",
             .title = "AWS ALB HTTP listener without a redirect",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "listen-ports with HTTP next to HTTPS serves the application in clear text unless ssl-redirect "
                          "sends HTTP to HTTPS.",
             .remediation = "Set alb.ingress.kubernetes.io/ssl-redirect: '443', or drop the HTTP listener.",
             .references = {"https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl-redirect"}},
    .check = &check_alb_http_redirect,
};

const Rule kAlbAuthWeak{
    .info = {.id = "IG1135",
             .title = "AWS ALB authentication or mutual TLS that lets requests through",
             .severity = Severity::Medium,
             .category = "authentication",
             .rationale = "auth-on-unauthenticated-request: allow forwards requests without a session; "
                          "mutual-authentication passthrough forwards client certificates without verifying them.",
             .remediation = "Use authenticate (or deny) and mutual-authentication mode verify with a trust store.",
             .references = {"https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#authentication"}},
    .check = &check_alb_auth_allow,
};

const Rule kGkeNoSslPolicy{
    .info = {.id = "IG1141",
             .title = "GKE Ingress without an SSL policy",
             .severity = Severity::High,
             .category = "tls",
             .rationale = "Without a FrontendConfig sslPolicy the external load balancer uses GCP's default COMPATIBLE "
                          "profile, which accepts TLS 1.0 (flagged by the CIS GCP benchmark).",
             .remediation = "Attach a FrontendConfig whose sslPolicy names a MODERN or RESTRICTED policy with minimum TLS 1.2.",
             .references = {"https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#ssl_policies"}},
    .check = &check_gke_ssl_policy,
};

const Rule kGkeNoHttpsRedirect{
    .info = {.id = "IG1142",
             .title = "GKE Ingress serves plain HTTP without a redirect",
             .severity = Severity::Medium,
             .category = "tls",
             .rationale = "A GKE Ingress with TLS still answers on port 80 unless allow-http is false or the "
                          "FrontendConfig redirects to HTTPS.",
             .remediation = "Set redirectToHttps.enabled: true in the FrontendConfig (or kubernetes.io/ingress.allow-http: \"false\").",
             .references = {"https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#https_redirect"}},
    .check = &check_gke_redirect,
};

const Rule kGkeNoCloudArmor{
    .info = {.id = "IG1143",
             .title = "GKE internet-facing backend without Cloud Armor",
             .severity = Severity::Low,
             .category = "waf",
             .rationale = "A BackendConfig securityPolicy puts Cloud Armor (WAF, IP rules, rate limits) in front of the "
                          "Service; without one the load balancer forwards everything.",
             .remediation = "Reference a BackendConfig with spec.securityPolicy.name from the Service "
                            "(cloud.google.com/backend-config).",
             .references = {"https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#cloud_armor"}},
    .check = &check_gke_cloud_armor,
};

}  // namespace ig::rules
