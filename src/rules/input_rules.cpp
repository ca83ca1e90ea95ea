// Input rules: problems in how an object is written that change what the
// cluster receives compared with what a reviewer reads.
#include <algorithm>
#include <array>
#include <algorithm>
#include <unordered_map>

#include "core/text.h"
#include "rules/catalog.h"

namespace ig::rules {

namespace {

void check_duplicate_key(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const InputIssue& i : c.input_issues) {
    if (i.kind != InputIssue::Kind::DuplicateKey) continue;
    if (i.detail.empty()) {
      out.add(kDuplicateKey.info, c.objects[i.object], i.loc,
              std::to_string(i.times) + " more repeats of keys in this document are not listed");
      continue;
    }
    std::string times = i.times <= 2 ? "twice" : std::to_string(i.times) + " times";
    out.add(kDuplicateKey.info, c.objects[i.object], i.loc,
            "key '" + safe_text(i.detail, 80) + "' is set " + times + " (first on line " + std::to_string(i.other.line) +
                "); the API server keeps this last value");
  }
}

void check_non_string_value(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const InputIssue& i : c.input_issues) {
    if (i.kind != InputIssue::Kind::NonStringValue) continue;
    out.add(kNonStringValue.info, c.objects[i.object], i.loc,
            "value of '" + i.detail.substr(0, i.detail.find(':')) +
                "' is not a string; the API server rejects the object (quote the value)");
  }
}

void check_inline_exemption(const Cluster& c, const RuleSettings&, Findings& out) {
  c.for_each_meta([&](const ObjectMeta& m) {
    const KeyValue* kv = m.annotation(kIgnoreAnnotation);
    if (!kv) return;
    std::string error;
    if (!parse_inline_exemption(kv->value, &error))
      out.add(kInvalidExemption.info, m, kv->value_loc(),
              std::string(kIgnoreAnnotation) + " " + error + ", so it exempts nothing");
  });
}

// One finding for copies of one identity, on the first copy, when they differ. Identical
// copies (examples that repeat a shared Service or route) apply the same object.
void report_copies(const Cluster& c, const std::vector<const ObjectRef*>& all, Findings& out) {
  if (all.size() < 2) return;
  const ObjectRef& o = *all.front();
  if (std::all_of(all.begin(), all.end(), [&](const ObjectRef* x) { return x->content == o.content; })) return;
  std::string where;
  for (size_t i = 1; i < all.size() && i <= 5; ++i)
    where += (i > 1 ? ", " : "") + c.files[all[i]->loc.file].path + ":" + std::to_string(all[i]->loc.line);
  if (all.size() > 6) where += " and " + std::to_string(all.size() - 6) + " more";
  std::string who = std::string(o.kind) + " " + (o.ns.empty() ? std::string() : std::string(o.ns) + "/") + std::string(o.name);
  out.add(kDefinedTwice.info, o, o.loc,
          who + " is defined " + (all.size() == 2 ? std::string("twice") : std::to_string(all.size()) + " times") +
              " with different content in this unit (also at " + where + "): the cluster keeps the copy applied last");
}

void check_defined_twice(const Cluster& c, const RuleSettings&, Findings& out) {
  // (hash of the identity, object) for the front-door kinds, sorted: copies end up side by side
  // without a string per object.
  std::vector<std::pair<size_t, const ObjectRef*>> ids;
  for (const ObjectRef& o : c.objects)
    if (!o.name.empty() && is_front_door_kind(o.kind)) ids.emplace_back(std::hash<std::string>{}(identity_key(o)), &o);
  std::stable_sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < ids.size();) {
    size_t j = i + 1;
    while (j < ids.size() && ids[j].first == ids[i].first) ++j;
    if (j - i > 1) {
      // Same hash: group the real identities (collisions apart), in input order.
      std::vector<std::pair<std::string, std::vector<const ObjectRef*>>> groups;
      for (size_t k = i; k < j; ++k) {
        std::string key = identity_key(*ids[k].second);
        auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == key; });
        if (g == groups.end()) groups.push_back({key, {ids[k].second}});
        else g->second.push_back(ids[k].second);
      }
      for (const auto& [key, all] : groups) report_copies(c, all, out);
    }
    i = j;
  }
}

}  // namespace

const Rule kDefinedTwice{
    .info = {.id = "IG004",
             .title = "Object defined more than once",
             .severity = Severity::Low,
             .category = "input",
             .rationale = "Two manifests of one unit describe the same front-door object (Ingress, IngressClass, "
                          "Service, NetworkPolicy, Gateway, route; same group, kind, namespace, name) with different "
                          "content. The "
                          "cluster holds one of them, whichever is applied last; a reviewer reading either copy can be "
                          "wrong about the TLS, hosts or policies in force. ingressguard judges each copy but never "
                          "compares the copies with each other.",
             .remediation = "Keep one definition per object and unit; put alternatives in separate units (overlays, "
                            "example folders).",
             .references = {"https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"}},
    .check = &check_defined_twice,
};

const Rule kInvalidExemption{
    .info = {.id = "IG003",
             .title = "Malformed inline exemption",
             .severity = Severity::Low,
             .category = "input",
             .rationale = "An ingressguard.io/ignore annotation that cannot be read (no reason, unknown rule ID) "
                          "suppresses nothing; the author believes a finding is accepted when it is not.",
             .remediation = "Write the annotation as \"IG101,IG102: why these findings are accepted\".",
             .references = {"docs/policy.md"}},
    .check = &check_inline_exemption,
};

const Rule kDuplicateKey{
    .info = {.id = "IG001",
             .title = "Duplicate key in a mapping",
             .severity = Severity::Medium,
             .category = "input",
             .rationale = "YAML and JSON decoders used by kubectl keep the last value of a repeated key. A reviewer "
                          "reading the manifest sees the first value; the cluster receives the last one, which can "
                          "hide a weakened setting.",
             .remediation = "Remove the repeated key so the manifest states one value.",
             .references = {"https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation"}},
    .check = &check_duplicate_key,
};

const Rule kNonStringValue{
    .info = {.id = "IG002",
             .title = "Label, annotation or data value is not a string",
             .severity = Severity::Low,
             .category = "input",
             .rationale = "An unquoted true, yes, on or number is decoded as a boolean or number; labels, "
                          "annotations and ConfigMap data must be strings, so the API server rejects the object and "
                          "the intended setting never applies.",
             .remediation = "Quote the value, for example \"true\" or \"8080\".",
             .references = {"https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/"}},
    .check = &check_non_string_value,
};

}  // namespace ig::rules
