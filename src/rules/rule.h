// The rule engine: rule metadata, findings, and the check signature. A rule is
// a pure function of the Cluster snapshot; it never parses and never prints.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <unordered_map>
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

// Why a finding is not counted: an exemption that covers it.
struct Suppression {
  std::string kind;    // "inline" (ingressguard.io/ignore on the object) or "policy"
  std::string reason;
};

struct Finding {
  const RuleInfo* rule = nullptr;
  Severity severity = Severity::Info;  // the rule's, unless the policy overrides it
  std::string message;
  ObjectRef resource;
  Loc loc;
  std::shared_ptr<const Suppression> suppressed;  // still reported (JSON, SARIF), never counted
  uint32_t unit = 0;  // the scan unit it was found in (ScanResult::units)
  // How to fix it where the rule's remediation does not fit the controller
  // that serves the object (static text; empty: the rule's).
  std::string_view fix;
  // Live objects (scan --cluster): the field the finding is about, as a JSON path from the object
  // (".spec.rules[0].host"), and its value when it is a short scalar outside a Secret.
  struct Field {
    std::string path, value;
  };
  std::shared_ptr<const Field> field;
  std::string_view remediation() const { return fix.empty() ? std::string_view(rule->remediation) : fix; }
};

// The inline exemption annotation: "RULE-ID[,RULE-ID]: reason".
inline constexpr std::string_view kIgnoreAnnotation = "ingressguard.io/ignore";
struct InlineExemption {
  std::vector<std::string> rules;
  std::string reason;
};
// nullopt with `error` set when the value is malformed.
std::optional<InlineExemption> parse_inline_exemption(std::string_view value, std::string* error);

class Findings {
 public:
  // `meta` must be part of the Cluster being checked: the finding refers to its strings.
  void add(const RuleInfo& rule, const ObjectMeta& meta, Loc loc, std::string message);
  void add(const RuleInfo& rule, const ObjectRef& object, Loc loc, std::string message);
  std::vector<Finding>& items() { return items_; }
  // The last finding added gets a fix of its own (static text).
  void set_fix(std::string_view fix) { items_.back().fix = fix; }

 private:
  std::vector<Finding> items_;
};

struct Policy;

// Indexes that several rules derive from one snapshot (the NetworkPolicy
// engine, Service selection, the controller's ConfigMaps): built on first use
// during one run_rules and shared by the rules after it. T is constructed
// from the Cluster, and the cache when it derives from other entries.
class DerivedCache {
 public:
  template <class T>
  std::shared_ptr<const T> get(const Cluster& c) {
    if (auto it = items_.find(std::type_index(typeid(T))); it != items_.end())
      return std::static_pointer_cast<const T>(it->second);
    std::shared_ptr<const T> made;
    if constexpr (std::is_constructible_v<T, const Cluster&, DerivedCache&>)
      made = std::make_shared<const T>(c, *this);
    else
      made = std::make_shared<const T>(c);
    items_.emplace(std::type_index(typeid(T)), made);
    return made;
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<const void>> items_;
};

// What a scan may tune without changing the rules themselves.
struct RuleSettings {
  const Policy* policy = nullptr;  // the user's .ingressguard.yaml, if any
  // The input is the whole cluster (a live read where every kind could be read), as completeInput says.
  bool complete_input = false;
  int64_t now = 0;               // seconds since the epoch; 0: the current time
  int cert_expiry_days = 30;     // certificates expiring sooner are reported
  // Set by run_rules for the length of one run; null when a rule is called alone.
  DerivedCache* derived = nullptr;
  int64_t current_time() const;
};

// The T of this run (shared through settings.derived), or a fresh one.
template <class T>
std::shared_ptr<const T> derived(const Cluster& c, const RuleSettings& s) {
  if (s.derived) return s.derived->get<T>(c);
  DerivedCache own;
  return own.get<T>(c);
}

using CheckFn = void (*)(const Cluster&, const RuleSettings&, Findings&);

struct Rule {
  RuleInfo info;
  CheckFn check;
};

// Every built-in rule, in catalogue order (rules/registry.cpp).
const std::vector<const Rule*>& builtin_rules();
const Rule* find_rule(std::string_view id);

// Runs every rule and returns the findings sorted by file, line, column, rule.
std::vector<Finding> run_rules(const Cluster& cluster, const RuleSettings& settings = {});

}  // namespace ig
