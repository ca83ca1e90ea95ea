// ingressguard's entry point: parses options into typed structs and calls a
// command. Everything else lives in libraries the tests link.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "admission/server.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "report/report.h"

int main(int argc, char** argv) {
  CLI::App app{"ingressguard: audit and guard the front door of Kubernetes clusters"};
  app.require_subcommand(1);
  app.set_version_flag("--version", ig::version());

  ig::ScanOptions scan;
  std::string fail_on = "medium";
  auto* scan_cmd = app.add_subcommand("scan", "Audit manifests: files, directories, or - for stdin");
  scan_cmd->add_option("paths", scan.paths, "Files, directories (recursive: .yaml .yml .json) or - for stdin");
  scan_cmd->add_option("--format,-f", scan.format, "Output format: text, json, jsonl (one line per finding), sarif, junit, markdown, html")
      ->check(CLI::IsMember({"text", "json", "jsonl", "sarif", "junit", "markdown", "html"}));
  scan_cmd->add_option("--output,-o", scan.output, "Write the report to FILE instead of stdout");
  scan_cmd->add_option("--fail-on", fail_on, "Exit 1 when a finding is at or above this severity (or never)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "never"}));
  scan_cmd->add_option("--max-file-size", scan.max_file_size, "Refuse input files larger than this many bytes");
  scan_cmd->add_option("--cert-expiry-days", scan.cert_expiry_days,
                       "Report certificates expiring within this many days (default 30)")
      ->check(CLI::Range(0, 3650));
  std::string policy_file;
  scan_cmd->add_option("--policy", policy_file, "Policy file (default: .ingressguard.yaml here or at the git root)");
  bool no_policy = false;
  scan_cmd->add_flag("--no-policy", no_policy, "Do not look for .ingressguard.yaml");
  bool no_color = false;
  scan_cmd->add_flag("--no-color", no_color, "Never colour the text output");
  const std::string unit_help =
      "How plain files and directories split into scan units: input (each directory argument, and file arguments "
      "per directory tree), dir (each directory) or file; kustomizations, charts and stdin are units of their own";
  std::string unit_per = "input";
  scan_cmd->add_option("--unit-per", unit_per, unit_help)->check(CLI::IsMember({"input", "dir", "file"}));
  scan_cmd->add_option("--rule", scan.rules, "Report only these rule IDs (globs: IG5*; comma-separated or repeated)")
      ->delimiter(',');
  scan_cmd->add_option("--skip-rule", scan.skip_rules, "Never report these rule IDs (globs; comma-separated or repeated)")
      ->delimiter(',');
  std::string min_severity;
  scan_cmd->add_option("--min-severity", min_severity, "Report nothing below this severity (--fail-on still decides the exit)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info"}));
  scan_cmd->add_option("-n,--namespace", scan.namespaces,
                       "Report only objects of these namespaces (globs; cluster-scoped objects are left out); with "
                       "--cluster, also where a kind that may not be listed cluster-wide is read")
      ->delimiter(',');
  bool all_namespaces = false;
  scan_cmd->add_flag("-A,--all-namespaces", all_namespaces,
                     "With --cluster: every namespace is read (the default; accepted as kubectl spells it)");
  scan_cmd->add_option("--write-baseline", scan.write_baseline,
                       "Record the open findings (by fingerprint) in FILE, to hide them later with --baseline");
  scan_cmd->add_option("--baseline", scan.baseline,
                       "Report only findings not recorded in FILE (written by --write-baseline); says how many were hidden");
  scan_cmd->add_flag("--cluster", scan.cluster,
                     "Scan the live cluster through kubectl (the kinds the rules read; one complete unit)");
  scan_cmd->add_option("--context", scan.context, "With --cluster: the kubeconfig context (default: the current one)");
  scan_cmd->add_option("--kubeconfig", scan.kubeconfig, "With --cluster: the kubeconfig file (default: kubectl's)");
  scan_cmd->add_option("--exclude", scan.excludes,
                       "Do not scan paths matching this glob (`*` crosses `/` only in patterns with `**`; repeatable)");

  ig::UnitsOptions units_opts;
  std::string units_per = "input";
  auto* units_cmd = app.add_subcommand("units", "List the scan units these paths make and what each holds");
  units_cmd->add_option("paths", units_opts.paths, "Files, directories or - for stdin");
  units_cmd->add_option("--unit-per", units_per, unit_help)->check(CLI::IsMember({"input", "dir", "file"}));
  units_cmd->add_option("--format,-f", units_opts.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  std::string units_policy;
  bool units_no_policy = false;
  units_cmd->add_option("--policy", units_policy, "Policy file with named units (default: .ingressguard.yaml found as scan finds it)");
  units_cmd->add_flag("--no-policy", units_no_policy, "Do not look for a policy file");

  std::string rules_format = "text";
  auto* rules_cmd = app.add_subcommand("rules", "List the rule catalogue");
  rules_cmd->add_option("--format,-f", rules_format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));

  ig::MapOptions map_opts;
  auto* map_cmd = app.add_subcommand("map", "Show what is reachable from outside the cluster, through what, guarded by what");
  map_cmd->add_option("paths", map_opts.paths, "Files, directories or - for stdin");
  map_cmd->add_option("--format,-f", map_opts.format, "json, dot (Graphviz), svg or html")
      ->check(CLI::IsMember({"json", "dot", "svg", "html"}));
  map_cmd->add_option("--output,-o", map_opts.output, "Write to FILE instead of stdout");

  ig::DiffOptions diff_opts;
  std::string diff_fail_on = "medium", diff_unit_per = "input", diff_policy;
  bool diff_no_policy = false, diff_no_color = false;
  auto* diff_cmd = app.add_subcommand("diff", "Show what a change does to the attack surface: paths from outside opened, "
                                              "closed or weakened, NetworkPolicy reach, findings introduced and fixed");
  diff_cmd->add_option("base", diff_opts.base, "The side before the change: a directory or a git revision")->required();
  diff_cmd->add_option("head", diff_opts.head,
                       "The side after it: a directory or a git revision (default: the repository's work tree)");
  diff_cmd->add_option("--repo", diff_opts.repo, "The git repository revisions are read from (default: the one holding .)");
  diff_cmd->add_option("--path,-p", diff_opts.paths,
                       "Compare only this path of each side, relative to its root (repeatable; default: all of it)");
  diff_cmd->add_option("--format,-f", diff_opts.format, "text, json, markdown (a pull-request comment) or sarif (introduced findings)")
      ->check(CLI::IsMember({"text", "json", "markdown", "sarif"}));
  diff_cmd->add_option("--output,-o", diff_opts.output, "Write the report to FILE instead of stdout");
  diff_cmd->add_option("--fail-on", diff_fail_on,
                       "Exit 1 when something introduced or lost is at or above this severity (or never)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "never"}));
  diff_cmd->add_option("--unit-per", diff_unit_per, unit_help)->check(CLI::IsMember({"input", "dir", "file"}));
  diff_cmd->add_option("--policy", diff_policy, "One policy file for both sides (default: each side's own .ingressguard.yaml)");
  diff_cmd->add_flag("--no-policy", diff_no_policy, "Do not look for .ingressguard.yaml");
  diff_cmd->add_option("--cert-expiry-days", diff_opts.cert_expiry_days, "As for scan")->check(CLI::Range(0, 3650));
  diff_cmd->add_option("--max-file-size", diff_opts.max_file_size, "Refuse input files larger than this many bytes");
  diff_cmd->add_flag("--no-color", diff_no_color, "Never colour the text output");

  ig::ServeOptions serve;
  std::string serve_mode = "enforce", deny_at = "high";
  int read_timeout_ms = 10'000, drain_timeout_ms = 20'000;
  std::string serve_policy;
  auto* serve_cmd = app.add_subcommand("serve", "Run the validating admission webhook (HTTPS)");
  serve_cmd->add_option("--listen", serve.listen, "ADDR:PORT to listen on (default 0.0.0.0:8443; port 0 picks one)");
  serve_cmd->add_option("--tls-cert", serve.tls_cert, "Serving certificate chain (PEM); reloaded when it changes")
      ->required()->check(CLI::ExistingFile);
  serve_cmd->add_option("--tls-key", serve.tls_key, "Its private key (PEM)")->required()->check(CLI::ExistingFile);
  serve_cmd->add_option("--client-ca", serve.client_ca,
                        "Answer /validate only for clients with a certificate from this CA (the API server's); "
                        "only then are allowed reviews added to the state")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--policy", serve_policy, "Policy file (.ingressguard.yaml format)");
  serve_cmd->add_option("--state", serve.state,
                        "Manifests or `kubectl get -o json` output describing the cluster (reloaded on SIGHUP)");
  serve_cmd->add_option("--mode", serve_mode, "enforce (deny), warn (warnings only) or audit (log only)")
      ->check(CLI::IsMember({"enforce", "warn", "audit"}));
  serve_cmd->add_option("--deny-at", deny_at, "Deny findings at or above this severity (enforce mode)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info"}));
  serve_cmd->add_option("--max-body-bytes", serve.max_body_bytes, "Refuse larger requests with 413 (default 3 MiB)")
      ->check(CLI::Range(static_cast<size_t>(1024), static_cast<size_t>(64u << 20)));
  serve_cmd->add_option("--read-timeout-ms", read_timeout_ms, "Handshake and request read deadline (default 10000)")
      ->check(CLI::Range(100, 120'000));
  serve_cmd->add_option("--drain-timeout-ms", drain_timeout_ms, "Longest SIGTERM drain (default 20000)")
      ->check(CLI::Range(0, 300'000));
  serve_cmd->add_option("--threads", serve.threads, "Worker threads (default 2)")->check(CLI::Range(1, 64));
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "Connections open at once; more are closed before the handshake (default 512)")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(100'000)));
  serve_cmd->add_flag("--log-all", serve.log_all, "Log every decision, not only denials and warnings");

  ig::LogsOptions logs_opts;
  std::string logs_fail_on = "medium", logs_config;
  bool logs_no_summary = false, logs_list = false;
  auto* logs_cmd = app.add_subcommand("logs", "Detect attacks in ingress access logs (files or - for stdin)");
  logs_cmd->add_option("paths", logs_opts.paths, "Log files, or - for stdin (default)");
  logs_cmd->add_flag("--follow,-F", logs_opts.follow,
                     "Keep reading as the file grows (and after it is rotated), or stdin until it closes");
  logs_cmd->add_option("--log-format", logs_opts.log_format,
                       "auto, ingress-nginx, combined, traefik-clf, traefik-json, envoy, envoy-json, haproxy, json, "
                       "or 'nginx:<log_format string>'");
  logs_cmd->add_option("--format,-f", logs_opts.format, "Output: text or json (JSON lines)")
      ->check(CLI::IsMember({"text", "json"}));
  std::string logs_output;
  logs_cmd->add_option("--output,-o", logs_output, "Write alerts and the summary to FILE instead of stdout");
  logs_cmd->add_option("--config", logs_config, "Detector thresholds and state limits (YAML)")->check(CLI::ExistingFile);
  logs_cmd->add_option("--fail-on", logs_fail_on, "Exit 1 when an alert is at or above this severity (or never)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "never"}));
  logs_cmd->add_flag("--no-summary", logs_no_summary, "Print alerts only");
  logs_cmd->add_flag("--list-detectors", logs_list, "List the detectors and their thresholds, then exit");
  std::string logs_list_format = "text";
  logs_cmd->add_option("--list-format", logs_list_format, "With --list-detectors: text or markdown")
      ->check(CLI::IsMember({"text", "markdown"}));
  logs_cmd->add_option("--threads", logs_opts.threads,
                       "1: all on one thread; N > 1: N threads decode, one detects (default: 2 on a multi-core machine)")
      ->check(CLI::Range(1, 16));
  bool logs_no_color = false;
  logs_cmd->add_flag("--no-color", logs_no_color, "Never colour the text output");
  logs_cmd->add_option("--listen", logs_opts.listen,
                       "With --follow: serve Prometheus /metrics and /healthz on ADDR:PORT (plain HTTP)");
  logs_cmd->add_option("--truncate-at", logs_opts.truncate_at_mb,
                       "With --follow: empty the file once it is read past this many MiB (a log on a shared volume "
                       "that nothing else rotates)")
      ->check(CLI::Range(1, 1 << 20));
  logs_cmd->add_option("--blocklist", logs_opts.blocklist,
                       "Keep an nginx-includable deny list of the clients of alerts at --block-on or above");
  logs_cmd->add_option("--decisions", logs_opts.decisions,
                       "Append each block decision as a JSON line (CrowdSec decision shape) to FILE");
  logs_cmd->add_option("--block-on", logs_opts.block_on, "Lowest alert severity that blocks its client (default high)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info"}));
  logs_cmd->add_option("--block-for", logs_opts.block_for, "How long a decision lasts: 90s, 30m, 4h (default 4h)");
  logs_cmd->add_option("--block-max", logs_opts.block_max,
                       "Most addresses in the deny list; the one expiring first makes room (default 10000)")
      ->check(CLI::Range(1, 1'000'000));
  logs_cmd->add_option("--never-block", logs_opts.never_block,
                       "An address or CIDR never blocked (the prober, offices, health checkers); repeatable");
  logs_cmd->add_option("--on-change", logs_opts.on_change,
                       "Run this command (split on spaces, no shell) after the deny list changes, e.g. 'nginx -s reload'");

  ig::ProbeCommandOptions probe_opts;
  std::string probe_fail_on = "medium";
  int probe_timeout_ms = 3000, probe_http_port = 0;
  auto* probe_cmd = app.add_subcommand("probe", "Check live HTTPS endpoints: TLS versions and suites, certificate, redirect, headers");
  probe_cmd->add_option("urls", probe_opts.probe.urls, "https:// URLs to probe (only these are contacted)");
  probe_cmd->add_option("--from", probe_opts.from,
                        "Manifests: probe every host and path their Ingresses declare and check the allowlists, auth, "
                        "rate limits and client certificates they promise");
  probe_cmd->add_option("--resolve", probe_opts.probe.resolve, "HOST:PORT:ADDRESS: connect there, keep HOST for SNI and Host (as curl; HOST * for every host)");
  probe_cmd->add_option("--ca", probe_opts.probe.ca_file, "Verify certificates against this CA bundle instead of the system's")
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--http-port", probe_http_port, "Plain-HTTP port for the redirect check (default 80)")
      ->check(CLI::Range(1, 65535));
  int probe_https_port = 443;
  probe_cmd->add_option("--https-port", probe_https_port, "HTTPS port of the hosts --from declares (default 443)")
      ->check(CLI::Range(1, 65535));
  probe_cmd->add_option("--timeout-ms", probe_timeout_ms, "Per connection and answer (default 3000)")->check(CLI::Range(100, 60'000));
  probe_cmd->add_option("--max-requests", probe_opts.probe.max_requests, "Connections over the whole run (default 300)")
      ->check(CLI::Range(1, 100'000));
  probe_cmd->add_option("--rate", probe_opts.probe.rate, "HTTP requests (each its own connection) per second per target (default 20)")
      ->check(CLI::Range(0.1, 1000.0));
  probe_cmd->add_option("--tls-rate", probe_opts.probe.tls_rate,
                        "TLS handshakes without a request (versions, suites, groups) per second per listener (default 100)")
      ->check(CLI::Range(0.1, 1000.0));
  probe_cmd->add_option("--concurrency", probe_opts.probe.concurrency, "Targets probed at once (default 8)")
      ->check(CLI::Range(1, 64));
  std::string probe_profile = "intermediate";
  probe_cmd->add_option("--profile", probe_profile, "Mozilla Server Side TLS 6.0 configuration to judge TLS by: intermediate (default) or modern")
      ->check(CLI::IsMember({"intermediate", "modern"}));
  probe_cmd->add_option("--format,-f", probe_opts.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  std::string probe_output;
  probe_cmd->add_option("--output,-o", probe_output, "Write the report to FILE instead of stdout");
  bool probe_no_color = false;
  probe_cmd->add_flag("--no-color", probe_no_color, "Never colour the text output");
  probe_cmd->add_option("--fail-on", probe_fail_on, "Exit 1 when a failed check is at or above this severity (or never)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "never"}));

  auto* version_cmd = app.add_subcommand("version", "Print the version");
  std::string help_topic;
  auto* help_cmd = app.add_subcommand("help", "Show the help of ingressguard or of one of its commands");
  help_cmd->add_option("command", help_topic, "A command, for example scan");

  std::string explain_id;
  auto* explain_cmd = app.add_subcommand("explain", "Show a rule's rationale, fix and references");
  explain_cmd->add_option("rule", explain_id, "Rule ID, for example IG101")->required();

  // Examples at the end of every command's --help.
  auto examples = [](CLI::App* cmd, std::initializer_list<const char*> lines) {
    std::string text = "\nExamples:\n";
    for (const char* l : lines) text += std::string("  ") + l + "\n";
    cmd->footer(text);
  };
  examples(scan_cmd, {"ingressguard scan k8s/                                   # every file, one unit per directory argument",
                      "ingressguard scan overlays/prod                           # a kustomization, rendered with kubectl",
                      "helm template shop ./chart | ingressguard scan -",
                      "kubectl get ingress,svc,netpol,cm -A -o json | ingressguard scan -",
                      "ingressguard scan --cluster --context prod                # the live cluster, through kubectl",
                      "ingressguard scan k8s/ --format sarif --output ingressguard.sarif --fail-on never",
                      "ingressguard scan k8s/ --write-baseline .ingressguard-baseline.json",
                      "ingressguard scan k8s/ --baseline .ingressguard-baseline.json --fail-on high",
                      "ingressguard scan k8s/ --skip-rule 'IG6*' --min-severity medium --exclude 'k8s/dev/**'"});
  examples(units_cmd, {"ingressguard units deploy/                                # which files are scanned together",
                       "ingressguard units deploy/ --unit-per dir --format json"});
  examples(rules_cmd, {"ingressguard rules                                        # rules, log detectors, probe checks",
                       "ingressguard rules --format markdown > rules.md"});
  examples(map_cmd, {"ingressguard map k8s/                                     # JSON: every path from outside",
                     "ingressguard map k8s/ --format html --output exposure.html",
                     "kubectl get ingress,svc,netpol,pods -A -o json | ingressguard map - --format svg > map.svg"});
  examples(diff_cmd, {"ingressguard diff origin/main                              # the work tree against a branch",
                      "ingressguard diff main feature --format markdown          # two revisions, as a PR comment",
                      "ingressguard diff origin/main -p deploy/ --format sarif -o introduced.sarif",
                      "ingressguard diff old-manifests/ new-manifests/           # two directories"});
  examples(serve_cmd, {"ingressguard serve --tls-cert tls.crt --tls-key tls.key --client-ca apiserver-ca.crt",
                       "ingressguard serve --tls-cert tls.crt --tls-key tls.key --mode warn --state cluster.json"});
  examples(logs_cmd, {"ingressguard logs access.log",
                      "kubectl logs -n ingress-nginx deploy/ingress-nginx-controller | ingressguard logs -",
                      "ingressguard logs --follow /var/log/nginx/access.log --format json",
                      "ingressguard logs --follow access.log --listen 127.0.0.1:9910 --blocklist /etc/nginx/deny.conf "
                      "--on-change 'nginx -s reload'",
                      "ingressguard logs --list-detectors"});
  examples(probe_cmd, {"ingressguard probe https://shop.example.com/",
                       "ingressguard probe --from k8s/ --resolve '*:443:203.0.113.10'   # the hosts the Ingresses declare",
                       "ingressguard probe https://shop.example.com/ --profile modern --format json --output probe.json"});
  examples(explain_cmd, {"ingressguard explain IG101", "ingressguard explain IG920   # a probe check",
                         "ingressguard explain sensitive-files"});
  examples(help_cmd, {"ingressguard help", "ingressguard help scan"});
  examples(version_cmd, {"ingressguard version"});

  std::string completion_shell;
  auto* completion_cmd = app.add_subcommand("completion", "Print a shell completion script: bash, zsh or fish");
  completion_cmd->add_option("shell", completion_shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  examples(completion_cmd, {"ingressguard completion bash > /etc/bash_completion.d/ingressguard   # or: source <(ingressguard completion bash)",
                            "ingressguard completion zsh > \"${fpath[1]}/_ingressguard\"          # then start a new zsh",
                            "ingressguard completion fish > ~/.config/fish/completions/ingressguard.fish"});

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ig::ExitCode::Error);
  }

  try {
    if (*version_cmd) {
      std::cout << "ingressguard " << ig::version() << '\n';
      return 0;
    }
    if (*completion_cmd) return ig::write_completion(app, completion_shell, std::cout, std::cerr);
    if (*help_cmd) {
      if (help_topic.empty()) {
        std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
        return 0;
      }
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        if (sub->get_name() == help_topic && sub != help_cmd) {
          std::cout << sub->help();
          return 0;
        }
      std::cerr << "ingressguard: no command '" << help_topic << "' (ingressguard help lists them)\n";
      return static_cast<int>(ig::ExitCode::Error);
    }
    if (*scan_cmd) {
      if (!policy_file.empty()) scan.policy = policy_file;
      scan.discover_policy = !no_policy;
      scan.fail_on = fail_on == "never" ? std::nullopt : ig::parse_severity(fail_on);
      scan.color = !no_color && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
      scan.process_exits_after = true;
      scan.unit_mode = *ig::parse_unit_mode(unit_per);
      if (!min_severity.empty()) scan.min_severity = ig::parse_severity(min_severity);
      return ig::run_scan(scan, std::cout, std::cerr);
    }
    if (*units_cmd) {
      units_opts.unit_mode = *ig::parse_unit_mode(units_per);
      if (!units_policy.empty()) units_opts.policy = units_policy;
      units_opts.discover_policy = !units_no_policy;
      return ig::run_units(units_opts, std::cout, std::cerr);
    }
    if (*rules_cmd) return ig::run_rules(rules_format, std::cout, std::cerr);
    if (*explain_cmd) return ig::run_explain(explain_id, std::cout, std::cerr);
    if (*map_cmd) return ig::run_map(map_opts, std::cout, std::cerr);
    if (*diff_cmd) {
      diff_opts.fail_on = diff_fail_on == "never" ? std::nullopt : ig::parse_severity(diff_fail_on);
      diff_opts.unit_mode = *ig::parse_unit_mode(diff_unit_per);
      if (!diff_policy.empty()) diff_opts.policy = diff_policy;
      diff_opts.discover_policy = !diff_no_policy;
      diff_opts.color = !diff_no_color && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
      diff_opts.process_exits_after = true;
      return ig::run_diff(diff_opts, std::cout, std::cerr);
    }
    if (*logs_cmd) {
      if (!logs_config.empty()) logs_opts.config = logs_config;
      logs_opts.fail_on = logs_fail_on == "never" ? std::nullopt : ig::parse_severity(logs_fail_on);
      logs_opts.summary = !logs_no_summary;
      logs_opts.color = !logs_no_color && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
      if (logs_list) return ig::run_list_detectors(logs_opts, logs_list_format == "markdown", std::cout, std::cerr);
      std::ofstream file;
      std::ostream* dest = ig::open_output(logs_output, file, std::cout, std::cerr);
      if (!dest) return static_cast<int>(ig::ExitCode::Error);
      if (!logs_output.empty()) logs_opts.color = false;
      return ig::run_logs(logs_opts, *dest, std::cerr);
    }
    if (*probe_cmd) {
      probe_opts.fail_on = probe_fail_on == "never" ? std::nullopt : ig::parse_severity(probe_fail_on);
      probe_opts.probe.timeout = std::chrono::milliseconds(probe_timeout_ms);
      if (probe_http_port) probe_opts.probe.http_port = static_cast<uint16_t>(probe_http_port);
      probe_opts.probe.https_port = static_cast<uint16_t>(probe_https_port);
      probe_opts.probe.profile = probe_profile == "modern" ? ig::probe::Profile::Modern : ig::probe::Profile::Intermediate;
      probe_opts.probe.progress = isatty(STDERR_FILENO);
      probe_opts.color = !probe_no_color && probe_output.empty() && isatty(STDOUT_FILENO) &&
                         std::getenv("NO_COLOR") == nullptr;
      std::ofstream file;
      std::ostream* dest = ig::open_output(probe_output, file, std::cout, std::cerr);
      if (!dest) return static_cast<int>(ig::ExitCode::Error);
      return ig::run_probe(probe_opts, *dest, std::cerr);
    }
    if (*serve_cmd) {
      serve.admission.mode = serve_mode == "warn"    ? ig::AdmissionMode::Warn
                             : serve_mode == "audit" ? ig::AdmissionMode::Audit
                                                     : ig::AdmissionMode::Enforce;
      serve.admission.deny_at = *ig::parse_severity(deny_at);
      serve.read_timeout = std::chrono::milliseconds(read_timeout_ms);
      serve.drain_timeout = std::chrono::milliseconds(drain_timeout_ms);
      if (!serve_policy.empty()) serve.policy = serve_policy;
      return ig::run_serve(serve, std::cout, std::cerr);
    }
  } catch (const std::exception& e) {
    std::cerr << "ingressguard: " << e.what() << '\n';
    return static_cast<int>(ig::ExitCode::Error);
  }
  return static_cast<int>(ig::ExitCode::Error);
}
