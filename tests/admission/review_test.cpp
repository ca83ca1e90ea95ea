// The AdmissionReview contract without sockets: decoding (limits, malformed
// and foreign reviews), the decision (enforce, warn, DELETE, kinds outside the
// catalogue) and the response (uid echo, status 403, warnings <= 120 chars, no patch).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "admission/review.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kCorpus = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "corpus" / "admission";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string review(const json& request) {
  return json{{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}}.dump();
}

json ingress_request(const std::string& uid, const std::string& op, json object) {
  return {{"uid", uid},
          {"kind", {{"group", "networking.k8s.io"}, {"version", "v1"}, {"kind", "Ingress"}}},
          {"resource", {{"group", "networking.k8s.io"}, {"version", "v1"}, {"resource", "ingresses"}}},
          {"operation", op},
          {"namespace", "shop"},
          {"name", "web"},
          {"object", object}};
}

json plain_ingress(const std::string& annotation_key = "", const std::string& annotation_value = "") {
  json o = {{"apiVersion", "networking.k8s.io/v1"},
            {"kind", "Ingress"},
            {"metadata", {{"name", "web"}}},
            {"spec",
             {{"ingressClassName", "nginx"},
              {"tls", json::array({{{"hosts", {"shop.example.com"}}, {"secretName", "t"}}})},
              {"rules", json::array({{{"host", "shop.example.com"}}})}}}};
  if (!annotation_key.empty()) o["metadata"]["annotations"][annotation_key] = annotation_value;
  return o;
}

}  // namespace

