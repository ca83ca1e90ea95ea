// Service exposure: load balancers open to the internet, and externalIPs.
#include <array>
#include <unordered_map>

#include "graph/netpol.h"
#include "policy/policy.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

// Provider annotations that make a LoadBalancer internal (not internet-facing).
bool is_internal_load_balancer(const ObjectMeta& m) {
  struct Marker {
    std::string_view key;
    std::string_view value;  // empty: any value but "false"
  };
  static constexpr std::array<Marker, 7> kInternal = {{
      {"service.beta.kubernetes.io/aws-load-balancer-internal", ""},
      {"service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"},
      {"service.beta.kubernetes.io/azure-load-balancer-internal", "true"},
      {"networking.gke.io/load-balancer-type", "Internal"},
      {"cloud.google.com/load-balancer-type", "Internal"},
      {"service.beta.kubernetes.io/openstack-internal-load-balancer", "true"},
      {"service.beta.kubernetes.io/oci-load-balancer-internal", "true"},
  }};
  for (const Marker& mk : kInternal) {
    const KeyValue* kv = m.annotation(mk.key);
    if (!kv) continue;
    if (mk.value.empty() ? kv->value != "false" : to_lower(kv->value) == to_lower(mk.value)) return true;
  }
  return false;
}

void check_load_balancer_open(const Cluster& c, const RuleSettings& settings, Findings& out) {
  auto selection = derived<ServiceSelection>(c, settings);
  for (const Service& s : c.services) {
    if (s.type_or_default() != "LoadBalancer" || is_internal_load_balancer(s.meta)) continue;
    // The ingress controller's own load balancer is the front door, open to clients by
    // design; the map shows it as the entry of the routes behind it.
    if (is_front_door_service(s, selection->selected(s))) continue;
    const KeyValue* legacy = s.meta.annotation("service.beta.kubernetes.io/load-balancer-source-ranges");
    if (s.load_balancer_source_ranges.empty() && !legacy) {
      out.add(kLoadBalancerOpen.info, s.meta, s.type.loc,
              "LoadBalancer Service without loadBalancerSourceRanges accepts connections from any address");
      continue;
    }
    for (const Field& r : s.load_balancer_source_ranges)
      if (is_open_cidr(r.value)) {
        out.add(kLoadBalancerOpen.info, s.meta, r.loc, "loadBalancerSourceRanges contains " + std::string(r.value) + ": open to any address");
        break;
      }
  }
}

// An address the policy accepts as an externalIP (exact, or inside a CIDR).
bool external_ip_accepted(const RuleSettings& settings, const std::string& ip) {
  if (!settings.policy) return false;
  for (const std::string& allowed : settings.policy->allowed_external_ips) {
    if (allowed == ip) return true;
    IpBlock block;
    block.cidr.value = allowed;
    if (allowed.find('/') != std::string::npos && ipv4_in_block(ip, block)) return true;
  }
  return false;
}

void check_external_ips(const Cluster& c, const RuleSettings& settings, Findings& out) {
  for (const Service& s : c.services) {
    std::string list;
    for (const Field& f : s.external_ips)
      if (!external_ip_accepted(settings, std::string(f.value))) list += (list.empty() ? "" : ", ") + std::string(f.value);
    if (list.empty()) continue;
    out.add(kExternalIps.info, s.meta, s.external_ips_loc,
            "externalIPs (" + list + ") make every node accept and intercept traffic for these addresses");
  }
}

// Why an ExternalName target is dangerous, or empty when it is not.
std::string external_name_risk(std::string_view name) {
  std::string n = to_lower(trim(name));
  while (!n.empty() && n.back() == '.') n.pop_back();
  if (n == "localhost" || n.rfind("127.", 0) == 0 || n == "::1" || n == "0.0.0.0")
    return "the loopback interface of whichever proxy resolves it (the ingress controller itself)";
  if (n.rfind("169.254.", 0) == 0 || n.rfind("fe80:", 0) == 0 || n == "metadata.google.internal" ||
      n == "metadata" || n == "instance-data" || n == "instance-data.ec2.internal")
    return "a link-local or cloud metadata address (node credentials)";
  auto ends = [&](std::string_view s) { return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0; };
  if (ends(".svc") || ends(".svc.cluster.local") || ends(".cluster.local") || n == "kubernetes.default" ||
      n == "kubernetes")
    return "a cluster-internal name, reaching Services of another namespace through this one";
  return {};
}

