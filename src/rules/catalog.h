// Declarations of the built-in rules; each is defined next to its check in
// the family file named in the comment.
#pragma once

#include "rules/rule.h"

namespace ig::rules {

// input_rules.cpp
extern const Rule kDuplicateKey;
extern const Rule kNonStringValue;
// ingress_rules.cpp
extern const Rule kHostWithoutTls;
extern const Rule kHttpsNotEnforced;
extern const Rule kWildcardHost;
extern const Rule kCatchAllHost;
extern const Rule kHostAcrossNamespaces;
extern const Rule kDuplicateHostPath;
extern const Rule kDefaultBackend;
extern const Rule kNoIngressClass;
extern const Rule kBackendMissing;
extern const Rule kSensitivePathUnprotected;
extern const Rule kPathInjection;
// annotation_rules.cpp
extern const Rule kSnippetAnnotation;
extern const Rule kAnnotationInjection;
extern const Rule kAllowlistOpenToWorld;
// controller_config_rules.cpp
extern const Rule kConfigAllowSnippets;
extern const Rule kConfigRiskLevelCritical;
extern const Rule kConfigLegacyTls;
extern const Rule kConfigWeakCiphers;
extern const Rule kConfigHstsWeak;
extern const Rule kConfigForwardedHeadersTrusted;
extern const Rule kConfigPathValidationOff;
extern const Rule kConfigServerTokens;
// service_rules.cpp
extern const Rule kLoadBalancerOpen;
extern const Rule kExternalIps;
// network_policy_rules.cpp
extern const Rule kNetworkPolicyAllowAll;

}  // namespace ig::rules
