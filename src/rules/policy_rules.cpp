// Rules driven by the user's policy file: reviewed annotations only, allowed
// ingress classes, host ownership per namespace, hosts per class, internal
// Services kept off public classes, and exemptions past their date.
#include "policy/policy.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// The class an Ingress asks for, and where it says so.
std::pair<std::string, Loc> ingress_class_of(const Ingress& ing) {
  Field cls = ing.requested_class();
  return {cls.value, cls ? cls.loc : ing.meta.name_loc};
}

bool any_glob(const std::vector<std::string>& globs, std::string_view text) {
  for (const std::string& g : globs)
    if (glob_match(g, text)) return true;
  return false;
}

void check_annotation_allowlist(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (!s.policy || !s.policy->annotations.present) return;
  for (const Ingress& ing : c.ingresses) {
    const auto& allowed = s.policy->annotations.for_namespace(ing.meta.effective_ns());
    for (const KeyValue& kv : ing.meta.annotations) {
      // ingressguard's own annotation and kubectl's bookkeeping are always allowed.
      if (kv.key.rfind("ingressguard.io/", 0) == 0 || kv.key == "kubectl.kubernetes.io/last-applied-configuration") continue;
      if (!any_glob(allowed, kv.key))
        out.add(kAnnotationNotAllowed.info, ing.meta, kv.key_loc(),
                "annotation " + std::string(kv.key) + " is not in the policy's reviewed list for namespace " +
                    std::string(ing.meta.effective_ns()));
    }
  }
}

void check_class_allowed(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (!s.policy || s.policy->allowed_classes.empty()) return;
  for (const Ingress& ing : c.ingresses) {
    auto [cls, where] = ingress_class_of(ing);
    if (cls.empty()) continue;  // IG108 reports class-less Ingresses
    if (!any_glob(s.policy->allowed_classes, cls))
      out.add(kClassNotAllowed.info, ing.meta, where, "ingress class '" + cls + "' is not allowed by the policy");
  }
}

void check_host_ownership(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (!s.policy || s.policy->hosts.empty()) return;
  for (const Ingress& ing : c.ingresses)
    for (const IngressRule& r : ing.rules) {
      if (!r.host || r.host.value.empty()) continue;
      bool governed = false, owner = false;
      for (const HostOwnership& o : s.policy->hosts) {
        if (!glob_match(o.host, r.host.value)) continue;
        governed = true;
        owner = owner || any_glob(o.namespaces, ing.meta.effective_ns());
      }
      if (governed && !owner)
        out.add(kHostNotOwned.info, ing.meta, r.host.loc,
                "namespace " + std::string(ing.meta.effective_ns()) + " may not serve " + r.host.value +
                    " (the policy gives that host to other namespaces)");
    }
}

void check_class_hosts(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (!s.policy) return;
  for (const Ingress& ing : c.ingresses) {
    const ClassPolicy* cp = s.policy->class_policy(ingress_class_of(ing).first);
    if (!cp || cp->hosts.empty()) continue;
    for (const IngressRule& r : ing.rules) {
      std::string host = r.host ? r.host.value : std::string();
      if (host.empty() || !any_glob(cp->hosts, host))
        out.add(kClassHostNotAllowed.info, ing.meta, r.host ? r.host.loc : r.loc,
                "class " + cp->name + " may only serve hosts matching the policy's list, not " +
                    (host.empty() ? std::string("every host (no host set)") : host));
    }
  }
}

