// libFuzzer target for reading JSON Lists item by item: the input is fed to the splitter whole and in
// pieces of a size taken from its first byte; both must cut the same items at the same positions, keep the
// same rest and agree on whether it is an error. The loader then reads it in those pieces: the same objects
// as when read whole. Nothing may crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "load/json_stream.h"
#include "load/loader.h"

namespace {

struct Cut {
  std::string text;
  uint32_t line, col, nesting;
  bool operator==(const Cut&) const = default;
};

bool split(std::string_view input, size_t step, std::vector<Cut>& items, std::string& rest) {
  ig::JsonListSplitter s;
  auto on_item = [&](std::string_view t, ig::Mark m, uint32_t d) { items.push_back(Cut{std::string(t), m.line, m.col, d}); };
  for (size_t at = 0; at < input.size(); at += step)
    if (s.feed(input.substr(at, step), on_item)) return false;
  if (s.finish()) return false;
  rest = s.skeleton();
  return true;
}

size_t objects(std::string_view input, size_t step) {
  ig::Cluster cluster;
  ig::Loader loader(cluster);
  auto stream = loader.open_json_stream("fuzz", false);
  for (size_t at = 0; at < input.size(); at += step)
    if (!stream->feed(input.substr(at, step))) break;
  stream->finish();
  return cluster.objects.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 17;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<Cut> whole_items, piece_items;
  std::string whole_rest, piece_rest;
  bool whole_ok = split(input, input.size() ? input.size() : 1, whole_items, whole_rest);
  bool piece_ok = split(input, step, piece_items, piece_rest);
  if (whole_ok != piece_ok) std::abort();
  if (whole_ok && (whole_items != piece_items || whole_rest != piece_rest)) std::abort();
  if (objects(input, input.size() ? input.size() : 1) != objects(input, step)) std::abort();
  return 0;
}
