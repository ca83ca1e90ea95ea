// Service exposure: load balancers open to the internet, and externalIPs.
#include <array>

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

void check_load_balancer_open(const Cluster& c, Findings& out) {
  for (const Service& s : c.services) {
    if (s.type_or_default() != "LoadBalancer" || is_internal_load_balancer(s.meta)) continue;
    const KeyValue* legacy = s.meta.annotation("service.beta.kubernetes.io/load-balancer-source-ranges");
    if (s.load_balancer_source_ranges.empty() && !legacy) {
      out.add(kLoadBalancerOpen.info, s.meta, s.type.loc,
              "LoadBalancer Service without loadBalancerSourceRanges accepts connections from any address");
      continue;
    }
    for (const Field& r : s.load_balancer_source_ranges)
      if (is_open_cidr(r.value)) {
        out.add(kLoadBalancerOpen.info, s.meta, r.loc, "loadBalancerSourceRanges contains " + r.value + ": open to any address");
        break;
      }
  }
}

void check_external_ips(const Cluster& c, Findings& out) {
  for (const Service& s : c.services) {
    if (s.external_ips.empty()) continue;
    std::string list;
    for (const Field& f : s.external_ips) list += (list.empty() ? "" : ", ") + f.value;
    out.add(kExternalIps.info, s.meta, s.external_ips_loc,
            "externalIPs (" + list + ") make every node accept and intercept traffic for these addresses");
  }
}

}  // namespace

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
