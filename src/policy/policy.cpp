#include "policy/policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "core/paths.h"
#include "load/parse.h"
#include "load/scalar.h"
#include "rules/rule.h"

namespace ig {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxPolicySize = 1 << 20;

class PolicyReader {
 public:
  PolicyReader(Policy& p, std::vector<LoadError>& errors) : p_(p), errors_(errors) {}

  void read(const Node* root) {
    if (!root || !root->is_map()) return error(root, "the policy must be a mapping (apiVersion: ingressguard.io/v1, kind: Policy)");
    static const std::vector<std::string_view> kTop = {"apiVersion", "kind", "rules", "annotations", "ingressClasses",
                                                       "hosts", "uniqueHosts", "classes", "internalServiceLabel", "exemptions",
                                                       "completeInput", "hostPorts", "services", "units"};
    keys(root, kTop);
    if (auto v = text(root->get("apiVersion")); v != "ingressguard.io/v1")
      error(root->get("apiVersion") ? root->get("apiVersion") : root, "apiVersion must be ingressguard.io/v1");
    if (auto k = text(root->get("kind")); k != "Policy") error(root->get("kind") ? root->get("kind") : root, "kind must be Policy");
    rules(root->get("rules"));
    annotations(root->get("annotations"));
    if (const Node* ic = root->get("ingressClasses")) {
      if (map(ic, "ingressClasses")) {
        keys(ic, {"allowed"});
        p_.allowed_classes = strings(ic->get("allowed"), "ingressClasses.allowed");
        p_.allowed_classes_loc = loc(ic->get("allowed"));
      }
    }
    hosts(root->get("hosts"));
    if (const Node* ci = root->get("completeInput")) flag(ci, "completeInput", p_.complete_input);
    host_ports(root->get("hostPorts"));
    if (const Node* sv = root->get("services"); sv && map(sv, "services")) {
      keys(sv, {"allowedExternalIPs"});
      p_.allowed_external_ips = strings(sv->get("allowedExternalIPs"), "services.allowedExternalIPs");
    }
    if (const Node* u = root->get("uniqueHosts")) {
      auto b = as_bool(u);
      if (!b) error(u, "uniqueHosts must be true or false");
      p_.unique_hosts = b.value_or(false);
    }
    classes(root->get("classes"));
    if (const Node* l = root->get("internalServiceLabel")) {
      std::string v = text(l);
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
        error(l, "internalServiceLabel must be KEY=VALUE");
      else
        p_.internal_label_key = v.substr(0, eq), p_.internal_label_value = v.substr(eq + 1);
    }
    exemptions(root->get("exemptions"));
    units(root->get("units"));
  }

 private:
  Loc loc(const Node* n) const { return n ? Loc{p_.file, n->mark.line, n->mark.col} : Loc{p_.file, 1, 1}; }

  void error(const Node* n, std::string message) {
    errors_.push_back(LoadError{p_.path, n ? n->mark : Mark{1, 1}, std::move(message)});
  }

  std::string text(const Node* n) const {
    auto t = n ? as_string(n) : std::nullopt;
    return t ? std::string(*t) : std::string();
  }

  bool map(const Node* n, const char* what) {
    if (n && n->is_map()) return true;
    error(n, std::string(what) + " must be a mapping");
    return false;
  }

  void keys(const Node* m, const std::vector<std::string_view>& allowed) {
    for (uint32_t i = 0; i < m->count; ++i) {
      std::string k = text(m->key(i));
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error(m->key(i), "unknown key '" + k + "' (expected one of: " + list + ")");
    }
  }

  std::vector<std::string> strings(const Node* n, const char* what) {
    std::vector<std::string> out;
    if (!n) return out;
    if (!n->is_seq()) {
      error(n, std::string(what) + " must be a list of strings");
      return out;
    }
    for (uint32_t i = 0; i < n->count; ++i) {
      const Node* item = n->item(i);
      if (!item->is_scalar() || text(item).empty()) {
        error(item, std::string(what) + " entries must be non-empty strings");
        continue;
      }
      out.push_back(text(item));
    }
    return out;
  }

