// Scan units: how paths split into units (modes, file trees, kustomize leaves,
// charts), and rendering with the real kubectl.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "load/units.h"

namespace ig {

namespace fs = std::filesystem;

namespace {

class TempTree {
 public:
  TempTree() : root_(fs::temp_directory_path() / ("ig_units_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++))) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~TempTree() { fs::remove_all(root_); }
  std::string write(const std::string& rel, const std::string& text) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& rel = "") const { return rel.empty() ? root_.string() : (root_ / rel).string(); }

 private:
  static inline int counter_ = 0;
  fs::path root_;
};

// PATH set for the life of a test, then restored.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& value) : old_(std::getenv("PATH") ? std::getenv("PATH") : "") {
    setenv("PATH", value.c_str(), 1);
  }
  ~ScopedPath() { setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

const std::string kService = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n";

std::vector<std::string> names(const UnitPlan& p) {
  std::vector<std::string> out;
  for (const UnitSource& u : p.units) out.push_back(u.name);
  return out;
}

bool on_path(const char* tool) {
  std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

// Tests the three modes on one tree: a directory argument is one unit (input), one per directory (dir),
// one per file (file).
TEST(Units, ModesSplitADirectory) {
  TempTree t;
  t.write("app/a.yaml", kService);
  t.write("app/sub/b.yml", kService);
  t.write("app/notes.txt", "not a manifest");
  auto input = plan_units({t.path("app")}, UnitMode::Input);
  ASSERT_EQ(input.units.size(), 1u);
  EXPECT_EQ(input.units[0].files.size(), 2u);
  EXPECT_EQ(names(plan_units({t.path("app")}, UnitMode::Dir)), (std::vector<std::string>{t.path("app"), t.path("app/sub")}));
  EXPECT_EQ(plan_units({t.path("app")}, UnitMode::File).units.size(), 2u);
}

// Tests that file arguments in one directory tree are one unit and files of unrelated trees are not.
TEST(Units, FileArgumentsGroupByDirectoryTree) {
  TempTree t;
  std::string a1 = t.write("a/fixtures/ingresses/x.yml", kService);
  std::string a2 = t.write("a/fixtures/services.yml", kService);
  std::string b1 = t.write("b/example.yaml", kService);
  auto plan = plan_units({a1, a2, b1}, UnitMode::Input);
  ASSERT_EQ(plan.units.size(), 2u);
  EXPECT_EQ(plan.units[0].files, (std::vector<std::string>{a1, a2}));
  EXPECT_EQ(plan.units[0].name, t.path("a/fixtures"));
  EXPECT_EQ(plan.units[1].files, std::vector<std::string>{b1});
  EXPECT_EQ(plan.units[1].name, b1);
  EXPECT_EQ(plan_units({a1, a2, b1}, UnitMode::Dir).units.size(), 3u);
  // stdin is a unit of its own; a path that does not exist is an error, the rest planned.
  auto mixed = plan_units({"-", t.path("missing.yaml"), b1}, UnitMode::Input);
  EXPECT_EQ(names(mixed), (std::vector<std::string>{"-", b1}));
  ASSERT_EQ(mixed.errors.size(), 1u);
  EXPECT_EQ(mixed.errors[0].message, "no such file or directory");
}

// Tests named units: files matching a unit's globs (relative to the policy's directory) form that unit, the
// first matching unit takes a file, `*` stops at `/` unless the pattern has `**`, and the rest split by the mode.
TEST(Units, NamedUnitsTakeTheirFiles) {
  TempTree t;
  std::string p1 = t.write("envs/prod/a.yaml", kService);
  std::string p2 = t.write("envs/prod/sub/b.yaml", kService);
  std::string d1 = t.write("envs/dev/c.yaml", kService);
  std::string d2 = t.write("envs/dev/deep/e.yaml", kService);
  std::string o1 = t.write("other/d.yaml", kService);
  std::vector<NamedUnit> named = {{"prod", {"envs/prod/**"}}, {"dev", {"envs/dev/*.yaml"}}, {"all-envs", {"envs/**"}}};
  auto plan = plan_units({t.path()}, UnitMode::Input, named, t.path());
  ASSERT_EQ(names(plan), (std::vector<std::string>{"prod", "dev", "all-envs", t.path()}));
  EXPECT_EQ(plan.units[0].files, (std::vector<std::string>{p1, p2}));
  EXPECT_EQ(plan.units[1].files, std::vector<std::string>{d1});
  EXPECT_EQ(plan.units[2].files, std::vector<std::string>{d2});  // dev's `*` does not cross into deep/
  EXPECT_EQ(plan.units[3].files, std::vector<std::string>{o1});
  // File arguments are matched too; without named units the plan is as before.
  EXPECT_EQ(names(plan_units({p1, o1}, UnitMode::File, named, t.path())), (std::vector<std::string>{"prod", o1}));
  EXPECT_EQ(plan_units({t.path()}, UnitMode::Input).units.size(), 1u);
}

// Tests kustomize leaves: an overlay that includes a base is a unit and the base is not; a Component is
// never one; the files under a kustomization are not read raw; a kustomization no overlay includes is one.
TEST(Units, KustomizeLeavesOnly) {
  TempTree t;
  t.write("deploy/base/kustomization.yaml", "resources: [service.yaml]\n");
  t.write("deploy/base/service.yaml", kService);
  t.write("deploy/components/tls/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
  t.write("deploy/overlays/prod/kustomization.yaml", "resources: [../../base]\ncomponents: [../../components/tls]\n");
  t.write("deploy/overlays/prod/patch.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n");
  t.write("deploy/other/kustomization.yaml", "resources: [cm.yaml]\n");
  t.write("deploy/other/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  t.write("deploy/raw.yaml", kService);
  auto plan = plan_units({t.path("deploy")}, UnitMode::Input);
  std::vector<std::string> kustomize, raw;
  for (const UnitSource& u : plan.units)
    (u.kind == UnitSource::Kind::Kustomize ? kustomize : raw).push_back(u.name);
  EXPECT_EQ(kustomize, (std::vector<std::string>{t.path("deploy/other"), t.path("deploy/overlays/prod")}));
  ASSERT_EQ(plan.units.front().kind, UnitSource::Kind::Files);
  EXPECT_EQ(plan.units.front().files, std::vector<std::string>{t.path("deploy/raw.yaml")});
  // A kustomization file named on the command line is its directory's unit.
  auto named = plan_units({t.path("deploy/other/kustomization.yaml")}, UnitMode::Input);
  ASSERT_EQ(named.units.size(), 1u);
  EXPECT_EQ(named.units[0].kind, UnitSource::Kind::Kustomize);
}

// Tests that a chart is never parsed raw: without helm on PATH it is left out with a notice naming the
// chart and the pipe to use.
TEST(Units, ChartWithoutHelmIsANotice) {
  TempTree t;
  t.write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n");
  t.write("charts/web/templates/deploy.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: {{ .Values.name }}}\n");
  ScopedPath path(t.path());  // no helm in an empty directory
  auto plan = plan_units({t.path("charts")}, UnitMode::Input);
  EXPECT_TRUE(plan.units.empty());
  ASSERT_EQ(plan.notices.size(), 1u);
  EXPECT_EQ(plan.notices[0], "Helm chart " + t.path("charts/web") + " skipped: helm is not on PATH (render it yourself: helm template " +
                                 t.path("charts/web") + " | ingressguard scan -)");
}

// Tests rendering an overlay with the real kubectl: the unit holds the rendered objects (the base's
// Service with the overlay's prefix), and without kubectl the error names the kustomization.
TEST(Units, RendersWithKubectl) {
  if (!on_path("kubectl")) GTEST_SKIP() << "kubectl is not installed";
  TempTree t;
  t.write("base/kustomization.yaml", "resources: [service.yaml]\n");
  t.write("base/service.yaml", kService);
  t.write("prod/kustomization.yaml", "namePrefix: prod-\nresources: [../base]\n");
  auto plan = plan_units({t.path()}, UnitMode::Input);
  ASSERT_EQ(plan.units.size(), 1u);
  Cluster c;
  Loader loader(c);
  std::vector<LoadError> errors;
  load_unit(plan.units[0], loader, errors, 1 << 20);
  EXPECT_TRUE(errors.empty()) << errors[0].message;
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].meta.name, "prod-web");
  EXPECT_EQ(c.files.back().path, t.path("prod") + "/kustomization.yaml (rendered)");

  // Mapped back: the rendered Service's lines point into base/service.yaml (the origin
  // annotations kustomize adds for the map are not in what is loaded).
  Cluster mapped;
  Loader mapped_loader(mapped);
  SourceMap map;
  std::vector<LoadError> none_expected;
  load_unit(plan.units[0], mapped_loader, none_expected, 1 << 20, &map);
  ASSERT_TRUE(none_expected.empty());
  ASSERT_EQ(mapped.services.size(), 1u);
  const Service& svc = mapped.services[0];
  EXPECT_EQ(svc.meta.annotation("config.kubernetes.io/origin"), nullptr);
  ASSERT_FALSE(svc.ports.empty());
  Loc port = map.map(mapped, svc.ports[0].loc);
  EXPECT_EQ(mapped.files[port.file].path, fs::path(t.path("base/service.yaml")).lexically_normal().string());
  EXPECT_EQ(port.line, 4u);  // "spec: {ports: [{port: 80}]}" is line 4 of the source
  Loc start = map.map(mapped, svc.meta.loc);
  EXPECT_EQ(start.line, 1u);

  // A kustomization kubectl refuses: kubectl's own message, named after the kustomization.
  TempTree broken;
  broken.write("kustomization.yaml", "resources: [nothere.yaml]\n");
  auto bad = plan_units({broken.path()}, UnitMode::Input);
  ASSERT_EQ(bad.units.size(), 1u);
  Cluster b;
  Loader b_loader(b);
  std::vector<LoadError> refused;
  load_unit(bad.units[0], b_loader, refused, 1 << 20);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].message.rfind("kubectl could not render " + broken.path() + ": ", 0), 0u) << refused[0].message;
  EXPECT_NE(refused[0].message.find("nothere.yaml"), std::string::npos) << refused[0].message;

  ScopedPath path(t.path());  // kubectl gone
  Cluster none;
  Loader none_loader(none);
  std::vector<LoadError> missing;
  load_unit(plan.units[0], none_loader, missing, 1 << 20);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].file, t.path("prod") + "/kustomization.yaml");
  EXPECT_NE(missing[0].message.find("kubectl is not on PATH"), std::string::npos) << missing[0].message;
}

}  // namespace ig
