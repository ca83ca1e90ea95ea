// The `logs --config` file: per-detector thresholds and the state caps.
#include <charconv>
#include <fstream>
#include <sstream>

#include "load/parse.h"
#include "logs/analyzer.h"

namespace ig::logs {

namespace {

constexpr size_t kMaxConfigSize = 1u << 20;

// Reads the tree inside the parser's callback (the tree lives only there).
class ConfigSink : public DocumentSink {
 public:
  ConfigSink(AnalyzerConfig& cfg, std::optional<Error>& error) : cfg_(cfg), error_(error) {}

  void on_document(const Document& doc) override {
    if (error_ || !doc.root) return;
    if (documents_++ > 0) return fail(doc.start, "the config file must hold one YAML document");
    const Node* root = doc.root;
    if (!root->is_map()) return fail(root->mark, "the config file must be a mapping (detectors:, limits:)");
    for (uint32_t i = 0; i < root->count && !error_; ++i) {
      std::string_view k = root->key(i)->text;
      const Node* v = root->value(i);
      if (k == "detectors") detectors(v);
      else if (k == "limits") limits(v);
      else fail(root->key(i)->mark, "unknown key '" + std::string(k) + "' (expected detectors or limits)");
    }
  }

 private:
  void fail(Mark m, std::string message) {
    if (!error_) error_ = Error{std::move(message), m};
  }

  bool number(const Node* n, double& out) {
    if (!n->is_scalar()) return fail(n->mark, "expected a number"), false;
    auto [p, ec] = std::from_chars(n->text.data(), n->text.data() + n->text.size(), out);
    if (ec != std::errc() || p != n->text.data() + n->text.size() || out < 0)
      return fail(n->mark, "expected a non-negative number, got '" + std::string(n->text) + "'"), false;
    return true;
  }

  template <typename T>
  bool integer(const Node* n, T& out, double max) {
    double d = 0;
    if (!number(n, d)) return false;
    if (d != static_cast<double>(static_cast<uint64_t>(d)) || d > max)
      return fail(n->mark, "expected a whole number up to " + std::to_string(static_cast<uint64_t>(max))), false;
    out = static_cast<T>(d);
    return true;
  }

  bool duration(const Node* n, int64_t& ms) {
    auto v = n->is_scalar() ? parse_duration_ms(n->text) : std::nullopt;
    if (!v)
      return fail(n->mark, "expected a duration between 1ms and 7 days such as 10s or 5m, got '" +
                               std::string(n->is_scalar() ? n->text : "") + "'"),
             false;
    ms = *v;
    return true;
  }

  bool boolean(const Node* n, bool& out) {
    if (n->is_scalar() && (n->text == "true" || n->text == "false")) {
      out = n->text == "true";
      return true;
    }
    return fail(n->mark, "expected true or false"), false;
  }

  bool severity(const Node* n, Severity& out) {
    auto s = n->is_scalar() ? parse_severity(n->text) : std::nullopt;
    if (!s) return fail(n->mark, "expected critical, high, medium, low or info"), false;
    out = *s;
    return true;
  }

  void detectors(const Node* m) {
    if (!m->is_map()) return fail(m->mark, "detectors: expected a mapping of detector ID or name to settings");
    for (uint32_t i = 0; i < m->count && !error_; ++i) {
      const Node* key = m->key(i);
      const Node* v = m->value(i);
      Detector d;
      if (!find_detector(key->text, &d))
        return fail(key->mark, "unknown detector '" + std::string(key->text) + "' (see `ingressguard logs --list-detectors`)");
      if (!v->is_map()) return fail(v->mark, "expected a mapping of settings");
      auto idx = static_cast<size_t>(d);
      if (idx < kBucketDetectors) bucket(v, cfg_.buckets[idx], d == Detector::BruteForce);
      else spike(v, d == Detector::GlobalSpike ? cfg_.global_spike : d == Detector::ServiceSpike ? cfg_.service_spike
                                                                                               : cfg_.upstream_errors,
                 d == Detector::UpstreamErrors);
    }
  }

