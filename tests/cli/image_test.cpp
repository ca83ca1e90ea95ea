// The container image as its user meets it: the ctest fixture image_build builds the OCI image from the regular
// build with scripts/build_image.sh and unpacks it with umoci as a container runtime would; these tests run the
// unpacked root filesystem's ingressguard as the image's user (chroot as root): --version, a scan of the demo (with the HTML map, which needs Graphviz's
// plugins inside the image) and `serve` answering /healthz over HTTPS on loopback.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "testing/certgen.h"
#include "testing/https_client.h"
#include "testing/process.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

class Image : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "unpacking and running the image needs root (chroot); CI runs as root";
    // The ctest fixture image_build (tests/cli/image_fixture.sh) built and unpacked the image here.
    ASSERT_TRUE(fs::exists(rootfs() / "usr/local/bin/ingressguard")) << "image_build did not run or failed";
  }
  static fs::path dir() { return IG_IMAGE_DIR; }
  static fs::path rootfs() { return dir() / "bundle" / "rootfs"; }
  // Runs the image's binary inside its root filesystem as the image's user.
  static ig::testing::ShellResult in_image(const std::string& args) {
    return ig::testing::run_shell("chroot --userspec=65532:65532 " + rootfs().string() + " /usr/local/bin/ingressguard " +
                                  args + " 2>&1");
  }
};

// Tests the image's configuration (as the runtime reads it) and that it holds no shell or package manager.
TEST_F(Image, RunsAsNonRootWithoutAShell) {
  json config = json::parse(std::ifstream(dir() / "bundle" / "config.json"));
  EXPECT_EQ(config["process"]["user"]["uid"], 65532);
  EXPECT_EQ(config["process"]["user"]["gid"], 65532);
  ASSERT_FALSE(config["process"]["args"].empty());
  EXPECT_EQ(config["process"]["args"][0], "/usr/local/bin/ingressguard");
  EXPECT_FALSE(fs::exists(rootfs() / "bin" / "sh"));
  EXPECT_FALSE(fs::exists(rootfs() / "usr" / "bin" / "sh"));
  EXPECT_FALSE(fs::exists(rootfs() / "usr" / "bin" / "dpkg"));
  // The licences of the Debian packages whose files are inside.
  EXPECT_TRUE(fs::exists(rootfs() / "usr/share/doc/libssl3/copyright"));
}

// Tests that the image carries the kubectl that `scan --cluster` runs (static, on the image's PATH): it runs
// inside the image, and a live scan there reaches it (the cluster named by a missing kubeconfig is reported
// unreachable with kubectl's own reason, not "kubectl is not on PATH").
TEST_F(Image, CarriesKubectlForLiveScans) {
  json config = json::parse(std::ifstream(dir() / "bundle" / "config.json"));
  std::string env = config["process"]["env"].dump();
  EXPECT_NE(env.find("/usr/local/bin"), std::string::npos) << env;
  ASSERT_TRUE(fs::exists(rootfs() / "usr/local/bin/kubectl")) << "the image was built without kubectl";
  auto version = ig::testing::run_shell("chroot --userspec=65532:65532 " + rootfs().string() +
                                        " /usr/local/bin/kubectl version --client 2>&1");
  EXPECT_EQ(version.code, 0) << version.out;
  EXPECT_NE(version.out.find("Client Version: v"), std::string::npos) << version.out;
  auto live = ig::testing::run_shell("env -i PATH=/usr/local/bin HOME=/tmp /usr/sbin/chroot --userspec=65532:65532 " +
                                     rootfs().string() +
                                     " /usr/local/bin/ingressguard scan --cluster --kubeconfig /tmp/no-such-kubeconfig 2>&1");
  EXPECT_EQ(live.code, 2) << live.out;
  EXPECT_NE(live.out.find("cannot read the cluster's API resources"), std::string::npos) << live.out;
  EXPECT_EQ(live.out.find("not on PATH"), std::string::npos) << live.out;
}

// Tests --version and a scan of the demo inside the image: the same findings as the build's binary, and the HTML
// report with its map drawn by Graphviz from the image's own plugins.
TEST_F(Image, ScansTheDemo) {
  auto v = in_image("--version");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_EQ(v.out, ig::testing::run_shell(std::string(IG_BINARY) + " --version").out);
  fs::remove_all(rootfs() / "work" / "demo");
  fs::copy(fs::path(IG_SOURCE_DIR) / "examples" / "demo", rootfs() / "work" / "demo", fs::copy_options::recursive);
  auto inside = in_image("scan /work/demo --format json");
  EXPECT_EQ(inside.code, 1) << inside.out;
  auto outside = ig::testing::run_shell("cd " + std::string(IG_SOURCE_DIR) + " && " + IG_BINARY +
                                        " scan examples/demo --format json");
  json a = json::parse(inside.out, nullptr, false);
  json b = json::parse(outside.out, nullptr, false);
  ASSERT_FALSE(a.is_discarded()) << inside.out;
  ASSERT_FALSE(b.is_discarded());
  EXPECT_GT(a["findings"].size(), 0u);
  EXPECT_EQ(a["findings"].size(), b["findings"].size());
  auto html = in_image("scan /work/demo --format html --output /tmp/report.html --fail-on never");
  EXPECT_EQ(html.code, 0) << html.out;
  EXPECT_EQ(html.out, "");  // no Graphviz warning about missing plugins
  std::string report = ig::testing::read_file((rootfs() / "tmp" / "report.html").string());
  EXPECT_NE(report.find("<svg"), std::string::npos);
}

