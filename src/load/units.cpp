#include "load/units.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/paths.h"
#include "core/text.h"
#include "load/parse.h"
#include "load/subprocess.h"

namespace ig {

namespace fs = std::filesystem;

std::optional<UnitMode> parse_unit_mode(std::string_view s) {
  if (s == "input") return UnitMode::Input;
  if (s == "dir") return UnitMode::Dir;
  if (s == "file") return UnitMode::File;
  return std::nullopt;
}

namespace {

bool is_manifest(const fs::path& p) {
  if (p.filename() == ".ingressguard.yaml") return false;  // the policy file, read as the policy
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::optional<fs::path> kustomization_in(const fs::path& dir) {
  for (const char* name : {"kustomization.yaml", "kustomization.yml", "Kustomization"}) {
    std::error_code ec;
    if (fs::is_regular_file(dir / name, ec)) return dir / name;
  }
  return std::nullopt;
}

bool has_chart(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "Chart.yaml", ec);
}

// What a kustomization includes (resources, bases, components that are
// directories, resolved against its directory) and whether it is a Component.
struct KustomizationRefs {
  std::vector<fs::path> dirs;
  bool component = false;
};

class KustomizationReader : public DocumentSink {
 public:
  explicit KustomizationReader(const fs::path& dir) : dir_(dir) {}
  void on_document(const Document& doc) override {
    const Node* root = doc.root;
    if (!root || !root->is_map()) return;
    if (const Node* kind = root->get("kind"); kind && kind->is_scalar() && kind->text == "Component") refs.component = true;
    for (const char* key : {"resources", "bases", "components"}) {
      const Node* list = root->get(key);
      if (!list || !list->is_seq()) continue;
      for (uint32_t i = 0; i < list->count; ++i) {
        const Node* item = list->item(i);
        if (!item->is_scalar() || item->text.find("://") != std::string_view::npos) continue;  // remote: not ours
        std::error_code ec;
        fs::path p = (dir_ / std::string(item->text)).lexically_normal();
        if (fs::is_directory(p, ec)) refs.dirs.push_back(fs::weakly_canonical(p, ec));
      }
    }
  }
  KustomizationRefs refs;

 private:
  fs::path dir_;
};

KustomizationRefs read_kustomization(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > (1u << 20)) return {};
  KustomizationReader reader(file.parent_path());
  parse_yaml(text, ParseLimits{}, reader);
  return reader.refs;
}

struct Walk {
  bool plain = false;  // every manifest file: no kustomization or chart is looked for
  std::vector<fs::path> kustomizations;          // directories
  std::vector<fs::path> charts;                  // directories
  std::vector<std::pair<fs::path, fs::path>> files;  // (directory, manifest), in walk order
  std::vector<LoadError> errors;
};

// Depth-first, sorted, not following directory links (no loops). A chart's
// directory is taken whole. Below a kustomization no file is read raw (the
// files there belong to it or to the kustomizations nested in it, which are
// still collected: the leaves among them are units).
void walk(const fs::path& dir, Walk& w, int depth, bool in_kustomization = false) {
  if (depth > 64) {
    w.errors.push_back(LoadError{dir.string(), {}, "directory nesting deeper than 64 levels; not read further"});
    return;
  }
  if (!w.plain && kustomization_in(dir)) {
    w.kustomizations.push_back(dir);
    in_kustomization = true;
  }
  if (!w.plain && !in_kustomization && has_chart(dir)) {
    w.charts.push_back(dir);
    return;
  }
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) {
    w.errors.push_back(LoadError{dir.string(), {}, "cannot read directory: " + ec.message()});
    return;
  }
  std::vector<fs::directory_entry> entries;
  for (; it != end; it.increment(ec)) {
    if (ec) {
      w.errors.push_back(LoadError{dir.string(), {}, "cannot read directory: " + ec.message()});
      break;
    }
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& e : entries) {
    std::error_code sec;
    if (e.is_symlink(sec)) {
      std::error_code target;
      fs::file_status st = fs::status(e.path(), target);
      if (fs::is_directory(st)) continue;  // links to directories are not followed (no loops)
      if (!in_kustomization && is_manifest(e.path()) && (target || !fs::exists(st))) {
        // A manifest's name that leads nowhere (a loop, a dangling link) is an input error, not a silent gap.
        bool dangling = !target || target.value() == ENOENT;
        w.errors.push_back(LoadError{e.path().string(), {},
                                     dangling ? "cannot read: symbolic link to nothing (" + fs::read_symlink(e.path(), sec).string() + ")"
                                              : unreadable_path_message(target)});
        continue;
      }
    }
    if (e.is_directory(sec)) {
      if (e.path().filename() == ".git") continue;
      walk(e.path(), w, depth + 1, in_kustomization);
    } else if (!in_kustomization && e.is_regular_file(sec) && is_manifest(e.path())) {
      w.files.emplace_back(dir, e.path());
    }
  }
}