  bool known_rule(const Node* n, const std::string& id) {
    if (find_rule(id)) return true;
    error(n, "unknown rule '" + id + "' (ingressguard rules lists them)");
    return false;
  }

  void rules(const Node* r) {
    if (!r || !map(r, "rules")) return;
    keys(r, {"disabled", "severity"});
    if (const Node* d = r->get("disabled")) {
      auto ids = strings(d, "rules.disabled");
      for (uint32_t i = 0; i < ids.size(); ++i)
        if (known_rule(d->item(i), ids[i])) p_.disabled_rules.push_back(ids[i]);
    }
    if (const Node* s = r->get("severity"); s && map(s, "rules.severity")) {
      for (uint32_t i = 0; i < s->count; ++i) {
        std::string id = text(s->key(i));
        if (!known_rule(s->key(i), id)) continue;
        auto sev = parse_severity(text(s->value(i)));
        if (!sev)
          error(s->value(i), "severity must be critical, high, medium, low or info");
        else
          p_.severity_overrides.emplace_back(id, *sev);
      }
    }
  }

  void flag(const Node* n, const char* what, bool& out) {
    auto b = as_bool(n);
    if (!b) error(n, std::string(what) + " must be true or false");
    out = b.value_or(false);
  }

  // "80", "80-9000"
  void host_ports(const Node* h) {
    if (!h || !map(h, "hostPorts")) return;
    keys(h, {"allowed", "hostNetwork", "exemptImages"});
    if (const Node* a = h->get("allowed")) {
      auto ranges = strings(a, "hostPorts.allowed");
      for (uint32_t i = 0; i < ranges.size(); ++i) {
        const std::string& r = ranges[i];
        size_t dash = r.find('-');
        int lo = std::atoi(r.substr(0, dash).c_str());
        int hi = dash == std::string::npos ? lo : std::atoi(r.substr(dash + 1).c_str());
        bool digits = std::all_of(r.begin(), r.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) || ch == '-'; });
        if (!digits || lo < 1 || hi > 65535 || lo > hi)
          error(a->item(i), "hostPorts.allowed entries are PORT or LOW-HIGH within 1-65535");
        else
          p_.allowed_host_ports.emplace_back(lo, hi);
      }
    }
    if (const Node* n = h->get("hostNetwork")) flag(n, "hostPorts.hostNetwork", p_.allow_host_network);
    p_.host_port_exempt_images = strings(h->get("exemptImages"), "hostPorts.exemptImages");
  }

  void annotations(const Node* a) {
    if (!a || !map(a, "annotations")) return;
    keys(a, {"allowed", "namespaces"});
    p_.annotations.present = true;
    p_.annotations.allowed = strings(a->get("allowed"), "annotations.allowed");
    if (const Node* ns = a->get("namespaces"); ns && map(ns, "annotations.namespaces"))
      for (uint32_t i = 0; i < ns->count; ++i)
        p_.annotations.namespaces.push_back({text(ns->key(i)), strings(ns->value(i), "annotations.namespaces entries")});
  }

  void hosts(const Node* h) {
    if (!h) return;
    if (!h->is_seq()) return error(h, "hosts must be a list of {host, namespaces}");
    for (uint32_t i = 0; i < h->count; ++i) {
      const Node* e = h->item(i);
      if (!map(e, "hosts entries")) continue;
      keys(e, {"host", "namespaces"});
      HostOwnership o{text(e->get("host")), strings(e->get("namespaces"), "hosts[].namespaces"), loc(e)};
      if (o.host.empty()) error(e, "hosts entries need a host glob");
      else if (o.namespaces.empty()) error(e, "hosts entries need at least one namespace");
      else p_.hosts.push_back(std::move(o));
    }
  }

  void units(const Node* u) {
    if (!u) return;
    if (!u->is_seq()) return error(u, "units must be a list of {name, paths}");
    for (uint32_t i = 0; i < u->count; ++i) {
      const Node* e = u->item(i);
      if (!map(e, "units entries")) continue;
      keys(e, {"name", "paths"});
      NamedUnit n{text(e->get("name")), strings(e->get("paths"), "units[].paths")};
      if (n.name.empty()) error(e, "units entries need a name");
      else if (n.patterns.empty()) error(e, "units entries need at least one path glob");
      else if (std::any_of(p_.units.begin(), p_.units.end(), [&](const NamedUnit& o) { return o.name == n.name; }))
        error(e->get("name"), "unit '" + n.name + "' is named twice");
      else p_.units.push_back(std::move(n));
    }
  }

  void classes(const Node* c) {
    if (!c || !map(c, "classes")) return;
    for (uint32_t i = 0; i < c->count; ++i) {
      const Node* v = c->value(i);
      ClassPolicy cp{text(c->key(i)), {}, std::nullopt, loc(c->key(i))};
      if (!map(v, "classes entries")) continue;
      keys(v, {"hosts", "public"});
      cp.hosts = strings(v->get("hosts"), "classes.*.hosts");
      if (const Node* pub = v->get("public")) {
        cp.is_public = as_bool(pub);
        if (!cp.is_public) error(pub, "public must be true or false");
      }
      p_.classes.push_back(std::move(cp));
    }
  }

  // YYYY-MM-DD: the exemption holds through the end of that day (UTC).
  bool date(const std::string& s, int64_t& out) {
    std::tm tm{};
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(s.substr(5, 2)) - 1;
    tm.tm_mday = std::stoi(s.substr(8, 2));
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return false;
    out = static_cast<int64_t>(timegm(&tm)) + 86400;
    return true;
  }

  void exemptions(const Node* e) {
    if (!e) return;
    if (!e->is_seq()) return error(e, "exemptions must be a list");
    for (uint32_t i = 0; i < e->count; ++i) {
      const Node* x = e->item(i);
      if (!map(x, "exemptions entries")) continue;
      keys(x, {"rule", "resource", "reason", "expires"});
      Exemption ex;
      ex.loc = loc(x);
      ex.rule = text(x->get("rule"));
      ex.reason = text(x->get("reason"));
      bool ok = !ex.rule.empty() ? known_rule(x->get("rule"), ex.rule) : (error(x, "exemptions need a rule"), false);
      if (ex.reason.empty()) ok = false, error(x, "exemptions need a reason");
      if (const Node* r = x->get("resource")) {
        if (map(r, "exemptions[].resource")) {
          keys(r, {"kind", "namespace", "name"});
          ex.resource = {text(r->get("kind")), text(r->get("namespace")), text(r->get("name"))};
        }
      }
      if (const Node* d = x->get("expires")) {
        ex.expires_text = d->is_scalar() ? std::string(d->text) : std::string();
        ex.loc = loc(d);
        if (!date(ex.expires_text, ex.expires)) ok = false, error(d, "expires must be a date, YYYY-MM-DD");
      } else {
        ok = false;
        error(x, "exemptions need an expires date (YYYY-MM-DD): accepted risks are reviewed again");
      }
      if (ok) p_.exemptions.push_back(std::move(ex));
    }
  }

  Policy& p_;
  std::vector<LoadError>& errors_;
};

