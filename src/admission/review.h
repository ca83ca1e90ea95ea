// The AdmissionReview v1 contract, without sockets: decode a request body,
// decide with the rule catalogue, and encode the response. The HTTPS server
// (issue #7) wraps these; tests call them directly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/severity.h"

namespace ig {

struct AdmissionRequest {
  std::string api_version;  // of the review, echoed back
  std::string uid;
  std::string kind;         // request.kind.kind
  std::string group;        // request.kind.group
  std::string operation;    // CREATE, UPDATE, DELETE, CONNECT
  std::string ns;
  std::string name;
  bool dry_run = false;
  std::string object;       // request.object as JSON text; empty when null
};

struct DecodeResult {
  std::optional<AdmissionRequest> request;
  int http_status = 200;  // 400 malformed, 413 too large
  std::string error;      // why, for a 400/413 body
};

inline constexpr size_t kDefaultMaxReviewBytes = 3 << 20;  // 3 MiB, as the API server's default request limit

DecodeResult decode_review(std::string_view body, size_t max_bytes = kDefaultMaxReviewBytes);

// Enforce: deny at or above deny_at, warn below. Warn: never deny, every
// finding a warning. Audit: never deny nor warn; the server logs each decision.
enum class AdmissionMode { Enforce, Warn, Audit };

struct AdmissionOptions {
  AdmissionMode mode = AdmissionMode::Enforce;
  Severity deny_at = Severity::High;  // findings at or above deny (in enforce mode)
};

// What one response may carry at most, whatever the object: a review crafted
// to raise thousands of findings gets a bounded answer (a few KiB) and a
// bounded log line.
inline constexpr size_t kMaxWarnings = 20;         // the last one says how many more were not listed
inline constexpr size_t kMaxWarningBytes = 120;    // per warning (the API server's advice)
inline constexpr size_t kMaxDenialLines = 20;      // in the denial message, then "and N more"
inline constexpr size_t kMaxDenialLineBytes = 300;
inline constexpr size_t kMaxUidBytes = 128;        // the API server sends a 36-character UUID

struct Decision {
  bool allowed = true;
  std::string message;                // on denial: rule IDs and messages (kMaxDenialLines)
  std::vector<std::string> warnings;  // kMaxWarnings, each at most kMaxWarningBytes
  std::vector<std::string> rules;     // distinct IDs of the findings on the object, in order
  size_t findings = 0;                // findings on the object, listed or not
};

class ClusterState;

// A pure function of the request and the state: the object is loaded through
// the manifest loader (with its limits) and checked by every rule together
// with the state objects that matter to it (admission/state.h); only findings
// on the object itself count. DELETE and kinds outside the catalogue are allowed.
Decision decide(const AdmissionRequest& request, const AdmissionOptions& options, const ClusterState& state);
// The same against an empty state.
Decision decide(const AdmissionRequest& request, const AdmissionOptions& options);

// True for the kinds the catalogue judges at admission.
bool judged_kind(const std::string& group, const std::string& kind);

// The AdmissionReview v1 response: same apiVersion/kind, uid echoed, never a patch.
std::string encode_response(const AdmissionRequest& request, const Decision& decision);

}  // namespace ig