bool contains(const fs::path& outer, const fs::path& inner) {
  auto o = outer.lexically_normal(), i = inner.lexically_normal();
  auto [a, b] = std::mismatch(o.begin(), o.end(), i.begin(), i.end());
  return a == o.end() || (std::next(a) == o.end() && a->empty());
}

bool on_path(const std::string& tool) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream ss(path);
  for (std::string dir; std::getline(ss, dir, ':');)
    if (!dir.empty() && access((fs::path(dir) / tool).c_str(), X_OK) == 0) return true;
  return false;
}

std::string display(const fs::path& p) {
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string unreadable_path_message(const std::error_code& ec) {
  if (ec.value() == ELOOP) return "cannot read: symbolic link loop";
  if (ec && ec.value() != ENOENT) return "cannot read: " + ec.message();
  return "no such file or directory";
}

std::vector<std::string> manifest_files(const std::string& dir, std::vector<LoadError>& errors) {
  Walk w;
  w.plain = true;
  walk(fs::path(dir), w, 0);
  errors.insert(errors.end(), w.errors.begin(), w.errors.end());
  std::vector<std::string> files;
  files.reserve(w.files.size());
  for (const auto& [d, f] : w.files) files.push_back(f.string());
  return files;
}

namespace {

// The named unit that takes `file` (its index), or nullopt.
std::optional<size_t> named_unit_of(const std::string& file, const std::vector<NamedUnit>& named, const fs::path& base) {
  if (named.empty()) return std::nullopt;
  std::error_code ec;
  fs::path rel = fs::absolute(file, ec).lexically_normal().lexically_relative(base);
  std::string r = rel.generic_string();
  if (ec || r.empty() || r.rfind("..", 0) == 0) return std::nullopt;
  for (size_t i = 0; i < named.size(); ++i)
    for (const std::string& p : named[i].patterns)
      if (path_matches_glob(p, rel)) return i;
  return std::nullopt;
}

}  // namespace

UnitPlan plan_units(const std::vector<std::string>& paths, UnitMode mode, const std::vector<NamedUnit>& named,
                    const std::string& base) {
  UnitPlan plan;
  std::error_code base_ec;
  fs::path base_dir = fs::absolute(base.empty() ? "." : base, base_ec).lexically_normal();
  std::vector<std::vector<std::string>> named_files(named.size());
  // Files a named unit takes are set aside; true when it took this one.
  auto take = [&](const std::string& file) {
    auto i = named_unit_of(file, named, base_dir);
    if (i) named_files[*i].push_back(file);
    return i.has_value();
  };
  std::vector<fs::path> kustomizations, charts;
  std::vector<std::string> file_args;  // plain files given by name, in order
  // Directory arguments' plain files, grouped per the mode.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  auto group = [&](const std::string& name) -> std::vector<std::string>& {
    for (auto& g : groups)
      if (g.first == name) return g.second;
    groups.emplace_back(name, std::vector<std::string>{});
    return groups.back().second;
  };
  for (const std::string& arg : paths) {
    if (arg == "-") {
      plan.units.push_back(UnitSource{UnitSource::Kind::Stdin, "-", {}, {}});
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      plan.errors.push_back(LoadError{arg, {}, unreadable_path_message(ec)});
      continue;
    }
    if (fs::is_directory(st)) {
      Walk w;
      walk(fs::path(arg), w, 0);
      plan.errors.insert(plan.errors.end(), w.errors.begin(), w.errors.end());
      kustomizations.insert(kustomizations.end(), w.kustomizations.begin(), w.kustomizations.end());
      charts.insert(charts.end(), w.charts.begin(), w.charts.end());
      for (const auto& [dir, file] : w.files) {
        if (take(file.string())) continue;
        if (mode == UnitMode::File) plan.units.push_back(UnitSource{UnitSource::Kind::Files, file.string(), {file.string()}, {}});
        else group(mode == UnitMode::Dir ? display(dir) : display(fs::path(arg))).push_back(file.string());
      }
      continue;
    }
    fs::path p(arg);
    std::string base = p.filename().string();
    if (base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization") {
      kustomizations.push_back(p.parent_path().empty() ? fs::path(".") : p.parent_path());
      continue;
    }
    if (!take(arg)) file_args.push_back(arg);
  }
  for (size_t i = 0; i < named.size(); ++i)
    if (!named_files[i].empty())
      plan.units.push_back(UnitSource{UnitSource::Kind::Files, named[i].name, std::move(named_files[i]), {}});
  // File arguments: one unit per file, per directory, or per directory tree.
  if (mode == UnitMode::File) {
    for (const std::string& f : file_args) plan.units.push_back(UnitSource{UnitSource::Kind::Files, f, {f}, {}});
  } else {
    std::vector<std::pair<fs::path, std::vector<std::string>>> trees;  // (directory, files)
    for (const std::string& f : file_args) {
      fs::path dir = fs::path(f).parent_path();
      if (dir.empty()) dir = ".";
      auto same = [&](const fs::path& d) { return mode == UnitMode::Dir ? d.lexically_normal() == dir.lexically_normal()
                                                                         : contains(d, dir) || contains(dir, d); };
      auto it = std::find_if(trees.begin(), trees.end(), [&](const auto& t) { return same(t.first); });
      if (it == trees.end()) {
        trees.emplace_back(dir, std::vector<std::string>{f});
      } else {
        if (contains(dir, it->first)) it->first = dir;  // the tree is named after its top directory
        it->second.push_back(f);
      }
    }
    for (auto& [dir, files] : trees)
      plan.units.push_back(UnitSource{UnitSource::Kind::Files, files.size() == 1 ? files.front() : display(dir), std::move(files), {}});
  }
  for (auto& [name, files] : groups) plan.units.push_back(UnitSource{UnitSource::Kind::Files, name, std::move(files), {}});
  // Kustomizations: only the leaves, and never Components.
  std::set<fs::path> included;
  std::map<fs::path, KustomizationRefs> refs;
  for (const fs::path& k : kustomizations) {
    auto file = kustomization_in(k);
    refs[k] = file ? read_kustomization(*file) : KustomizationRefs{};
    for (const fs::path& d : refs[k].dirs) included.insert(d);
  }
  std::set<fs::path> seen;
  for (const fs::path& k : kustomizations) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(k, ec);
    if (!seen.insert(canonical).second || refs[k].component || included.count(canonical)) continue;
    plan.units.push_back(UnitSource{UnitSource::Kind::Kustomize, display(k), {}, k.string()});
  }
  bool helm = on_path("helm");
  for (const fs::path& c : charts) {
    if (helm) plan.units.push_back(UnitSource{UnitSource::Kind::Helm, display(c), {}, c.string()});
    else
      plan.notices.push_back("Helm chart " + display(c) + " skipped: helm is not on PATH (render it yourself: helm template " +
                             display(c) + " | ingressguard scan -)");
  }
  return plan;
}