// Tests `serve` from the image: it starts as the image's user with a certificate made here and answers /healthz.
TEST_F(Image, ServesHealthz) {
  ig::testing::CertSpec ca_spec;
  ca_spec.dns_names = {"image test CA"};
  ca_spec.ca = true;
  auto ca = ig::testing::make_certificate(ca_spec);
  ig::testing::CertSpec spec;
  spec.dns_names = {"ingressguard.ingressguard.svc"};
  spec.issuer = &ca;
  auto serving = ig::testing::make_certificate(spec);
  fs::create_directories(rootfs() / "tmp" / "tls");
  ig::testing::write_file((rootfs() / "tmp/tls/tls.crt").string(), serving.cert_pem);
  ig::testing::write_file((rootfs() / "tmp/tls/tls.key").string(), serving.key_pem);
  EXPECT_EQ(ig::testing::run_shell("chown -R 65532:65532 " + (rootfs() / "tmp" / "tls").string()).code, 0);
  std::string log = (dir() / "serve.log").string();
  ig::testing::ChildProcess p({"/usr/sbin/chroot", "--userspec=65532:65532", rootfs().string(),
                               "/usr/local/bin/ingressguard", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
                               "/tmp/tls/tls.crt", "--tls-key", "/tmp/tls/tls.key"},
                              log, (dir() / "serve.err").string());
  auto line = ig::testing::wait_for_line(log, "\"listening\"", 20s);
  ASSERT_TRUE(line) << ig::testing::read_file((dir() / "serve.err").string());
  std::string address = json::parse(*line)["address"];
  auto port = static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
  ig::testing::HttpsClientOptions options;
  options.ca_pem = ca.cert_pem;
  options.server_name = "ingressguard.ingressguard.svc";
  ig::testing::HttpsClient client(port, options);
  EXPECT_EQ(client.request("GET", "/healthz").status, 200);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(10s), 0);
}

}  // namespace

namespace {

// The `run:` script of the GitHub Action's scan step, as the runner would execute it.
std::string action_script() {
  std::istringstream in(ig::testing::read_file(std::string(IG_SOURCE_DIR) + "/action.yml"));
  std::string line, script;
  size_t indent = std::string::npos;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      inside = line.find("run: |") != std::string::npos;
      continue;
    }
    size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos) { script += "\n"; continue; }
    if (indent == std::string::npos) indent = first;
    if (first < indent) break;
    script += line.substr(indent) + "\n";
  }
  return script;
}

}  // namespace

// Tests the GitHub Action's scan step: its script runs with the inputs in the environment (as the runner passes
// them) and `docker` standing in for the runner's engine by running the unpacked image (a private mount
// namespace binds the workspace at /work, then the image's root, working directory and user, as `docker run`
// would). The step fails at the threshold, writes SARIF with paths relative to the repository, and passes with
// `fail-on: never`.
TEST_F(Image, GitHubActionScanStep) {
  std::string script = action_script();
  ASSERT_NE(script.find("docker run"), std::string::npos) << script;
  EXPECT_EQ(script.find("${{"), std::string::npos) << "inputs must reach the script through env only";
  fs::path work = dir() / "action";
  fs::remove_all(work);
  fs::create_directories(work / "bin");
  fs::create_directories(work / "workspace" / "apps");
  ig::testing::write_file((work / "bin" / "docker").string(), R"(#!/bin/bash
# docker run --rm --user UID:GID -v SRC:/work -w DIR IMAGE ARGS... on the image unpacked at $IMAGE_ROOTFS
[ "$1" = run ] || exit 125
shift
while [[ $1 == -* ]]; do
  case $1 in
    --rm) shift ;;
    --user) user=$2; shift 2 ;;
    -v) volume=$2; shift 2 ;;
    -w) wd=$2; shift 2 ;;
    *) echo "unexpected docker option $1" >&2; exit 125 ;;
  esac
