// Parse-only baseline: reads the same files as the scan and runs libyaml's
// event parser over them, building nothing. The scan's speed is reported
// against this number.
#include <yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: ig_parse_only DIR\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(argv[1]))
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  size_t bytes = 0, docs = 0, events = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string buf = ss.str();
    bytes += buf.size();
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(buf.data()), buf.size());
    bool done = false;
    while (!done) {
      yaml_event_t ev;
      if (!yaml_parser_parse(&parser, &ev)) {
        std::cerr << p << ": parse error\n";
        yaml_parser_delete(&parser);
        return 1;
      }
      ++events;
      if (ev.type == YAML_DOCUMENT_START_EVENT) ++docs;
      done = ev.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("parse-only: %zu files, %zu bytes, %zu documents, %zu events in %.3f s\n", files.size(), bytes, docs, events, secs);
  return 0;
}
