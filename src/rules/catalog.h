// Declarations of the built-in rules; each is defined next to its check in
// the family file named in the comment.
#pragma once

#include "rules/rule.h"

namespace ig::rules {

// input_rules.cpp
extern const Rule kDuplicateKey;
extern const Rule kNonStringValue;
extern const Rule kInvalidExemption;
extern const Rule kDefinedTwice;
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
extern const Rule kDeprecatedApi;
extern const Rule kIngressClassMissing;
extern const Rule kMultipleDefaultClasses;
// annotation_rules.cpp
extern const Rule kSnippetAnnotation;
extern const Rule kAnnotationInjection;
extern const Rule kAllowlistOpenToWorld;
// nginx_annotation_rules.cpp
extern const Rule kPassthroughVoidsControls;
extern const Rule kMirrorExternal;
extern const Rule kServerAliasTakeover;
extern const Rule kOptionalClientCert;
extern const Rule kCorsAnyOriginCredentials;
extern const Rule kUpstreamTlsUnverified;
extern const Rule kAccessLogOff;
extern const Rule kBodySizeUnlimited;
extern const Rule kOpenRedirect;
// nginx_annotation_value_rules.cpp
extern const Rule kAnnotationValueInvalid;
extern const Rule kAnnotationAboveRiskLevel;
// controller_config_rules.cpp
extern const Rule kConfigAllowSnippets;
extern const Rule kConfigRiskLevelCritical;
extern const Rule kConfigLegacyTls;
extern const Rule kConfigWeakCiphers;
extern const Rule kConfigHstsWeak;
extern const Rule kConfigForwardedHeadersTrusted;
extern const Rule kConfigPathValidationOff;
extern const Rule kConfigServerTokens;
// controller_version_rules.cpp
extern const Rule kIngressNginxEol;
extern const Rule kIngressNginxNightmare;
extern const Rule kIngressNginxLaterCves;
extern const Rule kIngressNginxPre19;
extern const Rule kAdmissionWebhookExposed;
// gateway_rules.cpp
extern const Rule kGatewayListenerFromAll;
extern const Rule kGatewayListenerSelector;
extern const Rule kGatewayListenerNoHostname;
extern const Rule kGatewayPlainHttp;
extern const Rule kGatewayWeakTls;
extern const Rule kGatewayInsecureFallback;
extern const Rule kReferenceGrantSecrets;
extern const Rule kReferenceGrantBroad;
extern const Rule kGatewayHostnameAcrossNamespaces;
extern const Rule kGatewayCorsWildcardCredentials;
extern const Rule kGatewayBackendMissing;
extern const Rule kGatewayBackendRefNotGranted;
extern const Rule kGatewayListenerSetsFromAll;
// migration_rules.cpp
extern const Rule kMigrationProtectionLost;
// traefik_rules.cpp
extern const Rule kTraefikRouteWithoutTls;
extern const Rule kTraefikAllowlistOpen;
extern const Rule kTraefikClientAddressFromHeaders;
extern const Rule kTraefikForwardAuthTrust;
extern const Rule kTraefikHstsWeak;
extern const Rule kTraefikCorsWildcardCredentials;
extern const Rule kTraefikTlsOptionWeak;
extern const Rule kTraefikClientCertOptional;
extern const Rule kTraefikDefaultTlsOption;
extern const Rule kTraefikBackendTlsUnverified;
extern const Rule kTraefikApiInsecure;
extern const Rule kTraefikForwardedHeadersTrusted;
// cloud_controller_rules.cpp
extern const Rule kHaproxySnippet;
extern const Rule kHaproxyClientIpFromHeader;
extern const Rule kHaproxyClientCertOptional;
extern const Rule kAlbLegacySslPolicy;
extern const Rule kAlbOpenToInternet;
extern const Rule kAlbSharedGroup;
extern const Rule kAlbHttpWithoutRedirect;
extern const Rule kAlbAuthWeak;
extern const Rule kGkeNoSslPolicy;
extern const Rule kGkeNoHttpsRedirect;
extern const Rule kGkeNoCloudArmor;
// mesh_rules.cpp
extern const Rule kContourPermitInsecure;
extern const Rule kContourAuthBypass;
extern const Rule kContourDelegationToAll;
extern const Rule kContourLegacyTls;
extern const Rule kIstioHttpWithoutRedirect;
extern const Rule kIstioLegacyTls;
extern const Rule kIstioWeakTlsMode;
extern const Rule kIstioPermissiveMtls;
extern const Rule kIstioAllowAll;
extern const Rule kIstioTokenNotRequired;
extern const Rule kIstioCorsWildcardCredentials;
// service_rules.cpp
extern const Rule kLoadBalancerOpen;
extern const Rule kExternalIps;
extern const Rule kExternalNameInternal;
extern const Rule kBackendExposedDirectly;
// policy_rules.cpp
extern const Rule kAnnotationNotAllowed;
extern const Rule kClassNotAllowed;
extern const Rule kHostNotOwned;
extern const Rule kClassHostNotAllowed;
extern const Rule kInternalBehindPublic;
extern const Rule kExemptionExpired;
// tls_secret_rules.cpp
extern const Rule kTlsSecretMissing;
extern const Rule kTlsSecretUnusable;
extern const Rule kCertExpired;
extern const Rule kCertExpiringSoon;
extern const Rule kCertWeakKey;
extern const Rule kCertWeakSignature;
extern const Rule kCertHostMismatch;
extern const Rule kCertSelfSigned;
// network_policy_rules.cpp
extern const Rule kNetworkPolicyAllowAll;
extern const Rule kNetworkPolicyRejected;
// exposure_rules.cpp
extern const Rule kBackendOpenToCluster;
extern const Rule kNoDefaultDeny;
extern const Rule kPolicySelectsNothing;
extern const Rule kPeerMatchesNothing;
extern const Rule kWebhookReachableFromPods;
extern const Rule kHostPortExposure;
extern const Rule kWorkloadNotIsolated;

}  // namespace ig::rules
