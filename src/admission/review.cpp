#include "admission/review.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "admission/state.h"
#include "load/loader.h"
#include "load/parse.h"
#include "rules/rule.h"

namespace ig {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Shortens to `n` bytes without cutting a UTF-8 sequence.
std::string clip(std::string s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = n - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

// Keeps nothing: the manifest loader's JSON parser only checks well-formedness
// and its limits (depth, size) before nlohmann builds the DOM.
class CountingSink : public DocumentSink {
 public:
  void on_document(const Document&) override {}
};

}  // namespace

bool judged_kind(const std::string& group, const std::string& kind) {
  if (group == "networking.k8s.io") return kind == "Ingress" || kind == "IngressClass" || kind == "NetworkPolicy";
  if (group == "extensions") return kind == "Ingress" || kind == "NetworkPolicy";
  if (group.empty()) return kind == "Service" || kind == "ConfigMap" || kind == "Secret";
  return false;
}

DecodeResult decode_review(std::string_view body, size_t max_bytes) {
  DecodeResult out;
  if (body.size() > max_bytes) {
    out.http_status = 413;
    out.error = "request body is " + std::to_string(body.size()) + " bytes, over the limit of " + std::to_string(max_bytes);
    return out;
  }
  // Well-formedness and nesting limits first, with the manifest loader's parser.
  std::string padded(body);
  padded.reserve(padded.size() + kJsonPadding);
  CountingSink sink;
  if (auto err = parse_json(padded, ParseLimits{}, sink)) {
    out.http_status = 400;
    out.error = "malformed JSON at " + std::to_string(err->mark.line) + ":" + std::to_string(err->mark.col) + ": " + err->message;
    return out;
  }
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    out.http_status = 400;
    out.error = "the body is not a JSON object";
    return out;
  }
  std::string api = str(doc, "apiVersion");
  if (api != "admission.k8s.io/v1" || str(doc, "kind") != "AdmissionReview") {
    out.http_status = 400;
    out.error = "expected apiVersion admission.k8s.io/v1, kind AdmissionReview (got \"" + clip(api, 60) + "\")";
    return out;
  }
  auto req = doc.find("request");
  if (req == doc.end() || !req->is_object()) {
    out.http_status = 400;
    out.error = "the AdmissionReview has no request";
    return out;
  }
  AdmissionRequest r;
  r.api_version = api;
  r.uid = str(*req, "uid");
  if (r.uid.empty()) {
    out.http_status = 400;
    out.error = "request.uid is missing";
    return out;
  }
  if (auto k = req->find("kind"); k != req->end() && k->is_object()) {
    r.kind = str(*k, "kind");
    r.group = str(*k, "group");
  }
  r.operation = str(*req, "operation");
  r.ns = str(*req, "namespace");
  r.name = str(*req, "name");
  if (auto d = req->find("dryRun"); d != req->end() && d->is_boolean()) r.dry_run = d->get<bool>();
  if (auto o = req->find("object"); o != req->end() && o->is_object()) {
    json obj = *o;
    // The API server fills in the namespace of namespaced objects from the request.
    if (!r.ns.empty() && obj.contains("metadata") && obj["metadata"].is_object() && !obj["metadata"].contains("namespace"))
      obj["metadata"]["namespace"] = r.ns;
    r.object = obj.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out.request = std::move(r);
  return out;
}

Decision decide(const AdmissionRequest& request, const AdmissionOptions& options) {
  static const ClusterState empty;
  return decide(request, options, empty);
}

Decision decide(const AdmissionRequest& request, const AdmissionOptions& options, const ClusterState& state) {
  Decision d;
  if (request.operation == "DELETE" || request.operation == "CONNECT" || request.object.empty() ||
      !judged_kind(request.group, request.kind))
    return d;
  RequestCluster rc = state.judge_cluster(request);
  if (!rc.errors.empty()) {
    d.allowed = options.mode != AdmissionMode::Enforce;
    d.message = "ingressguard cannot read the object: " + clip(rc.errors[0].message, 200);
    if (d.allowed && options.mode != AdmissionMode::Audit) d.warnings.push_back(clip(d.message, 120));
    return d;
  }
  RuleSettings settings;
  settings.policy = state.policy();
  std::vector<std::string> denials;
  for (const Finding& f : run_rules(rc.cluster, settings)) {
    // Findings on the state's objects are not this request's business.
    if (f.suppressed || f.resource.loc.file != rc.request_file) continue;
    d.rules.emplace_back(f.rule->id);
    std::string line = std::string(f.rule->id) + ": " + f.message;
    if (options.mode == AdmissionMode::Enforce && f.severity >= options.deny_at)
      denials.push_back(line);
    else if (options.mode != AdmissionMode::Audit)  // audit: only the decision log sees it
      d.warnings.push_back(clip(line, 120));
  }
  if (!denials.empty()) {
    d.allowed = false;
    d.message = "ingressguard denied the request:";
    for (const std::string& l : denials) d.message += "\n- " + l;
  }
  return d;
}

std::string encode_response(const AdmissionRequest& request, const Decision& decision) {
  json response = {{"uid", request.uid}, {"allowed", decision.allowed}};
  if (!decision.allowed) response["status"] = {{"code", 403}, {"reason", "Forbidden"}, {"message", decision.message}};
  if (!decision.warnings.empty()) response["warnings"] = decision.warnings;
  json doc = {{"apiVersion", request.api_version}, {"kind", "AdmissionReview"}, {"response", response}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ig
