// ingress-nginx controller versions read from workload images: end of life,
// IngressNightmare and the later injection CVEs, pre-1.9 defaults; and the
// controller's admission webhook Service exposed outside the cluster.
#include <charconv>
#include <tuple>

#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

struct Version {
  int major = 0, minor = 0, patch = 0;
  bool prerelease = false;  // -beta.0 etc.: sorts before the release
  auto tie() const { return std::tie(major, minor, patch); }
  bool operator<(const Version& o) const { return tie() < o.tie() || (tie() == o.tie() && prerelease && !o.prerelease); }
  bool operator<=(const Version& o) const { return !(o < *this); }
  std::string str() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch) + (prerelease ? "-pre" : "");
  }
};

std::optional<Version> image_version(std::string_view image) {
  if (auto at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) return std::nullopt;
  std::string_view tag = image.substr(colon + 1);
  if (!tag.empty() && (tag[0] == 'v' || tag[0] == 'V')) tag.remove_prefix(1);
  Version v;
  const char* p = tag.data();
  const char* end = tag.data() + tag.size();
  for (int* part : {&v.major, &v.minor, &v.patch}) {
    auto r = std::from_chars(p, end, *part);
    if (r.ec != std::errc()) return std::nullopt;
    p = r.ptr;
    if (part != &v.patch) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  v.prerelease = p != end && *p == '-';
  return v;
}

struct ControllerImage {
  const Workload* workload;
  const Field* image;
  std::optional<Version> version;
};

template <class Fn>
void for_each_controller(const Cluster& c, Fn fn) {
  for (const Workload& w : c.workloads)
    for (const Container& ct : w.containers)
      if (ct.image && is_ingress_nginx_image(ct.image.value))
        fn(ControllerImage{&w, &ct.image, image_version(ct.image.value)});
}

bool nightmare_affected(const Version& v) { return v <= Version{1, 11, 4} || (v.major == 1 && v.minor == 12 && v.patch == 0); }

bool later_cves_affected(const Version& v) {
  if (v < Version{1, 13, 9}) return true;
  if (v.major == 1 && v.minor == 14) return v < Version{1, 14, 5};
  if (v.major == 1 && v.minor == 15) return v < Version{1, 15, 1};
  return false;
}

// One finding per controller image, however many facts apply: under the most
// severe rule that applies (IngressNightmare, pre-1.9 defaults, the later
// injection CVEs, end of life, in that order), its message naming the others.
void walk_versions(const Cluster& c, Findings& out) {
  for_each_controller(c, [&](const ControllerImage& ci) {
    std::string version = ci.version ? ci.version->str() : std::string();
    std::vector<std::pair<const Rule*, std::string>> facts;
    if (ci.version && nightmare_affected(*ci.version))
      facts.emplace_back(&kIngressNginxNightmare,
                         "is affected by IngressNightmare (CVE-2025-1974, unauthenticated RCE through the admission webhook)");
    if (ci.version && *ci.version < Version{1, 9, 0})
      facts.emplace_back(&kIngressNginxPre19, "predates annotation validation and allows snippet annotations by default");
    if (ci.version && !nightmare_affected(*ci.version) && later_cves_affected(*ci.version))
      facts.emplace_back(&kIngressNginxLaterCves,
                         "has configuration-injection CVEs fixed in 1.13.9, 1.14.5 and 1.15.1 (CVE-2026-1580, CVE-2026-24512, "
                         "CVE-2026-3288, CVE-2026-4342)");
    facts.emplace_back(&kIngressNginxEol, "is retired (March 2026): no more security fixes, and its bundled nginx has unpatched CVEs");
    std::string message = "ingress-nginx " + (version.empty() ? std::string() : version + " ") + facts.front().second;
    for (size_t i = 1; i < facts.size(); ++i)
      message += "; it also " + facts[i].second +
                 " [" + std::string(facts[i].first->info.id) + "]";
    out.add(facts.front().first->info, ci.workload->meta, ci.image->loc, message);
  });
}

void check_eol(const Cluster& c, const RuleSettings&, Findings& out) { keep_only(kIngressNginxEol.info, out, [&](Findings& f) { walk_versions(c, f); }); }
void check_nightmare(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kIngressNginxNightmare.info, out, [&](Findings& f) { walk_versions(c, f); });
}
void check_later_cves(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kIngressNginxLaterCves.info, out, [&](Findings& f) { walk_versions(c, f); });
}
void check_pre_1_9(const Cluster& c, const RuleSettings&, Findings& out) {
  keep_only(kIngressNginxPre19.info, out, [&](Findings& f) { walk_versions(c, f); });
}

