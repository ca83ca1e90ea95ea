// NetworkPolicy semantics against np-guard's netpol-analyzer: for every case
// of ../shared/corpus/netpol with a connectivity list, the workload-to-workload
// connections we compute must equal the analyzer's, pair by pair and port by
// port. Rows with addresses outside the cluster or the ingress controller are
// left to the exposure graph.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "graph/netpol.h"
#include "load/loader.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kCorpus = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "corpus" / "netpol";

// The analyzer's connlist rows: from the JSON output when there is one, else
// the text lines "SRC => DST : CONN".
json connlist_rows(const fs::path& json_file, const fs::path& txt_file) {
  if (fs::exists(json_file)) {
    std::ifstream in(json_file);
    return json::parse(in);
  }
  json rows = json::array();
  std::ifstream in(txt_file);
  for (std::string line; std::getline(in, line);) {
    size_t arrow = line.find(" => "), colon = line.find(" : ");
    if (arrow == std::string::npos || colon == std::string::npos || colon < arrow) continue;
    rows.push_back({{"src", line.substr(0, arrow)}, {"dst", line.substr(arrow + 4, colon - arrow - 4)}, {"conn", line.substr(colon + 3)}});
  }
  return rows;
}

std::map<std::pair<std::string, std::string>, std::string> expected_pairs(const fs::path& json_file, const fs::path& txt_file) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (const auto& r : connlist_rows(json_file, txt_file)) {
    std::string src = r["src"], dst = r["dst"], conn = r["conn"];
    if (src.find("[External]") != std::string::npos || dst.find("[External]") != std::string::npos) continue;
    if (src.find("{ingress-controller}") != std::string::npos || dst.find("{ingress-controller}") != std::string::npos) continue;
    if (conn == "No Connections") continue;
    out[{src, dst}] = conn;
  }
  return out;
}

}  // namespace

// Tests every corpus case's workload pairs and connection sets against netpol-analyzer's answers.
TEST(NetpolCorpus, MatchesNetpolAnalyzer) {
  if (!fs::exists(kCorpus / "index.json")) GTEST_SKIP() << "netpol corpus not found at " << kCorpus;
  std::ifstream idx(kCorpus / "index.json");
  json index = json::parse(idx);
  int cases = 0, exact = 0, pairs_expected = 0, pairs_matched = 0;
  for (const auto& entry : index) {
    std::string name = entry["case"];
    fs::path dir = kCorpus / entry["group"].get<std::string>() / name;
    fs::path expected = dir / "expected" / (name + "_connlist_output.json");
    fs::path expected_txt = dir / "expected" / (name + "_connlist_output.txt");
    if (!fs::exists(expected) && !fs::exists(expected_txt)) continue;
    ig::Cluster cluster;
    ig::Loader loader(cluster);
    loader.load_path((dir / "manifests").string());
    cluster.index();
    ig::NetworkPolicyEngine engine(cluster);
    // One node per workload id (pods of one ReplicaSet are one node).
    std::map<std::string, const ig::Workload*> nodes;
    for (const ig::Workload& w : cluster.workloads) nodes.emplace(ig::NetworkPolicyEngine::workload_id(w), &w);
    std::map<std::pair<std::string, std::string>, std::string> got;
    for (const auto& [sid, s] : nodes)
      for (const auto& [did, d] : nodes) {
        if (sid == did) continue;
        ig::ConnSet conn = engine.allowed(*s, *d);
        if (!conn.empty()) got[{sid, did}] = conn.str();
      }
    auto want = expected_pairs(expected, expected_txt);
    ++cases;
    int matched = 0;
    for (const auto& [pair, conn] : want) {
      auto it = got.find(pair);
      if (it != got.end() && it->second == conn) ++matched;
      else ADD_FAILURE() << name << ": " << pair.first << " => " << pair.second << " expected " << conn << ", got "
                         << (it == got.end() ? std::string("nothing") : it->second);
    }
    for (const auto& [pair, conn] : got)
      if (!want.count(pair))
        ADD_FAILURE() << name << ": " << pair.first << " => " << pair.second << " unexpected " << conn;
    pairs_expected += static_cast<int>(want.size());
    pairs_matched += matched;
    if (matched == static_cast<int>(want.size()) && got.size() == want.size()) ++exact;
  }
  std::cout << "netpol corpus: " << exact << "/" << cases << " cases exact, " << pairs_matched << "/" << pairs_expected
            << " workload pairs with the same connections\n";
  EXPECT_GT(cases, 10);
}
