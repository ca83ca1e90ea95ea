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
};

inline std::unique_ptr<ScanOutcome> scan_text(const std::string& text, InputFormat format = InputFormat::Yaml) {
  auto out = std::make_unique<ScanOutcome>();
  Loader loader(out->cluster);
  loader.load_buffer("test.yaml", text, format);
  out->cluster.index();
  out->findings = run_rules(out->cluster);
  out->errors = loader.errors();
  out->stats = loader.stats();
  return out;
}

}  // namespace ig::testing
