// `ingressguard probe`: active checks of a live HTTPS endpoint. Each check
// has a stable ID, a status (pass, fail, warn, error, skip), a severity and
// the evidence it saw. Only the named targets are contacted, at a bounded
// rate and with a global cap on requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/severity.h"

namespace ig::probe {

// What an Ingress declares for a host and path, to be checked against the live answer.
struct Expectation {
  std::string source;                    // "file:line (Ingress ns/name)"
  std::vector<std::string> allow_ranges; // whitelist/allowlist-source-range CIDRs
  std::string auth;                      // auth-url or auth-type value; empty: none declared
  double limit_rps = 0, limit_rpm = 0, limit_connections = 0;
  bool client_cert = false;              // auth-tls-verify-client: on
  std::string ssl_ciphers;               // ssl-ciphers: this host's suites differ from the listener's others
};

struct Target {
  std::string url;      // as given
  std::string host;     // for SNI and Host
  uint16_t port = 443;
  std::string path = "/";
  std::string address;  // numeric address actually contacted
  uint16_t http_port = 80;  // where the plain-HTTP redirect is checked
  bool tls = true;          // false: the Ingress declares no TLS for the host (probed over plain HTTP)
  std::optional<Expectation> expect;  // from --from manifests
};

// Mozilla Server Side TLS 6.0 configuration the TLS verdicts follow.
enum class Profile { Intermediate, Modern };

struct ProbeOptions {
  std::vector<std::string> urls;
  // --resolve HOST:PORT:ADDR (as curl): HOST:PORT is sent to ADDR; SNI and Host stay HOST.
  std::vector<std::string> resolve;
  std::string ca_file;                 // verify against this bundle instead of the system roots
  std::chrono::milliseconds timeout{3000};
  int max_requests = 300;              // over the whole run (connections and handshakes count)
  double rate = 20;                    // per target, connections per second (those carrying HTTP requests)
  double tls_rate = 100;               // per listener, handshakes that carry no HTTP request (versions, suites, groups)
  int concurrency = 8;                 // targets probed at once
  bool progress = false;               // a progress line on stderr (a terminal)
  std::optional<uint16_t> http_port;   // plain-HTTP port (redirect check, Ingresses without TLS); default 80
  uint16_t https_port = 443;           // the HTTPS port of the hosts --from declares
  Profile profile = Profile::Intermediate;
};

enum class Status { Pass, Fail, Warn, Error, Skip };
std::string_view to_string(Status s);

struct Check {
  std::string id;
  Status status;
  Severity severity;
  std::string title;
  std::string evidence;
  std::string measured_on;  // set when shared: the URL whose handshakes measured it (same listener and certificate)
};

struct TargetReport {
  Target target;
  std::vector<Check> checks;
};

struct Report {
  std::vector<TargetReport> targets;
  int requests = 0;
};

// Parses https://host[:port][/path] (plain http:// URLs are probed for the
// redirect only) and applies --resolve entries; errors name the argument.
Result<Target> parse_target(const std::string& url, const std::vector<std::string>& resolve,
                            std::optional<uint16_t> http_port);

// Every host and path the Ingresses under `paths` declare (wildcard and empty
// hosts skipped), with the protections their annotations declare. `--resolve`
// entries may use "*" as host. Errors: load errors (file:line:col) and hosts
// with no address.
Result<std::vector<Target>> targets_from_manifests(const std::vector<std::string>& paths, const ProbeOptions& opts);

Report run_probe(const ProbeOptions& opts, const std::vector<Target>& targets);

// With `color`, a failed or warned check's status takes its severity's colour, pass is green, error bold red.
void write_report_text(std::ostream& out, const Report& r, bool color = false);
void write_report_json(std::ostream& out, const Report& r);

}  // namespace ig::probe
