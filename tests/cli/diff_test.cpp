// `ingressguard diff` as a reviewer meets it: real git repositories made here, commits made by the test with
// the git CLI, the real binary reading them (through libgit2) and kubectl rendering kustomize overlays.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/certgen.h"
#include "testing/process.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A repository in a fresh temporary directory; files written and committed by the test.
class Repo {
 public:
  explicit Repo(const std::string& name) : dir_(fs::temp_directory_path() / name) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    git("init -q -b main");
    git("config user.email test@example.com");
    git("config user.name test");
  }
  ~Repo() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }
  void write(const std::string& path, const std::string& text) {
    fs::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path) << text;
  }
  ig::testing::ShellResult git(const std::string& args) {
    auto r = ig::testing::run_shell("cd " + dir_.string() + " && git " + args + " 2>&1");
    EXPECT_EQ(r.code, 0) << "git " << args << ": " << r.out;
    return r;
  }
  void commit(const std::string& message) {
    git("add -A");
    git("commit -q -m '" + message + "'");
  }
  // `ingressguard diff ARGS` run in the repository; stderr kept apart unless asked for.
  ig::testing::ShellResult diff(const std::string& args, bool with_stderr = false) {
    return ig::testing::run_shell("cd " + dir_.string() + " && " + IG_BINARY + " diff --no-color " + args +
                                  (with_stderr ? " 2>&1" : " 2>/dev/null"));
  }
  json diff_json(const std::string& args) {
    auto r = diff(args + " --format json");
    EXPECT_TRUE(r.code == 0 || r.code == 1) << r.code << r.out;
    return json::parse(r.out, nullptr, false);
  }

 private:
  fs::path dir_;
};

const char* kShop = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8
spec:
  ingressClassName: nginx
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.4.2
        ports:
        - containerPort: 8080
)";

const char* kPolicy = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: ingress-nginx
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

const json* change_of(const json& doc, const std::string& kind) {
  for (const json& c : doc["changes"])
    if (c["change"] == kind) return &c;
  return nullptr;
}

}  // namespace

// A pull request that removes an Ingress's allowlist: the path lost a protection, which is the headline, and
// the exit status fails the check (high is above the default --fail-on medium).
TEST(Diff, RemovedAllowlistIsTheHeadline) {
  Repo repo("ig_diff_allowlist");
  repo.write("deploy/shop.yaml", std::string(kShop) + "---\n" + kPolicy);
  repo.commit("shop");
  repo.git("checkout -q -b no-allowlist");
  repo.write("deploy/shop.yaml",
             replaced(std::string(kShop) + "---\n" + kPolicy,
                      "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n", ""));
  repo.commit("drop the allowlist");

  auto text = repo.diff("main no-allowlist");
  EXPECT_EQ(text.code, 1) << text.out;
  EXPECT_NE(text.out.find("high     path-changed         shop.example.com/ (ingress-class nginx) -> shop/web"),
            std::string::npos) << text.out;
  EXPECT_NE(text.out.find("lost allowlist (protection level 2 -> 1)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("at deploy/shop.yaml:1"), std::string::npos) << text.out;

  json doc = repo.diff_json("main no-allowlist");
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["summary"]["paths_changed"], 1);
  EXPECT_EQ(doc["summary"]["paths_added"], 0);
  EXPECT_EQ(doc["summary"]["highest"], "high");
  const json* c = change_of(doc, "path-changed");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->at("lost"), json::array({"allowlist"}));
  EXPECT_EQ(c->at("base")["protections"], json::array({"tls", "https-redirect", "allowlist"}));
  EXPECT_EQ(c->at("head")["protections"], json::array({"tls", "https-redirect"}));
  EXPECT_EQ(doc["base"]["commit"].get<std::string>().size(), 40u);

  auto md = repo.diff("main no-allowlist --format markdown");
  EXPECT_NE(md.out.find("**high:** shop.example.com/ (ingress-class nginx) -&gt; shop/web: lost allowlist"),
            std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| high | path-changed |"), std::string::npos) << md.out;
  // The weakened path drawn small for the comment (a Mermaid flowchart, as GitHub renders it).
  EXPECT_NE(md.out.find("```mermaid\nflowchart LR\n  internet((Internet))\n  internet --> e0[\"ingress-class nginx\"]\n"
                        "  e0 --> r0[\"shop.example.com/<br/>lost allowlist\"]:::lost --> s0[\"shop/web\"]\n"),
            std::string::npos) << md.out;

  // Reversed, the same change gains the allowlist: nothing is lost, so the check passes.
  auto back = repo.diff("no-allowlist main");
  EXPECT_EQ(back.code, 0) << back.out;
  EXPECT_NE(back.out.find("gained allowlist"), std::string::npos) << back.out;
}

// A pull request that makes a Service a LoadBalancer opens a path from outside that bypasses the Ingress.
TEST(Diff, AddedLoadBalancerIsANewPath) {
  Repo repo("ig_diff_lb");
  repo.write("deploy/shop.yaml", std::string(kShop) + "---\n" + kPolicy);
  repo.commit("shop");
  repo.write("deploy/shop.yaml", replaced(std::string(kShop) + "---\n" + kPolicy, "spec:\n  selector:\n    app: web\n",
                                          "spec:\n  type: LoadBalancer\n  selector:\n    app: web\n"));
  // The work tree against the last commit (no HEAD argument).
  json doc = repo.diff_json("HEAD");
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["head"]["label"], "work tree");
  const json* added = nullptr;  // a LoadBalancer is also reachable on its node ports: two paths
  for (const json& c : doc["changes"])
    if (c["change"] == "path-added" && c["head"]["entry"]["kind"] == "load-balancer") added = &c;
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->at("head")["entry"]["kind"], "load-balancer");
  EXPECT_EQ(added->at("head")["entry"]["name"], "shop/web");
  EXPECT_EQ(added->at("severity"), "medium");  // no TLS and no access control on the new path
  EXPECT_EQ(added->at("file"), "deploy/shop.yaml");
  EXPECT_EQ(added->at("line"), 25);
  // The rules see it too: the LoadBalancer bypasses the Ingress (IG404, high), located in the work tree's file.
  bool bypass = false;
  for (const json& f : doc["findings"]["introduced"])
    if (f["rule"] == "IG404" && f["resource"]["name"] == "web") bypass = f["file"] == "deploy/shop.yaml" && f["severity"] == "high";
  EXPECT_TRUE(bypass) << doc["findings"].dump(2);
  EXPECT_EQ(doc["findings"]["fixed"].size(), 0u);
  EXPECT_EQ(repo.diff("HEAD").code, 1);
  EXPECT_EQ(repo.diff("HEAD --fail-on critical").code, 0);
}

