#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "cli/commands.h"
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