// Tests a real Kubewarden Ingress request (wildcard host, no TLS): denied in enforce mode with rule IDs, uid echoed.
TEST(Admission, KubewardenRequestDenied) {
  fs::path f = kCorpus / "kubewarden-ingress-policy" / "ingress-wildcard.request.json";
  if (!fs::exists(f)) GTEST_SKIP() << "admission corpus not found";
  json request = json::parse(read(f));
  auto decoded = ig::decode_review(review(request));
  ASSERT_TRUE(decoded.request) << decoded.error;
  EXPECT_EQ(decoded.request->uid, "1299d386-525b-4032-98ae-1949f69f9cfc");
  ig::Decision d = ig::decide(*decoded.request, {});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.message.find("IG101"), std::string::npos);
  json response = json::parse(ig::encode_response(*decoded.request, d));
  EXPECT_EQ(response["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(response["kind"], "AdmissionReview");
  EXPECT_EQ(response["response"]["uid"], "1299d386-525b-4032-98ae-1949f69f9cfc");
  EXPECT_EQ(response["response"]["allowed"], false);
  EXPECT_EQ(response["response"]["status"]["code"], 403);
  EXPECT_FALSE(response["response"].contains("patch"));
  EXPECT_FALSE(response["response"].contains("patchType"));
}

// Tests the Kubernetes wire-format fixture: decoded, its kind is not ours, so it is allowed.
TEST(Admission, KubernetesFixtureAllowed) {
  fs::path f = kCorpus / "kubernetes-api-testdata" / "admission.k8s.io.v1.AdmissionReview.json";
  if (!fs::exists(f)) GTEST_SKIP() << "admission corpus not found";
  auto decoded = ig::decode_review(read(f));
  ASSERT_TRUE(decoded.request) << decoded.error;
  ig::Decision d = ig::decide(*decoded.request, {});
  EXPECT_TRUE(d.allowed);
  json response = json::parse(ig::encode_response(*decoded.request, d));
  EXPECT_EQ(response["response"]["uid"], decoded.request->uid);
}

// Tests bad bodies: legacy v1beta1 review, malformed JSON with its position, deep nesting, oversized, no uid.
TEST(Admission, BadBodiesAreClearErrors) {
  fs::path legacy = kCorpus / "kubewarden-ingress-policy" / "admission-review.sample.json";
  if (fs::exists(legacy)) {
    auto r = ig::decode_review(read(legacy));
    EXPECT_FALSE(r.request);
    EXPECT_EQ(r.http_status, 400);
    EXPECT_NE(r.error.find("admission.k8s.io/v1"), std::string::npos);
  }
  auto malformed = ig::decode_review("{\"apiVersion\": \"admission.k8s.io/v1\",\n \"kind\": }");
  EXPECT_EQ(malformed.http_status, 400);
  EXPECT_NE(malformed.error.find("2:"), std::string::npos) << malformed.error;
  auto deep = ig::decode_review(std::string(20000, '[') + std::string(20000, ']'));
  EXPECT_EQ(deep.http_status, 400);
  auto big = ig::decode_review(std::string(100, ' '), 50);
  EXPECT_EQ(big.http_status, 413);
  auto no_uid = ig::decode_review(review({{"operation", "CREATE"}}));
  EXPECT_EQ(no_uid.http_status, 400);
  EXPECT_EQ(ig::decode_review("[]").http_status, 400);
  // A uid is echoed in the response and the log: one longer than any the API server sends is refused.
  auto long_uid = ig::decode_review(review(ingress_request(std::string(2 << 20, 'u'), "CREATE", plain_ingress())));
  EXPECT_EQ(long_uid.http_status, 400);
  EXPECT_LT(long_uid.error.size(), 200u);
}

// Tests the finding-amplification attack: an Ingress whose findings number in the hundreds (500
// repeated annotation keys, each weakening a setting) gets a bounded answer: at most 20 warnings of
// at most 120 bytes, the last counting the rest, at most 20 denial lines, distinct rule IDs.
TEST(Admission, ManyFindingsGiveABoundedAnswer) {
  json o = plain_ingress();
  std::string object = o.dump();
  std::string annotations = R"("annotations":{)";
  for (int i = 0; i < 500; ++i) {
    annotations += R"("nginx.ingress.kubernetes.io/ssl-redirect":"false",)";
    annotations += R"("nginx.ingress.kubernetes.io/k)" + std::to_string(i) + R"(":"1",)";
    annotations += R"("nginx.ingress.kubernetes.io/k)" + std::to_string(i) + R"(":"2",)";
  }
  annotations += R"("x":"y"},)";
  object.insert(object.find(R"("name":"web")"), annotations);
  std::string body = review(ingress_request("amp-1", "CREATE", json::object()));
  body.replace(body.find(R"("object":{})"), 11, R"("object":)" + object);
  auto decoded = ig::decode_review(body);
  ASSERT_TRUE(decoded.request) << decoded.error;

  ig::Decision warn = ig::decide(*decoded.request, {.mode = ig::AdmissionMode::Warn});
  EXPECT_TRUE(warn.allowed);
  EXPECT_GT(warn.findings, 60u);
  ASSERT_EQ(warn.warnings.size(), ig::kMaxWarnings);
  for (const std::string& w : warn.warnings) EXPECT_LE(w.size(), ig::kMaxWarningBytes) << w;
  EXPECT_EQ(warn.warnings.back(), "and " + std::to_string(warn.findings - ig::kMaxWarnings + 1) + " more findings");
  std::vector<std::string> ids = warn.rules;
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "rule IDs repeat";
  std::string response = ig::encode_response(*decoded.request, warn);
  EXPECT_LT(response.size(), 8192u) << response.size();

  // Enforce with every finding denying: at most 20 lines and the count of the rest.
  ig::Decision deny = ig::decide(*decoded.request, {.mode = ig::AdmissionMode::Enforce, .deny_at = ig::Severity::Info});
  EXPECT_FALSE(deny.allowed);
  size_t lines = static_cast<size_t>(std::count(deny.message.begin(), deny.message.end(), '\n'));
  EXPECT_EQ(lines, ig::kMaxDenialLines + 1) << deny.message;
  EXPECT_NE(deny.message.find("\n- and " + std::to_string(deny.findings - ig::kMaxDenialLines) + " more"), std::string::npos);
  EXPECT_LT(ig::encode_response(*decoded.request, deny).size(), 16384u);
}

// Tests the modes and operations: enforce denies at the threshold, warn allows with short warnings, DELETE is allowed.
TEST(Admission, ModesOperationsAndWarnings) {
  std::string snippet_review = review(ingress_request("u-1", "CREATE",
      plain_ingress("nginx.ingress.kubernetes.io/configuration-snippet", "more_set_headers \"X: " + std::string(300, 'a') + "\";")));
  auto decoded = ig::decode_review(snippet_review);
  ASSERT_TRUE(decoded.request) << decoded.error;
  EXPECT_EQ(decoded.request->ns, "shop");
  ig::Decision enforce = ig::decide(*decoded.request, {});
  EXPECT_FALSE(enforce.allowed);
  EXPECT_NE(enforce.message.find("IG201"), std::string::npos);

  ig::AdmissionOptions warn;
  warn.mode = ig::AdmissionMode::Warn;
  ig::Decision warned = ig::decide(*decoded.request, warn);
  EXPECT_TRUE(warned.allowed);
  ASSERT_FALSE(warned.warnings.empty());
  for (const std::string& w : warned.warnings) EXPECT_LE(w.size(), 120u) << w;

  auto del = ig::decode_review(review(ingress_request("u-2", "DELETE", nullptr)));
  ASSERT_TRUE(del.request);
  EXPECT_TRUE(ig::decide(*del.request, {}).allowed);

  json dry = ingress_request("u-3", "UPDATE", plain_ingress());
  dry["dryRun"] = true;
  auto dry_decoded = ig::decode_review(review(dry));
  ASSERT_TRUE(dry_decoded.request);
  EXPECT_TRUE(dry_decoded.request->dry_run);
  ig::Decision clean = ig::decide(*dry_decoded.request, {});
  EXPECT_TRUE(clean.allowed) << clean.message;
  json response = json::parse(ig::encode_response(*dry_decoded.request, clean));
  EXPECT_EQ(response["response"]["allowed"], true);
  EXPECT_FALSE(response["response"].contains("status"));
}

// Tests a Gateway API object through the webhook: a Gateway whose listener admits routes from every
// namespace is denied in enforce mode with IG1001; the same Gateway admitting its own namespace passes.
TEST(Admission, GatewayListenerFromAllDenied) {
  json gateway = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                  {"kind", "Gateway"},
                  {"metadata", {{"name", "public"}, {"namespace", "infra"}}},
                  {"spec",
                   {{"gatewayClassName", "eg"},
                    {"listeners", json::array({{{"name", "https"},
                                                {"protocol", "HTTPS"},
                                                {"port", 443},
                                                {"hostname", "shop.example.com"},
                                                {"tls", {{"certificateRefs", json::array({{{"name", "shop-tls"}}})}}},
                                                {"allowedRoutes", {{"namespaces", {{"from", "All"}}}}}}})}}}};
  json request = {{"uid", "gw-1"},
                  {"kind", {{"group", "gateway.networking.k8s.io"}, {"version", "v1"}, {"kind", "Gateway"}}},
                  {"resource", {{"group", "gateway.networking.k8s.io"}, {"version", "v1"}, {"resource", "gateways"}}},
                  {"operation", "CREATE"},
                  {"namespace", "infra"},
                  {"name", "public"},
                  {"object", gateway}};
  auto decoded = ig::decode_review(review(request));
  ASSERT_TRUE(decoded.request) << decoded.error;
  ig::Decision d = ig::decide(*decoded.request, {});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.message.find("IG1001"), std::string::npos) << d.message;
  gateway["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["from"] = "Same";
  request["object"] = gateway;
  auto same = ig::decode_review(review(request));
  ASSERT_TRUE(same.request);
  EXPECT_TRUE(ig::decide(*same.request, {}).allowed);
  // The object as the API server sends it on CREATE may carry no namespace: the request's applies, so a
  // certificate in the Gateway's own namespace ("infra") is not taken for a cross-namespace reference.
  gateway["metadata"].erase("namespace");
  gateway["spec"]["listeners"][0]["tls"]["certificateRefs"][0]["namespace"] = "infra";
  request["object"] = gateway;
  auto bare = ig::decode_review(review(request));
  ASSERT_TRUE(bare.request);
  ig::Decision d2 = ig::decide(*bare.request, {});
  EXPECT_TRUE(d2.allowed);
  for (const std::string& w : d2.warnings) EXPECT_EQ(w.find("IG1012"), std::string::npos) << w;
}
