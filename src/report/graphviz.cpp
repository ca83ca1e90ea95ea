#include "report/graphviz.h"

#include <graphviz/gvc.h>

#include <memory>
#include <mutex>

namespace ig {

std::optional<std::string> render_svg(const std::string& dot, std::string* error) {
  // Graphviz keeps global state; one rendering at a time.
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), &gvFreeContext);
  if (!gvc) {
    if (error) *error = "cannot start Graphviz";
    return std::nullopt;
  }
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), &agclose);
  if (!graph) {
    if (error) *error = "Graphviz cannot read the graph";
    return std::nullopt;
  }
  if (gvLayout(gvc.get(), graph.get(), "dot") != 0) {
    if (error) *error = "Graphviz cannot lay out the graph";
    return std::nullopt;
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc.get(), graph.get(), "svg", &data, &length);
  std::optional<std::string> svg;
  if (rc == 0 && data) svg = std::string(data, length);
  else if (error) *error = "Graphviz cannot render SVG";
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), graph.get());
  return svg;
}

}  // namespace ig
