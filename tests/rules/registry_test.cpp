#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "logs/analyzer.h"
#include "probe/checks.h"
#include "rules/rule.h"

namespace ig {

// Tests that rule IDs are unique and every rule carries complete documentation.
TEST(Registry, UniqueIdsAndCompleteMetadata) {
  std::set<std::string_view> ids;
  ASSERT_GE(builtin_rules().size(), 27u);
  for (const Rule* r : builtin_rules()) {
    EXPECT_TRUE(ids.insert(r->info.id).second) << "duplicate id " << r->info.id;
    EXPECT_EQ(r->info.id.substr(0, 2), "IG");
    EXPECT_FALSE(r->info.title.empty()) << r->info.id;
    EXPECT_FALSE(r->info.category.empty()) << r->info.id;
    EXPECT_GT(r->info.rationale.size(), 40u) << r->info.id;
    EXPECT_FALSE(r->info.remediation.empty()) << r->info.id;
    EXPECT_FALSE(r->info.references[0].empty()) << r->info.id;
    EXPECT_NE(r->check, nullptr);
    EXPECT_EQ(find_rule(r->info.id), r);
  }
}

// Tests that one catalogue covers every ID the tool prints: rule, detector and probe check IDs are unique
// across the three families, every IG9xx ID the prober's sources report has a catalogue entry (and each entry is
// reported somewhere), and docs/probe.md's table lists exactly the catalogue's checks.
TEST(Registry, EveryPrintedIdIsCatalogued) {
  std::set<std::string> ids;
  for (const Rule* r : builtin_rules()) ids.insert(std::string(r->info.id));
  for (const auto& d : logs::detector_catalog()) EXPECT_TRUE(ids.insert(std::string(d.id)).second) << d.id;
  std::set<std::string> checks;
  for (const auto& c : probe::check_catalog()) {
    EXPECT_TRUE(ids.insert(std::string(c.id)).second) << c.id;
    checks.insert(std::string(c.id));
    EXPECT_FALSE(c.title.empty()) << c.id;
    EXPECT_GT(c.description.size(), 20u) << c.id;
    EXPECT_EQ(probe::find_check(c.id), &c);
  }
  const std::regex id_literal("\"(IG9[0-9][0-9])\"");
  std::set<std::string> reported;
  for (const auto& e : std::filesystem::directory_iterator(std::string(IG_SOURCE_DIR) + "/src/probe")) {
    if (e.path().filename() == "checks.cpp") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator it(text.begin(), text.end(), id_literal), end; it != end; ++it) reported.insert((*it)[1]);
  }
  ASSERT_FALSE(reported.empty());
  EXPECT_EQ(reported, checks) << "src/probe reports IDs the catalogue (src/probe/checks.cpp) does not have, or the reverse";
  std::ifstream doc(std::string(IG_SOURCE_DIR) + "/docs/probe.md");
  std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  std::set<std::string> documented;
  const std::regex row("\n\\| (IG9[0-9][0-9]) \\|");
  for (std::sregex_iterator it(text.begin(), text.end(), row), end; it != end; ++it) documented.insert((*it)[1]);
  EXPECT_EQ(documented, checks) << "docs/probe.md's table and the catalogue differ";
}

// Tests that docs/rules.md is the generated catalogue (run `make docs` after changing a rule).
TEST(Registry, RulesReferenceIsUpToDate) {
  std::ifstream in(std::string(IG_SOURCE_DIR) + "/docs/rules.md");
  ASSERT_TRUE(in) << "docs/rules.md missing";
  std::stringstream committed;
  committed << in.rdbuf();
  std::ostringstream generated, err;
  ASSERT_EQ(run_rules("markdown", generated, err), 0);
  EXPECT_EQ(committed.str(), generated.str()) << "docs/rules.md is stale: run `make docs`";
}

}  // namespace ig

namespace ig {
namespace {

struct CountedIndex {
  static inline int built = 0;
  explicit CountedIndex(const Cluster&) { ++built; }
};

struct DependentIndex {
  const CountedIndex* base;
  DependentIndex(const Cluster& c, DerivedCache& d) : base(d.get<CountedIndex>(c).get()) {}
};

}  // namespace

// Tests the per-run cache of derived indexes: one build per run however many rules ask, entries
// built from other entries share them, and a rule called alone (no cache) still gets its own.
TEST(DerivedCache, BuildsOncePerRunAndAloneWithout) {
  Cluster c;
  CountedIndex::built = 0;
  DerivedCache cache;
  RuleSettings s;
  s.derived = &cache;
  auto a = derived<CountedIndex>(c, s);
  auto b = derived<CountedIndex>(c, s);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(derived<DependentIndex>(c, s)->base, a.get());
  EXPECT_EQ(CountedIndex::built, 1);
  RuleSettings alone;
  auto fresh = derived<CountedIndex>(c, alone);
  EXPECT_NE(fresh.get(), a.get());
  EXPECT_EQ(CountedIndex::built, 2);
}

}  // namespace ig
