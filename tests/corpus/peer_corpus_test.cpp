// External test: the peers' own fixtures (../shared/corpus/manifests) run
// through ingressguard, each peer check mapped to our rule IDs
// (peer_mapping.json). Reports agreement per peer on `flag` and `no-flag`
// cases; every disagreement must be documented with its reason in the
// mapping file, and a documented disagreement that no longer happens fails
// too, so the list stays true.
#include <gtest/gtest.h>
#include <unistd.h>

#include "policy/policy.h"
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "load/loader.h"
#include "rules/rule.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCorpus = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "corpus" / "manifests";

struct Tally {
  int flag_total = 0, flag_agree = 0, noflag_total = 0, noflag_agree = 0;
};

// Index of the object that starts at or after `line` with this kind and name.
const ig::ObjectRef* find_object(const ig::Cluster& c, uint32_t file, uint32_t line, const std::string& kind,
                                 const std::string& name) {
  const ig::ObjectRef* best = nullptr;
  for (const auto& o : c.objects) {
    if (o.loc.file != file || o.kind != kind || o.name != name || o.loc.line < line) continue;
    if (!best || o.loc.line < best->loc.line) best = &o;
  }
  return best;
}

}  // namespace

// Tests that ingressguard agrees with each peer's fixtures, except for documented, deliberate differences.
TEST(PeerCorpus, AgreementWithDocumentedDisagreements) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "peer corpus not found at " << kCorpus;
  std::ifstream mf(fs::path(IG_SOURCE_DIR) / "tests" / "corpus" / "peer_mapping.json");
  ASSERT_TRUE(mf);
  json mapping = json::parse(mf);

  std::set<std::string> documented;
  for (const auto& d : mapping["disagreements"]) {
    ASSERT_TRUE(d.contains("reason") && !d["reason"].get<std::string>().empty()) << d.dump();
    documented.insert(d["check"].get<std::string>() + "|" + d["file"].get<std::string>() + ":" +
                      std::to_string(d["line"].get<int>()));
  }
  std::set<std::string> seen_disagreements;
  std::map<std::string, Tally> per_peer;
  std::vector<std::string> undocumented;

  for (const auto& m : mapping["checks"]) {
    std::string check = m["check"];  // "<tool>/<check>"
    std::set<std::string> rules(m["rules"].begin(), m["rules"].end());
    fs::path dir = kCorpus / check;
    std::ifstream ef(dir / "expected.json");
    ASSERT_TRUE(ef) << "missing " << (dir / "expected.json");
    json expected = json::parse(ef);
    std::string tool = check.substr(0, check.find('/'));
    // Peer constraints with parameters run with the equivalent policy file.
    fs::path policy_file;
    if (m.contains("policy")) {
      policy_file = fs::temp_directory_path() / ("ig_peer_policy_" + std::to_string(::getpid()) + ".yaml");
      std::ofstream(policy_file) << m["policy"].get<std::string>();
    }
    // Admission-test cases that are simply admitted count as no-flag for
    // checks that do not look up other objects.
    bool context_is_no_flag = m.value("context_is_no_flag", false);
    for (const auto& cs : expected["cases"]) {
      std::string expect = cs["expect"];
      if (expect == "no-flag-or-context" && context_is_no_flag) expect = "no-flag";
      if (expect != "flag" && expect != "no-flag") continue;
      ig::Cluster cluster;
      ig::Loader loader(cluster);
      // What the peer's admission test applied before this file (chainsaw
      // steps), loaded first so that the case file comes after it.
      std::string case_file = cs["file"].get<std::string>();
      if (m.contains("context") && m["context"].contains(case_file))
        for (const auto& ctx : m["context"][case_file]) loader.load_path((dir / ctx.get<std::string>()).string());
      uint32_t file_index = static_cast<uint32_t>(cluster.files.size());
      loader.load_path((dir / case_file).string());
      if (cs.contains("inventory"))
        for (const auto& inv : cs["inventory"]) loader.load_path((dir / inv.get<std::string>()).string());
      cluster.index();
      std::vector<ig::LoadError> policy_errors;
      std::optional<ig::Policy> policy;
      ig::RuleSettings settings;
      // A peer check whose cases run under different constraints: the policy for this one.
      std::string policy_text;
      if (m.contains("policy_by_constraint") && cs.contains("constraint"))
        policy_text = m["policy_by_constraint"].value(cs["constraint"].get<std::string>(), std::string());
      if (!policy_text.empty()) {
        policy = ig::load_policy_text("constraint-policy.yaml", policy_text, cluster, policy_errors);
        ASSERT_TRUE(policy) << check << ": " << policy_errors.at(0).message;
        settings.policy = &*policy;
      } else if (!policy_file.empty()) {
        policy = ig::load_policy(policy_file.string(), cluster, policy_errors);
        ASSERT_TRUE(policy) << check << ": " << policy_errors.at(0).message;
        settings.policy = &*policy;
      }
      ASSERT_TRUE(loader.errors().empty()) << check << " " << cs["file"] << ": " << loader.errors()[0].message;
      std::string name = cs["name"].is_null() ? "" : cs["name"].get<std::string>();
      const ig::ObjectRef* obj = find_object(cluster, file_index, cs["line"].get<uint32_t>(), cs["kind"], name);
      ASSERT_NE(obj, nullptr) << check << " " << cs["file"] << ":" << cs["line"] << " " << name;
      bool flagged = false;
      for (const ig::Finding& f : ig::run_rules(cluster, settings))
        if (rules.count(std::string(f.rule->id)) && f.resource.loc.file == file_index && f.resource.loc.line == obj->loc.line)
          flagged = true;
      bool agree = flagged == (expect == "flag");
      Tally& t = per_peer[tool];
      (expect == "flag" ? t.flag_total : t.noflag_total)++;
      if (agree) (expect == "flag" ? t.flag_agree : t.noflag_agree)++;
      if (!agree) {
        std::string key = check + "|" + cs["file"].get<std::string>() + ":" + std::to_string(cs["line"].get<int>());
        seen_disagreements.insert(key);
        if (!documented.count(key)) undocumented.push_back(key + " expected " + expect + " (" + name + ")");
      }
    }
    if (!policy_file.empty()) fs::remove(policy_file);
  }
  std::cout << "peer            flag agree   no-flag agree\n";
  for (const auto& [peer, t] : per_peer)
    std::printf("%-14s %5d/%-5d   %5d/%-5d\n", peer.c_str(), t.flag_agree, t.flag_total, t.noflag_agree, t.noflag_total);
  for (const auto& u : undocumented) ADD_FAILURE() << "undocumented disagreement: " << u;
  for (const auto& d : documented)
    if (!seen_disagreements.count(d)) ADD_FAILURE() << "documented disagreement no longer happens: " << d;
}