void check_internal_behind_public(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (!s.policy) return;
  const Policy& p = *s.policy;
  for (const Ingress& ing : c.ingresses) {
    const ClassPolicy* cp = p.class_policy(ingress_class_of(ing).first);
    if (!cp || !cp->is_public.value_or(false)) continue;
    auto check = [&](const IngressBackend& b) {
      if (!b.present || b.service.empty()) return;
      const Service* svc = c.find_service(ing.meta.effective_ns(), b.service);
      if (!svc) return;
      const KeyValue* label = svc->meta.label(p.internal_label_key);
      if (label && label->value == p.internal_label_value)
        out.add(kInternalBehindPublic.info, ing.meta, b.loc,
                "Service " + b.service + " is labelled " + p.internal_label_key + "=" + p.internal_label_value +
                    " but is routed through the public class " + cp->name);
    };
    check(ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& path : r.paths) check(path.backend);
  }
}

void check_expired_exemptions(const Cluster&, const RuleSettings& s, Findings& out) {
  if (!s.policy) return;
  int64_t now = s.current_time();
  for (const Exemption& ex : s.policy->exemptions)
    if (ex.expires && ex.expires <= now)
      out.add(kExemptionExpired.info, ObjectRef{"ingressguard.io/v1", "Policy", "", s.policy->path, ex.loc, ""}, ex.loc,
              "exemption for " + ex.rule + " expired on " + ex.expires_text + " (" + ex.reason +
                  "): its findings count again");
}

}  // namespace

const Rule kAnnotationNotAllowed{
    .info = {.id = "IG701",
             .title = "Annotation not in the reviewed list",
             .severity = Severity::Medium,
             .category = "policy",
             .rationale = "The policy lists the annotations that have been reviewed; any other annotation changes "
                          "controller behaviour nobody has assessed (new ones appear with every controller release).",
             .remediation = "Remove the annotation, or add it to annotations.allowed in .ingressguard.yaml after review.",
             .references = {"docs/policy.md"}},
    .check = &check_annotation_allowlist,
};

const Rule kClassNotAllowed{
    .info = {.id = "IG702",
             .title = "Ingress class not allowed",
             .severity = Severity::Medium,
             .category = "policy",
             .rationale = "Only the classes in ingressClasses.allowed are approved entry points; another class may be "
                          "served by an unreviewed or public controller.",
             .remediation = "Use an allowed ingress class, or extend ingressClasses.allowed.",
             .references = {"docs/policy.md"}},
    .check = &check_class_allowed,
};

const Rule kHostNotOwned{
    .info = {.id = "IG703",
             .title = "Host claimed by a namespace that does not own it",
             .severity = Severity::High,
             .category = "host-takeover",
             .rationale = "The policy assigns host names to namespaces; an Ingress elsewhere claiming such a host can "
                          "take over or intercept its traffic.",
             .remediation = "Serve the host from its owning namespace, or change hosts[] in .ingressguard.yaml.",
             .references = {"docs/policy.md"}},
    .check = &check_host_ownership,
};

const Rule kClassHostNotAllowed{
    .info = {.id = "IG704",
             .title = "Host not allowed on this ingress class",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "The policy limits which hosts each class may serve (for example the internal class only "
                          "*.internal.example.com), keeping public and private services apart.",
             .remediation = "Use the class meant for this host, or change classes.<name>.hosts in the policy.",
             .references = {"docs/policy.md"}},
    .check = &check_class_hosts,
};

const Rule kInternalBehindPublic{
    .info = {.id = "IG705",
             .title = "Internal Service exposed through a public class",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "A Service labelled internal (ingressguard.io/exposure=internal by default) routed through "
                          "an internet-facing class is reachable from the internet.",
             .remediation = "Route it through an internal class, or drop the internal label if exposure is intended.",
             .references = {"docs/policy.md"}},
    .check = &check_internal_behind_public,
};

const Rule kExemptionExpired{
    .info = {.id = "IG706",
             .title = "Policy exemption expired",
             .severity = Severity::Medium,
             .category = "policy",
             .rationale = "An accepted risk was granted until a date that has passed; it must be reviewed again.",
             .remediation = "Fix the findings it covered, or renew the exemption with a new date and reason.",
             .references = {"docs/policy.md"}},
    .check = &check_expired_exemptions,
};

}  // namespace ig::rules
