#include "admission/review.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>

#include "admission/state.h"
#include "load/loader.h"
#include "load/parse.h"
#include "rules/rule.h"

namespace ig {

namespace {

using nlohmann::json;

// Shortens to `n` bytes without cutting a UTF-8 sequence.
std::string clip(std::string s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = n - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

// Keeps nothing: the manifest loader's JSON parser only checks well-formedness
// and its limits (depth, size) before simdjson reads the fields.
class CountingSink : public DocumentSink {
 public:
  void on_document(const Document&) override {}
};

}  // namespace

bool judged_kind(const std::string& group, const std::string& kind) {
  if (group == "networking.k8s.io") return kind == "Ingress" || kind == "IngressClass" || kind == "NetworkPolicy";
  if (group == "extensions") return kind == "Ingress" || kind == "NetworkPolicy";
  if (group.empty()) return kind == "Service" || kind == "ConfigMap" || kind == "Secret";
  // The Gateway API and the other controllers' resources the catalogue reads.
  if (group == "gateway.networking.k8s.io" || group == "gateway.networking.x-k8s.io")
    return kind == "Gateway" || kind == "GatewayClass" || kind == "HTTPRoute" || kind == "GRPCRoute" || kind == "TLSRoute" ||
           kind == "TCPRoute" || kind == "UDPRoute" || kind == "ReferenceGrant" || kind == "BackendTLSPolicy" ||
           kind == "ListenerSet" || kind == "XListenerSet";
  if (group == "traefik.io" || group == "traefik.containo.us")
    return kind == "IngressRoute" || kind == "Middleware" || kind == "TLSOption" || kind == "TLSStore" ||
           kind == "ServersTransport";
  if (group == "projectcontour.io") return kind == "HTTPProxy" || kind == "TLSCertificateDelegation";
  if (group == "networking.istio.io") return kind == "Gateway" || kind == "VirtualService";
  if (group == "security.istio.io")
    return kind == "AuthorizationPolicy" || kind == "PeerAuthentication" || kind == "RequestAuthentication";
  if (group == "gateway.envoyproxy.io")
    return kind == "SecurityPolicy" || kind == "ClientTrafficPolicy" || kind == "BackendTrafficPolicy";
  return false;
}

DecodeResult decode_review(std::string_view body, size_t max_bytes) {
  DecodeResult out;
  if (body.size() > max_bytes) {
    out.http_status = 413;
    out.error = "request body is " + std::to_string(body.size()) + " bytes, over the limit of " + std::to_string(max_bytes);
    return out;
  }
  auto bad = [&](std::string why) {
    out.http_status = 400;
    out.error = std::move(why);
    return out;
  };
  // Well-formedness and nesting limits first, with the manifest loader's parser
  // (it reports where the JSON breaks).
  std::string padded(body);
  padded.reserve(padded.size() + kJsonPadding);
  CountingSink sink;
  if (auto err = parse_json(padded, ParseLimits{}, sink))
    return bad("malformed JSON at " + std::to_string(err->mark.line) + ":" + std::to_string(err->mark.col) + ": " +
               err->message);
  // Then the fields, with simdjson On-Demand; request.object is passed on as
  // its own text, unparsed (the loader reads it with positions).
  namespace od = simdjson::ondemand;
  thread_local od::parser parser;
  od::document doc;
  od::object top;
  if (parser.iterate(padded.data(), padded.size(), padded.capacity()).get(doc) || doc.get_object().get(top))
    return bad("the body is not a JSON object");
  std::string api, kind;
  bool has_request = false;
  AdmissionRequest r;
  auto text = [](od::value v, std::string& into) {
    std::string_view sv;
    if (!v.get_string().get(sv)) into.assign(sv);
  };
  for (auto field : top) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) return bad("the body is not a JSON object");
    if (key == "apiVersion") {
      text(value, api);
    } else if (key == "kind") {
      text(value, kind);
    } else if (key == "request") {
      od::object req;
      if (value.get_object().get(req)) return bad("request is not an object");
      has_request = true;
      for (auto rf : req) {
        std::string_view k;
        od::value v;
        if (rf.unescaped_key().get(k) || rf.value().get(v)) return bad("request is not an object");
        if (k == "uid") {
          text(v, r.uid);
        } else if (k == "kind") {
          od::object gvk;
          if (v.get_object().get(gvk)) continue;
          for (auto g : gvk) {
            std::string_view gk;
            od::value gv;
            if (g.unescaped_key().get(gk) || g.value().get(gv)) break;
            if (gk == "kind") text(gv, r.kind);
            else if (gk == "group") text(gv, r.group);
          }
        } else if (k == "operation") {
          text(v, r.operation);
        } else if (k == "namespace") {
          text(v, r.ns);
        } else if (k == "name") {
          text(v, r.name);
        } else if (k == "dryRun") {
          bool b = false;
          if (!v.get_bool().get(b)) r.dry_run = b;
        } else if (k == "object") {
          od::object o;
          std::string_view raw;
          if (!v.get_object().get(o) && !o.raw_json().get(raw)) r.object.assign(raw);
        }
      }
    }
  }
  if (api != "admission.k8s.io/v1" || kind != "AdmissionReview")
    return bad("expected apiVersion admission.k8s.io/v1, kind AdmissionReview (got \"" + clip(api, 60) + "\")");
  if (!has_request) return bad("the AdmissionReview has no request");
  if (r.uid.empty()) return bad("request.uid is missing");
  if (r.uid.size() > kMaxUidBytes) return bad("request.uid is longer than " + std::to_string(kMaxUidBytes) + " bytes");
  r.api_version = api;
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
  size_t denied = 0, warned = 0;
  for (const Finding& f : run_rules(rc.cluster, settings)) {
    // Findings on the state's objects are not this request's business.
    if (f.suppressed || f.resource.loc.file != rc.request_file) continue;
    ++d.findings;
    if (std::find(d.rules.begin(), d.rules.end(), f.rule->id) == d.rules.end()) d.rules.emplace_back(f.rule->id);
    std::string line = std::string(f.rule->id) + ": " + f.message;
    if (options.mode == AdmissionMode::Enforce && f.severity >= options.deny_at) {
      if (denied++ < kMaxDenialLines) denials.push_back(clip(std::move(line), kMaxDenialLineBytes));
    } else if (options.mode != AdmissionMode::Audit) {  // audit: only the decision log sees it
      if (warned++ < kMaxWarnings) d.warnings.push_back(clip(std::move(line), kMaxWarningBytes));
    }
  }
  if (warned > kMaxWarnings) d.warnings.back() = "and " + std::to_string(warned - kMaxWarnings + 1) + " more findings";
  if (!denials.empty()) {
    d.allowed = false;
    d.message = "ingressguard denied the request:";
    for (const std::string& l : denials) d.message += "\n- " + l;
    if (denied > denials.size()) d.message += "\n- and " + std::to_string(denied - denials.size()) + " more";
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