namespace {

// A directory that removes itself.
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ingressguard-kustomize-XXXXXX").string();
    if (char* p = mkdtemp(tmpl.data())) path = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

std::string yaml_single_quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') out += '\'';
    out += ch;
  }
  return out + "'";
}

}  // namespace

std::optional<std::string> render_unit(const UnitSource& unit, uint64_t max_bytes, int timeout_seconds, std::string& error,
                                       std::string* origin_root) {
  std::vector<std::string> argv;
  std::string tool;
  TempDir wrapper;
  if (unit.kind == UnitSource::Kind::Kustomize) {
    tool = "kubectl";
    argv = {"kubectl", "kustomize", unit.dir};
    // With origin annotations, through a wrapper next to nothing of the user's: kustomize wants a
    // relative path to the directory it includes.
    std::error_code ec;
    fs::path target = fs::absolute(unit.dir, ec);
    if (origin_root && !wrapper.path.empty() && !ec) {
      fs::path rel = fs::relative(target, wrapper.path, ec);
      if (!ec && !rel.empty()) {
        std::ofstream(fs::path(wrapper.path) / "kustomization.yaml")
            << "resources:\n- " << yaml_single_quoted(rel.string()) << "\nbuildMetadata: [originAnnotations]\n";
        argv = {"kubectl", "kustomize", wrapper.path};
        *origin_root = wrapper.path;
      }
    }
  } else {
    tool = "helm";
    std::string release = fs::path(unit.dir).filename().string();
    argv = {"helm", "template", release.empty() ? std::string("release") : release, unit.dir};
  }
  RunResult r = run_captured(argv, max_bytes, timeout_seconds);
  if (origin_root && !origin_root->empty() && r.started && !r.timed_out && !r.too_large &&
      (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)) {
    // The wrapper failed where the kustomization alone may not: render it as it is, unmapped.
    origin_root->clear();
    r = run_captured({"kubectl", "kustomize", unit.dir}, max_bytes, timeout_seconds);
  }
  if (!r.started) {
    error = tool + " is not on PATH: cannot render " + unit.name +
            (unit.kind == UnitSource::Kind::Kustomize ? " (install kubectl, or pipe `kustomize build " + unit.name + "` to `ingressguard scan -`)"
                                                       : " (pipe `helm template " + unit.name + "` to `ingressguard scan -`)");
    return std::nullopt;
  }
  if (r.timed_out) {
    error = tool + " did not finish rendering " + unit.name + " within " + std::to_string(timeout_seconds) + " s";
    return std::nullopt;
  }
  if (r.too_large) {
    error = tool + " rendered more than " + std::to_string(max_bytes) + " bytes for " + unit.name + "; not read";
    return std::nullopt;
  }
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
    std::string msg = r.err;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    error = tool + " could not render " + unit.name + ": " + safe_text(msg.empty() ? std::string("exit status ") + std::to_string(WEXITSTATUS(r.status)) : msg, 400);
    return std::nullopt;
  }
  return std::move(r.out);
}

