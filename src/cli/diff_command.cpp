// `ingressguard diff BASE [HEAD]`: what a change does to the attack surface. Each side is a
// directory or a git revision (written into a temporary directory with libgit2, so that
// kustomizations render as from a checkout); without HEAD the work tree of the repository is the
// head. Each side is scanned with its own policy file, split into units as `scan` splits it
// (from the side's root, so unit and file names are the same on both sides), and the units of
// the same name are compared (diff/surface_diff.h).
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <functional>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/phase_timings.h"
#include "core/paths.h"
#include "core/unique_fd.h"
#include "graph/exposure.h"
#include "load/git_tree.h"
#include "load/loader.h"
#include "load/units.h"
#include "policy/policy.h"
#include "report/diff_report.h"
#include "report/report.h"

namespace ig {

namespace fs = std::filesystem;

namespace {

// A side read from git lives in a directory of its own, removed with it.
struct TempDir {
  std::string path;
  TempDir() {
    // Absolute: a side's checkout is written by a thread while another has entered a side's root.
    std::error_code ec;
    fs::path base = fs::absolute((std::getenv("TMPDIR") && *std::getenv("TMPDIR")) ? std::getenv("TMPDIR") : "/tmp", ec);
    std::string pattern = (base / "ingressguard-diff-XXXXXX").string();
    if (::mkdtemp(pattern.data())) path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Runs with the side's root as the working directory (unit and file names relative to it, as a scan from
// that directory names them); the previous one is restored after.
class InDirectory {
 public:
  explicit InDirectory(const std::string& dir) : saved_(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    ok_ = saved_.get() >= 0 && ::chdir(dir.c_str()) == 0;
  }
  ~InDirectory() {
    if (saved_.get() >= 0 && ::fchdir(saved_.get()) != 0) {
      // The previous directory is gone; nothing later depends on it.
    }
  }
  bool ok() const { return ok_; }

 private:
  UniqueFd saved_;
  bool ok_ = false;
};

struct Side {
  DiffSideInfo info;
  std::string root;  // absolute
  std::unique_ptr<TempDir> temp;
  std::vector<std::string> notices;
  // Read in the side's root:
  Cluster policy_holder;  // the policy file's strings
  std::optional<Policy> policy;
  UnitPlan plan;
  LoadStats stats;

  // How a file of this side is named in errors: git's REV:PATH for a revision, the directory's path
  // joined for a directory, the path itself in the work tree.
  std::string name(const std::string& path) const {
    std::string file(without_dot_slash(path));
    if (!info.commit.empty()) return info.label + ":" + file;
    if (info.label == "work tree") return file;
    return (fs::path(info.label) / file).lexically_normal().string();
  }
};

// BASE or HEAD: a directory when one exists by that name, else a revision of the repository; no name: the
// repository's work tree.
bool resolve_side(const std::string& arg, const DiffOptions& o, unsigned threads, Side& side, std::vector<LoadError>& errors) {
  std::error_code ec;
  std::string error;
  if (arg.empty()) {
    auto tree = git_repository_work_tree(o.repo, error);
    if (!tree) {
      errors.push_back({o.repo, {}, "no HEAD given and no work tree to compare with: " + error});
      return false;
    }
    side.info.label = "work tree";
    side.root = *tree;
    return true;
  }
  if (fs::exists(arg, ec)) {
    if (!fs::is_directory(arg, ec)) {
      errors.push_back({arg, {}, "a side of a diff is a directory or a git revision, not a file"});
      return false;
    }
    side.info.label = arg;
    side.root = fs::absolute(arg, ec).lexically_normal().string();
    return true;
  }
  side.temp = std::make_unique<TempDir>();
  if (side.temp->path.empty()) {
    errors.push_back({arg, {}, "cannot create a temporary directory to read the revision into"});
    return false;
  }
  auto checkout = git_checkout_revision(o.repo, arg, side.temp->path, o.max_file_size, threads, error);
  if (!checkout) {
    errors.push_back({arg, {}, "neither a directory nor a revision of the repository at " + o.repo + ": " + error});
    return false;
  }
  side.info.label = arg;
  side.info.commit = checkout->commit;
  side.root = side.temp->path;
  for (const std::string& s : checkout->skipped) side.notices.push_back(arg + ": left out " + s);
  return true;
}

// The side's policy and units, read from its root.
bool plan_side(Side& side, const DiffOptions& o, std::vector<LoadError>& errors) {
  InDirectory here(side.root);
  if (!here.ok()) {
    errors.push_back({side.root, {}, "cannot enter the directory"});
    return false;
  }
  std::optional<std::string> policy_path = o.policy;
  if (!policy_path && o.discover_policy) policy_path = find_policy(o.paths.front());
  if (policy_path) {
    std::vector<LoadError> policy_errors;
    side.policy = load_policy(*policy_path, side.policy_holder, policy_errors);
    for (LoadError& e : policy_errors) errors.push_back({side.name(e.file), e.mark, e.message});
  }
  side.plan = plan_units(o.paths, o.unit_mode, side.policy ? &*side.policy : nullptr);
  for (const LoadError& e : side.plan.errors) errors.push_back({side.name(e.file), e.mark, e.message});
  for (const std::string& n : side.plan.notices) side.notices.push_back(side.info.label + ": " + n);
  return true;
}

// One unit of one side, loaded and judged as `scan` judges it.

struct JudgedUnit {
  Cluster cluster;
  std::optional<Policy> policy;
  std::vector<Finding> findings;
  std::vector<ExposurePath> paths;
  SourceMap sources;
};

std::vector<std::unique_ptr<JudgedUnit>> g_left_for_exit;  // reachable, so not a leak

DiffUnitInput input_of(JudgedUnit* j);

// `beside` runs on the second core after the exposure graph, while the rules run: it may read the snapshot
// (and the paths), not the findings.
std::unique_ptr<JudgedUnit> judge(Side& side, const UnitSource& u, const DiffOptions& o, std::vector<LoadError>& errors,
                                  PhaseTimings& timings, const std::function<void(JudgedUnit&)>& beside) {
  InDirectory here(side.root);
  auto j = std::make_unique<JudgedUnit>();
  Cluster& unit = j->cluster;
  j->policy = side.policy;
  if (j->policy) {
    j->policy->file = 0;
    unit.files.push_back(SourceFile{j->policy->path, {}});
  }
  LoadOptions load_opts;
  load_opts.max_file_size = o.max_file_size;
  Loader loader(unit, load_opts);
  std::vector<LoadError> unit_errors;
  load_unit(u, loader, unit_errors, o.max_file_size, &j->sources);
  j->sources.register_files(unit);  // locations are then mapped without changing the snapshot (from any thread)
  unit.index();
  timings.mark("load");
  RuleSettings settings;
  settings.policy = j->policy ? &*j->policy : nullptr;
  settings.cert_expiry_days = o.cert_expiry_days;
  // The exposure graph is built beside the rules (both only read the snapshot): one core each.
  std::thread exposure([&] {
    j->paths = build_exposure(unit);
    beside(*j);
  });
  j->findings = run_rules(unit, settings);
  exposure.join();
  for (Finding& f : j->findings) {
    f.loc = j->sources.map(unit, f.loc);
    f.resource.loc = j->sources.map(unit, f.resource.loc);
  }
  timings.mark("rules and exposure");
  unit_errors.insert(unit_errors.end(), loader.errors().begin(), loader.errors().end());
  for (const LoadError& e : unit_errors) errors.push_back({side.name(e.file), e.mark, e.message});
  side.stats += loader.stats();
  return j;
}

DiffUnitInput input_of(JudgedUnit* j) {
  DiffUnitInput in;
  if (!j) return in;
  in.cluster = &j->cluster;
  in.findings = &j->findings;
  in.paths = &j->paths;
  in.locate = [j](Loc l) { return j->sources.map(j->cluster, l); };
  return in;
}

// A path inside a side: relative, and not leaving it.
bool inside_side(const std::string& p) {
  fs::path path(p);
  if (path.is_absolute()) return false;
  for (const auto& part : path.lexically_normal())
    if (part == "..") return false;
  return true;
}

}  // namespace

int run_diff(const DiffOptions& opts, std::ostream& out, std::ostream& err) {
  static const std::vector<std::string> kFormats = {"text", "json", "markdown", "sarif"};
  if (std::find(kFormats.begin(), kFormats.end(), opts.format) == kFormats.end()) {
    err << "ingressguard: unknown format '" << opts.format << "' (use text, json, markdown or sarif)\n";
    return static_cast<int>(ExitCode::Error);
  }
  DiffOptions o = opts;
  if (o.paths.empty()) o.paths = {"."};
  for (const std::string& p : o.paths)
    if (!inside_side(p)) {
      err << "ingressguard: --path " << p << ": give a path inside each side, relative to its root\n";
      return static_cast<int>(ExitCode::Error);
    }
  // Read from every side's root, and by a thread while another has entered a side's root.
  if (o.policy) o.policy = fs::absolute(*o.policy).string();
  o.repo = fs::absolute(o.repo).lexically_normal().string();
  DiffReport report;
  PhaseTimings timings(err);
  Side base, head;
  std::error_code ec;
  if (o.head.empty() && fs::exists(o.base, ec)) {
    report.errors.push_back({o.base, {}, "a directory is compared with another: give HEAD as well"});
    write_problems(err, {}, report.errors);
    return static_cast<int>(ExitCode::Error);
  }
  // The base is read first, on both cores. The head, when it is a revision too, is written by a thread of its
  // own while the base is read and judged, and is waited for only once the first unit of the base is kept.
  // (Not at a lower priority: on a busy machine such a thread starves, and the diff waits for it.)
  unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<LoadError> head_errors;
  bool head_ok = false;
  std::thread head_thread;
  bool head_in_background = !o.head.empty() && !fs::exists(o.head, ec);
  auto resolve_head = [&](unsigned n) { head_ok = resolve_side(o.head, o, n, head, head_errors); };
  bool ok = resolve_side(o.base, o, threads, base, report.errors) && plan_side(base, o, report.errors);
  if (ok && head_in_background) {
    head_thread = std::thread([&] { resolve_head(1); });
  } else if (ok) {
    resolve_head(threads);
  }
  timings.mark("checkout");
  // The head's units, once its files are there.
  std::map<std::string, const UnitSource*> in_base, in_head;
  bool head_planned = false;
  auto head_units = [&] {
    if (!head_planned) {
      head_planned = true;
      if (head_thread.joinable()) {
        head_thread.join();
        malloc_trim(0);  // what the writer threads' malloc arenas kept, before the head is read
      }
      report.errors.insert(report.errors.end(), head_errors.begin(), head_errors.end());
      head_ok = head_ok && plan_side(head, o, report.errors);
      if (head_ok)
        for (const UnitSource& u : head.plan.units) in_head.emplace(u.name, &u);
    }
    return head_ok;
  };
  if (ok) {
    // Units matched by name: the base's in order, then those only the head has.
    for (const UnitSource& u : base.plan.units) in_base.emplace(u.name, &u);
    std::vector<std::string> names;
    for (const UnitSource& u : base.plan.units) names.push_back(u.name);
    bool head_only_added = false;
    for (size_t n = 0;; ++n) {
      if (n == names.size()) {  // after the base's units: those only the head has
        if (head_only_added || !head_units()) break;
        head_only_added = true;
        for (const UnitSource& u : head.plan.units)
          if (!in_base.count(u.name)) names.push_back(u.name);
        if (n == names.size()) break;
      }
      g_left_for_exit.clear();  // the previous unit's head: not the last
      const std::string name = names[n];
      // One side at a time: what the comparison needs of the base is kept before the head is read.
      DiffSideUnit kept;
      std::string shown(without_dot_slash(name));
      if (auto it = in_base.find(name); it != in_base.end()) {
        std::unique_ptr<Cluster> reach;
        std::unique_ptr<JudgedUnit> b = judge(base, *it->second, o, report.errors, timings,
                                              [&](JudgedUnit& j) { reach = SurfaceDiff::copy_reach(input_of(&j)); });
        kept = report.diff.keep(input_of(b.get()), std::move(reach));
        timings.mark("keep");
        b.reset();
        timings.mark("free");
      }
      if (!head_units()) break;
      std::unique_ptr<JudgedUnit> h;
      SurfaceDiff::ReachChanges reach;
      if (auto it = in_head.find(name); it != in_head.end())
        h = judge(head, *it->second, o, report.errors, timings,
                  [&](JudgedUnit& j) { reach = report.diff.compare_reach(shown, kept, input_of(&j)); });
      report.diff.compare_unit(shown, kept, input_of(h.get()), std::move(reach));
      // The process ends after the report: the last unit's head is left for the OS to reclaim.
      if (o.process_exits_after && h) g_left_for_exit.push_back(std::move(h));
      timings.mark("compare");
    }
    report.diff.finish();
  }
  if (head_thread.joinable()) head_thread.join();
  if (!head_planned) report.errors.insert(report.errors.end(), head_errors.begin(), head_errors.end());
  report.base = base.info;
  report.head = head.info;
  report.base_stats = base.stats;
  report.head_stats = head.stats;
  report.notices = base.notices;
  report.notices.insert(report.notices.end(), head.notices.begin(), head.notices.end());
  report.notices.insert(report.notices.end(), report.diff.notices.begin(), report.diff.notices.end());

  std::ofstream file;
  std::ostream* dest = open_output(o.output, file, out, err);
  if (!dest) return static_cast<int>(ExitCode::Error);
  if (o.format == "json") write_diff_json(*dest, report);
  else if (o.format == "markdown") write_diff_markdown(*dest, report);
  else if (o.format == "sarif") write_diff_sarif(*dest, report);
  else write_diff_text(*dest, report, o.color && o.output.empty());
  dest->flush();
  write_problems(err, report.notices, report.errors);
  if (!report.errors.empty()) return static_cast<int>(ExitCode::Error);
  auto highest = report.diff.highest();
  if (o.fail_on && highest && *highest >= *o.fail_on) return static_cast<int>(ExitCode::Findings);
  return static_cast<int>(ExitCode::Clean);
}

}  // namespace ig
