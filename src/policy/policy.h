// The user's policy file (.ingressguard.yaml): which annotations, classes and
// hosts are allowed where, severity overrides, disabled rules, and exemptions
// with a reason and an expiry date. Read with the manifest loader's YAML
// parser, so every setting keeps its line for error messages and findings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster.h"
#include "core/severity.h"
#include "load/loader.h"
#include "load/units.h"

namespace ig {

struct AnnotationPolicy {
  bool present = false;
  std::vector<std::string> allowed;  // globs
  struct NamespaceOverride {
    std::string ns;
    std::vector<std::string> allowed;  // replaces `allowed` in that namespace
  };
  std::vector<NamespaceOverride> namespaces;
  // The globs that apply in namespace `ns`.
  const std::vector<std::string>& for_namespace(std::string_view ns) const;
};

struct HostOwnership {
  std::string host;                     // glob, e.g. *.shop.example.com
  std::vector<std::string> namespaces;  // globs
  Loc loc;
};

struct ClassPolicy {
  std::string name;
  std::vector<std::string> hosts;  // globs the class may serve; empty = any
  std::optional<bool> is_public;   // internet-facing or not
  Loc loc;
};

struct ResourceSelector {
  std::string kind;       // empty = any
  std::string ns;         // glob; empty = any
  std::string name;       // glob; empty = any
};

struct Exemption {
  std::string rule;
  ResourceSelector resource;
  std::string reason;
  int64_t expires = 0;    // epoch seconds at the end of that day (UTC); 0 = never
  std::string expires_text;
  Loc loc;
};

struct Policy {
  std::string path;
  uint32_t file = 0;  // index in Cluster::files
  std::vector<std::string> disabled_rules;
  std::vector<std::pair<std::string, Severity>> severity_overrides;
  AnnotationPolicy annotations;
  std::vector<std::string> allowed_classes;  // empty = any
  Loc allowed_classes_loc;
  std::vector<HostOwnership> hosts;
  bool unique_hosts = false;  // one Ingress per host, even within a namespace (IG105)
  // The input is the whole cluster: references to objects absent from it are
  // judged even for namespaces of which the input holds nothing (IG504, IG505).
  bool complete_input = false;
  // Accepted host networking (IG507): port ranges, hostNetwork, exempt images (globs).
  std::vector<std::pair<int, int>> allowed_host_ports;
  bool allow_host_network = false;
  std::vector<std::string> host_port_exempt_images;
  // Accepted Service externalIPs (IG402), addresses or CIDRs.
  std::vector<std::string> allowed_external_ips;
  std::vector<ClassPolicy> classes;
  std::string internal_label_key = "ingressguard.io/exposure";
  std::string internal_label_value = "internal";
  std::vector<Exemption> exemptions;
  // Named scan units (load/units.h): globs relative to the policy file's directory.
  std::vector<NamedUnit> units;

  const ClassPolicy* class_policy(std::string_view name) const;
};

// Reads and validates a policy file. The file is added to `cluster.files` so
// that findings can point into it. Problems become LoadErrors with the
// policy's own file:line:col; nullopt when the file cannot be used.
std::optional<Policy> load_policy(const std::string& path, Cluster& cluster, std::vector<LoadError>& errors);
// The same for policy text already in memory (tests, fuzzing).
std::optional<Policy> load_policy_text(const std::string& name, std::string_view text, Cluster& cluster,
                                       std::vector<LoadError>& errors);

// The policy that applies when none is given: ./.ingressguard.yaml, else
// .ingressguard.yaml at the root of the git repository holding `scanned`.
std::optional<std::string> find_policy(const std::string& scanned);
// The directory named units' globs are relative to: the policy file's.
std::string policy_directory(const std::string& policy_path);
// The scan units of `paths`, with the policy's named units when there is a policy.
UnitPlan plan_units(const std::vector<std::string>& paths, UnitMode mode, const Policy* policy);

// Shell-style glob (fnmatch), case-insensitive: `*` also crosses dots.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ig