// A pull request that widens a NetworkPolicy: the backend may now be reached from every namespace.
TEST(Diff, WidenedNetworkPolicyIsReported) {
  Repo repo("ig_diff_netpol");
  repo.write("deploy/shop.yaml", kShop);
  repo.write("deploy/policy.yaml", kPolicy);
  repo.write("deploy/other.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
  namespace: jobs
spec:
  selector:
    matchLabels: {app: batch}
  template:
    metadata:
      labels: {app: batch}
    spec:
      containers:
      - name: batch
        image: registry.example.com/batch:2.0.0
---
apiVersion: v1
kind: Namespace
metadata:
  name: jobs
  labels: {team: data}
)");
  repo.commit("shop");
  repo.write("deploy/policy.yaml",
             replaced(kPolicy, "    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n",
                      "    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n"
                      "    - namespaceSelector:\n        matchLabels:\n          team: data\n"));
  json doc = repo.diff_json("HEAD");
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["summary"]["reach_widened"], 1) << doc.dump(2);
  const json* widened = change_of(doc, "reach-widened");
  ASSERT_NE(widened, nullptr);
  EXPECT_EQ(widened->at("subject"), "shop/web[Deployment]");
  EXPECT_EQ(widened->at("summary"), "reachable from more: 1 workload(s) of namespace jobs");
  EXPECT_EQ(widened->at("gained"), json::array({"jobs/batch[Deployment]: all connections (was none)"}));
  EXPECT_EQ(widened->at("severity"), "low");
  EXPECT_EQ(widened->at("file"), "deploy/policy.yaml");

  // Opened to every namespace: the path loses its isolation and the reach from any namespace widens.
  repo.write("deploy/policy.yaml", replaced(kPolicy, "    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n",
                                            "    - namespaceSelector: {}\n"));
  doc = repo.diff_json("HEAD");
  const json* any = nullptr;
  for (const json& c : doc["changes"])
    if (c["change"] == "reach-widened" && c["summary"] == "reachable from more: any namespace") any = &c;
  ASSERT_NE(any, nullptr) << doc.dump(2);
  EXPECT_EQ(any->at("severity"), "medium");
  const json* path = change_of(doc, "path-changed");
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(path->at("lost"), json::array({"network-isolation"}));
}

