// Acting on alerts: the clients that did something at or above a severity are denied for a while.
//
// The decisions are kept as an nginx-includable file of `deny ADDRESS;` lines, each with its expiry, written
// atomically (a temporary file in the same directory, then rename) so nginx never reads half a file, and capped
// in size (the entry that expires first makes room). Addresses in the never-block ranges (the prober's, the
// office, the load balancer's health checks) are never written, nor is anything that is not an IP address. The
// same decisions can be appended as JSON lines in CrowdSec's decision shape for other systems, and a command
// (e.g. `nginx -s reload`) runs after each change of the file. A restart reads the file back, so decisions
// survive it until they expire.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "core/result.h"
#include "core/severity.h"
#include "logs/analyzer.h"

namespace ig::logs {

struct BlocklistOptions {
  std::string path;       // the nginx include file; empty: no file
  std::string decisions;  // JSON lines appended here; empty: none
  Severity min_severity = Severity::High;
  int64_t duration_ms = 4 * 3'600'000;
  size_t max_entries = 10'000;
  std::vector<IpBlockRange> never;
  std::vector<std::string> on_change;  // argv, run without a shell; empty: none
  int on_change_timeout_s = 30;
};

struct BlockStats {
  uint64_t decisions = 0;  // addresses added or extended
  uint64_t refused = 0;    // alerts at the severity whose client is never blocked or not an address
  uint64_t evicted = 0;    // entries dropped at the cap before their expiry
  uint64_t expired = 0;
  uint64_t writes = 0;
  uint64_t write_errors = 0;
  uint64_t reloads = 0;        // on-change runs that succeeded
  uint64_t reload_errors = 0;  // ... and that failed
  size_t active = 0;
};

class Blocklist {
 public:
  // Reads the decisions an earlier run left in `path` (the unexpired ones), checks that the file can be written.
  static Result<std::unique_ptr<Blocklist>> open(BlocklistOptions options, int64_t now_s);
  ~Blocklist();

  // An alert: a decision when its client is an IP address outside the never-block ranges and the alert is at or
  // above the severity. The file changes at the next commit().
  void consider(const Alert& alert, int64_t now_s);
  // Drops expired entries.
  void expire(int64_t now_s);
  // When anything changed since the last commit: writes the file, appends the new decisions, runs the command.
  // Errors are reported through `error` (the run goes on; the next change retries).
  void commit(int64_t now_s, std::string& error);

  const BlockStats& stats() const;
  // The nginx include file's text for the entries held now (what commit() writes).
  std::string render() const;

 private:
  struct Impl;
  explicit Blocklist(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ig::logs
