#include <algorithm>
#include <ctime>
#include <tuple>

#include "core/text.h"
#include "policy/policy.h"
#include "rules/catalog.h"
#include "rules/rule.h"

namespace ig {

const std::vector<const Rule*>& builtin_rules() {
  using namespace rules;
  static const std::vector<const Rule*> all = {
      &kDuplicateKey,
      &kNonStringValue,
      &kInvalidExemption,
      &kDefinedTwice,
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
      &kDeprecatedApi,
      &kIngressClassMissing,
      &kMultipleDefaultClasses,
      &kSnippetAnnotation,
      &kAnnotationInjection,
      &kAllowlistOpenToWorld,
      &kPassthroughVoidsControls,
      &kMirrorExternal,
      &kServerAliasTakeover,
      &kOptionalClientCert,
      &kCorsAnyOriginCredentials,
      &kUpstreamTlsUnverified,
      &kAccessLogOff,
      &kBodySizeUnlimited,
      &kOpenRedirect,
      &kAnnotationValueInvalid,
      &kAnnotationAboveRiskLevel,
      &kConfigAllowSnippets,
      &kConfigRiskLevelCritical,
      &kConfigLegacyTls,
      &kConfigWeakCiphers,
      &kConfigHstsWeak,
      &kConfigForwardedHeadersTrusted,
      &kConfigPathValidationOff,
      &kConfigServerTokens,
      &kIngressNginxEol,
      &kIngressNginxNightmare,
      &kIngressNginxLaterCves,
      &kIngressNginxPre19,
      &kAdmissionWebhookExposed,
      &kLoadBalancerOpen,
      &kExternalIps,
      &kExternalNameInternal,
      &kBackendExposedDirectly,
      &kNetworkPolicyAllowAll,
      &kNetworkPolicyRejected,
      &kBackendOpenToCluster,
      &kNoDefaultDeny,
      &kPolicySelectsNothing,
      &kPeerMatchesNothing,
      &kWebhookReachableFromPods,
      &kHostPortExposure,
      &kWorkloadNotIsolated,
      &kTlsSecretMissing,
      &kTlsSecretUnusable,
      &kCertExpired,
      &kCertExpiringSoon,
      &kCertWeakKey,
      &kCertWeakSignature,
      &kCertHostMismatch,
      &kCertSelfSigned,
      &kAnnotationNotAllowed,
      &kClassNotAllowed,
      &kHostNotOwned,
      &kClassHostNotAllowed,
      &kInternalBehindPublic,
      &kExemptionExpired,
      &kGatewayListenerFromAll,
      &kGatewayListenerSelector,
      &kGatewayListenerNoHostname,
      &kGatewayPlainHttp,
      &kGatewayWeakTls,
      &kGatewayInsecureFallback,
      &kReferenceGrantSecrets,
      &kReferenceGrantBroad,
      &kGatewayHostnameAcrossNamespaces,
      &kGatewayCorsWildcardCredentials,
      &kGatewayBackendMissing,
      &kGatewayBackendRefNotGranted,
      &kGatewayListenerSetsFromAll,
      &kMigrationProtectionLost,
      &kTraefikRouteWithoutTls,
      &kTraefikAllowlistOpen,
      &kTraefikClientAddressFromHeaders,
      &kTraefikForwardAuthTrust,
      &kTraefikHstsWeak,
      &kTraefikCorsWildcardCredentials,
      &kTraefikTlsOptionWeak,
      &kTraefikClientCertOptional,
      &kTraefikDefaultTlsOption,
      &kTraefikBackendTlsUnverified,
      &kTraefikApiInsecure,
      &kTraefikForwardedHeadersTrusted,
      &kHaproxySnippet,
      &kHaproxyClientIpFromHeader,
      &kHaproxyClientCertOptional,
      &kAlbLegacySslPolicy,
      &kAlbOpenToInternet,
      &kAlbSharedGroup,
      &kAlbHttpWithoutRedirect,
      &kAlbAuthWeak,
      &kGkeNoSslPolicy,
      &kGkeNoHttpsRedirect,
      &kGkeNoCloudArmor,
      &kContourPermitInsecure,
      &kContourAuthBypass,
      &kContourDelegationToAll,
      &kContourLegacyTls,
      &kIstioHttpWithoutRedirect,
      &kIstioLegacyTls,
      &kIstioWeakTlsMode,
      &kIstioPermissiveMtls,
      &kIstioAllowAll,
      &kIstioTokenNotRequired,
      &kIstioCorsWildcardCredentials,
  };
  return all;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule* r : builtin_rules())
    if (r->info.id == id) return r;
  return nullptr;
}