// Moving files, splitting one into two and reordering documents changes nothing: no path, no finding.
TEST(Diff, MovedAndReorderedFilesShowNoChange) {
  Repo repo("ig_diff_move");
  // A finding on both sides (an Ingress without TLS) that must match across the move.
  std::string plain = replaced(kShop, "  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n", "");
  repo.write("deploy/shop.yaml", plain + "---\n" + kPolicy);
  repo.commit("shop");
  repo.git("checkout -q -b reorganised");
  fs::remove(repo.dir() / "deploy/shop.yaml");
  size_t split = plain.find("---\napiVersion: apps/v1");
  ASSERT_NE(split, std::string::npos);
  repo.write("k8s/shop/policy.yaml", std::string(kPolicy) + "---\n" + plain.substr(split + 4));
  repo.write("k8s/shop/ingress.yaml", "# moved here\n\n" + plain.substr(0, split));
  repo.commit("move and split");
  auto r = repo.diff("main reorganised");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Attack surface: unchanged"), std::string::npos) << r.out;
  json doc = repo.diff_json("main reorganised");
  EXPECT_EQ(doc["changes"].size(), 0u) << doc.dump(2);
  EXPECT_EQ(doc["findings"]["introduced"].size(), 0u) << doc.dump(2);
  EXPECT_EQ(doc["findings"]["fixed"].size(), 0u);
  EXPECT_GT(doc["summary"]["findings_unchanged"].get<int>(), 0);
}

// A kustomize overlay: the base stays, the overlay's patch trades its rate limit for an allowlist that lets
// every address in. The unit is the rendered overlay on both sides; the path is shown at the Ingress's own
// definition, in the base the overlay renders.
TEST(Diff, KustomizeOverlayChange) {
  Repo repo("ig_diff_kustomize");
  repo.write("base/shop.yaml", kShop);
  repo.write("base/kustomization.yaml", "resources:\n- shop.yaml\n");
  repo.write("overlays/prod/kustomization.yaml", "resources:\n- ../../base\npatches:\n- path: ingress.yaml\n");
  auto patch = [](const std::string& annotation) {
    return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n"
           "  annotations:\n    nginx.ingress.kubernetes.io/" + annotation + "\n";
  };
  repo.write("overlays/prod/ingress.yaml", patch("limit-rps: \"10\""));
  repo.commit("overlay");
  repo.write("overlays/prod/ingress.yaml", patch("whitelist-source-range: 0.0.0.0/0"));
  json doc = repo.diff_json("HEAD --path overlays/prod");
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["units"], json::array({"overlays/prod"})) << doc.dump(2);
  const json* c = change_of(doc, "path-changed");
  ASSERT_NE(c, nullptr) << doc.dump(2);
  EXPECT_EQ(c->at("lost"), json::array({"allowlist", "rate-limit"}));
  EXPECT_EQ(c->at("severity"), "high");
  EXPECT_EQ(c->at("file"), "base/shop.yaml");
  EXPECT_EQ(c->at("line"), 1);
}

// A TLS Secret replaced by a certificate that expires sooner, has a weaker key and no longer covers the host
// an Ingress serves with it. No byte of the key or certificate is printed.
TEST(Diff, WeakerCertificate) {
  Repo repo("ig_diff_cert");
  auto secret = [](const ig::testing::KeyPair& kp) {
    return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-tls\n  namespace: shop\ntype: kubernetes.io/tls\ndata:\n"
           "  tls.crt: " + ig::testing::base64(kp.cert_pem) + "\n  tls.key: " + ig::testing::base64(kp.key_pem) + "\n";
  };
  ig::testing::CertSpec good;
  good.dns_names = {"shop.example.com"};
  good.not_after_days = 300;
  good.key = "rsa:3072";
  auto strong = ig::testing::make_certificate(good);
  repo.write("deploy/shop.yaml", std::string(kShop) + "---\n" + secret(strong));
  repo.commit("shop");
  ig::testing::CertSpec bad = good;
  bad.dns_names = {"www.example.com"};
  bad.not_after_days = 200;
  bad.key = "rsa:2048";
  auto weak = ig::testing::make_certificate(bad);
  repo.write("deploy/shop.yaml", std::string(kShop) + "---\n" + secret(weak));
  auto r = repo.diff("HEAD --format json");
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  const json* c = change_of(doc, "certificate-weakened");
  ASSERT_NE(c, nullptr) << doc.dump(2);
  EXPECT_EQ(c->at("subject"), "Secret shop/shop-tls");
  EXPECT_EQ(c->at("severity"), "high");
  ASSERT_EQ(c->at("lost").size(), 3u);
  EXPECT_NE(c->at("lost")[0].get<std::string>().find("expires "), std::string::npos);
  EXPECT_EQ(c->at("lost")[1], "key RSA 2048 bits (was RSA 3072)");
  EXPECT_EQ(c->at("lost")[2], "no longer covers shop.example.com");
  for (const auto& kp : {strong, weak}) {
    EXPECT_EQ(r.out.find(ig::testing::base64(kp.key_pem).substr(0, 40)), std::string::npos);
    EXPECT_EQ(r.out.find(ig::testing::base64(kp.cert_pem).substr(0, 40)), std::string::npos);
  }
  for (const char* format : {"text", "markdown", "sarif"}) {
    auto out = repo.diff(std::string("HEAD --format ") + format);
    EXPECT_EQ(out.out.find(ig::testing::base64(weak.key_pem).substr(0, 40)), std::string::npos) << format;
  }
}

