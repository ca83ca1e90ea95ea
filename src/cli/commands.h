// Subcommands, callable from main and from tests. Each returns the exit code.
#pragma once

#include "load/units.h"

#include <fstream>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "core/severity.h"
#include "probe/probe.h"

namespace ig {

enum class ExitCode { Clean = 0, Findings = 1, Error = 2 };

struct ScanOptions {
  std::vector<std::string> paths;
  UnitMode unit_mode = UnitMode::Input;  // how plain files and directories split into units (load/units.h)
  std::string format = "text";     // text | json
  std::string output;              // file; empty = stdout
  std::optional<Severity> fail_on = Severity::Medium;  // nullopt: never fail on findings
  uint64_t max_file_size = 256ull << 20;
  bool color = false;
  int cert_expiry_days = 30;
  std::optional<std::string> policy;  // --policy FILE
  bool discover_policy = true;        // else look for .ingressguard.yaml (cwd, then the git root)
  // What is reported (and so what --fail-on sees); globs as fnmatch reads them.
  std::vector<std::string> rules;       // --rule: only these rule IDs
  std::vector<std::string> skip_rules;  // --skip-rule: never these
  std::optional<Severity> min_severity; // --min-severity: nothing below
  std::vector<std::string> namespaces;  // --namespace: only objects of these namespaces
  std::vector<std::string> excludes;    // --exclude: paths left out of the scan
  std::string write_baseline;           // --write-baseline FILE: record today's open findings
  std::string baseline;                 // --baseline FILE: report only findings not recorded there
  // --cluster: read the live cluster through kubectl (load/live_cluster.h) instead of paths.
  bool cluster = false;
  std::string kubeconfig, context;
  // The process ends after this scan: the snapshot is left for the OS to
  // reclaim instead of being freed object by object (3% of a 100 MB scan).
  bool process_exits_after = false;
};

int run_scan(const ScanOptions& opts, std::ostream& out, std::ostream& err);

// Where a report goes: `out` when `path` is empty, else `file` opened on it;
// nullptr (after telling `err`) when it cannot be written.
std::ostream* open_output(const std::string& path, std::ofstream& file, std::ostream& out, std::ostream& err);

// `ingressguard units`: the units a scan of these paths makes, and what each holds.
struct UnitsOptions {
  std::vector<std::string> paths;
  UnitMode unit_mode = UnitMode::Input;
  std::optional<std::string> policy;  // named units; found as scan finds it unless --no-policy
  bool discover_policy = true;
  std::string format = "text";  // text | json
};
int run_units(const UnitsOptions& opts, std::ostream& out, std::ostream& err);

// `ingressguard diff BASE [HEAD]`: what a change does to the attack surface (diff/surface_diff.h).
struct DiffOptions {
  std::string base;                 // a directory or a git revision
  std::string head;                 // the same; empty: the repository's work tree
  std::string repo = ".";           // where revisions are read from (any path inside the repository)
  std::vector<std::string> paths;   // what to compare inside each side, relative to its root (default: all of it)
  UnitMode unit_mode = UnitMode::Input;
  std::string format = "text";      // text | json | markdown | sarif (the introduced findings)
  std::string output;
  std::optional<Severity> fail_on = Severity::Medium;  // exit 1 when something introduced or lost is at or above it
  std::optional<std::string> policy;  // one policy file for both sides; default: each side's own
  bool discover_policy = true;
  int cert_expiry_days = 30;
  uint64_t max_file_size = 256ull << 20;
  bool color = false;
  bool process_exits_after = false;  // the last snapshot is left for the OS to reclaim
};
int run_diff(const DiffOptions& opts, std::ostream& out, std::ostream& err);

struct MapOptions {
  std::vector<std::string> paths;
  std::string format = "json";  // json | dot | svg | html
  std::string output;
};

// Prints every path from outside the cluster to a workload (exposure graph).
int run_map(const MapOptions& opts, std::ostream& out, std::ostream& err);

struct LogsOptions {
  std::vector<std::string> paths;         // files, or "-" for stdin (the default)
  bool follow = false;                    // keep reading a growing file (across rotation) or stdin
  std::string log_format = "auto";        // see logs::LineFormat::named
  std::string format = "text";            // text | json
  std::optional<std::string> config;      // thresholds (YAML)
  std::optional<Severity> fail_on = Severity::Medium;
  bool summary = true;
  bool color = false;
  int poll_ms = 200;                      // --follow: how often a quiet file is checked
  int threads = 0;                        // decoding threads (1: everything inline); 0 = 2 on a multi-core machine
  std::string listen;                     // --follow: serve /metrics and /healthz here (ADDR:PORT)
  uint64_t truncate_at_mb = 0;            // --follow: empty the file once read past this many MiB (0: never)
  // Acting on alerts (logs/blocklist.h): an nginx deny list and/or CrowdSec-shaped decisions as JSON lines.
  std::string blocklist, decisions;
  std::string block_on = "high", block_for = "4h";
  size_t block_max = 10'000;
  std::vector<std::string> never_block;   // CIDRs or addresses
  std::string on_change;                  // a command (split on spaces, no shell) run after the deny list changes
};

// Analyses access logs; alerts as they fire, then a summary. Exit 1 when an
// alert is at or above fail_on, 2 when an input or the config cannot be read.
int run_logs(const LogsOptions& opts, std::ostream& out, std::ostream& err);
// Prints the log detectors with their thresholds (text or markdown).
int run_list_detectors(const LogsOptions& opts, bool markdown, std::ostream& out, std::ostream& err);

struct ProbeCommandOptions {
  probe::ProbeOptions probe;
  std::vector<std::string> from;  // manifests: probe every host/path they declare, check what they promise
  std::string format = "text";  // text | json
  std::optional<Severity> fail_on = Severity::Medium;
  bool color = false;           // text on a terminal
};

// Probes live HTTPS endpoints. Exit 1 when a failed or warned check is at or
// above fail_on, 2 when a target cannot be probed (bad URL, unreachable).
int run_probe(const ProbeCommandOptions& opts, std::ostream& out, std::ostream& err);

// Prints the rule catalogue: text, json, or markdown (docs/rules.md).
int run_rules(const std::string& format, std::ostream& out, std::ostream& err);
// Prints one rule's full description.
int run_explain(const std::string& id, std::ostream& out, std::ostream& err);

}  // namespace ig
