// JUnit XML for CI test reports: one test suite per file, one test case per
// resource (kind, namespace, name), one failure per finding.
#include <fmt/format.h>

#include <map>
#include <tuple>

#include "report/report.h"

namespace ig {

namespace {

std::string xml(std::string_view s) { return escape_markup(s); }

struct Case {
  const ObjectRef* object;
  std::vector<const Finding*> findings;
};

}  // namespace

void write_junit(std::ostream& out, const ScanResult& r) {
  const Cluster& c = *r.cluster;
  // file -> (line, kind, ns, name) -> case
  using Key = std::tuple<uint32_t, std::string_view, std::string_view, std::string_view>;
  std::map<uint32_t, std::map<Key, Case>> suites;
  for (const ObjectRef& o : c.objects) suites[o.loc.file][Key{o.loc.line, o.kind, o.ns, o.name}] = Case{&o, {}};
  for (const Finding& f : r.findings) {
    auto& suite = suites[f.resource.loc.file];
    auto it = suite.find(Key{f.resource.loc.line, f.resource.kind, f.resource.ns, f.resource.name});
    if (it != suite.end()) it->second.findings.push_back(&f);
  }
  size_t tests = 0, failures = 0;
  for (auto& [file, cases] : suites)
    for (auto& [key, tc] : cases) {
      ++tests;
      for (const Finding* f : tc.findings) failures += !f->suppressed;
    }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"ingressguard\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests, failures,
                     r.errors.size());
  for (auto& [file, cases] : suites) {
    size_t suite_failures = 0;
    for (auto& [key, tc] : cases)
      for (const Finding* f : tc.findings) suite_failures += !f->suppressed;
    const std::string& path = c.files[file].path;
    out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n", xml(path), cases.size(), suite_failures);
    for (auto& [key, tc] : cases) {
      const ObjectRef& o = *tc.object;
      std::string name = std::string(o.kind) + " " + std::string(o.ns) + (o.ns.empty() ? "" : "/") + std::string(o.name);
      out << fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"", xml(std::string(o.api_version) + "." + std::string(o.kind)),
                         xml(name), xml(path), o.loc.line);
      if (tc.findings.empty()) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      std::string suppressed;
      for (const Finding* f : tc.findings) {
        if (f->suppressed) {
          suppressed += fmt::format("{} suppressed ({}): {}\n", f->rule->id, f->suppressed->reason, f->message);
          continue;
        }
        out << fmt::format("      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}: {} [{}]\nfix: {}</failure>\n", f->rule->id,
                           xml(f->message), xml(path), f->loc.line, f->loc.col, to_string(f->severity), xml(f->message),
                           f->rule->id, xml(f->remediation()));
      }
      if (!suppressed.empty()) out << "      <system-out>" << xml(suppressed) << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  if (!r.errors.empty()) {
    out << fmt::format("  <testsuite name=\"input\" tests=\"{}\" failures=\"0\" errors=\"{}\">\n", r.errors.size(), r.errors.size());
    for (const LoadError& e : r.errors)
      out << fmt::format("    <testcase classname=\"input\" name=\"{}\"><error message=\"{}\">{}:{}:{}: {}</error></testcase>\n",
                         xml(e.file), xml(e.message), xml(e.file), e.mark.line, e.mark.col, xml(e.message));
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace ig
