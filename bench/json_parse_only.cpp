// Baselines for the large-List benchmark (bench/run_list_bench.sh), on one JSON file:
//   simdjson  the whole file parsed by simdjson's DOM parser (held in memory): the parse-only bound
//   split     the file read in 1 MB chunks and cut into its items (JsonListSplitter), nothing parsed
//   tree      split, and each item parsed into a node tree (the scan's parser), no snapshot, no rules
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "load/json_stream.h"
#include "load/parse.h"

namespace {

struct Count : ig::DocumentSink {
  size_t docs = 0;
  void on_document(const ig::Document& d) override { docs += d.root != nullptr; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ig_json_parse_only simdjson|split|tree FILE\n");
    return 2;
  }
  std::string mode = argv[1];
  auto start = std::chrono::steady_clock::now();
  size_t items = 0, bytes = 0;
  if (mode == "simdjson") {
    simdjson::dom::parser parser;
    simdjson::padded_string text;
    if (simdjson::padded_string::load(argv[2]).get(text)) return 1;
    simdjson::dom::element doc;
    if (parser.parse(text).get(doc)) return 1;
    simdjson::dom::array list;
    if (!doc["items"].get_array().get(list)) items = list.size();
    bytes = text.size();
  } else if (mode == "split" || mode == "tree") {
    std::FILE* f = std::fopen(argv[2], "rb");
    if (!f) return 1;
    ig::JsonListSplitter splitter;
    ig::JsonParser parser;
    Count count;
    bool tree = mode == "tree";
    std::string chunk(1 << 20, '\0');
    size_t n;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) {
      bytes += n;
      auto err = splitter.feed(std::string_view(chunk.data(), n), [&](std::string_view text, ig::Mark m, uint32_t nesting) {
        ++items;
        if (tree) parser.parse(text, text.size() + ig::kJsonPadding, m, ig::ParseLimits{}, count, nesting);
      });
      if (err) return 1;
    }
    std::fclose(f);
    if (splitter.finish()) return 1;
  } else {
    return 2;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu bytes, %zu items in %.3f s (%.0f MB/s)\n", mode.c_str(), bytes, items, secs, bytes / 1048576.0 / secs);
  return 0;
}