class PolicySink : public DocumentSink {
 public:
  PolicySink(Policy& p, std::vector<LoadError>& errors) : p_(p), errors_(errors) {}
  void on_document(const Document& doc) override {
    if (++documents_ > 1) {
      errors_.push_back(LoadError{p_.path, doc.start, "the policy file must hold one document"});
      return;
    }
    for (const DuplicateKey& d : doc.duplicates)
      errors_.push_back(LoadError{p_.path, d.second, "key '" + d.key + "' is set twice"});
    PolicyReader(p_, errors_).read(doc.root);
  }
  int documents() const { return documents_; }

 private:
  Policy& p_;
  std::vector<LoadError>& errors_;
  int documents_ = 0;
};

}  // namespace

const std::vector<std::string>& AnnotationPolicy::for_namespace(std::string_view ns) const {
  for (const NamespaceOverride& o : namespaces)
    if (o.ns == ns) return o.allowed;
  return allowed;
}

const ClassPolicy* Policy::class_policy(std::string_view name) const {
  for (const ClassPolicy& c : classes)
    if (c.name == name) return &c;
  return nullptr;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), FNM_CASEFOLD) == 0;
}

std::optional<Policy> load_policy(const std::string& path, Cluster& cluster, std::vector<LoadError>& errors) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    errors.push_back(LoadError{path, {}, "cannot read policy: " + ec.message()});
    return std::nullopt;
  }
  if (size > kMaxPolicySize) {
    errors.push_back(LoadError{path, {}, "policy file is larger than 1 MiB"});
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return load_policy_text(path, ss.str(), cluster, errors);
}

