// The webhook's view of the cluster without sockets: cross-object rules see
// the state loaded from manifests, admitted objects are added, deleted ones
// dropped, and an object is never judged against its own earlier version.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "admission/review.h"
#include "admission/state.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json ingress(const std::string& ns, const std::string& name, const std::string& host, const std::string& service = "web") {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"ingressClassName", "nginx"},
            {"tls", json::array({{{"hosts", {host}}, {"secretName", name + "-tls"}}})},
            {"rules",
             json::array({{{"host", host},
                           {"http",
                            {{"paths", json::array({{{"path", "/"},
                                                     {"pathType", "Prefix"},
                                                     {"backend", {{"service", {{"name", service}, {"port", {{"number", 80}}}}}}}}})}}}}})}}}};
}

ig::AdmissionRequest request(const std::string& op, const json& object, std::string kind = "Ingress",
                             std::string group = "networking.k8s.io") {
  ig::AdmissionRequest r;
  r.api_version = "admission.k8s.io/v1";
  r.uid = "u-" + op;
  r.kind = std::move(kind);
  r.group = std::move(group);
  r.operation = op;
  r.ns = object["metadata"].value("namespace", "");
  r.name = object["metadata"].value("name", "");
  r.object = object.dump();
  return r;
}

bool has_rule(const ig::Decision& d, const std::string& id) {
  return std::find(d.rules.begin(), d.rules.end(), id) != d.rules.end();
}