done
[ "$1" = "$EXPECTED_IMAGE" ] || { echo "unexpected image $1" >&2; exit 125; }
shift
exec unshare -m bash -c 'mount --bind "$0" "$IMAGE_ROOTFS/work" && exec unshare --root="$IMAGE_ROOTFS" --wd="$1" \
  --setgid "${2#*:}" --setuid "${2%%:*}" -- /usr/local/bin/ingressguard "${@:3}"' "${volume%%:*}" "$wd" "$user" "$@"
)");
  fs::permissions(work / "bin" / "docker", fs::perms::owner_all);
  ig::testing::write_file((work / "step.sh").string(), script);
  ig::testing::write_file((work / "workspace" / "apps" / "web.yaml").string(),
                          "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: a}\n"
                          "spec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n");
  ASSERT_EQ(ig::testing::run_shell("git init -q " + (work / "workspace").string()).code, 0);
  auto step = [&](const std::string& fail_on) {
    return ig::testing::run_shell(
        "cd " + (work / "workspace").string() + " && env PATH=" + (work / "bin").string() + ":$PATH IMAGE_ROOTFS=" +
        rootfs().string() + " EXPECTED_IMAGE=ghcr.io/ingressguard/ingressguard:0.1.0 GITHUB_WORKSPACE=" +
        (work / "workspace").string() + " IG_IMAGE=ghcr.io/ingressguard/ingressguard:0.1.0 IG_PATHS='apps' IG_FAIL_ON=" +
        fail_on + " IG_SARIF=ingressguard.sarif IG_ARGS='--skip-rule IG6*' bash -e " + (work / "step.sh").string() +
        " 2>&1");
  };
  auto failed = step("high");
  EXPECT_EQ(failed.code, 1) << failed.out;
  EXPECT_NE(failed.out.find("[IG101]"), std::string::npos) << failed.out;  // the text report in the job log
  json sarif = json::parse(std::ifstream(work / "workspace" / "ingressguard.sarif"), nullptr, false);
  ASSERT_FALSE(sarif.is_discarded());
  bool ig101 = false;
  for (const auto& result : sarif["runs"][0]["results"]) {
    EXPECT_NE(result["ruleId"].get<std::string>().rfind("IG6", 0), 0u) << "--skip-rule from args ignored";
    if (result["ruleId"] == "IG101") {
      ig101 = true;
      EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "apps/web.yaml");
    }
  }
  EXPECT_TRUE(ig101) << sarif.dump(1);
  auto passed = step("never");
  EXPECT_EQ(passed.code, 0) << passed.out;

  // Pull-request mode: the change to the attack surface against the base commit, read by the image's libgit2
  // (the image has no git). A commit that adds TLS and one that removes it again.
  auto git = [&](const std::string& args) {
    return ig::testing::run_shell("cd " + (work / "workspace").string() +
                                  " && git -c user.email=t@example.com -c user.name=t " + args + " 2>&1");
  };
  ASSERT_EQ(git("add apps && git -c user.email=t@example.com -c user.name=t commit -q -m base").code, 0);
  ig::testing::write_file((work / "workspace" / "apps" / "web.yaml").string(),
                          "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: a}\n"
                          "spec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n"
                          "---\napiVersion: v1\nkind: Service\nmetadata: {name: admin, namespace: a}\n"
                          "spec: {type: LoadBalancer, selector: {app: admin}, ports: [{port: 80}]}\n");
  std::string summary = (work / "summary.md").string();
  auto pr = ig::testing::run_shell(
      "cd " + (work / "workspace").string() + " && env PATH=" + (work / "bin").string() + ":$PATH IMAGE_ROOTFS=" +
      rootfs().string() + " EXPECTED_IMAGE=ghcr.io/ingressguard/ingressguard:0.1.0 GITHUB_WORKSPACE=" +
      (work / "workspace").string() + " GITHUB_STEP_SUMMARY=" + summary +
      " IG_IMAGE=ghcr.io/ingressguard/ingressguard:0.1.0 IG_PATHS='apps' IG_FAIL_ON=medium IG_SARIF=pr.sarif IG_ARGS=''"
      " IG_DIFF_BASE=HEAD bash -e " + (work / "step.sh").string() + " 2>&1");
  EXPECT_EQ(pr.code, 1) << pr.out;  // the LoadBalancer without source ranges: IG401 is introduced
  EXPECT_NE(pr.out.find("ingressguard diff: HEAD ("), std::string::npos) << pr.out;
  EXPECT_NE(pr.out.find("path-added           load-balancer a/admin"), std::string::npos) << pr.out;
  json introduced = json::parse(std::ifstream(work / "workspace" / "pr.sarif"), nullptr, false);
  ASSERT_FALSE(introduced.is_discarded());
  bool ig401 = false;
  for (const auto& result : introduced["runs"][0]["results"]) {
    EXPECT_NE(result["ruleId"], "IG101") << "present before the change: not introduced";
    if (result["ruleId"] == "IG401") ig401 = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "apps/web.yaml";
  }
  EXPECT_TRUE(ig401) << introduced.dump(1);
  std::string md = ig::testing::read_file(summary);
  EXPECT_NE(md.find("## ingressguard diff: `HEAD ("), std::string::npos) << md;
  EXPECT_NE(md.find("| medium | path-added | load-balancer a/admin"), std::string::npos) << md;
}
