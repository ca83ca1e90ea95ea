// The rule engine: rule metadata, findings, and the check signature. A rule is
// a pure function of the Cluster snapshot; it never parses and never prints.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster.h"
#include "core/severity.h"

namespace ig {

struct RuleInfo {
  std::string_view id;  // stable, never reused
  std::string_view title;
  Severity severity;
  std::string_view category;
  std::string_view rationale;
  std::string_view remediation;
  std::array<std::string_view, 4> references;  // CVEs and documentation; unused slots empty
};

struct Finding {
  const RuleInfo* rule = nullptr;
  std::string message;
  ObjectRef resource;
  Loc loc;
};

class Findings {
 public:
  // `meta` must be part of the Cluster being checked: the finding refers to its strings.
  void add(const RuleInfo& rule, const ObjectMeta& meta, Loc loc, std::string message);
  void add(const RuleInfo& rule, const ObjectRef& object, Loc loc, std::string message);
  std::vector<Finding>& items() { return items_; }

 private:
  std::vector<Finding> items_;
};

using CheckFn = void (*)(const Cluster&, Findings&);

struct Rule {
  RuleInfo info;
  CheckFn check;
};

// Every built-in rule, in catalogue order (rules/registry.cpp).
const std::vector<const Rule*>& builtin_rules();
const Rule* find_rule(std::string_view id);

// Runs every rule and returns the findings sorted by file, line, column, rule.
std::vector<Finding> run_rules(const Cluster& cluster);

}  // namespace ig