std::optional<InlineExemption> parse_inline_exemption(std::string_view value, std::string* error) {
  size_t colon = value.find(':');
  auto fail = [&](const char* why) -> std::optional<InlineExemption> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (colon == std::string_view::npos) return fail("expected \"RULE-ID[,RULE-ID]: reason\"");
  InlineExemption ex;
  std::string_view ids = value.substr(0, colon);
  while (!ids.empty()) {
    size_t comma = ids.find(',');
    std::string_view id = ids.substr(0, comma);
    while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
    while (!id.empty() && (id.back() == ' ' || id.back() == '\t')) id.remove_suffix(1);
    if (!id.empty()) {
      if (!find_rule(id)) return fail("names an unknown rule");
      ex.rules.emplace_back(id);
    }
    ids = comma == std::string_view::npos ? std::string_view() : ids.substr(comma + 1);
  }
  std::string_view reason = value.substr(colon + 1);
  while (!reason.empty() && (reason.front() == ' ' || reason.front() == '\t')) reason.remove_prefix(1);
  while (!reason.empty() && (reason.back() == ' ' || reason.back() == '\t' || reason.back() == '\n')) reason.remove_suffix(1);
  if (ex.rules.empty()) return fail("names no rule");
  if (reason.empty()) return fail("gives no reason");
  ex.reason = std::string(reason);
  return ex;
}

void Findings::add(const RuleInfo& rule, const ObjectMeta& meta, Loc loc, std::string message) {
  add(rule, ObjectRef{meta.api_version, meta.kind, meta.ns, meta.name, meta.loc, meta.origin}, loc, std::move(message));
  if (const KeyValue* kv = meta.annotation(kIgnoreAnnotation))
    if (auto ex = parse_inline_exemption(kv->value, nullptr))
      if (std::find(ex->rules.begin(), ex->rules.end(), rule.id) != ex->rules.end())
        items_.back().suppressed = std::make_shared<const Suppression>(Suppression{"inline", ex->reason});
}

void Findings::add(const RuleInfo& rule, const ObjectRef& object, Loc loc, std::string message) {
  Finding f;
  f.rule = &rule;
  f.severity = rule.severity;
  // Messages quote values from the input: a 1 MB host must not become a 1 MB line in every format.
  f.message = cut_long_words(std::move(message));
  f.resource = object;
  f.loc = loc.line ? loc : object.loc;
  items_.push_back(std::move(f));
}

int64_t RuleSettings::current_time() const { return now ? now : static_cast<int64_t>(std::time(nullptr)); }

namespace {

bool selects(const ResourceSelector& s, const ObjectRef& o) {
  return (s.kind.empty() || s.kind == o.kind) && (s.ns.empty() || glob_match(s.ns, o.ns.empty() ? "default" : o.ns)) &&
         (s.name.empty() || glob_match(s.name, o.name));
}

// Severity overrides and exemptions from the policy file.
void apply_policy(const Policy& p, int64_t now, std::vector<Finding>& items) {
  for (Finding& f : items) {
    for (const auto& [id, sev] : p.severity_overrides)
      if (id == f.rule->id) f.severity = sev;
    if (f.suppressed) continue;
    for (const Exemption& ex : p.exemptions)
      if (ex.rule == f.rule->id && (ex.expires == 0 || ex.expires > now) && selects(ex.resource, f.resource)) {
        f.suppressed = std::make_shared<const Suppression>(
            Suppression{"policy", ex.reason + (ex.expires_text.empty() ? "" : " (until " + ex.expires_text + ")")});
        break;
      }
  }
}

}  // namespace

std::vector<Finding> run_rules(const Cluster& cluster, const RuleSettings& given) {
  Findings findings;
  DerivedCache cache;
  RuleSettings settings = given;
  settings.derived = &cache;
  const Policy* policy = settings.policy;
  for (const Rule* r : builtin_rules()) {
    if (policy && std::find(policy->disabled_rules.begin(), policy->disabled_rules.end(), r->info.id) !=
                      policy->disabled_rules.end())
      continue;
    r->check(cluster, settings, findings);
  }
  auto& items = findings.items();
  if (policy) apply_policy(*policy, settings.current_time(), items);
  std::stable_sort(items.begin(), items.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.loc.file, a.loc.line, a.loc.col, a.rule->id) < std::tie(b.loc.file, b.loc.line, b.loc.col, b.rule->id);
  });
  return std::move(items);
}

}  // namespace ig
