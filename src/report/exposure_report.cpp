#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "report/report.h"

namespace ig {

namespace {


using nlohmann::ordered_json;

const char* colour(int level) { return kProtectionColours[std::clamp(level, 0, 3)]; }

std::string dot_id(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '\n') {  // a line break in a label
      out += "\\n";
      continue;
    }
    if (ch == '"' || ch == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(ch) >= 0x20) out.push_back(ch);
  }
  return out + "\"";
}

ordered_json entry_json(const ExposurePath& p) {
  ordered_json e = {{"kind", p.entry_kind}, {"name", p.entry}};
  if (!p.entry_via.empty()) e["exposed_by"] = p.entry_via;
  return e;
}

}  // namespace

void write_map_json(std::ostream& out, const std::vector<ExposurePath>& paths, const LoadStats& stats) {
  ordered_json list = ordered_json::array();
  std::map<std::string, size_t> by_kind;
  for (const ExposurePath& p : paths) {
    ++by_kind[p.entry_kind];
    list.push_back({
        {"entry", entry_json(p)},
        {"route", p.route},
        {"via", {{"kind", p.via.kind}, {"namespace", p.via.ns}, {"name", p.via.name}, {"line", p.via.loc.line}}},
        {"service", p.service},
        {"workloads", p.workloads},
        {"protections", p.protections.names()},
        {"level", p.protections.level()},
        {"lateral", p.lateral},
    });
  }
  ordered_json doc = {
      {"tool", {{"name", kToolName}, {"version", version()}}},
      {"paths", std::move(list)},
      {"summary", {{"paths", paths.size()}, {"by_entry", by_kind}, {"objects", stats.objects}, {"files", stats.files}}},
  };
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

std::string exposure_dot(const std::vector<ExposurePath>& paths) {
  std::ostringstream out;
  out << "digraph exposure {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fillcolor=\"#f0f0f0\"];\n";
  out << "  \"internet\" [label=\"Internet\", shape=ellipse, fillcolor=\"#cccccc\"];\n";
  std::set<std::string> nodes;
  std::set<std::pair<std::string, std::string>> edges;
  auto node = [&](const std::string& id, const std::string& label, const char* fill, const char* style = nullptr) {
    if (!nodes.insert(id).second) return;
    out << "  " << dot_id(id) << " [label=" << dot_id(label) << ", fillcolor=\"" << fill << "\"";
    if (style) out << ", style=\"" << style << "\"";
    out << "];\n";
  };
  auto edge = [&](const std::string& a, const std::string& b, const std::string& label) {
    if (edges.emplace(a, b).second) out << "  " << dot_id(a) << " -> " << dot_id(b) << (label.empty() ? "" : " [label=" + dot_id(label) + "]") << ";\n";
  };
  for (const ExposurePath& p : paths) {
    std::string entry = p.entry_kind + ":" + p.entry;
    node(entry, p.entry_kind + "\n" + p.entry, "#dddddd");
    if (p.entry_via.empty()) {
      edge("internet", entry, "");
    } else {  // Internet -> the controller's Service -> the class
      std::string ctrl = "ctrl:" + p.entry_via;
      node(ctrl, "controller Service\n" + p.entry_via, "#dddddd");
      edge("internet", ctrl, "");
      edge(ctrl, entry, "");
    }
    std::string last = entry;
    if (!p.route.empty()) {
      // One node per entry, object and route: an HTTPRoute and an Ingress of the same name serving the same
      // host and path are two doors, each with its own protections.
      std::string route = "route:" + entry + "|" + std::string(p.via.kind) + ":" + std::string(p.via.ns) + "/" +
                          std::string(p.via.name) + "|" + p.route;
      std::string prot;
      for (const auto& n : p.protections.names()) prot += (prot.empty() ? "" : ", ") + n;
      node(route, p.route + "\n" + (prot.empty() ? "no protection" : prot), colour(p.protections.level()));
      edge(last, route, "");
      last = route;
    }
    if (!p.service.empty()) {
      node("svc:" + p.service, "Service\n" + p.service, p.route.empty() ? colour(p.protections.level()) : "#f0f0f0");
      edge(last, "svc:" + p.service, "");
      last = "svc:" + p.service;
    }
    for (const std::string& w : p.workloads) {
      if (p.lateral == "open")  // its own colour and a dashed border: not a protection level
        node("wl:" + w, w + "\n(any pod may connect)", kLateralOpen, "rounded,filled,dashed");
      else
        node("wl:" + w, w, "#f0f0f0");
      edge(last, "wl:" + w, "");
    }
  }
  out << "}\n";
  return out.str();
}


}  // namespace ig