// SARIF holds the introduced findings only, with paths relative to the repository, and validates against
// the SARIF 2.1.0 schema.
TEST(Diff, SarifHoldsTheIntroducedFindings) {
  Repo repo("ig_diff_sarif");
  repo.write("deploy/shop.yaml", std::string(kShop) + "---\n" + kPolicy);
  repo.commit("shop");
  std::string plain = replaced(std::string(kShop) + "---\n" + kPolicy,
                               "  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n", "");
  repo.write("deploy/shop.yaml", plain);
  auto r = repo.diff("HEAD --format sarif");
  EXPECT_EQ(r.code, 1);
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  const json& results = doc["runs"][0]["results"];
  ASSERT_FALSE(results.empty());
  json before = repo.diff_json("HEAD");
  EXPECT_EQ(results.size(), before["findings"]["introduced"].size());
  for (const json& res : results)
    EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "deploy/shop.yaml");
  fs::path schema = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "knowledge" / "schemas" / "sarif-schema-2.1.0.json";
  if (!fs::exists(schema)) GTEST_SKIP() << "SARIF schema not found";
  std::ofstream(repo.dir() / "out.sarif") << r.out;
  auto v = ig::testing::run_shell("python3 -c \"import json,sys,jsonschema; s=json.load(open(sys.argv[1])); "
                                  "d=json.load(open(sys.argv[2])); jsonschema.validators.validator_for(s)(s).validate(d)\" " +
                                  schema.string() + " " + (repo.dir() / "out.sarif").string() + " 2>&1");
  EXPECT_EQ(v.code, 0) << v.out.substr(0, 2000);
}

// Bad input: an unknown revision, a path leaving the side, two directories needed, a symbolic link in a
// revision (left out, said so). Exit 2 with the reason, never a crash.
TEST(Diff, BadInputIsAClearError) {
  Repo repo("ig_diff_errors");
  repo.write("deploy/shop.yaml", kShop);
  repo.commit("shop");
  auto unknown = repo.diff("no-such-branch", true);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.out.find("no-such-branch: error: neither a directory nor a revision of the repository"),
            std::string::npos) << unknown.out;
  auto escape = repo.diff("HEAD --path ../elsewhere", true);
  EXPECT_EQ(escape.code, 2);
  EXPECT_NE(escape.out.find("--path ../elsewhere: give a path inside each side"), std::string::npos) << escape.out;
  auto one_dir = repo.diff("deploy", true);
  EXPECT_EQ(one_dir.code, 2);
  EXPECT_NE(one_dir.out.find("give HEAD as well"), std::string::npos) << one_dir.out;
  auto outside = ig::testing::run_shell("cd / && " + std::string(IG_BINARY) + " diff HEAD --repo / 2>&1");
  EXPECT_EQ(outside.code, 2);
  EXPECT_NE(outside.out.find("not in a git repository"), std::string::npos) << outside.out;

  fs::create_symlink("/etc/passwd", repo.dir() / "deploy/passwd.yaml");
  repo.commit("a link");
  auto linked = repo.diff("HEAD~1 HEAD", true);
  EXPECT_EQ(linked.code, 0) << linked.out;
  EXPECT_NE(linked.out.find("HEAD: left out deploy/passwd.yaml (a symbolic link)"), std::string::npos) << linked.out;
  EXPECT_EQ(linked.out.find("root:"), std::string::npos) << linked.out;
  fs::remove(repo.dir() / "deploy/passwd.yaml");
  // Two directories compare like two revisions.
  fs::create_directories(repo.dir() / "old");
  fs::copy_file(repo.dir() / "deploy/shop.yaml", repo.dir() / "old/shop.yaml");
  auto dirs = repo.diff("old deploy --format json");
  json doc = json::parse(dirs.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << dirs.out;
  EXPECT_EQ(doc["changes"].size(), 0u) << dirs.out;
}