namespace {

std::string_view trimmed(std::string_view l) {
  size_t a = l.find_first_not_of(' ');
  if (a == std::string_view::npos) return {};
  size_t b = l.find_last_not_of(" \r");
  return l.substr(a, b - a + 1);
}

int32_t indent(std::string_view l) { return static_cast<int32_t>(std::min(l.find_first_not_of(' '), l.size())); }

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path, std::ios::binary);
  for (std::string l; std::getline(in, l);) out.push_back(std::move(l));
  return out;
}

// A source file's objects: (first line, kind, name), in order.
struct SourceObject {
  uint32_t line;
  std::string kind, name;
};

std::vector<SourceObject> source_objects(const std::string& path, std::vector<RedactedSpan>& secrets) {
  Cluster c;
  Loader loader(c);
  loader.load_path(path);
  std::vector<SourceObject> out;
  for (const ObjectRef& o : c.objects) out.push_back({o.loc.line, std::string(o.kind), std::string(o.name)});
  secrets = c.redacted;
  return out;
}

// Removes the origin annotations from the render and maps its lines to sources.
std::string strip_and_map(const std::string& rendered, const std::string& origin_root, SourceMap& map) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < rendered.size();) {
    size_t nl = rendered.find('\n', start);
    if (nl == std::string::npos) nl = rendered.size();
    lines.emplace_back(rendered.data() + start, nl - start);
    start = nl + 1;
  }
  std::string out;
  struct Source {
    std::vector<std::string> lines;
    std::vector<SourceObject> objects;
    std::vector<RedactedSpan> secrets;
  };
  std::map<std::string, Source> sources;
  std::map<std::string, uint32_t> source_index;
  size_t i = 0;
  while (i < lines.size()) {
    // One document: [i, end).
    size_t end = i;
    while (end < lines.size() && !(end > i && lines[end] == "---")) ++end;
    std::string origin, kind, name;
    std::vector<std::string_view> kept;
    for (size_t k = i; k < end; ++k) {
      std::string_view l = lines[k];
      if (trimmed(l) == "config.kubernetes.io/origin: |") {
        int32_t base = indent(l);
        while (k + 1 < end && indent(lines[k + 1]) > base) {
          std::string_view t = trimmed(lines[k + 1]);
          if (t.starts_with("path: ")) origin = std::string(t.substr(6));
          ++k;
        }
        continue;
      }
      if (l.starts_with("kind: ")) kind = std::string(trimmed(l.substr(6)));
      if (l.starts_with("  name: ") && name.empty()) name = std::string(trimmed(l.substr(8)));
      kept.push_back(l);
    }
    // An annotations key left empty by the removal: drop it too.
    std::vector<std::string_view> doc;
    for (size_t k = 0; k < kept.size(); ++k) {
      if (trimmed(kept[k]) == "annotations:" && (k + 1 >= kept.size() || indent(kept[k + 1]) <= indent(kept[k]))) continue;
      doc.push_back(kept[k]);
    }
    // The source object: same kind, the longest name the rendered one contains (name prefixes).
    std::string path;
    const std::vector<std::string>* src_lines = nullptr;
    uint32_t from = 0, to = 0;
    if (!origin.empty() && origin.find("://") == std::string::npos) {
      fs::path p = (fs::path(origin_root) / origin).lexically_normal();
      std::error_code ec;
      fs::path rel = fs::relative(p, fs::current_path(ec), ec);
      path = (!ec && !rel.empty() && rel.string().rfind("..", 0) != 0) ? rel.string() : p.string();
      auto& entry = sources[path];
      if (entry.lines.empty()) {
        entry.lines = read_lines(p.string());
        entry.objects = source_objects(p.string(), entry.secrets);
      }
      src_lines = &entry.lines;
      const SourceObject* best = nullptr;
      for (const SourceObject& o : entry.objects)
        if (o.kind == kind && name.find(o.name) != std::string::npos && (!best || o.name.size() > best->name.size())) best = &o;
      if (!best)
        for (const SourceObject& o : entry.objects)
          if (o.kind == kind) {
            best = &o;
            break;
          }
      if (best) {
        from = best->line;
        to = static_cast<uint32_t>(src_lines->size());
        for (const SourceObject& o : entry.objects)
          if (o.line > from && o.line - 1 < to) to = o.line - 1;
      }
    }
    uint32_t src = UINT32_MAX;
    if (src_lines && from) {
      auto [it, inserted] = source_index.emplace(path, static_cast<uint32_t>(map.files.size()));
      if (inserted) {
        map.files.push_back(path);
        map.secrets.push_back(sources[path].secrets);
      }
      src = it->second;
    }
    SourceMap::Line last{src, from, 0};
    uint32_t cursor = from;
    for (std::string_view l : doc) {
      SourceMap::Line m = last;
      std::string_view t = trimmed(l);
      if (src != UINT32_MAX && !t.empty() && t != "---") {
        // The same line at or after the last match (keeps repeated lines in order), else
        // anywhere in the object (kustomize sorts keys, so order can differ).
        auto find = [&](uint32_t a, uint32_t b) -> uint32_t {
          for (uint32_t n = a; n >= 1 && n <= b; ++n)
            if (trimmed((*src_lines)[n - 1]) == t) return n;
          return 0;
        };
        uint32_t n = find(cursor, to);
        if (!n) n = find(from, cursor > from ? cursor - 1 : from);
        if (n) {
          m = SourceMap::Line{src, n, indent((*src_lines)[n - 1]) - indent(l)};
          cursor = n + 1;
        } else {
          // Flow style in the source ("spec: {ports: [{port: 80}]}"): the line that holds the
          // same "key: value", the column at it.
          std::string_view needle = t.starts_with("- ") ? t.substr(2) : t;
          int32_t rendered_col = indent(l) + (t.starts_with("- ") ? 2 : 0);
          for (uint32_t k = from; k >= 1 && k <= to && needle.find(':') != std::string_view::npos; ++k) {
            size_t at = (*src_lines)[k - 1].find(needle);
            if (at == std::string::npos) continue;
            m = SourceMap::Line{src, k, static_cast<int32_t>(at) - rendered_col};
            break;
          }
        }
      }
      map.lines.push_back(src == UINT32_MAX ? SourceMap::Line{} : m);
      last = SourceMap::Line{m.source, m.line, 0};
      out.append(l).push_back('\n');
    }
    i = end;
  }
  return out;
}

}  // namespace