bool is_admission_service(const Service& s) {
  bool named = s.meta.name.size() > 10 && s.meta.name.substr(s.meta.name.size() - 10) == "-admission";
  const KeyValue* name = s.meta.label("app.kubernetes.io/name");
  bool nginx = (name && name->value == "ingress-nginx") || s.meta.name.find("ingress-nginx") != std::string_view::npos;
  bool webhook_port = false;
  for (const ServicePort& p : s.ports)
    if (p.target_port == "webhook" || p.target_port == "8443" || p.name == "https-webhook") webhook_port = true;
  return (named && (nginx || webhook_port));
}

void check_webhook_exposed(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Service& s : c.services) {
    if (!is_admission_service(s)) continue;
    std::string_view type = s.type_or_default();
    if (type == "LoadBalancer" || type == "NodePort")
      out.add(kAdmissionWebhookExposed.info, s.meta, s.type.loc,
              "ingress-nginx admission webhook Service is of type " + std::string(type) + ": reachable from outside the cluster");
    else if (!s.external_ips.empty())
      out.add(kAdmissionWebhookExposed.info, s.meta, s.external_ips_loc,
              "ingress-nginx admission webhook Service has externalIPs: reachable from outside the cluster");
  }
}

}  // namespace

const Rule kIngressNginxEol{
    .info = {.id = "IG310",
             .title = "ingress-nginx controller is end of life",
             .severity = Severity::High,
             .category = "lifecycle",
             .rationale = "The kubernetes/ingress-nginx project was retired in March 2026: no release fixes new "
                          "vulnerabilities, including those of its bundled nginx.",
             .remediation = "Migrate to a maintained controller or a Gateway API implementation; until then restrict who may create Ingresses.",
             .references = {"https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/"}},
    .check = &check_eol,
};

const Rule kIngressNginxNightmare{
    .info = {.id = "IG311",
             .title = "ingress-nginx vulnerable to IngressNightmare",
             .severity = Severity::Critical,
             .category = "vulnerability",
             .rationale = "Versions up to 1.11.4 and 1.12.0 let anyone who reaches the admission webhook from the Pod "
                          "network run code in the controller and read every Secret in the cluster.",
             .remediation = "Upgrade to 1.11.5/1.12.1 or later at once (better: migrate); meanwhile disable the admission webhook or allow only the API server to reach port 8443.",
             .references = {"CVE-2025-1974", "CVE-2025-1097", "CVE-2025-1098", "CVE-2025-24514"}},
    .check = &check_nightmare,
};

const Rule kIngressNginxLaterCves{
    .info = {.id = "IG312",
             .title = "ingress-nginx with known configuration-injection CVEs",
             .severity = Severity::High,
             .category = "vulnerability",
             .rationale = "Releases before 1.13.9, 1.14.5 and 1.15.1 let Ingress authors inject nginx configuration "
                          "through auth-method, paths, rewrite-target and comment tricks.",
             .remediation = "Upgrade to 1.13.9, 1.14.5 or 1.15.1 (the last releases), then migrate.",
             .references = {"CVE-2026-1580", "CVE-2026-24512", "CVE-2026-3288", "CVE-2026-4342"}},
    .check = &check_later_cves,
};

const Rule kIngressNginxPre19{
    .info = {.id = "IG313",
             .title = "ingress-nginx older than 1.9.0",
             .severity = Severity::Critical,
             .category = "vulnerability",
             .rationale = "Before 1.9.0 annotation values were not validated and snippet annotations were allowed by "
                          "default (CVE-2023-5043, CVE-2023-5044, CVE-2022-4886).",
             .remediation = "Upgrade, and set allow-snippet-annotations: \"false\" in the controller ConfigMap.",
             .references = {"CVE-2023-5043", "CVE-2023-5044", "CVE-2022-4886"}},
    .check = &check_pre_1_9,
};

const Rule kAdmissionWebhookExposed{
    .info = {.id = "IG314",
             .title = "ingress-nginx admission webhook exposed",
             .severity = Severity::Critical,
             .category = "exposure",
             .rationale = "The admission webhook renders and tests nginx configuration from whatever AdmissionReview it "
                          "receives; reachable from outside it is the IngressNightmare entry point.",
             .remediation = "Keep the *-controller-admission Service ClusterIP and allow only the API server to reach port 8443.",
             .references = {"CVE-2025-1974"}},
    .check = &check_webhook_exposed,
};

}  // namespace ig::rules
