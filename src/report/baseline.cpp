// Finding fingerprints (SARIF partialFingerprints, baselines) and baseline
// files: what a team accepted once is hidden from later scans, and what no
// longer matches is counted, so a baseline shrinks as findings are fixed.
#include <openssl/evp.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"
#include "report/report.h"

namespace ig {

std::string finding_fingerprint(const Finding& f, const std::string& file) {
  std::string key = std::string(f.rule->id) + '\n' + file + '\n' + std::string(f.resource.kind) + '\n' +
                    std::string(f.resource.ns) + '\n' + std::string(f.resource.name) + '\n';
  key += digits_masked(f.message);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(key.data(), key.size(), md, &n, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < 16 && i < n; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

bool write_baseline(const std::string& path, const ScanResult& r, std::string& error) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const Finding& f : r.findings) {
    if (f.suppressed) continue;
    const std::string& file = r.cluster->files[f.loc.file].path;
    entries.push_back({{"fingerprint", finding_fingerprint(f, file)}, {"rule", f.rule->id}, {"file", file},
                       {"line", f.loc.line}, {"message", f.message}});
  }
  nlohmann::ordered_json doc = {{"tool", kToolName}, {"version", version()}, {"findings", std::move(entries)}};
  std::ofstream out(path);
  out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  if (!out) {
    error = "cannot write the baseline " + path;
    return false;
  }
  return true;
}

std::optional<BaselineResult> apply_baseline(const std::string& path, ScanResult& r, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read the baseline " + path;
    return std::nullopt;
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("findings") || !doc["findings"].is_array()) {
    error = path + ": not a baseline written by --write-baseline";
    return std::nullopt;
  }
  std::set<std::string> known;
  for (const auto& e : doc["findings"])
    if (e.is_object() && e.contains("fingerprint") && e["fingerprint"].is_string()) known.insert(e["fingerprint"].get<std::string>());
  BaselineResult out;
  std::set<std::string> matched;
  std::erase_if(r.findings, [&](const Finding& f) {
    if (f.suppressed) return false;
    std::string fp = finding_fingerprint(f, r.cluster->files[f.loc.file].path);
    if (!known.count(fp)) return false;
    matched.insert(fp);
    ++out.known;
    return true;
  });
  out.stale = known.size() - matched.size();
  return out;
}

}  // namespace ig
