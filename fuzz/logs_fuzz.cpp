// libFuzzer target for the access-log path: the first byte picks the format
// (auto-detection, each preset, or a user log_format taken from the first
// line), the rest is a log stream fed in two chunks (so lines straddle
// reads). Every alert and the summary are written as JSON and must parse.
// Nothing may crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "logs/analyzer.h"
#include "logs/format.h"
#include "logs/output.h"
#include "logs/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& presets = ig::logs::LineFormat::preset_names();
  std::string format = "auto";
  unsigned pick = data[0] % (presets.size() + 2);
  if (pick < presets.size()) {
    format = std::string(presets[pick]);
  } else if (pick == presets.size()) {
    size_t nl = in.find('\n');
    std::string fmt(in.substr(0, nl));
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (!ig::logs::LineFormat::compile_nginx(fmt).ok()) return 0;
    format = "nginx:" + fmt;
  }
  ig::logs::AnalyzerConfig cfg = ig::logs::AnalyzerConfig::defaults();
  cfg.max_keys = 64;
  cfg.max_services = 16;
  cfg.max_clients_summary = 32;
  std::vector<std::string> sources = {"fuzz"};
  std::ostringstream out;
  ig::logs::Analyzer analyzer(cfg, [&](const ig::logs::Alert& a) { ig::logs::write_alert_json(out, a, sources); });
  ig::logs::LogPipeline pipeline(analyzer, format, 4096);
  pipeline.begin_input(0);
  size_t cut = in.empty() ? 0 : data[0] * 7 % in.size();
  pipeline.feed(in.substr(0, cut));
  pipeline.feed(in.substr(cut));
  pipeline.end_input();
  analyzer.finish();
  ig::logs::write_summary_json(out, analyzer.summary(), sources, {pipeline.format_name()});
  std::istringstream lines(out.str());
  std::string line;
  while (std::getline(lines, line))
    if (nlohmann::json::parse(line, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
