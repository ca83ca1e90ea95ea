// Input rules: problems in how an object is written that change what the
// cluster receives compared with what a reviewer reads.
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

}  // namespace

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
