// What a request's target (path and query) and user agent look like:
// sensitive files, traversal, web shells, injection, login endpoints, known
// CVE exploit requests, scanner user agents. All patterns of one field are
// compiled into one Hyperscan database and matched in a single pass.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ig::logs {

enum SignatureClass : uint32_t {
  kSensitiveFile = 1u << 0,
  kTraversal = 1u << 1,
  kWebShell = 1u << 2,
  kInjection = 1u << 3,
  kLoginPath = 1u << 4,
  kCveProbe = 1u << 5,
  kScannerAgent = 1u << 6,
};

struct Signature {
  uint32_t cls;                // one SignatureClass
  std::string_view pattern;    // Hyperscan regex, matched caseless
  std::string_view label;      // CVE ID or tool name, for alerts
  bool needs_miss = false;     // counts only on a 403/404 answer (the URL is a real product endpoint)
};

// The built-in tables (target patterns and user-agent patterns).
const std::vector<Signature>& target_signatures();
const std::vector<Signature>& agent_signatures();

struct MatchResult {
  uint32_t classes = 0;
  const Signature* cve = nullptr;      // the first CVE signature that matched (target, else user agent)
  const Signature* scanner = nullptr;  // the scanner that the user agent names
};

class SignatureMatcher {
 public:
  // Throws std::runtime_error when a pattern does not compile (a build defect,
  // caught by the tests).
  SignatureMatcher();
  ~SignatureMatcher();
  SignatureMatcher(const SignatureMatcher&) = delete;
  SignatureMatcher& operator=(const SignatureMatcher&) = delete;

  // Matches the request target; adds classes and the first CVE hit to `out`.
  void match_target(std::string_view target, MatchResult& out);
  // Matches the user agent, memoised by its hash (agents repeat a lot).
  void match_agent(std::string_view agent, MatchResult& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ig::logs
