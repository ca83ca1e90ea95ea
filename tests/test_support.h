// Helpers for tests: load YAML text through the real loader and rule engine.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "load/loader.h"
#include "rules/rule.h"

namespace ig::testing {

struct ScanOutcome {
  Cluster cluster;
  std::vector<Finding> findings;
  std::vector<LoadError> errors;
  LoadStats stats;

  // Lines of the findings of one rule, in order.
  std::vector<uint32_t> lines(std::string_view rule) const {
    std::vector<uint32_t> out;
    for (const Finding& f : findings)
      if (f.rule->id == rule) out.push_back(f.loc.line);
    return out;
  }
  size_t count(std::string_view rule) const { return lines(rule).size(); }
  // The message of a rule's finding on `line` (empty when there is none).
  std::string message(std::string_view rule, uint32_t line) const {
    for (const Finding& f : findings)
      if (f.rule->id == rule && f.loc.line == line) return f.message;
    return {};
  }
};

// 1-based line of the first occurrence of `marker` in `text` (0 if absent).
inline uint32_t line_of(const std::string& text, std::string_view marker) {
  size_t pos = text.find(marker);
  if (pos == std::string::npos) return 0;
  uint32_t line = 1;
  for (size_t i = 0; i < pos; ++i) line += text[i] == '\n';
  return line;
}

inline std::unique_ptr<ScanOutcome> scan_text(const std::string& text, InputFormat format = InputFormat::Yaml,
                                              const RuleSettings& settings = {}) {
  auto out = std::make_unique<ScanOutcome>();
  Loader loader(out->cluster);
  loader.load_buffer("test.yaml", text, format);
  out->cluster.index();
  out->findings = run_rules(out->cluster, settings);
  out->errors = loader.errors();
  out->stats = loader.stats();
  return out;
}

}  // namespace ig::testing
