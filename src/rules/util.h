// Helpers shared by the rule families.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster.h"
#include "policy/policy.h"
#include "rules/rule.h"
#include "semantics/controller.h"
#include "semantics/values.h"

namespace ig::rules {

// The policy says the input holds the whole cluster (completeInput: true): a rule
// may then conclude from an object's absence. Otherwise an object that is not in
// the input is unknown, not missing.
inline bool complete_input(const RuleSettings& s) { return s.complete_input || (s.policy && s.policy->complete_input); }

// The ConfigMaps the ingress-nginx controller reads (controller_config_rules.cpp);
// shared by the rules of one run through derived<ControllerConfigMaps>.
struct ControllerConfigMaps {
  explicit ControllerConfigMaps(const Cluster& c);
  std::vector<const ConfigMap*> list;
};

// A flattened field (core/gateway.h) that is present and "true" (any case).
inline bool is_true(const FlatField* f) {
  if (!f || f->value.size() != 4) return false;
  return to_lower(f->value) == "true";
}

// Calls fn(meta, spec) for each flattened resource of `kind` whose apiVersion starts with one of `groups`
// (e.g. {"traefik.io/", "traefik.containo.us/"}).
template <class Fn>
void for_each_extension(const Cluster& c, std::initializer_list<std::string_view> groups, std::string_view kind, Fn fn) {
  for (const Extension& e : c.extensions) {
    if (e.meta.kind != kind) continue;
    for (std::string_view g : groups)
      if (e.meta.api_version.starts_with(g)) {
        fn(e.meta, e.spec);
        break;
      }
  }
}

// For walks that report several rules: runs `walk(Findings&)` into a scratch
// list and keeps the findings of `rule` only, so each rule has its own check
// (and a disabled rule stays silent).
template <class Walk>
void keep_only(const RuleInfo& rule, Findings& out, Walk walk) {
  Findings scratch;
  walk(scratch);
  for (Finding& f : scratch.items())
    if (f.rule == &rule) out.items().push_back(std::move(f));
}

}  // namespace ig::rules
