// Runs the ingressguard binary the way a user or CI job does, and checks its
// output and exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "testing/process.h"

namespace {

namespace fs = std::filesystem;

using Outcome = ig::testing::ShellResult;

// Runs ingressguard from the source directory; stderr is folded into stdout when asked.
Outcome run(const std::string& args, bool with_stderr = false) {
  return ig::testing::run_shell("cd " + std::string(IG_SOURCE_DIR) + " && " + std::string(IG_BINARY) + " " + args +
                                (with_stderr ? " 2>&1" : " 2>/dev/null"));
}


// An empty directory of that name under the temporary directory.
fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
}  // namespace

// Tests that the demo cluster trips most rules and exits 1, in the documented JSON shape.
TEST(Cli, DemoFindingsAsJson) {
  Outcome r = run("scan examples/demo --format json");
  ASSERT_EQ(r.code, 1) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["tool"]["name"], "ingressguard");
  EXPECT_TRUE(doc["errors"].empty());
  std::set<std::string> rules;
  for (const auto& f : doc["findings"]) {
    rules.insert(f["rule"].get<std::string>());
    for (const char* k : {"rule", "severity", "title", "message", "resource", "location", "remediation"})
      EXPECT_TRUE(f.contains(k)) << k;
    EXPECT_GT(f["location"]["line"].get<int>(), 0);
    EXPECT_EQ(f["location"]["file"].get<std::string>().rfind("examples/demo/", 0), 0u);
  }
  // Most of the catalogue fires on the demo.
  EXPECT_GE(rules.size(), 22u);
  EXPECT_GE(doc["summary"]["objects"].get<int>(), 15);
}

// Tests that the hardened variant has no finding of medium or above (exit 0).
TEST(Cli, HardenedIsClean) {
  Outcome r = run("scan examples/hardened --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  int suppressed = 0;
  for (const auto& f : doc["findings"]) {
    if (f.contains("suppressed")) {  // an accepted risk, recorded with its reason
      ++suppressed;
      EXPECT_FALSE(f["suppressed"]["reason"].get<std::string>().empty()) << f.dump();
      continue;
    }
    std::string sev = f["severity"];
    EXPECT_TRUE(sev == "low" || sev == "info") << f.dump();
  }
  EXPECT_EQ(doc["summary"]["suppressed"].get<int>(), suppressed);
  EXPECT_GE(doc["summary"]["objects"].get<int>(), 15);
}

// Tests the compiler-style text output: location, severity, rule ID, source excerpt and summary.
TEST(Cli, TextOutputLooksLikeACompiler) {
  Outcome r = run("scan examples/demo --no-color");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("examples/demo/"), std::string::npos);
  EXPECT_NE(r.out.find(": critical: "), std::string::npos);
  EXPECT_NE(r.out.find("[IG201]"), std::string::npos);
  EXPECT_NE(r.out.find("       = fix: "), std::string::npos);
  EXPECT_NE(r.out.find(" | "), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos);  // no colours when not a terminal
  EXPECT_NE(r.out.find("findings ("), std::string::npos);
}

// Tests --fail-on: raising the threshold above every finding exits 0; never never fails.
TEST(Cli, FailOnThreshold) {
  // A lone low finding (no ingress class) fails at --fail-on low only.
  fs::path f = fs::temp_directory_path() / "ig_cli_low.yaml";
  std::ofstream(f) << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n"
                      "  tls: [{hosts: [a.example.com]}]\n  rules: [{host: a.example.com}]\n";
  EXPECT_EQ(run("scan " + f.string() + " --fail-on low").code, 1);
  EXPECT_EQ(run("scan " + f.string() + " --fail-on medium").code, 0);
  EXPECT_EQ(run("scan " + f.string()).code, 0);  // default threshold: medium
  fs::remove(f);
  EXPECT_EQ(run("scan examples/hardened --fail-on info").code, 0);
  EXPECT_EQ(run("scan examples/demo --fail-on never").code, 0);
  EXPECT_EQ(run("scan examples/demo --fail-on critical").code, 1);
}

// Tests that stdin is read with `-`, JSON and YAML alike.
TEST(Cli, Stdin) {
  Outcome y = run("scan - --format json < examples/demo/ingress-nginx.yaml");
  EXPECT_EQ(y.code, 1);
  auto doc = nlohmann::json::parse(y.out);
  EXPECT_EQ(doc["findings"][0]["location"]["file"], "-");
  Outcome j = run(R"(scan - --format json < tests/cli/service-external-ip.json)");
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(nlohmann::json::parse(j.out)["findings"][0]["rule"], "IG402");
}

// Tests that a broken file gives exit 2 with file:line:col while the other inputs are still scanned.
TEST(Cli, BadInputStillScansTheRest) {
  fs::path dir = fs::temp_directory_path() / "ig_cli_bad";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "broken.yaml") << "apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n";
  Outcome r = run("scan " + (dir / "broken.yaml").string() + " examples/demo --format json", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("broken.yaml:4:1: error:"), std::string::npos) << r.out;
  Outcome j = run("scan " + (dir / "broken.yaml").string() + " examples/demo --format json");
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["errors"].size(), 1u);
  EXPECT_EQ(doc["errors"][0]["line"], 4);
  EXPECT_GT(doc["findings"].size(), 10u);
  fs::remove_all(dir);
}

// Tests usage errors: unknown flag, no path, bad format all exit 2.
TEST(Cli, UsageErrors) {
  EXPECT_EQ(run("scan").code, 2);
  EXPECT_EQ(run("scan examples/demo --format yaml").code, 2);
  EXPECT_EQ(run("scan examples/demo --bogus").code, 2);
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("--version").code, 0);
}

