// Gateway API semantics over the snapshot: which listeners a route attaches
// to (parentRefs with sectionName and port, allowedRoutes namespaces and
// kinds, hostname intersection), hostname matching, ReferenceGrant lookups,
// and the protections policies and filters add to a route. Shared by the
// Gateway rules, the migration check and the exposure map.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/cluster.h"

namespace ig::gw {

// A listener of a Gateway, declared on it or added by a ListenerSet.
struct ListenerRef {
  const Gateway* gateway = nullptr;
  const GatewayListener* listener = nullptr;
  const ListenerSet* from_set = nullptr;  // null: on the Gateway itself
  // The object that declares the listener (where findings about it point).
  const ObjectMeta& owner() const { return from_set ? from_set->meta : gateway->meta; }
};

// Every listener of every Gateway (ListenerSets included when the Gateway's
// allowedListeners admits their namespace).
std::vector<ListenerRef> all_listeners(const Cluster& c);

// Gateway API hostname matching: "*.example.com" matches any subdomain depth
// but not the apex; an empty pattern matches every host.
bool hostname_matches(std::string_view pattern, std::string_view host);
// True when some host could match both (either may be a wildcard or empty).
bool hostnames_intersect(std::string_view a, std::string_view b);

// Whether the listener admits routes from `route_ns` (Same, All, Selector).
// A Selector against a namespace that was not loaded admits it (partial input).
bool namespace_admitted(const Cluster& c, const ListenerRef& l, std::string_view route_ns);

struct Attachment {
  ListenerRef at;
  const ObjectReference* parent = nullptr;  // the route's parentRef
  // The hostnames the route serves there: the route's own that intersect the
  // listener's, or the listener's hostname when the route names none ("" = any).
  std::vector<std::string> hostnames;
};

// The listeners a route attaches to.
std::vector<Attachment> attachments(const Cluster& c, const std::vector<ListenerRef>& listeners, const Route& r);

// Whether a ReferenceGrant in `to_ns` lets (from_group, from_kind, from_ns)
// refer to (to_group, to_kind, to_name).
bool reference_granted(const Cluster& c, std::string_view from_group, std::string_view from_kind, std::string_view from_ns,
                       std::string_view to_group, std::string_view to_kind, std::string_view to_ns,
                       std::string_view to_name);

// Protections (core/gateway.h Protection bits) on a route rule as attached to
// a Gateway: filters of the rule (RequestRedirect to https, a
// Strict-Transport-Security response header, ExtensionRef middlewares), and
// policies targeting the route, its Gateway or the listener. `a` null: the
// route's Gateway is not in the input (filters and route policies only).
uint32_t rule_protections(const Cluster& c, const Route& r, const RouteRule& rule, const Attachment* a);

// Whether the Gateway validates client certificates on the listener's port
// (spec.tls.frontend with AllowValidOnly, or an attached ClientTrafficPolicy).
bool client_certificates_required(const Cluster& c, const ListenerRef& l);

// Human-readable names of Protection bits, joined with ", ".
std::string protection_names(uint32_t bits);

}  // namespace ig::gw