Loc SourceMap::map(Cluster& c, Loc loc) {
  if (loc.file != rendered_file || loc.line == 0 || loc.line > lines.size()) return loc;
  const Line& m = lines[loc.line - 1];
  if (m.source == UINT32_MAX || m.line == 0) return loc;
  if (file_ids.size() < files.size()) file_ids.resize(files.size(), UINT32_MAX);
  if (file_ids[m.source] == UINT32_MAX) {
    file_ids[m.source] = static_cast<uint32_t>(c.files.size());
    c.files.push_back(SourceFile{files[m.source], {}});
  }
  int64_t col = static_cast<int64_t>(loc.col) + m.col_shift;
  return Loc{file_ids[m.source], m.line, static_cast<uint32_t>(std::max<int64_t>(col, 1))};
}

void SourceMap::register_files(Cluster& c) {
  file_ids.resize(files.size(), UINT32_MAX);
  for (size_t i = 0; i < files.size(); ++i)
    if (file_ids[i] == UINT32_MAX) {
      file_ids[i] = static_cast<uint32_t>(c.files.size());
      c.files.push_back(SourceFile{files[i], {}});
    }
}

void SourceMap::add_secret_spans(Cluster& c) const {
  for (size_t i = 0; i < file_ids.size() && i < secrets.size(); ++i) {
    if (file_ids[i] == UINT32_MAX) continue;
    for (RedactedSpan span : secrets[i]) {
      span.file = file_ids[i];
      c.redacted.push_back(span);
    }
  }
}