std::optional<Policy> load_policy_text(const std::string& name, std::string_view text, Cluster& cluster,
                                       std::vector<LoadError>& errors) {
  size_t before = errors.size();
  if (text.size() > kMaxPolicySize) {
    errors.push_back(LoadError{name, {}, "policy file is larger than 1 MiB"});
    return std::nullopt;
  }
  Policy p;
  p.path = name;
  p.file = static_cast<uint32_t>(cluster.files.size());
  cluster.files.push_back(SourceFile{name, {}});
  PolicySink sink(p, errors);
  if (auto err = parse_yaml(text, ParseLimits{}, sink)) errors.push_back(LoadError{name, err->mark, err->message});
  if (sink.documents() == 0 && errors.size() == before) errors.push_back(LoadError{name, {}, "the policy file is empty"});
  std::stable_sort(errors.begin() + static_cast<std::ptrdiff_t>(before), errors.end(),
                   [](const LoadError& a, const LoadError& b) { return std::tie(a.mark.line, a.mark.col) < std::tie(b.mark.line, b.mark.col); });
  if (errors.size() != before) return std::nullopt;
  return p;
}

std::string policy_directory(const std::string& policy_path) {
  std::string dir = std::filesystem::path(policy_path).parent_path().string();
  return dir.empty() ? "." : dir;
}

namespace {

bool inside(const fs::path& outer, const fs::path& inner) {
  auto rel = inner.lexically_relative(outer);
  return !rel.empty() && rel.native().rfind("..", 0) != 0;
}

}  // namespace

UnitPlan plan_units(const std::vector<std::string>& paths, UnitMode mode, const Policy* policy) {
  return policy ? plan_units(paths, mode, policy->units, policy_directory(policy->path)) : plan_units(paths, mode);
}

std::optional<std::string> find_policy(const std::string& scanned) {
  std::error_code ec;
  std::optional<fs::path> target;  // the scanned path's directory; none for stdin
  if (!scanned.empty() && scanned != "-") {
    fs::path p = fs::absolute(scanned, ec).lexically_normal();
    if (!ec) target = fs::is_directory(p, ec) ? p : p.parent_path();
  }
  // The current directory's policy applies to stdin and to what lies in its own repository (or below it
  // when it is in none): never, silently, to inputs somewhere else.
  if (fs::exists(".ingressguard.yaml", ec)) {
    fs::path cwd = fs::current_path(ec).lexically_normal();
    fs::path scope = git_work_tree(cwd).value_or(cwd);
    if (!target || inside(scope, *target)) return std::string(".ingressguard.yaml");
  }
  if (!target) return std::nullopt;
  if (auto root = git_work_tree(*target); root && fs::exists(*root / ".ingressguard.yaml", ec))
    return (*root / ".ingressguard.yaml").string();
  return std::nullopt;
}

}  // namespace ig