void check_external_name(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Service& s : c.services) {
    if (s.type_or_default() != "ExternalName" || !s.external_name) continue;
    std::string risk = external_name_risk(s.external_name.value);
    if (!risk.empty())
      out.add(kExternalNameInternal.info, s.meta, s.external_name.loc,
              "ExternalName " + std::string(s.external_name.value) + " points at " + risk);
  }
}

void check_backend_exposed_directly(const Cluster& c, const RuleSettings&, Findings& out) {
  // namespace/service -> the first Ingress that routes to it
  std::unordered_map<std::string, const Ingress*> backed;
  for (const Ingress& ing : c.ingresses) {
    auto note = [&](const IngressBackend& b) {
      if (b.present && !b.service.empty())
        backed.emplace(std::string(ing.meta.effective_ns()) + "/" + b.service, &ing);
    };
    note(ing.default_backend);
    for (const IngressRule& r : ing.rules)
      for (const IngressPath& p : r.paths) note(p.backend);
  }
  for (const Service& s : c.services) {
    std::string_view type = s.type_or_default();
    if (type != "NodePort" && type != "LoadBalancer") continue;
    auto it = backed.find(std::string(s.meta.effective_ns()) + "/" + std::string(s.meta.name));
    if (it == backed.end()) continue;
    // GCE without NEGs and ALB in instance mode reach their backends through node
    // ports: there the NodePort is required, not a bypass. When the input does not
    // say which controller serves the Ingress, a NodePort cannot be judged.
    if (type == "NodePort") {
      ServingController sc = controller_of(c, *it->second);
      if (sc.kind == ControllerKind::Unknown || controller_needs_node_port(sc, *it->second, s)) continue;
    }
    out.add(kBackendExposedDirectly.info, s.meta, s.type.loc,
              "Service backs Ingress " + std::string(it->second->meta.name) + " but is also a " + std::string(type) +
                  ": clients can reach it without the Ingress's TLS, authentication and allowlists");
  }
}

}  // namespace

const Rule kExternalNameInternal{
    .info = {.id = "IG403",
             .title = "ExternalName Service points at an internal address",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "An Ingress backend of type ExternalName makes the controller proxy to whatever the name "
                          "resolves to: localhost reaches the controller's own ports, link-local addresses reach the "
                          "cloud metadata service, and *.svc names reach other namespaces (server-side request forgery).",
             .remediation = "Point ExternalName only at external hosts you own; disable ExternalName backends in the controller (--disable-svc-external-name).",
             .references = {"CVE-2021-25740", "https://kubernetes.io/docs/concepts/services-networking/service/#externalname"}},
    .check = &check_external_name,
};

const Rule kBackendExposedDirectly{
    .info = {.id = "IG404",
             .title = "Ingress backend also exposed as NodePort or LoadBalancer",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "A Service that backs an Ingress and is also NodePort or LoadBalancer can be reached on every "
                          "node or on its own load balancer, bypassing the Ingress's TLS, authentication, allowlists and WAF.",
             .remediation = "Make the Service ClusterIP; only the ingress controller should be exposed.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport"}},
    .check = &check_backend_exposed_directly,
};

const Rule kLoadBalancerOpen{
    .info = {.id = "IG401",
             .title = "LoadBalancer Service open to any address",
             .severity = Severity::Medium,
             .category = "exposure",
             .rationale = "An internet-facing LoadBalancer without loadBalancerSourceRanges accepts every client; for an "
                          "application Service it also bypasses the ingress controller's TLS, authentication and allowlists.",
             .remediation = "Set spec.loadBalancerSourceRanges, make the load balancer internal, or route through the Ingress.",
             .references = {"https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-source-ranges"}},
    .check = &check_load_balancer_open,
};

const Rule kExternalIps{
    .info = {.id = "IG402",
             .title = "Service uses externalIPs",
             .severity = Severity::High,
             .category = "exposure",
             .rationale = "Anyone who can create a Service with externalIPs can intercept traffic to those addresses from "
                          "inside the cluster (a design flaw with no patch).",
             .remediation = "Remove spec.externalIPs; enable the DenyServiceExternalIPs admission plugin.",
             .references = {"CVE-2020-8554", "https://github.com/kubernetes/kubernetes/issues/97076"}},
    .check = &check_external_ips,
};

}  // namespace ig::rules
