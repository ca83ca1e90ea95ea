// Rules driven by the user's policy file: reviewed annotations only, allowed
// ingress classes, host ownership per namespace, hosts per class, internal
// Services kept off public classes, and exemptions past their date.
#include "graph/gateway.h"
#include "graph/netpol.h"
#include "policy/policy.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// The class an Ingress asks for, and where it says so.
std::pair<std::string, Loc> ingress_class_of(const Ingress& ing) {
  Field cls = ing.requested_class();
  return {std::string(cls.value), cls ? cls.loc : ing.meta.name_loc};
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
                "namespace " + std::string(ing.meta.effective_ns()) + " may not serve " + std::string(r.host.value) +
                    " (the policy gives that host to other namespaces)");
    }
}

void check_class_hosts(const Cluster& c, const RuleSettings& s, Findings& out) {
  if (!s.policy) return;
  for (const Ingress& ing : c.ingresses) {
    const ClassPolicy* cp = s.policy->class_policy(ingress_class_of(ing).first);
    if (!cp || cp->hosts.empty()) continue;
    for (const IngressRule& r : ing.rules) {
      std::string host(r.host ? r.host.value : std::string_view());
      if (host.empty() || !any_glob(cp->hosts, host))
        out.add(kClassHostNotAllowed.info, ing.meta, r.host ? r.host.loc : r.loc,
                "class " + cp->name + " may only serve hosts matching the policy's list, not " +
                    (host.empty() ? std::string("every host (no host set)") : host));
    }
  }
}

// Whether a class (or Gateway) is internet-facing: the policy says so when it names the class;
// otherwise any name without "internal" or "private" in it is taken as public.
bool is_public_entry(const Policy* p, std::string_view class_name, std::string_view other_name = {}) {
  if (p)
    if (const ClassPolicy* cp = p->class_policy(std::string(class_name)); cp && cp->is_public) return *cp->is_public;
  for (std::string_view n : {class_name, other_name}) {
    std::string l = to_lower(n);
    if (l.find("internal") != std::string::npos || l.find("private") != std::string::npos) return false;
  }
  return true;
}

// Why a Service counts as internal: its own label, or the pods of a labelled workload it selects.
std::string internal_marking(const Service& svc, const std::vector<const Workload*>& labelled, const std::string& key,
                             const std::string& value) {
  if (const KeyValue* l = svc.meta.label(key); l && l->value == value) return "Service " + std::string(svc.meta.name);
  for (const Workload* w : labelled)
    if (service_selects(svc, *w)) return "workload " + NetworkPolicyEngine::workload_id(*w) + " behind it";
  return "";
}

void check_internal_behind_public(const Cluster& c, const RuleSettings& s, Findings& out) {
  const Policy* p = s.policy;
  std::string key = p ? p->internal_label_key : "ingressguard.io/exposure";
  std::string value = p ? p->internal_label_value : "internal";
  // The workloads whose pods carry the label (usually none: then only Services' own labels count).
  std::vector<const Workload*> labelled;
  for (const Workload& w : c.workloads)
    for (const KeyValue& l : w.pod_labels)
      if (l.key == key && l.value == value) labelled.push_back(&w);
  auto flag = [&](const ObjectMeta& m, Loc loc, std::string_view ns, std::string_view service, const std::string& entry) {
    const Service* svc = c.find_service(ns, service);
    if (!svc) return;
    std::string why = internal_marking(*svc, labelled, key, value);
    if (!why.empty())
      out.add(kInternalBehindPublic.info, m, loc,
              why + " is labelled " + key + "=" + value + " but is routed through " + entry + ", which faces the internet");
  };
  for (const Ingress& ing : c.ingresses) {
    std::string cls = ingress_class_of(ing).first;
    if (cls.empty() || !is_public_entry(p, cls)) continue;
    auto check = [&](const IngressBackend& b) {
      if (b.present && !b.service.empty()) flag(ing.meta, b.loc, ing.meta.effective_ns(), b.service, "the public class " + cls);
    };
    check(ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& path : r.paths) check(path.backend);
  }
  // Gateway API routes on a Gateway that is not marked internal.
  auto listeners = gw::all_listeners(c);
  for (const Route& r : c.routes) {
    auto attached = gw::attachments(c, listeners, r);
    const Gateway* public_gateway = nullptr;
    for (const gw::Attachment& a : attached)
      if (is_public_entry(p, a.at.gateway->class_name.value, a.at.gateway->meta.name)) public_gateway = a.at.gateway;
    if (!public_gateway) continue;
    for (const RouteRule& rule : r.rules)
      for (const ObjectReference& b : rule.backends)
        if (b.group.empty() && (b.kind.empty() || b.kind == "Service"))
          flag(r.meta, b.loc, b.ns_or(r.meta.effective_ns()), b.name,
               "Gateway " + std::string(public_gateway->meta.effective_ns()) + "/" + std::string(public_gateway->meta.name));
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
             .title = "Internal workload exposed through a public class or Gateway",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "A Service, or a workload behind it, labelled internal (ingressguard.io/exposure=internal "
                          "unless the policy names another label) and routed through an internet-facing class or Gateway "
                          "is reachable from the internet. Without a policy every class and Gateway whose name does not "
                          "say internal or private counts as internet-facing.",
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
