#include <algorithm>
#include <tuple>

#include "rules/catalog.h"
#include "rules/rule.h"

namespace ig {

const std::vector<const Rule*>& builtin_rules() {
  using namespace rules;
  static const std::vector<const Rule*> all = {
      &kDuplicateKey,
      &kNonStringValue,
      &kHostWithoutTls,
      &kHttpsNotEnforced,
      &kWildcardHost,
      &kCatchAllHost,
      &kHostAcrossNamespaces,
      &kDuplicateHostPath,
      &kDefaultBackend,
      &kNoIngressClass,
      &kBackendMissing,
      &kSensitivePathUnprotected,
      &kPathInjection,
      &kSnippetAnnotation,
      &kAnnotationInjection,
      &kAllowlistOpenToWorld,
      &kConfigAllowSnippets,
      &kConfigRiskLevelCritical,
      &kConfigLegacyTls,
      &kConfigWeakCiphers,
      &kConfigHstsWeak,
      &kConfigForwardedHeadersTrusted,
      &kConfigPathValidationOff,
      &kConfigServerTokens,
      &kLoadBalancerOpen,
      &kExternalIps,
      &kNetworkPolicyAllowAll,
  };
  return all;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule* r : builtin_rules())
    if (r->info.id == id) return r;
  return nullptr;
}

void Findings::add(const RuleInfo& rule, const ObjectMeta& meta, Loc loc, std::string message) {
  add(rule, ObjectRef{meta.api_version, meta.kind, meta.ns, meta.name, meta.loc, meta.origin}, loc, std::move(message));
}

void Findings::add(const RuleInfo& rule, const ObjectRef& object, Loc loc, std::string message) {
  Finding f;
  f.rule = &rule;
  f.message = std::move(message);
  f.resource = object;
  f.loc = loc.line ? loc : object.loc;
  items_.push_back(std::move(f));
}

std::vector<Finding> run_rules(const Cluster& cluster) {
  Findings findings;
  for (const Rule* r : builtin_rules()) r->check(cluster, findings);
  auto& items = findings.items();
  std::stable_sort(items.begin(), items.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.loc.file, a.loc.line, a.loc.col, a.rule->id) < std::tie(b.loc.file, b.loc.line, b.loc.col, b.rule->id);
  });
  return std::move(items);
}

}  // namespace ig
