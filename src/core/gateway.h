// Typed views of the Gateway API (gateway.networking.k8s.io v1 and v1beta1,
// ListenerSet also from gateway.networking.x-k8s.io), of the policy objects
// implementations attach to it (Envoy Gateway, Istio) or reference from a
// filter (Traefik Middleware), and the flattened specs of other controllers'
// resources (Traefik, Contour, Istio, GKE, AWS). Only the fields rules and
// the exposure graph read; every one keeps its location. Part of the Cluster
// snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ig {

// A reference to another object (parentRefs, backendRefs, certificateRefs,
// targetRefs, an ExtensionRef): empty group means the core group.
struct ObjectReference {
  std::string group;
  std::string kind;
  std::string ns;       // empty: the referring object's namespace
  std::string name;
  std::string section;  // sectionName (a listener, a Service port name)
  std::optional<int64_t> port;
  Loc loc;
  Loc name_loc;
  std::string_view ns_or(std::string_view own) const { return ns.empty() ? own : std::string_view(ns); }
};

struct GatewayListener {
  Field name;
  Field hostname;  // absent: every hostname
  std::optional<int64_t> port;
  Field protocol;  // HTTP, HTTPS, TLS, TCP, UDP, or a domain-prefixed custom protocol
  Loc loc;
  bool has_tls = false;
  Field tls_mode;  // Terminate when absent
  Loc tls_loc;
  std::vector<ObjectReference> certificate_refs;
  std::vector<KeyValue> tls_options;  // implementation-specific, e.g. a minimum version
  Field allowed_from;                 // allowedRoutes.namespaces.from; Same when absent
  LabelSelector allowed_selector;     // allowedRoutes.namespaces.selector
  std::vector<std::string> allowed_kinds;

  std::string_view from_or_default() const {
    return allowed_from.present ? std::string_view(allowed_from.value) : std::string_view("Same");
  }
  bool is_http() const { return protocol.value == "HTTP"; }
  bool terminates_tls() const {
    return protocol.value == "HTTPS" || (protocol.value == "TLS" && tls_mode.value != "Passthrough");
  }
};

// spec.tls.frontend: client-certificate validation, for every port (default) or one.
struct FrontendValidation {
  std::optional<int64_t> port;  // absent: the default for every port
  Field mode;                   // AllowValidOnly when absent
  std::vector<ObjectReference> ca_refs;
  Loc loc;
};

struct Gateway {
  ObjectMeta meta;
  Field class_name;
  std::vector<GatewayListener> listeners;
  std::vector<FrontendValidation> client_validation;
  Field allowed_listeners_from;  // spec.allowedListeners.namespaces.from (ListenerSets); None when absent
};

struct GatewayClass {
  ObjectMeta meta;
  Field controller;
};

// Listeners added to a Gateway from another object (ListenerSet, XListenerSet).
struct ListenerSet {
  ObjectMeta meta;
  ObjectReference parent;
  std::vector<GatewayListener> listeners;
};

struct RouteFilter {
  Field type;  // RequestRedirect, CORS, ResponseHeaderModifier, RequestMirror, ExtensionRef, ...
  Loc loc;
  Field redirect_scheme;                 // RequestRedirect
  std::optional<int64_t> redirect_status;
  std::vector<Field> cors_origins;       // CORS allowOrigins
  bool cors_credentials = false;
  Loc cors_credentials_loc;
  // ResponseHeaderModifier set and add, lower-case names.
  std::vector<std::pair<std::string, std::string>> response_headers;
  ObjectReference ref;                   // RequestMirror backendRef, ExtensionRef
};

struct RouteMatch {
  Field path;  // path.value; absent: "/"
  std::string path_type;
};

struct RouteRule {
  Loc loc;
  std::vector<RouteMatch> matches;
  std::vector<RouteFilter> filters;
  std::vector<ObjectReference> backends;  // backendRefs (their own filters are not kept)
};

// HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute: meta.kind tells them apart.
struct Route {
  ObjectMeta meta;
  std::vector<ObjectReference> parents;
  std::vector<Field> hostnames;  // empty: the listeners' hostnames
  Loc spec_loc;
  std::vector<RouteRule> rules;
};

struct ReferenceGrant {
  struct From {
    std::string group, kind;
    Field ns;
    Loc loc;
  };
  struct To {
    std::string group, kind;
    Field name;  // absent: every object of the kind in the namespace
    Loc loc;
  };
  ObjectMeta meta;
  std::vector<From> from;
  std::vector<To> to;
};

struct BackendTlsPolicy {
  ObjectMeta meta;
  std::vector<ObjectReference> targets;
  Field hostname;
};

// An object's scalar fields below its root (metadata excepted), each with its
// path ("spec.tls.minVersion", "spec.routes[0].match") and location: enough
// for the controller-specific rules without a typed view per resource. At
// most kMaxFields are kept per object, keys up to kMaxKey, paths up to kMaxPath,
// values up to kMaxValue, and kClusterBudget bytes for all objects of a Cluster.
struct FlatField {
  std::string path;     // with indexes: spec.routes[0].services[1].name
  std::string pattern;  // indexes replaced by [*]: spec.routes[*].services[*].name
  std::string value;
  Loc loc;
};

struct FlatSpec {
  static constexpr size_t kMaxFields = 4096;
  static constexpr size_t kMaxKey = 253;      // longer keys are skipped (no API field is that long)
  static constexpr size_t kMaxPath = 1024;    // deeper paths are not kept
  static constexpr size_t kMaxValue = 1024;   // longer values are cut
  // All flattened specs of one Cluster together: past this, objects keep their metadata only
  // (hostile input of long keys and many small leaves cannot multiply memory).
  static constexpr size_t kClusterBudget = 32u << 20;
  std::vector<FlatField> fields;
  const FlatField* get(std::string_view path) const {
    for (const FlatField& f : fields)
      if (f.path == path) return &f;
    return nullptr;
  }
  // Every field whose pattern is `pattern` (use [*] for indexes).
  std::vector<const FlatField*> all(std::string_view pattern) const {
    std::vector<const FlatField*> out;
    for (const FlatField& f : fields)
      if (f.pattern == pattern) out.push_back(&f);
    return out;
  }
  // True when some field's path starts with `prefix` (a section is present).
  bool has(std::string_view prefix) const {
    for (const FlatField& f : fields)
      if (f.path.starts_with(prefix)) return true;
    return false;
  }
};

// Another controller's resource (Traefik IngressRoute, TLSOption, ServersTransport;
// Contour HTTPProxy, TLSCertificateDelegation; Istio Gateway, VirtualService,
// DestinationRule, PeerAuthentication, RequestAuthentication; GKE FrontendConfig,
// BackendConfig; AWS IngressClassParams).
struct Extension {
  ObjectMeta meta;
  FlatSpec spec;
};

// What an attached policy or a referenced middleware adds to a route.
enum Protection : uint32_t {
  kProtAllowlist = 1u << 0,
  kProtAuth = 1u << 1,
  kProtRateLimit = 1u << 2,
  kProtClientCert = 1u << 3,
  kProtHsts = 1u << 4,
  kProtHttpsRedirect = 1u << 5,
};

// An implementation's policy object, attached by targetRef(s) (Envoy Gateway
// SecurityPolicy, BackendTrafficPolicy, ClientTrafficPolicy; Istio
// AuthorizationPolicy) or named by an ExtensionRef filter (Traefik Middleware).
struct GatewayPolicy {
  ObjectMeta meta;
  std::vector<ObjectReference> targets;
  uint32_t protections = 0;  // Protection bits
  Field min_tls_version;     // ClientTrafficPolicy spec.tls.minVersion
  std::vector<Field> allow_ranges;  // the CIDRs an allowlist admits (for the open-to-all check)
  FlatSpec spec;                    // every field, for the controller-specific rules
};

}  // namespace ig