  void bucket(const Node* m, BucketParams& b, bool failures) {
    for (uint32_t i = 0; i < m->count && !error_; ++i) {
      std::string_view k = m->key(i)->text;
      const Node* v = m->value(i);
      if (k == "enabled") boolean(v, b.enabled);
      else if (k == "capacity") integer(v, b.capacity, 1000);
      else if (k == "leak") duration(v, b.leak_ms);
      else if (k == "mute") duration(v, b.mute_ms);
      else if (k == "severity") severity(v, b.severity);
      else if (k == "min-failure-ratio" && failures) {
        if (number(v, b.min_failure_ratio) && (b.min_failure_ratio < 0 || b.min_failure_ratio > 1))
          fail(v->mark, "min-failure-ratio must be in [0, 1]");
      } else fail(m->key(i)->mark, "unknown setting '" + std::string(k) + "' (enabled, capacity, leak, mute, " +
                                       (failures ? "min-failure-ratio, " : "") + "severity)");
    }
  }

  void spike(const Node* m, SpikeParams& s, bool errors) {
    for (uint32_t i = 0; i < m->count && !error_; ++i) {
      std::string_view k = m->key(i)->text;
      const Node* v = m->value(i);
      if (k == "enabled") boolean(v, s.enabled);
      else if (k == "window") duration(v, s.window_ms);
      else if (k == "factor") number(v, s.factor);
      else if (k == "min-count") integer(v, s.min_count, 1e12);
      else if (k == "min-ratio" && errors) number(v, s.min_ratio);
      else if (k == "warmup") integer(v, s.warmup, 100000);
      else if (k == "alpha") {
        if (number(v, s.alpha) && (s.alpha <= 0 || s.alpha > 1)) fail(v->mark, "alpha must be in (0, 1]");
      } else if (k == "severity") severity(v, s.severity);
      else fail(m->key(i)->mark, "unknown setting '" + std::string(k) +
                                     "' (enabled, window, factor, min-count, " + (errors ? "min-ratio, " : "") +
                                     "warmup, alpha, severity)");
    }
  }

  void limits(const Node* m) {
    if (!m->is_map()) return fail(m->mark, "limits: expected a mapping");
    for (uint32_t i = 0; i < m->count && !error_; ++i) {
      std::string_view k = m->key(i)->text;
      const Node* v = m->value(i);
      if (k == "max-keys") integer(v, cfg_.max_keys, 10'000'000);
      else if (k == "max-services") integer(v, cfg_.max_services, 1'000'000);
      else if (k == "max-clients-summary") integer(v, cfg_.max_clients_summary, 10'000'000);
      else if (k == "evidence-lines") integer(v, cfg_.evidence_lines, 100);
      else if (k == "evidence-bytes") integer(v, cfg_.evidence_bytes, 65536);
      else if (k == "ratio-window") duration(v, cfg_.ratio_window_ms);
      else fail(m->key(i)->mark, "unknown limit '" + std::string(k) +
                                     "' (max-keys, max-services, max-clients-summary, evidence-lines, evidence-bytes, "
                                     "ratio-window)");
    }
    if (!error_ && cfg_.max_keys == 0) fail(m->mark, "max-keys must be at least 1");
    if (!error_ && cfg_.ratio_window_ms <= 0) fail(m->mark, "ratio-window must be positive");
  }

  AnalyzerConfig& cfg_;
  std::optional<Error>& error_;
  int documents_ = 0;
};

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.')) ++i;
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + i, v);
  std::string_view unit = t.substr(i);
  double scale = unit == "ms" ? 1 : unit == "s" ? 1e3 : unit == "m" ? 6e4 : unit == "h" ? 3.6e6 : -1;
  if (ec != std::errc() || i == 0 || p != t.data() + i || scale < 0 || v * scale < 1 || v * scale > 7 * 24 * 3.6e6)
    return std::nullopt;
  return static_cast<int64_t>(v * scale);
}

Result<AnalyzerConfig> parse_analyzer_config(std::string_view text, const std::string& name) {
  AnalyzerConfig cfg = AnalyzerConfig::defaults();
  std::optional<Error> error;
  if (text.size() > kMaxConfigSize) return Error{name + ": config file is larger than 1 MiB", {}};
  ConfigSink sink(cfg, error);
  if (auto err = parse_yaml(text, ParseLimits{}, sink)) error = *err;
  if (error) {
    std::string where = name + ":" + std::to_string(error->mark.line) + ":" + std::to_string(error->mark.col);
    return Error{where + ": " + error->message, error->mark};
  }
  return cfg;
}

Result<AnalyzerConfig> load_analyzer_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read the config file", {}};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_analyzer_config(ss.str(), path);
}

}  // namespace ig::logs
