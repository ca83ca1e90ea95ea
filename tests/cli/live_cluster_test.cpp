// `scan --cluster` as its user meets it: the real kubectl, configured by a kubeconfig made here (a bearer
// token, the test CA, the API server's name), reads an HTTPS endpoint on 127.0.0.1 that answers as the
// Kubernetes API server does (tests/cli/fake_apiserver.py: discovery, lists paged with `continue`, 403 for a
// forbidden kind; no kube-apiserver can be installed on the test machines).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "load/live_cluster.h"
#include "testing/certgen.h"
#include "testing/process.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

json object(const std::string& api, const std::string& kind, const std::string& ns, const std::string& name) {
  json o = {{"apiVersion", api}, {"kind", kind}, {"metadata", {{"name", name}}}};
  if (!ns.empty()) o["metadata"]["namespace"] = ns;
  return o;
}

json resource(const std::string& group, const std::string& name, const std::string& kind, bool namespaced,
              json items = json::array()) {
  return {{"group", group}, {"version", "v1"}, {"name", name}, {"kind", kind}, {"namespaced", namespaced}, {"items", items}};
}

// A small shop: the ingress-nginx controller with its ConfigMap (snippets allowed), an Ingress without TLS to
// a Deployment (with the ReplicaSet and Pod it owns), a TLS Secret and an Opaque one, no NetworkPolicy.
json shop_cluster() {
  json ns_shop = object("v1", "Namespace", "", "shop");
  json ns_ctl = object("v1", "Namespace", "", "ingress-nginx");
  json web_svc = object("v1", "Service", "shop", "web");
  web_svc["spec"] = {{"selector", {{"app", "web"}}}, {"ports", json::array({{{"port", 80}}})}};
  json ctl_svc = object("v1", "Service", "ingress-nginx", "ingress-nginx-controller");
  ctl_svc["spec"] = {{"type", "LoadBalancer"},
                     {"selector", {{"app.kubernetes.io/name", "ingress-nginx"}}},
                     {"ports", json::array({{{"port", 443}}})}};
  auto pod_template = [](const std::string& app, const std::string& image) {
    return json{{"metadata", {{"labels", {{"app", app}, {"app.kubernetes.io/name", app}}}}},
                {"spec", {{"containers", json::array({{{"name", "c"}, {"image", image}}})}}}};
  };
  json web = object("apps/v1", "Deployment", "shop", "web");
  web["spec"] = {{"selector", {{"matchLabels", {{"app", "web"}}}}}, {"template", pod_template("web", "shop/web:1.0")}};
  json rs = object("apps/v1", "ReplicaSet", "shop", "web-5d8f");
  rs["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}, {"controller", true}}});
  rs["spec"] = {{"selector", {{"matchLabels", {{"app", "web"}}}}}, {"template", pod_template("web", "shop/web:1.0")}};
  json pod = object("v1", "Pod", "shop", "web-5d8f-x2k");
  pod["metadata"]["labels"] = {{"app", "web"}};
  pod["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "web-5d8f"}, {"controller", true}}});
  pod["spec"] = {{"containers", json::array({{{"name", "c"}, {"image", "shop/web:1.0"}}})}};
  json controller = object("apps/v1", "Deployment", "ingress-nginx", "ingress-nginx-controller");
  controller["spec"] = {{"selector", {{"matchLabels", {{"app.kubernetes.io/name", "ingress-nginx"}}}}},
                        {"template", pod_template("ingress-nginx", "registry.k8s.io/ingress-nginx/controller:v1.12.1")}};
  controller["spec"]["template"]["spec"]["containers"][0]["args"] = {"/nginx-ingress-controller",
                                                                      "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"};
  json cm = object("v1", "ConfigMap", "ingress-nginx", "ingress-nginx-controller");
  cm["data"] = {{"allow-snippet-annotations", "true"}};
  json other_cm = object("v1", "ConfigMap", "shop", "settings");
  other_cm["data"] = {{"allow-snippet-annotations", "true"}};
  json opaque = object("v1", "Secret", "shop", "db-password");
  opaque["type"] = "Opaque";
  opaque["data"] = {{"password", "c3VwZXItc2VjcmV0LXZhbHVl"}};
  json ingress = object("networking.k8s.io/v1", "Ingress", "shop", "web");
  ingress["spec"] = {{"ingressClassName", "nginx"},
                     {"rules", json::array({{{"host", "shop.example.com"},
                                             {"http", {{"paths", json::array({{{"path", "/"}, {"pathType", "Prefix"},
                                                                               {"backend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}}}})}}}}})}};
  json klass = object("networking.k8s.io/v1", "IngressClass", "", "nginx");
  klass["spec"] = {{"controller", "k8s.io/ingress-nginx"}};
  return json::array({resource("", "namespaces", "Namespace", false, {ns_shop, ns_ctl}),
                      resource("", "services", "Service", true, {web_svc, ctl_svc}),
                      resource("", "pods", "Pod", true, {pod}),
                      resource("", "secrets", "Secret", true, {opaque}),
                      resource("", "configmaps", "ConfigMap", true, {cm, other_cm}),
                      resource("apps", "deployments", "Deployment", true, {web, controller}),
                      resource("apps", "replicasets", "ReplicaSet", true, {rs}),
                      resource("networking.k8s.io", "ingresses", "Ingress", true, {ingress}),
                      resource("networking.k8s.io", "ingressclasses", "IngressClass", false, {klass}),
                      resource("networking.k8s.io", "networkpolicies", "NetworkPolicy", true)});
}

class LiveCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ig::testing::run_shell("command -v kubectl && command -v python3").code != 0)
      GTEST_SKIP() << "kubectl or python3 missing";
    dir_ = fs::temp_directory_path() / ("ig-live-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ig::testing::CertSpec ca_spec;
    ca_spec.dns_names = {"test cluster CA"};
    ca_spec.ca = true;
    ca_ = ig::testing::make_certificate(ca_spec);
    ig::testing::CertSpec spec;
    spec.dns_names = {"apiserver.test"};
    spec.issuer = &ca_;
    auto serving = ig::testing::make_certificate(spec);
    ig::testing::write_file((dir_ / "tls.crt").string(), serving.cert_pem);
    ig::testing::write_file((dir_ / "tls.key").string(), serving.key_pem);
  }
  void TearDown() override {
    server_.reset();
    // IG_KEEP_LIVE_DIR keeps the fixture, certificates and kubeconfig (to reproduce the docs' examples).
    if (!dir_.empty() && !std::getenv("IG_KEEP_LIVE_DIR")) fs::remove_all(dir_);
  }
  // Starts the endpoint with these resources and writes a kubeconfig for it (context "shop-prod").
  void start(const json& resources) {
    json fixture = {{"token", "audit-token-1"}, {"page_size", 1}, {"resources", resources}};
    std::ofstream(dir_ / "fixture.json") << fixture.dump();
    server_ = std::make_unique<ig::testing::ChildProcess>(
        std::vector<std::string>{"/usr/bin/env", "python3", std::string(IG_SOURCE_DIR) + "/tests/cli/fake_apiserver.py",
                                 (dir_ / "fixture.json").string(), (dir_ / "tls.crt").string(), (dir_ / "tls.key").string()},
        (dir_ / "server.out").string(), (dir_ / "server.log").string());
    auto line = ig::testing::wait_for_line((dir_ / "server.out").string(), "listening", 20s);
    ASSERT_TRUE(line) << ig::testing::read_file((dir_ / "server.log").string());
    std::string port = line->substr(line->find(' ') + 1);
    std::ofstream(dir_ / "kubeconfig")
        << "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://127.0.0.1:" << port
        << "\n    tls-server-name: apiserver.test\n    certificate-authority-data: " << ig::testing::base64(ca_.cert_pem)
        << "\nusers:\n- name: audit\n  user: {token: audit-token-1}\ncontexts:\n- name: shop-prod\n"
           "  context: {cluster: prod, user: audit}\ncurrent-context: shop-prod\n";
  }
  ig::testing::ShellResult scan(const std::string& args) {
    return ig::testing::run_shell("cd " + dir_.string() + " && HOME=" + dir_.string() + " KUBECACHEDIR=" +
                                  (dir_ / "cache").string() + " " + IG_BINARY + " scan --cluster --kubeconfig " +
                                  (dir_ / "kubeconfig").string() + " " + args + " 2>" + (dir_ / "stderr.txt").string());
  }
  std::string server_log() { return ig::testing::read_file((dir_ / "server.log").string()); }
  fs::path dir_;
  ig::testing::KeyPair ca_;
  std::unique_ptr<ig::testing::ChildProcess> server_;
};

const json* finding(const json& doc, const std::string& rule) {
  for (const auto& f : doc["findings"])
    if (f["rule"] == rule) return &f;
  return nullptr;
}

}  // namespace

// Tests a cluster where every kind can be read: one complete unit named after the context, findings that point at
// the live object's list, absence judged (the namespace without NetworkPolicies is a medium claim), pods judged
// through their Deployment, ConfigMaps read only in the controller's namespace, Secrets only of type TLS (the
// Opaque one's value never reaches the output), and every list read page by page.
TEST_F(LiveCluster, CompleteClusterIsOneUnit) {
  start(shop_cluster());
  auto r = scan("--format json --no-policy");
  ASSERT_EQ(r.code, 1) << r.out << ig::testing::read_file((dir_ / "stderr.txt").string());
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["units"], json::array({"cluster://shop-prod"}));
  EXPECT_TRUE(doc["errors"].empty()) << doc["errors"];
  EXPECT_FALSE(doc.contains("notices")) << doc["notices"];
  const json* plain = finding(doc, "IG101");
  ASSERT_TRUE(plain) << r.out;
  // The live object, the line and column in it as `kubectl get ingress web -n shop -o json` prints it, the field.
  EXPECT_EQ((*plain)["location"]["file"], "cluster://shop-prod/shop/Ingress/web");
  EXPECT_EQ((*plain)["location"]["line"], 12);  // {, apiVersion, kind, metadata (3 lines), spec, ingressClassName, rules, {, host
  EXPECT_EQ((*plain)["location"]["column"], 25);
  EXPECT_EQ((*plain)["location"]["path"], ".spec.rules[0].host");
  EXPECT_EQ((*plain)["location"]["value"], "shop.example.com");
  EXPECT_EQ((*plain)["resource"]["name"], "web");
  const json* deny = finding(doc, "IG503");
  ASSERT_TRUE(deny) << r.out;
  EXPECT_EQ((*deny)["severity"], "medium");  // complete input: the claim is made
  EXPECT_NE((*deny)["message"].get<std::string>().find("(web)"), std::string::npos) << (*deny)["message"];
  // The Pod and its ReplicaSet are judged through the Deployment that owns them: one finding, not three.
  size_t open_backends = 0;
  for (const auto& f : doc["findings"])
    if (f["rule"] == "IG502") {
      ++open_backends;
      EXPECT_EQ(f["resource"]["kind"], "Deployment") << f;
    }
  EXPECT_EQ(open_backends, 1u) << r.out;
  const json* snippets = finding(doc, "IG301");
  ASSERT_TRUE(snippets) << r.out;
  EXPECT_EQ((*snippets)["resource"]["namespace"], "ingress-nginx");
  std::string log = server_log();
  EXPECT_NE(log.find("GET /api/v1/namespaces/ingress-nginx/configmaps?"), std::string::npos) << log;
  EXPECT_EQ(log.find("GET /api/v1/configmaps?"), std::string::npos) << "ConfigMaps of every namespace were read";
  EXPECT_NE(log.find("fieldSelector=type%3Dkubernetes.io%2Ftls"), std::string::npos) << log;
  EXPECT_NE(log.find("continue="), std::string::npos) << "lists were not paged";
  EXPECT_EQ(r.out.find("c3VwZXItc2VjcmV0LXZhbHVl"), std::string::npos);
  EXPECT_EQ(r.out.find("db-password"), std::string::npos);
  // One line per finding for log collectors (the scheduled audit's format), the summary last; exit 1 at the
  // threshold so that the Job fails.
  auto lines = scan("--format jsonl --no-policy --fail-on high");
  EXPECT_EQ(lines.code, 1) << lines.out;
  std::istringstream in(lines.out);
  size_t findings = 0;
  json last;
  for (std::string l; std::getline(in, l);) {
    last = json::parse(l);  // every line is one JSON document
    if (last["type"] == "finding") {
      ++findings;
      EXPECT_TRUE(last.contains("rule") && last.contains("location")) << l;
    }
  }
  EXPECT_EQ(findings, doc["findings"].size());
  EXPECT_EQ(last["type"], "summary");
  EXPECT_EQ(last["findings"], doc["findings"].size());
  EXPECT_EQ(last["unit_names"], json::array({"cluster://shop-prod"}));
  auto below = scan("--format jsonl --no-policy --fail-on critical");
  EXPECT_EQ(below.code, 0) << "no critical finding: the Job succeeds";
  // The text report names the unit and the live object.
  auto text = scan("--no-policy --no-color");
  EXPECT_NE(text.out.find("cluster://shop-prod/shop/Ingress/web:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cluster://shop-prod/Namespace/shop:5:17: medium"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("       = field .metadata.name: shop\n"), std::string::npos) << text.out;
}

// Tests an identity that may list Ingresses only namespace by namespace (a Role in each): with -n the kind is read
// in those namespaces, the unit is not complete (the notice says why), and absence is no longer claimed.
TEST_F(LiveCluster, KindForbiddenClusterWideIsReadInTheNamedNamespaces) {
  json resources = shop_cluster();
  for (auto& r : resources)
    if (r["name"] == "ingresses") r["forbidden"] = "cluster-scope";
  start(resources);
  auto without = scan("--format json --no-policy");
  json w = json::parse(without.out);
  EXPECT_FALSE(finding(w, "IG101")) << "Ingresses could not be read: nothing to say of them";
  EXPECT_NE(w["notices"].dump().find("cannot read ingresses.networking.k8s.io (forbidden:"), std::string::npos) << w["notices"];
  auto r = scan("--format json --no-policy -n shop");
  json doc = json::parse(r.out);
  const json* plain = finding(doc, "IG101");
  ASSERT_TRUE(plain) << r.out;
  EXPECT_EQ((*plain)["location"]["file"], "cluster://shop-prod/shop/Ingress/web");
  std::string notices = doc["notices"].dump();
  EXPECT_NE(notices.find("ingresses.networking.k8s.io read only in the namespaces given with --namespace"), std::string::npos)
      << notices;
  EXPECT_EQ(notices.find("cannot read ingresses"), std::string::npos) << notices;
  EXPECT_TRUE(finding(json::parse(scan("--format json --no-policy").out), "IG101") == nullptr);
  // IG508 speaks only of complete input (every namespace's policies known): here it is silent.
  EXPECT_FALSE(finding(doc, "IG508")) << r.out;
  EXPECT_NE(server_log().find("GET /apis/networking.k8s.io/v1/namespaces/shop/ingresses?"), std::string::npos);
  EXPECT_EQ(ig::testing::run_shell(std::string(IG_BINARY) + " scan --cluster -A --help").code, 0);
}

// Tests that a finding on a live TLS Secret (an expired certificate) points at its field but never echoes its
// value: neither the certificate nor the key reaches any output.
TEST_F(LiveCluster, SecretFieldsAreNamedNeverEchoed) {
  ig::testing::CertSpec spec;
  spec.dns_names = {"api.example.com"};
  spec.not_before_days = -60;
  spec.not_after_days = -2;
  auto expired = ig::testing::make_certificate(spec);
  json tls = object("v1", "Secret", "shop", "api-tls");
  tls["type"] = "kubernetes.io/tls";
  std::string crt = ig::testing::base64(expired.cert_pem), key = ig::testing::base64(expired.key_pem);
  tls["data"] = {{"tls.crt", crt}, {"tls.key", key}};
  json api = object("networking.k8s.io/v1", "Ingress", "shop", "api");
  api["spec"] = {{"ingressClassName", "nginx"},
                 {"tls", json::array({{{"hosts", {"api.example.com"}}, {"secretName", "api-tls"}}})},
                 {"rules", json::array({{{"host", "api.example.com"},
                                         {"http", {{"paths", json::array({{{"path", "/"}, {"pathType", "Prefix"},
                                                                           {"backend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}}}})}}}}})}};
  json resources = shop_cluster();
  for (auto& r : resources) {
    if (r["name"] == "secrets") r["items"].push_back(tls);
    if (r["name"] == "ingresses") r["items"].push_back(api);
  }
  start(resources);
  auto r = scan("--format json --no-policy");
  json doc = json::parse(r.out);
  bool on_secret = false;
  for (const auto& f : doc["findings"]) {
    if (f["resource"]["kind"] != "Secret") continue;
    on_secret = true;
    EXPECT_EQ(f["location"]["file"], "cluster://shop-prod/shop/Secret/api-tls") << f;
    EXPECT_FALSE(f["location"].contains("value")) << f;
  }
  EXPECT_TRUE(on_secret) << "no finding on the expired certificate: " << r.out;
  for (const auto& text : {r.out, scan("--no-policy --no-color").out, scan("--format jsonl --no-policy").out}) {
    EXPECT_EQ(text.find(crt.substr(0, 40)), std::string::npos);
    EXPECT_EQ(text.find(key.substr(0, 40)), std::string::npos);
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  }
}

// Tests a cluster whose NetworkPolicies the audit identity may not list (403): the kind is named with the API
// server's reason, the unit is not complete, and no NetworkPolicy finding is claimed from what could not be read.
TEST_F(LiveCluster, ForbiddenKindIsNamedAndNotJudged) {
  json resources = shop_cluster();
  for (auto& r : resources)
    if (r["name"] == "networkpolicies") r["forbidden"] = true;
  start(resources);
  auto r = scan("--format json --no-policy");
  ASSERT_EQ(r.code, 1) << r.out;
  json doc = json::parse(r.out);
  ASSERT_TRUE(doc.contains("notices")) << r.out;
  std::string notices = doc["notices"].dump();
  EXPECT_NE(notices.find("cannot read networkpolicies.networking.k8s.io (forbidden:"), std::string::npos) << notices;
  EXPECT_NE(notices.find("NetworkPolicy rules not checked"), std::string::npos) << notices;
  EXPECT_FALSE(finding(doc, "IG503")) << "a claim about NetworkPolicies that could not be read";
  EXPECT_FALSE(finding(doc, "IG502"));
  EXPECT_TRUE(finding(doc, "IG101"));  // what does not depend on them is still judged
}

// Tests the errors a user meets: an unreachable cluster (a wrong token is refused by the endpoint) is an input
// error with kubectl's reason and exit code 2, and --cluster with paths is refused.
TEST_F(LiveCluster, UnreachableClusterAndMisuse) {
  start(shop_cluster());
  std::string config = ig::testing::read_file((dir_ / "kubeconfig").string());
  config.replace(config.find("audit-token-1"), 13, "wrong-token-0");
  ig::testing::write_file((dir_ / "kubeconfig").string(), config);
  auto r = scan("--format json --no-policy");
  EXPECT_EQ(r.code, 2) << r.out;
  json doc = json::parse(r.out);
  ASSERT_FALSE(doc["errors"].empty()) << r.out;
  EXPECT_NE(doc["errors"][0]["message"].get<std::string>().find("cannot read the cluster's API resources"), std::string::npos)
      << doc["errors"];
  auto both = ig::testing::run_shell(std::string(IG_BINARY) + " scan --cluster examples/demo 2>&1");
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.out.find("give it without paths"), std::string::npos) << both.out;
}

// Tests the scheduled audit (deploy/audit): it renders offline with the real kubectl, our own scan of it is clean,
// the CronJob runs the live scan with one JSON line per finding and fails at high, its pods run restricted, its
// NetworkPolicy lets it reach only the API server's addresses, and its ClusterRole is read-only and covers every
// kind the live scan reads (Secrets only in the tls-secrets variant, and only `list`).
TEST(LiveClusterAudit, DeployRendersScansCleanAndGrantsOnlyWhatIsRead) {
  if (ig::testing::run_shell("command -v kubectl").code != 0) GTEST_SKIP() << "kubectl missing";
  std::string src = IG_SOURCE_DIR;
  for (const char* variant : {"deploy/audit", "deploy/audit/tls-secrets"}) {
    auto rendered = ig::testing::run_shell("kubectl kustomize " + src + "/" + variant);
    ASSERT_EQ(rendered.code, 0) << variant;
    fs::path file = fs::temp_directory_path() / ("ig-audit-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(file) << rendered.out;
    auto scan = ig::testing::run_shell(std::string(IG_BINARY) + " scan --no-policy --format json " + file.string());
    json doc = json::parse(scan.out);
    fs::remove(file);
    EXPECT_EQ(scan.code, 0) << variant << scan.out;
    EXPECT_EQ(doc["findings"].size(), 0u) << variant << scan.out;
    EXPECT_EQ(doc["summary"]["objects"], std::string(variant) == "deploy/audit" ? 6 : 8) << scan.out;
    const std::string& y = rendered.out;
    for (const char* expected : {"args:\n            - scan\n            - --cluster\n            - --format=jsonl\n            - --fail-on=high",
                                 "pod-security.kubernetes.io/enforce: restricted", "readOnlyRootFilesystem: true",
                                 "runAsNonRoot: true", "- ALL", "concurrencyPolicy: Forbid", "cidr: 10.0.0.0/8",
                                 "port: 6443", "serviceAccountName: ingressguard-audit"})
      EXPECT_NE(y.find(expected), std::string::npos) << variant << ": " << expected;
    EXPECT_EQ(y.find("API_SERVER_CIDR"), std::string::npos) << "the site parameter was not substituted";
    EXPECT_EQ(y.find("ingressguard-audit-params"), std::string::npos) << "the local parameters were rendered";
    for (const char* verb : {"watch", "create", "update", "patch", "delete", "\"*\"", "- '*'"})
      EXPECT_EQ(y.find(verb), std::string::npos) << variant << " grants " << verb;
    // Every kind the live scan reads is granted, as `group` + resource.
    for (const std::string& resource : ig::live_cluster_resources()) {
      size_t dot = resource.find('.');
      std::string name = resource.substr(0, dot), group = dot == std::string::npos ? "" : resource.substr(dot + 1);
      if (name == "secrets") {
        bool granted = y.find("resources:\n  - secrets\n  verbs:\n  - list\n") != std::string::npos;
        EXPECT_EQ(granted, std::string(variant) != "deploy/audit") << variant;
        continue;
      }
      // The rule for the group lists the resource.
      std::string group_line = "- apiGroups:\n  - " + (group.empty() ? std::string("\"\"") : group) + "\n  resources:\n";
      size_t at = y.find(group_line);
      ASSERT_NE(at, std::string::npos) << variant << ": no rule for group '" << group << "'";
      size_t end = y.find("verbs:", at);
      EXPECT_NE(y.substr(at, end - at).find("  - " + name + "\n"), std::string::npos) << variant << ": " << resource;
    }
  }
}