// Tests that --output writes the report to a file and nothing to stdout.
TEST(Cli, OutputFile) {
  fs::path out = fs::temp_directory_path() / "ig_cli_report.json";
  fs::remove(out);
  Outcome r = run("scan examples/demo --format json --output " + out.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(out);
  auto doc = nlohmann::json::parse(in);
  EXPECT_GT(doc["findings"].size(), 10u);
  fs::remove(out);
}

// Tests that a Secret's data never reaches the report, even when a finding points into the Secret.
TEST(Cli, SecretDataNeverPrinted) {
  fs::path dir = fs::temp_directory_path() / "ig_cli_secret";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "s.yaml") << "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {x: yes}\n"
                                   "type: kubernetes.io/tls\ndata:\n  tls.key: U0VDUkVUU0VDUkVU\n  tls.key: U0VDUkVUU0VDUkVU\n";
  Outcome r = run("scan " + dir.string() + " --no-color");
  EXPECT_EQ(r.out.find("U0VDUkVU"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// Tests what a directory walk cannot read: a symbolic link loop, a dangling link and an unreadable directory are
// input errors with their path (exit 2, on stderr and in the SARIF), and everything else is still scanned and
// reported. Run as an unprivileged user (setpriv to nobody when the tests run as root, who can read anything).
TEST(Cli, UnreadablePathsAreInputErrorsAndTheRestIsScanned) {
  fs::path dir = fs::temp_directory_path() / ("ig_cli_unreadable_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "tree" / "ok");
  fs::create_directories(dir / "tree" / "locked");
  fs::copy_file(fs::path(IG_SOURCE_DIR) / "examples" / "demo" / "shop.yaml", dir / "tree" / "ok" / "shop.yaml");
  fs::copy_file(fs::path(IG_SOURCE_DIR) / "examples" / "demo" / "shop.yaml", dir / "tree" / "locked" / "shop.yaml");
  fs::create_symlink("loop-b.yaml", dir / "tree" / "loop-a.yaml");
  fs::create_symlink("loop-a.yaml", dir / "tree" / "loop-b.yaml");
  fs::create_symlink("gone.yaml", dir / "tree" / "dangling.yaml");
  fs::create_directory_symlink("..", dir / "tree" / "ok" / "up");  // a directory loop: not followed
  fs::permissions(dir, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  for (auto& p : fs::recursive_directory_iterator(dir / "tree"))
    if (!p.is_symlink()) fs::permissions(p.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(dir / "tree", fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(dir / "tree" / "locked", fs::perms::none);
  fs::create_directories(dir / "out");
  fs::permissions(dir / "out", fs::perms::all);
  std::string binary = IG_BINARY, as_user;
  if (::geteuid() == 0) {
    if (run("-h >/dev/null; command -v setpriv").code != 0) GTEST_SKIP() << "setpriv (util-linux) not installed";
    as_user = "setpriv --reuid 65534 --regid 65534 --clear-groups ";
    // The build directory may not be open to nobody: run a copy from the open directory.
    fs::copy_file(binary, dir / "ingressguard");
    binary = (dir / "ingressguard").string();
  }
  Outcome r = ig::testing::run_shell("cd " + dir.string() + " && " + as_user + binary +
                                     " scan --no-policy --format sarif --output out/out.sarif tree 2>&1");
  EXPECT_EQ(r.code, 2) << r.out;
  for (const char* expected : {"tree/loop-a.yaml: error: cannot read: symbolic link loop",
                               "tree/dangling.yaml: error: cannot read: symbolic link to nothing (gone.yaml)",
                               "tree/locked: error: cannot read directory: Permission denied"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  auto sarif = nlohmann::json::parse(ig::testing::read_file((dir / "out" / "out.sarif").string()));
  auto& run0 = sarif["runs"][0];
  EXPECT_GT(run0["results"].size(), 5u) << "the readable file was not scanned";
  EXPECT_EQ(run0["invocations"][0]["toolExecutionNotifications"].size(), 4u) << run0["invocations"].dump();
  EXPECT_FALSE(run0["invocations"][0]["executionSuccessful"].get<bool>());
  fs::permissions(dir / "tree" / "locked", fs::perms::owner_all);
  fs::remove_all(dir);
}

// Tests the report filters on the demo: --rule and --skip-rule (globs, comma lists), --min-severity (and that
// --fail-on sees only what is reported), --namespace (cluster-scoped objects left out), --exclude (paths not
// scanned); the count left out is in the summary.
TEST(Cli, FiltersNarrowTheReport) {
  auto findings = [](const std::string& args) {
    Outcome r = run("scan examples/demo --format json --fail-on never " + args);
    return nlohmann::json::parse(r.out);
  };
  auto all = findings("");
  size_t total = all["findings"].size();
  ASSERT_GT(total, 20u);
  auto only = findings("--rule 'IG1*,IG201'");
  for (const auto& f : only["findings"]) {
    std::string id = f["rule"];
    EXPECT_TRUE(id == "IG201" || id.rfind("IG1", 0) == 0) << id;
  }
  EXPECT_EQ(only["summary"]["filtered"].get<size_t>() + only["findings"].size(), total);
  auto skipped = findings("--skip-rule 'IG1*' --skip-rule IG201");
  EXPECT_EQ(skipped["findings"].size() + only["findings"].size(), total);
  // Each document is kept in a variable: a range-for over a member of a temporary would dangle.
  auto high = findings("--min-severity high");
  for (const auto& f : high["findings"]) EXPECT_TRUE(f["severity"] == "high" || f["severity"] == "critical") << f.dump();
  auto payments = findings("--namespace 'pay*'");
  for (const auto& f : payments["findings"]) EXPECT_EQ(f["resource"]["namespace"], "payments");
  auto excluded = findings("--exclude 'examples/demo/shop.yaml'");
  for (const auto& f : excluded["findings"]) EXPECT_NE(f["location"]["file"], "examples/demo/shop.yaml");
  EXPECT_LT(excluded["summary"]["files"], all["summary"]["files"]);
  // What is left out cannot fail the run; the text summary says how many were left out.
  EXPECT_EQ(run("scan examples/demo --min-severity critical --fail-on high").code, 1);
  EXPECT_EQ(run("scan examples/demo --rule IG108 --fail-on high").code, 0);  // IG108 is low
  EXPECT_NE(run("scan examples/demo --no-color --rule IG108").out.find("left out by filters"), std::string::npos);
}

// Tests baselines on a copy of the demo: --write-baseline records today's findings, --baseline then hides them
// (exit 0, the count of known ones said), a new problem is reported, a fixed one counts as a stale entry, and
// findings keep their identity when lines move; a baseline that is not one is an input error.
TEST(Cli, BaselineReportsOnlyNewFindings) {
  fs::path dir = fresh_dir("ig_cli_baseline");
  fs::copy(fs::path(IG_SOURCE_DIR) / "examples" / "demo", dir / "demo");
  std::string base = (dir / "baseline.json").string();
  Outcome first = run("scan " + (dir / "demo").string() + " --fail-on never --write-baseline " + base);
  EXPECT_EQ(first.code, 0);
  ASSERT_TRUE(fs::exists(base));
  auto json = [&](const std::string& args) {
    return nlohmann::json::parse(run("scan " + (dir / "demo").string() + " --format json --baseline " + base + " " + args).out);
  };
  auto same = json("--fail-on never");
  EXPECT_TRUE(same["findings"].empty()) << same["findings"].dump();
  EXPECT_GT(same["summary"]["baseline"]["known"].get<int>(), 50);
  EXPECT_EQ(same["summary"]["baseline"]["stale"], 0);
  EXPECT_EQ(run("scan " + (dir / "demo").string() + " --baseline " + base).code, 0);
  // Lines move (a comment on top), one problem is fixed (the unlimited body), one is new (a wildcard host).
  std::string shop = ig::testing::read_file((dir / "demo" / "shop.yaml").string());
  size_t body = shop.find("proxy-body-size: \"0\"");
  ASSERT_NE(body, std::string::npos);
  shop.replace(body, std::string("proxy-body-size: \"0\"").size(), "proxy-body-size: \"8m\"");
  shop = "# moved down a line\n" + shop +
         "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: fresh, namespace: shop}\n"
         "spec:\n  ingressClassName: nginx\n  tls: [{hosts: [\"*.fresh.example.com\"], secretName: shop-tls}]\n"
         "  rules:\n  - host: \"*.fresh.example.com\"\n";
  ig::testing::write_file((dir / "demo" / "shop.yaml").string(), shop);
  auto changed = json("--fail-on never");
  ASSERT_TRUE(changed["errors"].empty()) << changed["errors"].dump();
  std::set<std::string> rules;
  for (const auto& f : changed["findings"]) rules.insert(f["rule"].get<std::string>() + " " + f["resource"]["name"].get<std::string>());
  EXPECT_TRUE(rules.count("IG103 fresh")) << changed["findings"].dump();
  for (const auto& r : rules) EXPECT_NE(r.find("fresh"), std::string::npos) << "a known finding came back: " << r;
  EXPECT_GE(changed["summary"]["baseline"]["stale"].get<int>(), 1);
  ig::testing::write_file(base, "[1, 2]");
  EXPECT_EQ(run("scan " + (dir / "demo").string() + " --baseline " + base).code, 2);
  fs::remove_all(dir);
}

// Tests which policy file applies, and that the report names it: the current directory's policy applies to
// what lies in its repository and to stdin, never to a path outside it (that path's own repository decides).
TEST(Cli, PolicyInTheCurrentDirectoryStaysInItsRepository) {
  if (run("-h >/dev/null; command -v git").code != 0) GTEST_SKIP() << "git not installed";
  fs::path here = fresh_dir("ig_cli_policy_here"), elsewhere = fresh_dir("ig_cli_policy_elsewhere");
  ASSERT_EQ(run("-h >/dev/null; git init -q " + here.string()).code, 0);
  const std::string ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: a}\n"
                              "spec:\n  ingressClassName: nginx\n  rules:\n  - host: \"*.example.com\"\n";
  std::ofstream(here / "web.yaml") << ingress;
  std::ofstream(elsewhere / "web.yaml") << ingress;
  std::ofstream(here / ".ingressguard.yaml") << "apiVersion: ingressguard.io/v1\nkind: Policy\nrules: {disabled: [IG103]}\n";
  auto scan_from_here = [&](const std::string& args) {
    return nlohmann::json::parse(ig::testing::run_shell("cd " + here.string() + " && " + IG_BINARY +
                                                        " scan --format json --fail-on never " + args).out);
  };
  auto inside = scan_from_here("web.yaml");
  EXPECT_EQ(inside["policy"], ".ingressguard.yaml");
  EXPECT_EQ(inside.dump().find("\"IG103\""), std::string::npos);
  auto stdin_scan = scan_from_here("- < web.yaml");
  EXPECT_EQ(stdin_scan["policy"], ".ingressguard.yaml");
  auto outside = scan_from_here((elsewhere / "web.yaml").string());
  EXPECT_TRUE(outside["policy"].is_null()) << outside["policy"];
  EXPECT_NE(outside.dump().find("\"IG103\""), std::string::npos);
  EXPECT_NE(run("scan examples/demo --policy examples/policy.yaml --no-color").out.find("; policy examples/policy.yaml"),
            std::string::npos);
  fs::remove_all(here);
  fs::remove_all(elsewhere);
}

// Tests `make install`'s step: cmake's install with --strip gives a binary without debug information or symbol
// table (3.6 MB from the 150 MB of the regular build) that runs, and the kubectl plugin name beside it.
TEST(Cli, InstallIsStrippedAndRuns) {
  fs::path prefix = fresh_dir("ig_cli_install");
  fs::path build = fs::path(IG_BINARY).parent_path();
  Outcome r = run("-h >/dev/null; cmake --install " + build.string() + " --prefix " + prefix.string() + " --strip 2>&1");
  ASSERT_EQ(r.code, 0) << r.out;
  fs::path bin = prefix / "bin" / "ingressguard";
  ASSERT_TRUE(fs::exists(bin));
  EXPECT_LT(fs::file_size(bin), fs::file_size(IG_BINARY));
  // No debug information or symbol table left (readelf, binutils).
  Outcome sections = run("-h >/dev/null; readelf -S " + bin.string());
  ASSERT_EQ(sections.code, 0);
  EXPECT_EQ(sections.out.find(".debug_info"), std::string::npos);
  EXPECT_EQ(sections.out.find(".symtab"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(prefix / "bin" / "kubectl-ingressguard"));
  Outcome v = ig::testing::run_shell(bin.string() + " version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("ingressguard ", 0), 0u);
  // kubectl finds it as a plugin under that name.
  EXPECT_EQ(ig::testing::run_shell((prefix / "bin" / "kubectl-ingressguard").string() + " --version").code, 0);
  fs::remove_all(prefix);
}

// Tests that explain knows the access-log detectors that `logs` prints (IG8xx), by ID in any case or by name.
TEST(Cli, ExplainKnowsTheLogDetectors) {
  for (const char* id : {"IG802", "ig802", "sensitive-files"}) {
    Outcome r = run(std::string("explain ") + id);
    EXPECT_EQ(r.code, 0) << id;
    EXPECT_NE(r.out.find("IG802: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("detector sensitive-files"), std::string::npos) << r.out;
  }
  EXPECT_EQ(run("explain IG101").code, 0);
  EXPECT_EQ(run("explain IG999").code, 2);
}

// Tests the pre-commit hook definition with Debian's pre-commit on scratch git repositories made here: the hook
// fails a commit that adds an Ingress without TLS, with the finding shown, and passes once it is fixed.
TEST(Cli, PreCommitHookFailsAndPasses) {
  if (run("-h >/dev/null; command -v pre-commit && command -v git").code != 0)
    GTEST_SKIP() << "pre-commit or git not installed (scripts/bootstrap.sh installs them)";
  fs::path dir = fresh_dir("ig_cli_pre_commit");
  fs::create_directories(dir / "hooks");
  fs::create_directories(dir / "app");
  fs::copy_file(fs::path(IG_SOURCE_DIR) / ".pre-commit-hooks.yaml", dir / "hooks" / ".pre-commit-hooks.yaml");
  std::string env = "export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t "
                    "GIT_COMMITTER_EMAIL=t@example.com PRE_COMMIT_HOME=" + (dir / "home").string() +
                    " PATH=" + fs::path(IG_BINARY).parent_path().string() + ":$PATH; ";
  ASSERT_EQ(run("-h >/dev/null; " + env + "cd " + (dir / "hooks").string() + " && git init -q && git add . && git commit -qm hooks").code, 0);
  std::string ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: a}\n"
                        "spec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n";
  std::ofstream(dir / "app" / "web.yaml") << ingress;
  std::string hook = "-h >/dev/null; " + env + "cd " + (dir / "app").string() +
                     " && git add web.yaml && pre-commit try-repo " + (dir / "hooks").string() +
                     " ingressguard-scan --all-files 2>&1";
  ASSERT_EQ(run("-h >/dev/null; cd " + (dir / "app").string() + " && git init -q").code, 0);
  Outcome failed = run(hook);
  EXPECT_EQ(failed.code, 1) << failed.out;
  EXPECT_NE(failed.out.find("[IG101]"), std::string::npos) << failed.out;
  std::ofstream(dir / "app" / "web.yaml") << ingress << "  tls: [{hosts: [shop.example.com], secretName: shop-tls}]\n";
  Outcome passed = run(hook);
  EXPECT_EQ(passed.code, 0) << passed.out;
  fs::remove_all(dir);
}

// Tests `ingressguard version` and `ingressguard help [command]`.
TEST(Cli, HelpAndVersionCommands) {
  Outcome v = run("version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("ingressguard ", 0), 0u) << v.out;
  Outcome h = run("help");
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("scan"), std::string::npos);
  EXPECT_NE(h.out.find("serve"), std::string::npos);
  Outcome hs = run("help scan");
  EXPECT_EQ(hs.code, 0);
  EXPECT_NE(hs.out.find("--min-severity"), std::string::npos) << hs.out;
  EXPECT_EQ(run("help nothing").code, 2);
  // Every command's help ends with examples of that command.
  for (const char* cmd : {"scan", "units", "rules", "map", "serve", "logs", "probe", "explain", "help", "version", "completion"}) {
    Outcome sub = run(std::string(cmd) + " --help");
    EXPECT_EQ(sub.code, 0) << cmd;
    EXPECT_NE(sub.out.find("Examples:\n  ingressguard " + std::string(cmd)), std::string::npos) << cmd << "\n" << sub.out;
  }
}

// Tests that echoed values are cut: an Ingress whose host is 1 MB gives findings of bounded size in every
// format (the host's first bytes and its length are shown), not a 1 MB line per finding.
TEST(Cli, HugeValuesAreCutInMessages) {
  fs::path dir = fresh_dir("ig_cli_huge_value");
  std::string host = std::string(1 << 20, 'h') + ".example.com";
  std::ofstream(dir / "ingress.yaml") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: big\n  namespace: a\n"
                                         "spec:\n  ingressClassName: nginx\n  rules:\n  - host: \"" << host << "\"\n";
  Outcome r = run("scan --no-policy --format json " + (dir / "ingress.yaml").string());
  ASSERT_EQ(r.code, 1) << r.out.substr(0, 500);
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_FALSE(doc["findings"].empty());
  for (const auto& f : doc["findings"]) {
    std::string m = f["message"];
    EXPECT_LE(m.size(), 2100u) << f["ruleId"];
  }
  EXPECT_NE(r.out.find("(1048588 bytes)"), std::string::npos);
  EXPECT_LT(r.out.size(), 64u * 1024) << "the host was echoed";
  Outcome text = run("scan --no-policy " + (dir / "ingress.yaml").string());
  EXPECT_LT(text.out.size(), 64u * 1024);
  fs::remove_all(dir);
}

// Tests terminal injection through manifest values: a host and a name written with YAML escapes that decode to
// escape sequences (erase the screen, set the window title) are shown escaped in the text report and on stderr.
TEST(Cli, ControlBytesInManifestValuesAreEscaped) {
  fs::path dir = fresh_dir("ig_cli_control_bytes");
  std::ofstream(dir / "ingress.yaml")
      << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: \"web\\e[2J\"\n  namespace: a\n"
         "spec:\n  rules:\n  - host: \"*.shop\\e]0;owned\\a.example.com\"\n";
  Outcome r = run("scan --no-policy " + (dir / "ingress.yaml").string(), true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("IG101"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "a raw ESC reached the terminal";
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  EXPECT_NE(r.out.find("\\x1b]0;owned\\x07"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("web\\x1b[2J"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// Tests the attack of a Secret written on the same line as another object (compact JSON, YAML
// flow style): the other object's excerpt shows that line with the Secret's values masked.
TEST(Cli, SecretSharingALineWithAFlaggedObjectIsMasked) {
  fs::path dir = fresh_dir("ig_cli_secret_line");
  // The Ingresses have no class: IG108 points at their names, just after the Secret's values.
  std::ofstream(dir / "list.json")
      << R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"a"},)"
         R"("data":{"token":"dG9rZW4tVE9QU0VDUkVU"},"stringData":{"password":"hunter2-\u00e9-S3CRET"}},)"
         R"({"metadata":{"name":"web","namespace":"a"},"apiVersion":"networking.k8s.io/v1","kind":"Ingress",)"
         R"("spec":{"rules":[{"host":"a.example.com"}]}}]})"
      << "\n";
  std::ofstream(dir / "flow.yaml")
      << "{apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Secret, metadata: {name: t, namespace: a}, "
         "stringData: {pw: 'flow-S3CRET', other: \"x-S3CRET\"}}, {metadata: {name: w2, namespace: a}, "
         "apiVersion: networking.k8s.io/v1, kind: Ingress, spec: {rules: [{host: b.example.com}]}}]}\n";
  Outcome r = run("scan " + dir.string() + " --no-color --fail-on never");
  EXPECT_EQ(r.code, 0) << r.out;
  for (const char* secret : {"hunter2", "S3CRET", "dG9rZW4", "flow-"}) EXPECT_EQ(r.out.find(secret), std::string::npos) << secret << "\n" << r.out;
  // The Ingresses' excerpts are shown (the line is not dropped), with the Secrets' values masked.
  // "hunter2-\u00e9-S3CRET" as written: 23 bytes, quotes included.
  EXPECT_NE(r.out.find(R"("password":)" + std::string(23, '*') + R"(}},{"metadata":{"name":"web")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{pw: *************, other: **********}}, {metadata: {name: w2"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// Tests scan units: a directory scanned alone and next to an unrelated one gets the same findings (its
// Ingress's backend, host, NetworkPolicy reach and identity are never related to the other unit's
// objects), and every finding names its unit.
TEST(Cli, UnitsAreScannedApart) {
  fs::path dir = fs::temp_directory_path() / "ig_cli_units";
  fs::remove_all(dir);
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  std::ofstream(dir / "a" / "app.yaml")
      << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop}\nspec:\n  ingressClassName: nginx\n"
         "  rules:\n  - host: shop.example.com\n    http:\n      paths:\n"
         "      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
         "spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: web}]}}}\n"
         "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}, ports: [{port: 80}]}\n";
  // B: the Service A's Ingress names, a policy selecting A's pods, the same host in another
  // namespace, and another definition of A's Ingress.
  std::ofstream(dir / "b" / "other.yaml")
      << "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 8080}]}\n"
         "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\n"
         "spec: {podSelector: {}, policyTypes: [Ingress]}\n"
         "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: grab, namespace: other}\n"
         "spec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n"
         "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop}\nspec: {ingressClassName: nginx}\n";
  auto findings_on_a = [&](const std::string& args) {
    Outcome r = run("scan " + args + " --format json --fail-on never --no-policy");
    auto doc = nlohmann::json::parse(r.out);
    std::multiset<std::string> out;
    for (const auto& f : doc["findings"]) {
      if (f["location"]["file"].get<std::string>().find("/a/") == std::string::npos) continue;
      EXPECT_EQ(f["unit"], (dir / "a").string()) << f.dump();
      out.insert(f["rule"].get<std::string>() + " " + std::to_string(f["location"]["line"].get<int>()) + " " +
                 f["message"].get<std::string>());
    }
    return std::make_pair(out, doc["units"]);
  };
  auto [alone, alone_units] = findings_on_a((dir / "a").string());
  auto [both, both_units] = findings_on_a((dir / "a").string() + " " + (dir / "b").string());
  EXPECT_FALSE(alone.empty());
  EXPECT_EQ(alone, both);
  EXPECT_EQ(both_units, (nlohmann::json{(dir / "a").string(), (dir / "b").string()}));
  // Scanned as one unit (both files named in one directory tree), the cross-object rules relate them.
  Outcome one = run("scan " + dir.string() + " --format json --fail-on never --no-policy");
  std::string out = one.out;
  EXPECT_NE(out.find("\"IG004\""), std::string::npos);
  EXPECT_NE(out.find("\"IG105\""), std::string::npos);
  // `ingressguard units` lists them.
  Outcome units = run("units " + (dir / "a").string() + " " + (dir / "b").string());
  EXPECT_EQ(units.code, 0);
  EXPECT_NE(units.out.find((dir / "a").string() + "  (files, 1 file, 3 objects)"), std::string::npos) << units.out;
  EXPECT_NE(units.out.find("2 units"), std::string::npos) << units.out;
  // Named in the policy file, the two directories are units again when the whole tree is scanned.
  std::ofstream(dir / ".ingressguard.yaml")
      << "apiVersion: ingressguard.io/v1\nkind: Policy\nunits:\n- {name: shop, paths: [\"a/**\"]}\n"
         "- {name: others, paths: [\"b/*.yaml\"]}\n";
  std::string policy = " --policy " + (dir / ".ingressguard.yaml").string();
  Outcome named = run("scan " + dir.string() + policy + " --format json --fail-on never");
  EXPECT_EQ(named.out.find("\"IG105\""), std::string::npos) << named.out;
  EXPECT_EQ(named.out.find("\"IG004\""), std::string::npos);
  auto doc = nlohmann::json::parse(named.out);
  EXPECT_EQ(doc["units"], (nlohmann::json{"shop", "others"}));
  Outcome named_units = run("units " + dir.string() + policy);
  EXPECT_NE(named_units.out.find("shop  (files, 1 file, 3 objects)"), std::string::npos) << named_units.out;
  // A unit without paths is a policy error with its line.
  std::ofstream(dir / ".ingressguard.yaml") << "apiVersion: ingressguard.io/v1\nkind: Policy\nunits:\n- {name: shop}\n";
  Outcome bad = run("scan " + dir.string() + policy + " --format json --fail-on never", true);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find(".ingressguard.yaml:4:3: error: units entries need at least one path glob"), std::string::npos) << bad.out;
  fs::remove_all(dir);
}

// Tests the example policy over the demo: findings on the policy file itself (an expired exemption)
// are reported once and name the policy, and the host ownership findings appear.
TEST(Cli, PolicyFindingsNameThePolicyFile) {
  Outcome r = run("scan examples/demo --policy examples/policy.yaml --no-color");
  EXPECT_EQ(r.code, 1);
  std::string expired = "examples/policy.yaml:35:14: medium: exemption for IG101 expired on 2025-06-30";
  size_t at = r.out.find(expired);
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(expired, at + 1), std::string::npos) << "reported twice";
  EXPECT_NE(r.out.find("       = Policy examples/policy.yaml\n", at), std::string::npos) << r.out.substr(at, 300);
  EXPECT_NE(r.out.find("namespace monitoring may not serve grafana.example.com"), std::string::npos);
  for (char ch : r.out) EXPECT_TRUE(ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f)) << static_cast<int>(ch);
}

// Tests the SARIF output against what GitHub code scanning requires: version, rules with
// security-severity and help, results with ruleIndex, region and a stable fingerprint.
TEST(Cli, SarifForCodeScanning) {
  Outcome r = run("scan examples/demo --format sarif");
  ASSERT_EQ(r.code, 1);
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["version"], "2.1.0");
  const auto& run0 = doc["runs"][0];
  const auto& rules = run0["tool"]["driver"]["rules"];
  ASSERT_GT(rules.size(), 50u);
  for (const auto& rule : rules) {
    double sev = std::stod(rule["properties"]["security-severity"].get<std::string>());
    EXPECT_TRUE(sev >= 0.0 && sev <= 10.0);
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
  }
  const auto& results = run0["results"];
  ASSERT_GT(results.size(), 40u);
  std::set<std::string> fingerprints;
  for (const auto& res : results) {
    size_t idx = res["ruleIndex"].get<size_t>();
    ASSERT_LT(idx, rules.size());
    EXPECT_EQ(rules[idx]["id"], res["ruleId"]);
    const auto& loc = res["locations"][0]["physicalLocation"];
    // Relative to the repository root in a git checkout, an absolute file:// URI outside one.
    std::string uri = loc["artifactLocation"]["uri"];
    if (loc["artifactLocation"].contains("uriBaseId")) EXPECT_EQ(uri.rfind("examples/demo/", 0), 0u) << uri;
    else EXPECT_EQ(uri.rfind("file:///", 0), 0u) << uri;
    EXPECT_GE(loc["region"]["startLine"].get<int>(), 1);
    fingerprints.insert(res["partialFingerprints"]["ingressguard/v1"].get<std::string>());
  }
  // One fingerprint per finding except findings that are the same message on the same object.
  EXPECT_GT(fingerprints.size(), results.size() * 9 / 10);
  // Stable across runs.
  auto again = nlohmann::json::parse(run("scan examples/demo --format sarif").out);
  EXPECT_EQ(again["runs"][0]["results"][0]["partialFingerprints"], results[0]["partialFingerprints"]);
}

// Tests SARIF locations as code scanning resolves them, with a real git repository made here: a file inside it is
// relative to its root (uriBaseId SRCROOT, the root in originalUriBaseIds) however the path was written
// (a/../a/x), a file outside any repository is an absolute file:// URI, and one rule at one place is one result.
TEST(Cli, SarifLocationsRelativeToTheRepository) {
  if (run("-h >/dev/null; command -v git").code != 0) GTEST_SKIP() << "git not installed";
  fs::path repo = fresh_dir("ig_cli_sarif_repo");
  fs::path outside = fresh_dir("ig_cli_sarif_outside");
  fs::create_directories(repo / "k8s");
  const std::string ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: a}\n"
                              "spec:\n  ingressClassName: nginx\n  rules:\n  - host: \"*.example.com\"\n";
  std::ofstream(repo / "k8s" / "web.yaml") << ingress;
  std::ofstream(outside / "web.yaml") << ingress;
  ASSERT_EQ(run("-h >/dev/null; git init -q " + repo.string()).code, 0);
  auto locations = [&](const std::string& path) {
    auto doc = nlohmann::json::parse(run("scan --no-policy --format sarif --fail-on never " + path).out);
    return doc["runs"][0];
  };
  auto in = locations((repo / "k8s" / ".." / "k8s" / "web.yaml").string());
  ASSERT_FALSE(in["results"].empty());
  std::set<std::string> places;
  for (const auto& res : in["results"]) {
    const auto& art = res["locations"][0]["physicalLocation"]["artifactLocation"];
    EXPECT_EQ(art["uri"], "k8s/web.yaml");
    EXPECT_EQ(art["uriBaseId"], "SRCROOT");
    std::string place = res["ruleId"].get<std::string>() + " " +
                        res["locations"][0]["physicalLocation"]["region"].dump();
    EXPECT_TRUE(places.insert(place).second) << "two results at one place: " << place;
  }
  EXPECT_EQ(in["originalUriBaseIds"]["SRCROOT"]["uri"], "file://" + repo.string() + "/");
  auto out = locations((outside / "web.yaml").string());
  ASSERT_FALSE(out["results"].empty());
  EXPECT_EQ(out["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file://" + (outside / "web.yaml").string());
  EXPECT_FALSE(out.contains("originalUriBaseIds"));
  fs::remove_all(repo);
  fs::remove_all(outside);
}

// Tests SARIF for `helm template` output on stdin, run from a repository holding the chart: results point at
// the chart's template (found by the chart's name in its Chart.yaml) at the line equal to the rendered one, with
// the rendered position as a related location; and a policy's severity override sets the rule's level and
// security-severity (code scanning ranks alerts by them). The file validates against the SARIF schema.
TEST(Cli, SarifHelmTemplatesAndSeverityOverrides) {
  if (run("-h >/dev/null; command -v git").code != 0) GTEST_SKIP() << "git not installed";
  fs::path repo = fresh_dir("ig_cli_sarif_helm");
  fs::create_directories(repo / "deploy" / "charts" / "shop" / "templates");
  std::ofstream(repo / "deploy" / "charts" / "shop" / "Chart.yaml") << "apiVersion: v2\nname: \"shop\"\nversion: 0.1.0\n";
  std::ofstream(repo / "deploy" / "charts" / "shop" / "templates" / "ingress.yaml")
      << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
         "  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n";
  std::ofstream(repo / "rendered.yaml")
      << "---\n# Source: shop/templates/ingress.yaml\napiVersion: networking.k8s.io/v1\nkind: Ingress\n"
         "metadata: {name: web, namespace: a}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n";
  std::ofstream(repo / "policy.yaml") << "apiVersion: ingressguard.io/v1\nkind: Policy\nrules:\n  severity:\n    IG101: low\n";
  ASSERT_EQ(run("-h >/dev/null; git init -q " + repo.string()).code, 0);
  Outcome r = ig::testing::run_shell("cd " + repo.string() + " && " + IG_BINARY +
                                     " scan - --policy policy.yaml --format sarif --fail-on never < rendered.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  const auto& run0 = doc["runs"][0];
  EXPECT_EQ(run0["tool"]["driver"]["informationUri"], "https://github.com/ingressguard/ingressguard");
  bool found = false;
  for (const auto& res : run0["results"]) {
    if (res["ruleId"] != "IG101") continue;
    found = true;
    const auto& loc = res["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "deploy/charts/shop/templates/ingress.yaml");
    EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
    EXPECT_EQ(loc["region"]["startLine"], 8);
    EXPECT_EQ(res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], "stdin");
    EXPECT_EQ(res["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 9);
    EXPECT_EQ(res["level"], "note");
  }
  EXPECT_TRUE(found) << r.out.substr(0, 3000);
  for (const auto& rule : run0["tool"]["driver"]["rules"]) {
    if (rule["id"] == "IG101") {
      EXPECT_EQ(rule["defaultConfiguration"]["level"], "note");
      EXPECT_EQ(rule["properties"]["security-severity"], "3.0");
      EXPECT_EQ(rule["helpUri"], "https://github.com/ingressguard/ingressguard/blob/main/docs/rules.md#IG101");
    } else if (rule["id"] == "IG102") {
      EXPECT_NE(rule["properties"]["security-severity"], "3.0");  // not overridden: the catalogue's
    }
  }
  fs::path schema = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "knowledge" / "schemas" / "sarif-schema-2.1.0.json";
  if (fs::exists(schema) && run("-h >/dev/null; python3 -c 'import jsonschema'").code == 0) {
    std::ofstream(repo / "out.sarif") << r.out;
    Outcome v = run("-h >/dev/null; python3 -c \"import json,sys,jsonschema; s=json.load(open(sys.argv[1])); "
                    "d=json.load(open(sys.argv[2])); jsonschema.validators.validator_for(s)(s).validate(d)\" " +
                    schema.string() + " " + (repo / "out.sarif").string() + " 2>&1");
    EXPECT_EQ(v.code, 0) << v.out.substr(0, 2000);
  }
  fs::remove_all(repo);
}

// Tests the demo's SARIF against the SARIF 2.1.0 JSON schema (Debian's python3-jsonschema).
TEST(Cli, SarifValidatesAgainstTheSchema) {
  fs::path schema = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "knowledge" / "schemas" / "sarif-schema-2.1.0.json";
  if (!fs::exists(schema)) GTEST_SKIP() << "SARIF schema not found";
  if (run("-h >/dev/null; python3 -c 'import jsonschema'").code != 0)
    GTEST_SKIP() << "python3-jsonschema not installed (scripts/bootstrap.sh installs it)";
  fs::path dir = fresh_dir("ig_cli_sarif_schema");
  ASSERT_EQ(run("scan examples/demo --format sarif --fail-on never --output " + (dir / "demo.sarif").string()).code, 0);
  Outcome v = run("-h >/dev/null; python3 -c \"import json,sys,jsonschema; s=json.load(open(sys.argv[1])); "
                  "d=json.load(open(sys.argv[2])); jsonschema.validators.validator_for(s)(s).validate(d); print('valid')\" " +
                  schema.string() + " " + (dir / "demo.sarif").string() + " 2>&1");
  EXPECT_EQ(v.code, 0) << v.out.substr(0, 2000);
  EXPECT_NE(v.out.find("valid"), std::string::npos);
  fs::remove_all(dir);
}

// Tests that an exempted finding is a SARIF suppression with its justification.
TEST(Cli, SarifSuppression) {
  auto doc = nlohmann::json::parse(run("scan examples/hardened --format sarif").out);
  int suppressed = 0;
  for (const auto& res : doc["runs"][0]["results"])
    if (res.contains("suppressions")) {
      ++suppressed;
      EXPECT_EQ(res["suppressions"][0]["kind"], "inSource");
      EXPECT_FALSE(res["suppressions"][0]["justification"].get<std::string>().empty());
    }
  EXPECT_EQ(suppressed, 1);
}

// Tests JUnit: valid against the Ant JUnit (windyroad) and Jenkins xUnit schemas (xmllint), one test case per
// finding so that Jenkins shows each, a passing case per object without one, exemptions as skipped, totals
// consistent, and findings on the policy file (no object of the input) listed too.
TEST(Cli, JunitOneCasePerFinding) {
  Outcome r = run("scan examples/demo --policy examples/policy.yaml --format junit");
  ASSERT_EQ(r.code, 1);
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t p = r.out.find(needle); p != std::string::npos; p = r.out.find(needle, p + 1)) ++n;
    return n;
  };
  auto json = nlohmann::json::parse(run("scan examples/demo --policy examples/policy.yaml --format json").out);
  EXPECT_EQ(count("<failure "), json["summary"]["findings"].get<size_t>());
  EXPECT_EQ(count("<skipped "), json["summary"]["suppressed"].get<size_t>());
  EXPECT_NE(r.out.find("name=\"IG706 at "), std::string::npos) << "the policy file's finding is missing";
  // Each suite's counts match its cases.
  size_t tests = 0, failures = 0;
  for (size_t p = r.out.find("<testsuite "); p != std::string::npos; p = r.out.find("<testsuite ", p + 1)) {
    auto attr = [&](const std::string& name) {
      size_t a = r.out.find(" " + name + "=\"", p) + name.size() + 3;
      return std::stoul(r.out.substr(a, r.out.find('"', a) - a));
    };
    tests += attr("tests");
    failures += attr("failures");
  }
  EXPECT_EQ(tests, count("<testcase "));
  EXPECT_EQ(failures, count("<failure "));
  EXPECT_EQ(r.out.find("\x01"), std::string::npos);
  fs::path schemas = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "knowledge" / "schemas";
  if (!fs::exists(schemas) || run("-h >/dev/null; command -v xmllint").code != 0)
    GTEST_SKIP() << "schemas or xmllint (libxml2-utils) not found";
  fs::path dir = fresh_dir("ig_cli_junit");
  ig::testing::write_file((dir / "demo.xml").string(), r.out);
  for (const char* xsd : {"windyroad-JUnit.xsd", "jenkins-xunit-junit-10.xsd"}) {
    Outcome v = run("-h >/dev/null; xmllint --noout --schema " + (schemas / xsd).string() + " " + (dir / "demo.xml").string() + " 2>&1");
    EXPECT_EQ(v.code, 0) << xsd << "\n" << v.out.substr(0, 2000);
  }
  fs::remove_all(dir);
}

// Tests the Markdown PR comment: summary table, a section per file, pipes escaped.
TEST(Cli, MarkdownComment) {
  Outcome r = run("scan examples/demo --format markdown");
  ASSERT_EQ(r.code, 1);
  EXPECT_EQ(r.out.rfind("## ingressguard: ", 0), 0u);
  EXPECT_NE(r.out.find("| Critical | High | Medium | Low | Info |"), std::string::npos);
  EXPECT_NE(r.out.find("### `examples/demo/edge.yaml`"), std::string::npos);
  EXPECT_NE(r.out.find("| IG603 | Secret shop/shop-tls |"), std::string::npos);
}

// Tests `explain` for a known rule (any case) and the error for an unknown one.
TEST(Cli, Explain) {
  Outcome r = run("explain ig311");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("IG311: ingress-nginx vulnerable to IngressNightmare"), std::string::npos);
  EXPECT_NE(r.out.find("CVE-2025-1974"), std::string::npos);
  EXPECT_EQ(run("explain IG999").code, 2);
}

// Tests the certificate warning window flag: 30 days by default, widened on request.
TEST(Cli, CertExpiryDays) {
  Outcome normal = run("scan examples/demo --format json --fail-on never");
  Outcome wide = run("scan examples/demo --format json --fail-on never --cert-expiry-days 3650");
  auto count = [](const std::string& out, const char* rule) {
    size_t n = 0;
    auto doc = nlohmann::json::parse(out);  // keep the document alive for the loop
    for (const auto& f : doc["findings"]) n += f["rule"] == rule;
    return n;
  };
  EXPECT_EQ(count(normal.out, "IG604"), 0u);
  EXPECT_EQ(count(wide.out, "IG604"), 2u);  // pay-tls and grafana-tls expire in 2030; shop-tls has already expired
}

// Tests `map` on the demo: JSON lists every path with its protections; DOT is a graph from the Internet node.
TEST(Cli, MapJsonAndDot) {
  Outcome j = run("map examples/demo");
  ASSERT_EQ(j.code, 0);
  auto doc = nlohmann::json::parse(j.out);
  ASSERT_GT(doc["paths"].size(), 10u);
  bool open_admission = false;
  for (const auto& p : doc["paths"])
    if (p["entry"]["kind"] == "node-port" && p["entry"]["name"] == "ingress-nginx/ingress-nginx-controller-admission")
      open_admission = true;
  EXPECT_TRUE(open_admission);
  Outcome d = run("map examples/demo --format dot");
  ASSERT_EQ(d.code, 0);
  EXPECT_EQ(d.out.rfind("digraph exposure {", 0), 0u);
  // Internet -> the controller's LoadBalancer Service -> the class.
  EXPECT_NE(d.out.find("\"internet\" -> \"ctrl:ingress-nginx/ingress-nginx-controller (LoadBalancer)\""), std::string::npos);
  EXPECT_NE(d.out.find("\"ctrl:ingress-nginx/ingress-nginx-controller (LoadBalancer)\" -> \"ingress-class:nginx\""),
            std::string::npos);
  EXPECT_EQ(run("map").code, 2);
}

// Tests `map --format html`: one self-contained page with the SVG map and one table row per path of the JSON output.
// Tests that the map keeps two doors apart when a Gateway route and an Ingress of the same name serve the same
// host and path for the same Service: two route nodes, each with its own protections (the Ingress's TLS is not
// drawn on the Gateway's plain-HTTP listener).
TEST(Cli, MapNodesIncludeTheEntry) {
  fs::path dir = fresh_dir("ig_cli_map_entries");
  std::ofstream(dir / "shop.yaml") << R"(apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  gatewayClassName: envoy
  listeners:
  - {name: http, protocol: HTTP, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs: [{name: web, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)";
  Outcome dot = run("map --format dot " + (dir / "shop.yaml").string());
  ASSERT_EQ(dot.code, 0) << dot.out;
  std::vector<std::string> routes;
  std::istringstream lines(dot.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("\"route:") != std::string::npos && line.find("->") == std::string::npos) routes.push_back(line);
  ASSERT_EQ(routes.size(), 2u) << dot.out;
  int plain = 0, with_tls = 0;
  for (const auto& r : routes) {
    EXPECT_NE(r.find("label=\"shop.example.com/"), std::string::npos) << r;
    if (r.find("HTTPRoute:shop/web") != std::string::npos && r.find("no protection") != std::string::npos) ++plain;
    if (r.find("Ingress:shop/web") != std::string::npos && r.find("tls") != std::string::npos) ++with_tls;
  }
  EXPECT_EQ(plain, 1) << dot.out;
  EXPECT_EQ(with_tls, 1) << dot.out;
  fs::remove_all(dir);
}

TEST(Cli, MapHtml) {
  size_t paths = nlohmann::json::parse(run("map examples/demo").out)["paths"].size();
  Outcome h = run("map examples/demo --format html");
  ASSERT_EQ(h.code, 0);
  EXPECT_EQ(h.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(h.out.find("<svg"), std::string::npos);
  EXPECT_NE(h.out.find("default-src 'none'"), std::string::npos);
  size_t rows = 0;
  for (size_t at = h.out.find("<tr data-level="); at != std::string::npos; at = h.out.find("<tr data-level=", at + 1)) ++rows;
  EXPECT_EQ(rows, paths);
  EXPECT_EQ(h.out.find("src=\"http"), std::string::npos) << "the page must not load anything";
}

// Tests the HTML report in a real browser: headless Chromium loads the page, the DOM it
// renders holds the map and one table row per finding, and a screenshot is kept for people.
TEST(Cli, HtmlReportInBrowser) {
  fs::path dir = fs::path(IG_BINARY).parent_path() / "tests";
  fs::path page = dir / "report-demo.html";
  Outcome r = run("scan examples/demo --format html --output " + page.string());
  ASSERT_EQ(r.code, 1);
  auto json = nlohmann::json::parse(run("scan examples/demo --format json --fail-on never").out);
  size_t findings = json["findings"].size();
  if (run("-h >/dev/null; command -v chromium").code != 0) GTEST_SKIP() << "chromium not installed (scripts/bootstrap.sh installs it)";
  std::string profile = (fs::temp_directory_path() / ("ig_chromium_" + std::to_string(getpid()))).string();
  std::string flags = "--headless --no-sandbox --disable-gpu --user-data-dir=" + profile + " ";
  // Bounded: the browser gets 90 s, then it is killed. A 1400 px wide window, as a person's screen.
  flags += "--window-size=1400,1000 ";
  Outcome dom = run("-h >/dev/null; timeout 90 chromium " + flags + "--dump-dom file://" + page.string());
  ASSERT_EQ(dom.code, 0) << dom.out.substr(0, 500);
  EXPECT_NE(dom.out.find("<svg"), std::string::npos);
  EXPECT_NE(dom.out.find("class=\"node\""), std::string::npos);
  size_t rows = 0;
  for (size_t p = dom.out.find("<tr data-severity="); p != std::string::npos; p = dom.out.find("<tr data-severity=", p + 1)) ++rows;
  EXPECT_EQ(rows, findings);
  EXPECT_NE(dom.out.find("IG311"), std::string::npos);
  // Gateway API routes are on the map too (examples/demo/gateway.yaml), with their findings.
  EXPECT_NE(dom.out.find("gateway-listener"), std::string::npos);
  EXPECT_NE(dom.out.find("IG1020"), std::string::npos);
  // The whole map is in view at first (the page measures its own layout in the browser and says so), with
  // its legend and zoom buttons; a link asking for a zoom shows a part of it, larger.
  EXPECT_NE(dom.out.find("data-fits=\"yes\""), std::string::npos) << "the map does not fit a 1400 px window";
  EXPECT_NE(dom.out.find("id=\"legend\""), std::string::npos);
  EXPECT_NE(dom.out.find("any pod may connect to"), std::string::npos);
  EXPECT_NE(dom.out.find("id=\"zoomin\""), std::string::npos);
  Outcome zoomed = run("-h >/dev/null; timeout 90 chromium " + flags + "--dump-dom 'file://" + page.string() + "#zoom=3'");
  ASSERT_EQ(zoomed.code, 0);
  EXPECT_NE(zoomed.out.find("data-zoom=\"3.00\""), std::string::npos) << zoomed.out.substr(0, 300);
  EXPECT_NE(zoomed.out.find("data-fits=\"no\""), std::string::npos);
  // Screenshots kept for people (build/tests/report-demo.png, report-demo-zoom3.png).
  for (const auto& [name, url] : {std::pair<std::string, std::string>{"report-demo.png", "file://" + page.string()},
                                  {"report-demo-zoom3.png", "file://" + page.string() + "#zoom=3"}}) {
    fs::path shot = dir / name;
    fs::remove(shot);
    Outcome s = run("-h >/dev/null; cd " + dir.string() + " && timeout 90 chromium " + flags + "--screenshot=" +
                    shot.string() + " '" + url + "'");
    EXPECT_EQ(s.code, 0);
    EXPECT_GT(fs::exists(shot) ? fs::file_size(shot) : 0u, 10000u) << name;
  }
  fs::remove_all(profile);
}

// Tests the deploy/ kustomize base: `kubectl kustomize` renders it offline, the webhook settings are the documented
// ones, and `ingressguard scan` of the rendered manifests (both certificate variants) finds nothing.
TEST(Cli, DeployBaseRendersAndScansClean) {
  if (std::system("command -v kubectl >/dev/null 2>&1") != 0) GTEST_SKIP() << "kubectl is not installed";
  fs::path out = fs::temp_directory_path() / ("ig-deploy-" + std::to_string(::getpid()));
  fs::create_directories(out);
  std::string src = IG_SOURCE_DIR;
  ASSERT_EQ(std::system(("kubectl kustomize " + src + "/deploy > " + (out / "cm.yaml").string()).c_str()), 0);
  ASSERT_EQ(std::system(("kubectl kustomize " + src + "/deploy/provided-cert > " + (out / "own.yaml").string()).c_str()), 0);
  ASSERT_EQ(std::system(("kubectl kustomize " + src + "/deploy/no-client-auth > " + (out / "open.yaml").string()).c_str()), 0);
  for (const char* variant : {"cm.yaml", "own.yaml", "open.yaml"}) {
    Outcome r = run("scan --no-policy --format json " + (out / variant).string());
    EXPECT_EQ(r.code, 0) << variant << "\n" << r.out;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["findings"].size(), 0u) << variant << "\n" << r.out;
  }
  // The shipped webhook answers only the API server's client certificate (and learns only from it);
  // the variant for managed control planes runs without it and without its certificates.
  std::string open = ig::testing::read_file((out / "open.yaml").string());
  EXPECT_EQ(open.find("client-ca"), std::string::npos);
  EXPECT_EQ(open.find("ingressguard-apiserver-client"), std::string::npos);
  EXPECT_NE(open.find("ingressguard-serving"), std::string::npos);
  EXPECT_NE(ig::testing::read_file((out / "own.yaml").string()).find("--client-ca="), std::string::npos);

  std::ifstream in(out / "cm.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* expected : {"replicas: 2", "runAsNonRoot: true", "readOnlyRootFilesystem: true", "kind: PodDisruptionBudget",
                               "sideEffects: None", "matchPolicy: Equivalent", "failurePolicy: Fail", "failurePolicy: Ignore",
                               "timeoutSeconds: 5", "- kube-system", "cert-manager.io/inject-ca-from", "kind: Certificate",
                               "cidr: 10.0.0.0/8", "path: /readyz", "path: /validate",
                               "--client-ca=/etc/ingressguard/client-ca/ca.crt", "name: ingressguard-apiserver-client",
                               "- client auth", "--max-connections=512"})
    EXPECT_NE(yaml.find(expected), std::string::npos) << expected;
  EXPECT_EQ(yaml.find("API_SERVER_CIDR"), std::string::npos) << "the site parameter was not substituted";
  EXPECT_EQ(yaml.find("ingressguard-deploy-params"), std::string::npos) << "the local parameters were rendered";
  fs::remove_all(out);
}

// Tests that the image has one name, at the binary's version, wherever the project names it (the deploy
// manifests, the GitHub Action, the Dockerfile and the docs): no stale tag, no name without its registry.
TEST(Cli, OneImageNameEverywhere) {
  std::string version = run("version").out;
  version = version.substr(version.find(' ') + 1);
  version.erase(version.find_last_not_of('\n') + 1);
  const std::string name = "ghcr.io/ingressguard/ingressguard";
  std::vector<fs::path> files = {"README.md", "Dockerfile", "action.yml"};
  for (const char* dir : {"docs", "deploy"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(IG_SOURCE_DIR) / dir))
      if (e.is_regular_file()) files.push_back(fs::relative(e.path(), IG_SOURCE_DIR));
  int named = 0;
  for (const auto& file : files) {
    std::string text = ig::testing::read_file((fs::path(IG_SOURCE_DIR) / file).string());
    for (size_t at = text.find("ingressguard:"); at != std::string::npos; at = text.find("ingressguard:", at + 1)) {
      size_t end = at + 13;
      if (end >= text.size() || !std::isdigit(static_cast<unsigned char>(text[end]))) continue;  // not a tag
      bool full = at >= name.size() - 12 && text.compare(at - (name.size() - 12), name.size() + 1, name + ":") == 0;
      // The docs' placeholder for the user's own registry, where they push the image.
      bool own = at >= 21 && text.compare(at - 21, 21, "registry.example.com/") == 0;
      EXPECT_TRUE(full || own) << file << ": an image named without " << name;
      EXPECT_EQ(text.compare(end, version.size(), version), 0) << file << ": tag is not " << version;
      ++named;
    }
  }
  EXPECT_GE(named, 4);  // deployment, action, Dockerfile, docs
  std::string dockerfile = ig::testing::read_file((fs::path(IG_SOURCE_DIR) / "Dockerfile").string());
  EXPECT_NE(dockerfile.find("org.opencontainers.image.version=\"" + version + "\""), std::string::npos);
}

namespace {

// Writes `ingressguard completion SHELL` to a file for the shell tests.
fs::path completion_script(const std::string& shell, const fs::path& dir) {
  fs::path file = dir / (shell == "zsh" ? "_ingressguard" : "ingressguard." + shell);
  Outcome r = run("completion " + shell);
  EXPECT_EQ(r.code, 0);
  std::ofstream(file) << r.out;
  return file;
}

}  // namespace

// Tests the bash completion in bash itself: the completion function, called as bash calls it, offers the
// commands, an option's values, rule IDs after --rule, every printed ID after explain, and nothing after a
// numeric option.
TEST(Cli, CompletionBash) {
  fs::path dir = fresh_dir("ig_cli_completion_bash");
  fs::path script = completion_script("bash", dir);
  auto complete = [&](const std::string& words) {
    std::ofstream(dir / "t.sh") << "source " << script.string() << "\nCOMP_WORDS=(" << words
                                << ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_ingressguard\n"
                                   "[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    return ig::testing::run_shell("bash " + (dir / "t.sh").string()).out;
  };
  EXPECT_NE(complete("ingressguard sc").find("scan\n"), std::string::npos);
  EXPECT_EQ(complete("ingressguard scan --format sa"), "sarif\n");
  EXPECT_EQ(complete("ingressguard scan --fail-on n"), "never\n");
  EXPECT_NE(complete("ingressguard scan --rule IG10").find("IG101\n"), std::string::npos);
  EXPECT_EQ(complete("ingressguard scan --rule IG9"), "");  // probe checks are not scan rules
  EXPECT_NE(complete("ingressguard explain IG92").find("IG920\n"), std::string::npos);
  EXPECT_NE(complete("ingressguard explain IG80").find("IG801\n"), std::string::npos);
  EXPECT_NE(complete("ingressguard serve --").find("--tls-cert\n"), std::string::npos);
  EXPECT_EQ(complete("ingressguard serve --threads ''"), "");
  EXPECT_NE(complete("ingressguard completion ''").find("fish\n"), std::string::npos);
  fs::remove_all(dir);
}

// Tests the fish completion with fish's own `complete -C` (what fish offers at that command line).
TEST(Cli, CompletionFish) {
  if (ig::testing::run_shell("command -v fish").code != 0) GTEST_SKIP() << "fish not installed (scripts/bootstrap.sh installs it)";
  fs::path dir = fresh_dir("ig_cli_completion_fish");
  fs::path script = completion_script("fish", dir);
  auto complete = [&](const std::string& line) {
    return ig::testing::run_shell("fish --no-config -c 'source " + script.string() + "; complete -C \"" + line + "\"'").out;
  };
  EXPECT_EQ(complete("ingressguard scan --format sa").rfind("sarif\t", 0), 0u);
  EXPECT_NE(complete("ingressguard pro").find("probe\t"), std::string::npos);
  EXPECT_NE(complete("ingressguard explain IG94").find("IG946"), std::string::npos);
  EXPECT_NE(complete("ingressguard logs --log-").find("--log-format"), std::string::npos);
  fs::remove_all(dir);
}

// Tests the zsh completion in an interactive zsh driven through a pseudo-terminal (zsh/zpty): the script is
// autoloaded from fpath by compinit as users install it, and a Tab completes a command and an option's value.
TEST(Cli, CompletionZsh) {
  if (ig::testing::run_shell("command -v zsh").code != 0) GTEST_SKIP() << "zsh not installed (scripts/bootstrap.sh installs it)";
  fs::path dir = fresh_dir("ig_cli_completion_zsh");
  completion_script("zsh", dir);
  ASSERT_EQ(ig::testing::run_shell("zsh -n " + (dir / "_ingressguard").string()).code, 0);
  auto typed = [&](const std::string& keys) {
    std::ofstream(dir / "t.zsh") << "zmodload zsh/zpty\nzpty z 'zsh -f -i'\n"
                                    "zpty -w z 'PS1=\">\"; fpath=(" << dir.string() << " $fpath); autoload -U compinit; "
                                    "compinit -u -D; zstyle \":completion:*\" menu no'\n"
                                    "zpty -w z $'" << keys << "\\t'\nbuf=\n"
                                    "for i in {1..60}; do if zpty -r -t z chunk; then buf+=$chunk; else sleep 0.05; fi; done\n"
                                    "zpty -d z\nprint -r -- \"$buf\"\n";
    return ig::testing::run_shell("PATH=" + fs::path(IG_BINARY).parent_path().string() + ":$PATH timeout 30 zsh -f " +
                                  (dir / "t.zsh").string()).out;
  };
  EXPECT_NE(typed("ingressguard scan --format sa").find("sarif"), std::string::npos);
  EXPECT_NE(typed("ingressguard expl").find("explain"), std::string::npos);
  fs::remove_all(dir);
}