void load_unit(const UnitSource& unit, Loader& loader, std::vector<LoadError>& errors, uint64_t max_bytes, SourceMap* map) {
  switch (unit.kind) {
    case UnitSource::Kind::Stdin: loader.load_path("-"); return;
    case UnitSource::Kind::Cluster: return;  // read by the scan command (live_cluster.h)
    case UnitSource::Kind::Files: loader.load_paths(unit.files); return;
    case UnitSource::Kind::Kustomize:
    case UnitSource::Kind::Helm: {
      std::string error;
      std::string where = unit.kind == UnitSource::Kind::Kustomize
                              ? (kustomization_in(unit.dir) ? kustomization_in(unit.dir)->string() : unit.name)
                              : (fs::path(unit.dir) / "Chart.yaml").string();
      std::string origin_root;
      bool mapped = map && unit.kind == UnitSource::Kind::Kustomize;
      auto rendered = render_unit(unit, max_bytes, 120, error, mapped ? &origin_root : nullptr);
      if (!rendered) {
        errors.push_back(LoadError{where, {}, error});
        return;
      }
      if (mapped && !origin_root.empty()) *rendered = strip_and_map(*rendered, origin_root, *map);
      if (map) map->rendered_file = static_cast<uint32_t>(loader.cluster().files.size());
      loader.load_buffer(where + " (rendered)", std::move(*rendered), InputFormat::Yaml, true);
      return;
    }
  }
}

}  // namespace ig
