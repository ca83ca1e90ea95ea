// One self-contained HTML page: summary, exposure map (SVG from Graphviz),
// per-namespace summary, and a filterable findings table. No external
// resources; every string from the input is HTML-escaped.
#include <fmt/format.h>

#include <array>
#include <map>

#include "report/graphviz.h"
#include "report/report.h"

namespace ig {

namespace {

std::string html(std::string_view s) { return escape_markup(s); }

constexpr const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
.sev{font-weight:600;border-radius:3px;padding:0 .3rem}
.critical{background:#7f0000;color:#fff}.high{background:#d73027;color:#fff}
.medium{background:#fc8d59}.low{background:#fee08b}.info{background:#e0e0e0}
.summary span{margin-right:1rem}
#map{border:1px solid #ddd;overflow:hidden;cursor:grab;touch-action:none}
#map svg{display:block;width:100%;height:auto;max-height:80vh}
#map.dragging{cursor:grabbing}
.maptools{margin:.3rem 0}.maptools button{margin-right:.3rem;min-width:2rem}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.85rem;margin:.4rem 0}
.legend span{display:inline-flex;align-items:center;gap:.3rem}
.swatch{display:inline-block;width:1.4rem;height:.9rem;border:1px solid #555;border-radius:3px}
.swatch.dashed{border-style:dashed}
.suppressed td{color:#888}
)";

constexpr const char* kScript = R"(
// The exposure map: the whole graph fits the page's width at first; the wheel (around the pointer) and the
// buttons zoom, dragging pans, "Fit" shows all of it again. A link may ask for a zoom: #zoom=3.
function mapInit(){
  var box=document.getElementById('map'); var svg=box&&box.querySelector('svg'); if(!svg)return;
  var vb=svg.viewBox.baseVal; var full={x:vb.x,y:vb.y,w:vb.width,h:vb.height}; if(!full.w||!full.h)return;
  svg.removeAttribute('width'); svg.removeAttribute('height');
  var view={x:full.x,y:full.y,w:full.w,h:full.h};
  function apply(){
    svg.setAttribute('viewBox',view.x+' '+view.y+' '+view.w+' '+view.h);
    box.dataset.zoom=(full.w/view.w).toFixed(2);
    var r=svg.getBoundingClientRect(); var b=box.getBoundingClientRect();
    box.dataset.fits=(view.w>=full.w&&r.width<=b.width+1&&r.height<=window.innerHeight)?'yes':'no';
  }
  function zoom(f,cx,cy){
    var w=Math.max(full.w/40,Math.min(full.w,view.w/f)); var h=w*full.h/full.w;
    view.x+=(view.w-w)*cx; view.y+=(view.h-h)*cy; view.w=w; view.h=h; clamp(); apply();
  }
  function clamp(){
    view.x=Math.max(full.x,Math.min(view.x,full.x+full.w-view.w));
    view.y=Math.max(full.y,Math.min(view.y,full.y+full.h-view.h));
  }
  box.addEventListener('wheel',function(e){
    e.preventDefault(); var r=svg.getBoundingClientRect();
    zoom(e.deltaY<0?1.25:0.8,(e.clientX-r.left)/r.width,(e.clientY-r.top)/r.height);
  },{passive:false});
  var last=null;
  box.addEventListener('pointerdown',function(e){last={x:e.clientX,y:e.clientY};box.classList.add('dragging');box.setPointerCapture(e.pointerId);});
  box.addEventListener('pointermove',function(e){
    if(!last)return; var r=svg.getBoundingClientRect();
    view.x-=(e.clientX-last.x)*view.w/r.width; view.y-=(e.clientY-last.y)*view.h/r.height;
    last={x:e.clientX,y:e.clientY}; clamp(); apply();
  });
  function up(){last=null;box.classList.remove('dragging');}
  box.addEventListener('pointerup',up); box.addEventListener('pointercancel',up);
  document.getElementById('zoomin').onclick=function(){zoom(1.5,.5,.5);};
  document.getElementById('zoomout').onclick=function(){zoom(1/1.5,.5,.5);};
  document.getElementById('zoomfit').onclick=function(){view={x:full.x,y:full.y,w:full.w,h:full.h};apply();};
  var m=/zoom=([0-9.]+)/.exec(location.hash); apply(); if(m)zoom(parseFloat(m[1]),.5,.5);
}
document.addEventListener('DOMContentLoaded',mapInit);

function filterFindings(){
  var q=document.getElementById('q').value.toLowerCase();
  var s=document.getElementById('sev').value;
  var rows=document.querySelectorAll('#findings tbody tr');
  var shown=0;
  rows.forEach(function(r){
    var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!s||r.dataset.severity===s);
    r.style.display=ok?'':'none'; if(ok)shown++;
  });
  document.getElementById('shown').textContent=shown;
}
)";

// The document head: the page allows no external resource (CSP).
void write_head(std::ostream& out, std::string_view title) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:\">\n"
      << "<title>" << html(title) << "</title><style>" << kStyle << "</style><script>" << kScript << "</script></head><body>\n";
}

void write_map_section(std::ostream& out, const std::vector<ExposurePath>& paths) {
  out << "<h2>Exposure map</h2>\n<p>Every path from outside the cluster to a workload. Wheel or buttons to zoom, "
         "drag to move.</p>\n<div class=\"legend\" id=\"legend\">";
  static const char* kLevels[4] = {"route without protection", "one of TLS / access control / limits",
                                   "two of them", "all three"};
  for (int level = 0; level < 4; ++level)
    out << "<span><i class=\"swatch\" style=\"background:" << kProtectionColours[level] << "\"></i>" << kLevels[level]
        << "</span>";
  out << "<span><i class=\"swatch dashed\" style=\"background:" << kLateralOpen
      << "\"></i>workload any pod may connect to (no NetworkPolicy limits it)</span>"
         "<span><i class=\"swatch\" style=\"background:#dddddd\"></i>entry: controller, listener, Service</span>"
         "</div>\n<div class=\"maptools\"><button id=\"zoomin\" title=\"Zoom in\">+</button>"
         "<button id=\"zoomout\" title=\"Zoom out\">&minus;</button><button id=\"zoomfit\" title=\"Show the whole map\">Fit</button>"
         "</div>\n<div id=\"map\">";
  std::string error;
  if (auto svg = render_svg(exposure_dot(paths), &error)) {
    // Drop the XML prologue; the <svg> element is inlined.
    size_t start = svg->find("<svg");
    out << (start == std::string::npos ? std::string() : svg->substr(start));
  } else {
    out << "<p>" << html(error) << "</p>";
  }
  out << "</div>\n";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void write_map_html(std::ostream& out, const std::vector<ExposurePath>& paths, const LoadStats& stats) {
  write_head(out, "ingressguard map");
  out << "<h1>ingressguard map</h1>\n<p class=\"summary\" id=\"summary\">"
      << fmt::format("<span><b>{}</b> paths from outside</span><span>{} objects in {} files</span>", paths.size(),
                     stats.objects, stats.files)
      << "</p>\n";
  write_map_section(out, paths);
  out << "<h2>Paths</h2>\n<table id=\"paths\"><thead><tr><th>entry</th><th>route</th><th>via</th><th>service</th>"
         "<th>workloads</th><th>protections</th><th>level</th><th>reachable from other namespaces</th></tr></thead><tbody>\n";
  for (const ExposurePath& p : paths)
    out << "<tr data-level=\"" << p.protections.level() << "\"><td>" << html(p.entry_kind) << " " << html(p.entry)
        << "</td><td>" << html(p.route) << "</td><td>" << html(p.via.kind) << " " << html(p.via.ns)
        << (p.via.ns.empty() ? "" : "/") << html(p.via.name) << "</td><td>" << html(p.service) << "</td><td>"
        << html(join(p.workloads)) << "</td><td>" << html(join(p.protections.names())) << "</td><td>"
        << p.protections.level() << "</td><td>" << html(p.lateral) << "</td></tr>\n";
  out << "</tbody></table>\n<p>ingressguard " << version() << "</p>\n</body></html>\n";
}

void write_html(std::ostream& out, const ScanResult& r, const std::vector<ExposurePath>& paths) {
  const Cluster& c = *r.cluster;
  std::array<size_t, 5> counts{};
  size_t suppressed = 0;
  std::map<std::string, std::array<size_t, 5>> by_ns;
  for (const Finding& f : r.findings) {
    if (f.suppressed) {
      ++suppressed;
      continue;
    }
    ++counts[static_cast<size_t>(f.severity)];
    ++by_ns[f.resource.ns.empty() ? std::string("(none)") : std::string(f.resource.ns)][static_cast<size_t>(f.severity)];
  }
  size_t total = r.findings.size() - suppressed;
  write_head(out, "ingressguard report");
  out << "<h1>ingressguard report</h1>\n<p class=\"summary\" id=\"summary\">"
      << fmt::format("<span><b>{}</b> findings</span><span class=\"sev critical\">{} critical</span>"
                     "<span class=\"sev high\">{} high</span><span class=\"sev medium\">{} medium</span>"
                     "<span class=\"sev low\">{} low</span><span class=\"sev info\">{} info</span>"
                     "<span>{} suppressed</span><span>{} objects in {} files</span><span>{} input errors</span>",
                     total, counts[4], counts[3], counts[2], counts[1], counts[0], suppressed, r.stats.objects,
                     r.stats.files, r.errors.size())
      << "</p>\n";

  write_map_section(out, paths);

  out << "<h2>By namespace</h2>\n<table id=\"namespaces\"><thead><tr><th>namespace</th><th>critical</th><th>high</th>"
         "<th>medium</th><th>low</th><th>info</th></tr></thead><tbody>\n";
  for (const auto& [ns, n] : by_ns)
    out << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", html(ns), n[4], n[3],
                       n[2], n[1], n[0]);
  out << "</tbody></table>\n";

  out << "<h2>Findings</h2>\n<p><input id=\"q\" type=\"search\" placeholder=\"filter: rule, namespace, text\" "
         "oninput=\"filterFindings()\"> <select id=\"sev\" onchange=\"filterFindings()\"><option value=\"\">all "
         "severities</option><option>critical</option><option>high</option><option>medium</option><option>low</option>"
         "<option>info</option></select> <span id=\"shown\">"
      << r.findings.size() << "</span> shown</p>\n";
  out << "<table id=\"findings\"><thead><tr><th>severity</th><th>rule</th><th>resource</th><th>location</th>"
         "<th>finding</th><th>fix</th></tr></thead><tbody>\n";
  for (const Finding& f : r.findings) {
    std::string_view sev = to_string(f.severity);
    out << "<tr data-severity=\"" << sev << "\"" << (f.suppressed ? " class=\"suppressed\"" : "") << "><td><span class=\"sev "
        << sev << "\">" << sev << "</span></td><td>" << html(f.rule->id) << "</td><td>" << html(f.resource.kind) << " "
        << html(f.resource.ns) << (f.resource.ns.empty() ? "" : "/") << html(f.resource.name) << "</td><td>"
        << html(c.files[f.loc.file].path) << ":" << f.loc.line
        << (r.units.size() > 1 && f.unit < r.units.size() ? "<br><small>unit " + html(r.units[f.unit]) + "</small>" : std::string())
        << "</td><td>" << html(f.message);
    if (f.suppressed) out << "<br><i>suppressed: " << html(f.suppressed->reason) << "</i>";
    out << "</td><td>" << html(f.remediation()) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  if (!r.errors.empty()) {
    out << "<h2>Input errors</h2>\n<ul>\n";
    for (const LoadError& e : r.errors)
      out << "<li>" << html(e.file) << ":" << e.mark.line << ":" << e.mark.col << ": " << html(e.message) << "</li>\n";
    out << "</ul>\n";
  }
  out << "<p>ingressguard " << version() << "</p>\n</body></html>\n";
}

}  // namespace ig
