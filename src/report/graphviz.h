// Lays out a DOT graph with Graphviz's library (libgvc) and renders SVG, in
// process: no shell-out to `dot`.
#pragma once

#include <optional>
#include <string>

namespace ig {

// nullopt with `error` set when Graphviz cannot read or lay out the graph.
std::optional<std::string> render_svg(const std::string& dot, std::string* error);

}  // namespace ig
