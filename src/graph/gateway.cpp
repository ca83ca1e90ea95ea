#include "graph/gateway.h"

#include <algorithm>

#include "graph/netpol.h"

namespace ig::gw {

namespace {

constexpr std::string_view kGatewayGroup = "gateway.networking.k8s.io";

bool lower_equal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// A parentRef or targetRef naming a Gateway (group and kind default to the Gateway's).
bool names_gateway(const ObjectReference& ref, std::string_view own_ns, const Gateway& g) {
  bool group_ok = ref.group.empty() || ref.group == kGatewayGroup;
  bool kind_ok = ref.kind.empty() || ref.kind == "Gateway";
  return group_ok && kind_ok && ref.name == g.meta.name && ref.ns_or(own_ns) == g.meta.effective_ns();
}

bool names_listener_set(const ObjectReference& ref, std::string_view own_ns, const ListenerSet& s) {
  return (ref.kind == "ListenerSet" || ref.kind == "XListenerSet") && ref.name == s.meta.name &&
         ref.ns_or(own_ns) == s.meta.effective_ns();
}

bool kind_admitted(const GatewayListener& l, std::string_view route_kind) {
  if (!l.allowed_kinds.empty())
    return std::find(l.allowed_kinds.begin(), l.allowed_kinds.end(), route_kind) != l.allowed_kinds.end();
  std::string_view p = l.protocol.value;
  if (p == "HTTP" || p == "HTTPS") return route_kind == "HTTPRoute" || route_kind == "GRPCRoute";
  if (p == "TLS") return route_kind == "TLSRoute";
  if (p == "TCP") return route_kind == "TCPRoute";
  if (p == "UDP") return route_kind == "UDPRoute";
  return true;  // a custom protocol: the implementation decides
}

}  // namespace

std::vector<ListenerRef> all_listeners(const Cluster& c) {
  std::vector<ListenerRef> out;
  for (const Gateway& g : c.gateways)
    for (const GatewayListener& l : g.listeners) out.push_back({&g, &l, nullptr});
  for (const ListenerSet& s : c.listener_sets) {
    for (const Gateway& g : c.gateways) {
      if (!names_gateway(s.parent, s.meta.effective_ns(), g)) continue;
      std::string_view from = g.allowed_listeners_from.present ? std::string_view(g.allowed_listeners_from.value) : "None";
      bool admitted = from == "All" || (from == "Same" && s.meta.effective_ns() == g.meta.effective_ns()) || from == "Selector";
      if (!admitted) continue;
      for (const GatewayListener& l : s.listeners) out.push_back({&g, &l, &s});
    }
  }
  return out;
}

bool hostname_matches(std::string_view pattern, std::string_view host) {
  if (pattern.empty()) return true;
  if (pattern.starts_with("*.")) {
    std::string_view suffix = pattern.substr(1);  // ".example.com"
    return host.size() > suffix.size() && lower_equal(host.substr(host.size() - suffix.size()), suffix);
  }
  return lower_equal(pattern, host);
}

bool hostnames_intersect(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return true;
  bool wa = a.starts_with("*."), wb = b.starts_with("*.");
  if (!wa && !wb) return lower_equal(a, b);
  if (wa && !wb) return hostname_matches(a, b);
  if (wb && !wa) return hostname_matches(b, a);
  // Two wildcards intersect when one suffix ends the other.
  std::string_view sa = a.substr(1), sb = b.substr(1);
  auto ends = [](std::string_view s, std::string_view suf) {
    return s.size() >= suf.size() && lower_equal(s.substr(s.size() - suf.size()), suf);
  };
  return ends(sa, sb) || ends(sb, sa);
}

bool namespace_admitted(const Cluster& c, const ListenerRef& l, std::string_view route_ns) {
  std::string_view from = l.listener->from_or_default();
  // A ListenerSet's listeners admit routes relative to the ListenerSet's namespace.
  std::string_view home = l.owner().effective_ns();
  if (from == "All") return true;
  if (from == "Same") return route_ns == home;
  if (from == "Selector") {
    bool known = c.find_namespace(route_ns) != nullptr;
    return !known || l.listener->allowed_selector.matches(namespace_labels(c, route_ns));
  }
  return false;
}

std::vector<Attachment> attachments(const Cluster& c, const std::vector<ListenerRef>& listeners, const Route& r) {
  std::vector<Attachment> out;
  std::string_view route_ns = r.meta.effective_ns();
  for (const ObjectReference& p : r.parents) {
    for (const ListenerRef& l : listeners) {
      bool named = l.from_set ? names_listener_set(p, route_ns, *l.from_set) : names_gateway(p, route_ns, *l.gateway);
      if (!named) continue;
      if (!p.section.empty() && p.section != l.listener->name.value) continue;
      if (p.port && l.listener->port && *p.port != *l.listener->port) continue;
      if (!kind_admitted(*l.listener, r.meta.kind) || !namespace_admitted(c, l, route_ns)) continue;
      Attachment a{l, &p, {}};
      std::string_view lh = l.listener->hostname.value;
      if (r.hostnames.empty()) {
        a.hostnames.emplace_back(lh);
      } else {
        for (const Field& h : r.hostnames) {
          if (!hostnames_intersect(h.value, lh)) continue;
          // A wildcard route on a listener for one name serves that name only.
          bool narrowed = h.value.starts_with("*.") && !lh.empty() && !lh.starts_with("*.");
          a.hostnames.emplace_back(narrowed ? lh : h.value);
        }
        if (a.hostnames.empty()) continue;  // no hostname in common: not attached
      }
      out.push_back(std::move(a));
    }
  }
  return out;
}

bool reference_granted(const Cluster& c, std::string_view from_group, std::string_view from_kind, std::string_view from_ns,
                       std::string_view to_group, std::string_view to_kind, std::string_view to_ns,
                       std::string_view to_name) {
  for (const ReferenceGrant& g : c.reference_grants) {
    if (g.meta.effective_ns() != to_ns) continue;
    bool from_ok = std::any_of(g.from.begin(), g.from.end(), [&](const ReferenceGrant::From& f) {
      return f.group == from_group && f.kind == from_kind && f.ns.value == from_ns;
    });
    bool to_ok = std::any_of(g.to.begin(), g.to.end(), [&](const ReferenceGrant::To& t) {
      return t.group == to_group && t.kind == to_kind && (!t.name.present || t.name.value == to_name);
    });
    if (from_ok && to_ok) return true;
  }
  return false;
}

namespace {

// A policy's targetRef naming the route, its Gateway, or the listener (sectionName).
bool targets(const GatewayPolicy& p, const Route& r, const Attachment* a) {
  std::string_view ns = p.meta.effective_ns();
  for (const ObjectReference& t : p.targets) {
    if (t.kind == r.meta.kind && t.name == r.meta.name && ns == r.meta.effective_ns()) return true;
    if (a && t.kind == "Gateway" && t.name == a->at.gateway->meta.name && ns == a->at.gateway->meta.effective_ns() &&
        (t.section.empty() || t.section == a->at.listener->name.value))
      return true;
  }
  return false;
}

}  // namespace

uint32_t rule_protections(const Cluster& c, const Route& r, const RouteRule& rule, const Attachment* a) {
  uint32_t bits = 0;
  for (const RouteFilter& f : rule.filters) {
    if (f.type.value == "RequestRedirect" && f.redirect_scheme.value == "https") bits |= kProtHttpsRedirect;
    if (f.type.value == "ResponseHeaderModifier")
      for (const auto& [name, value] : f.response_headers)
        if (name == "strict-transport-security" && value.find("max-age=0") == std::string::npos) bits |= kProtHsts;
    if (f.type.value == "ExtensionRef")
      for (const GatewayPolicy& p : c.gateway_policies)
        if (p.meta.kind == f.ref.kind && p.meta.name == f.ref.name && p.meta.effective_ns() == r.meta.effective_ns())
          bits |= p.protections;
  }
  for (const GatewayPolicy& p : c.gateway_policies)
    if (targets(p, r, a)) bits |= p.protections;
  if (a && client_certificates_required(c, a->at)) bits |= kProtClientCert;
  return bits;
}

bool client_certificates_required(const Cluster& c, const ListenerRef& l) {
  const Gateway& g = *l.gateway;
  const FrontendValidation* chosen = nullptr;
  for (const FrontendValidation& v : g.client_validation) {
    if (v.port && l.listener->port && *v.port == *l.listener->port) chosen = &v;  // perPort wins
    else if (!v.port && !chosen) chosen = &v;
  }
  if (chosen && chosen->mode.value != "AllowInsecureFallback") return true;
  for (const GatewayPolicy& p : c.gateway_policies) {
    if (!(p.protections & kProtClientCert) || p.meta.kind != "ClientTrafficPolicy") continue;
    for (const ObjectReference& t : p.targets)
      if (t.kind == "Gateway" && t.name == g.meta.name && p.meta.effective_ns() == g.meta.effective_ns()) return true;
  }
  return false;
}

std::string protection_names(uint32_t bits) {
  static const std::pair<uint32_t, const char*> kNames[] = {
      {kProtAllowlist, "source allowlist"}, {kProtAuth, "authentication"},     {kProtRateLimit, "rate limit"},
      {kProtClientCert, "client certificates"}, {kProtHsts, "HSTS"}, {kProtHttpsRedirect, "HTTPS redirect"}};
  std::string out;
  for (const auto& [bit, name] : kNames)
    if (bits & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace ig::gw