// A state directory written by the test: one manifest file.
struct StateDir {
  fs::path dir = fs::temp_directory_path() / ("ig-state-" + std::to_string(::getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  explicit StateDir(const std::string& yaml) {
    fs::create_directories(dir);
    std::ofstream(dir / "state.yaml") << yaml;
  }
  ~StateDir() { fs::remove_all(dir); }
  std::shared_ptr<ig::ClusterState> load(std::vector<ig::LoadError>* errors_out = nullptr) {
    std::vector<ig::LoadError> errors;
    auto s = ig::ClusterState::load({dir.string()}, std::nullopt, errors);
    if (errors_out) *errors_out = errors;
    return s;
  }
};

// Shared with server_test.cpp: namespace shop owns shop.example.com.
std::string shop_state() {
  std::ifstream in(fs::path(IG_SOURCE_DIR) / "tests" / "admission" / "shop-state.yaml");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

// Tests that an Ingress claiming a host the state gives to another namespace is denied (IG105), and not without state.
TEST(AdmissionState, HostClaimedByAnotherNamespace) {
  StateDir dir(shop_state());
  auto state = dir.load();
  EXPECT_EQ(state->size(), 3u);
  auto r = request("CREATE", ingress("attacker", "grab", "shop.example.com"));
  ig::Decision d = ig::decide(r, {}, *state);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(has_rule(d, "IG105")) << d.message;
  EXPECT_NE(d.message.find("shop/storefront"), std::string::npos) << d.message;
  EXPECT_FALSE(has_rule(ig::decide(r, {}), "IG105"));
}

// Tests that an UPDATE of an object in the state is not judged against its own earlier version.
TEST(AdmissionState, UpdateDoesNotConflictWithItself) {
  StateDir dir(shop_state());
  auto state = dir.load();
  ig::Decision d = ig::decide(request("UPDATE", ingress("shop", "storefront", "shop.example.com", "storefront")), {}, *state);
  EXPECT_TRUE(d.allowed) << d.message;
  EXPECT_FALSE(has_rule(d, "IG105"));
  EXPECT_FALSE(has_rule(d, "IG106"));
}

// Tests that the state's Services count: a backend Service missing from a namespace the state knows is IG109.
TEST(AdmissionState, MissingBackendServiceInKnownNamespace) {
  StateDir dir(shop_state());
  auto state = dir.load();
  ig::Decision missing = ig::decide(request("CREATE", ingress("shop", "admin", "admin.shop.example.com", "nope")), {}, *state);
  EXPECT_TRUE(has_rule(missing, "IG109")) << missing.message;
  ig::Decision present =
      ig::decide(request("CREATE", ingress("shop", "admin", "admin.shop.example.com", "storefront")), {}, *state);
  EXPECT_FALSE(has_rule(present, "IG109")) << present.message;
}

// Tests that admitted objects join the state, DELETE drops them, and findings on state objects never count.
TEST(AdmissionState, AdmitAndDelete) {
  ig::ClusterState state;
  auto first = request("CREATE", ingress("team-a", "api", "api.example.com"));
  ASSERT_TRUE(ig::decide(first, {}, state).allowed);
  state.admit(first);
  EXPECT_EQ(state.size(), 1u);
  auto second = request("CREATE", ingress("team-b", "api", "api.example.com"));
  ig::Decision d = ig::decide(second, {}, state);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(has_rule(d, "IG105"));
  EXPECT_EQ(std::count(d.rules.begin(), d.rules.end(), "IG105"), 1) << "the state object's own IG105 leaked in";

  ig::AdmissionRequest del;
  del.operation = "DELETE";
  del.kind = "Ingress";
  del.ns = "team-a";
  del.name = "api";
  EXPECT_TRUE(ig::decide(del, {}, state).allowed);
  state.admit(del);
  EXPECT_EQ(state.size(), 0u);
  EXPECT_TRUE(ig::decide(second, {}, state).allowed);
}

// Tests that a host change on UPDATE moves the object in the host index (the old host is free again).
TEST(AdmissionState, UpdateMovesHost) {
  ig::ClusterState state;
  state.admit(request("CREATE", ingress("team-a", "api", "old.example.com")));
  state.admit(request("UPDATE", ingress("team-a", "api", "new.example.com")));
  EXPECT_EQ(state.size(), 1u);
  EXPECT_TRUE(ig::decide(request("CREATE", ingress("team-b", "x", "old.example.com")), {}, state).allowed);
  EXPECT_FALSE(ig::decide(request("CREATE", ingress("team-b", "x", "new.example.com")), {}, state).allowed);
}

// Tests that a second default IngressClass is flagged against the state's default class (IG114), and a plain one is not.
TEST(AdmissionState, SecondDefaultIngressClass) {
  StateDir dir(shop_state());
  auto state = dir.load();
  json cls = {{"apiVersion", "networking.k8s.io/v1"},
              {"kind", "IngressClass"},
              {"metadata", {{"name", "other"}, {"annotations", {{"ingressclass.kubernetes.io/is-default-class", "true"}}}}},
              {"spec", {{"controller", "k8s.io/ingress-nginx"}}}};
  EXPECT_TRUE(has_rule(ig::decide(request("CREATE", cls, "IngressClass"), {}, *state), "IG114"));
  cls["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] = "false";
  EXPECT_FALSE(has_rule(ig::decide(request("CREATE", cls, "IngressClass"), {}, *state), "IG114"));
}

// Tests that a Service made NodePort under an Ingress backend is flagged from the state's Ingress (IG404).
TEST(AdmissionState, NodePortServiceBehindIngress) {
  StateDir dir(shop_state());
  auto state = dir.load();
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "storefront"}, {"namespace", "shop"}}},
              {"spec", {{"type", "NodePort"}, {"selector", {{"app", "storefront"}}}, {"ports", json::array({{{"port", 80}}})}}}};
  ig::Decision d = ig::decide(request("UPDATE", svc, "Service", ""), {}, *state);
  EXPECT_TRUE(has_rule(d, "IG404")) << d.message;
  svc["spec"]["type"] = "ClusterIP";
  EXPECT_FALSE(has_rule(ig::decide(request("UPDATE", svc, "Service", ""), {}, *state), "IG404"));
}

// Tests that a broken state file is reported with its location and the readable objects are kept.
TEST(AdmissionState, LoadErrorsHaveLocations) {
  StateDir dir(shop_state() + "---\nkind: [unclosed\n");
  std::vector<ig::LoadError> errors;
  auto state = dir.load(&errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].file.find("state.yaml"), std::string::npos);
  EXPECT_GT(errors[0].mark.line, 0u);
  EXPECT_EQ(state->size(), 3u);
}
