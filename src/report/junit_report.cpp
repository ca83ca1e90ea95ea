// JUnit XML for CI test reports, valid against both the Ant JUnit schema
// (windyroad) and the one of Jenkins' xUnit plugin: one test suite per file,
// one test case per finding (failed, or skipped when an exemption covers it),
// and one passing test case per object without a finding, so that every
// finding shows in Jenkins' junit view (it shows one failure per test case).
#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
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

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

void write_junit(std::ostream& out, const ScanResult& r) {
  const Cluster& c = *r.cluster;
  // file -> (line, kind, ns, name) -> case
  using Key = std::tuple<uint32_t, std::string_view, std::string_view, std::string_view>;
  std::map<uint32_t, std::map<Key, Case>> suites;
  for (const ObjectRef& o : c.objects) suites[o.loc.file][Key{o.loc.line, o.kind, o.ns, o.name}] = Case{&o, {}};
  for (const Finding& f : r.findings) {
    auto& suite = suites[f.resource.loc.file];
    // A finding on something that is no object of the input (the policy file) gets a case of its own.
    auto [it, added] = suite.try_emplace(Key{f.resource.loc.line, f.resource.kind, f.resource.ns, f.resource.name},
                                         Case{&f.resource, {}});
    it->second.findings.push_back(&f);
  }
  const std::string timestamp = utc_now(), host = xml(host_name());
  auto suite_open = [&](std::string_view name, int id, size_t tests, size_t failures, size_t errors, size_t skipped) {
    out << fmt::format(
        "  <testsuite name=\"{0}\" package=\"{0}\" id=\"{1}\" timestamp=\"{2}\" hostname=\"{3}\" tests=\"{4}\" "
        "failures=\"{5}\" errors=\"{6}\" skipped=\"{7}\" time=\"0\">\n    <properties/>\n",
        xml(name), id, timestamp, host, tests, failures, errors, skipped);
  };
  auto suite_close = [&] { out << "    <system-out/>\n    <system-err/>\n  </testsuite>\n"; };
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  int id = 0;
  for (auto& [file, cases] : suites) {
    size_t tests = 0, failures = 0, skipped = 0;
    for (auto& [key, tc] : cases) {
      tests += tc.findings.empty() ? 1 : tc.findings.size();
      for (const Finding* f : tc.findings) (f->suppressed ? skipped : failures) += 1;
    }
    const std::string& path = c.files[file].path;
    suite_open(path, id++, tests, failures, 0, skipped);
    for (auto& [key, tc] : cases) {
      const ObjectRef& o = *tc.object;
      std::string classname = xml(std::string(o.api_version) + "." + object_name(o));
      if (tc.findings.empty()) {
        out << fmt::format("    <testcase classname=\"{}\" name=\"no finding (line {})\" time=\"0\"/>\n", classname, o.loc.line);
        continue;
      }
      for (const Finding* f : tc.findings) {
        out << fmt::format("    <testcase classname=\"{}\" name=\"{} at {}:{}\" time=\"0\">", classname, f->rule->id,
                           f->loc.line, f->loc.col);
        if (f->suppressed)
          out << fmt::format("<skipped message=\"{}\"/>", xml("suppressed (" + f->suppressed->kind + "): " + f->suppressed->reason));
        else
          out << fmt::format("<failure type=\"{}\" message=\"{}\">{}:{}:{}: {}: {} [{}]\nfix: {}</failure>", f->rule->id,
                             xml(f->message), xml(path), f->loc.line, f->loc.col, to_string(f->severity), xml(f->message),
                             f->rule->id, xml(f->remediation()));
        out << "</testcase>\n";
      }
    }
    suite_close();
  }
  if (!r.errors.empty()) {
    suite_open("input", id++, r.errors.size(), 0, r.errors.size(), 0);
    for (const LoadError& e : r.errors)
      out << fmt::format("    <testcase classname=\"input\" name=\"{}\" time=\"0\"><error type=\"input\" message=\"{}\">{}:{}:{}: {}</error></testcase>\n",
                         xml(e.file), xml(e.message), xml(e.file), e.mark.line, e.mark.col, xml(e.message));
    suite_close();
  }
  out << "</testsuites>\n";
}

}  // namespace ig
