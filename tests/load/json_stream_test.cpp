// JSON Lists read item by item: the splitter's cuts and positions whatever the chunk sizes, its structural
// errors, and what the loader makes of lists (typed lists, the kind written after the items, objects that
// only look like lists, a bad item in a large list read on several threads).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "load/json_stream.h"
#include "test_support.h"

namespace ig {

namespace {

struct Cut {
  std::string text;
  uint32_t line, col, nesting;
  bool operator==(const Cut&) const = default;
};

struct Split {
  std::vector<Cut> items;
  std::string skeleton;
  std::optional<Error> error;
};

// Feeds `input` in pieces of `step` bytes (0: whole).
Split split(const std::string& input, size_t step, JsonListSplitter* keep = nullptr) {
  JsonListSplitter local;
  JsonListSplitter& s = keep ? *keep : local;
  Split out;
  auto on_item = [&](std::string_view t, Mark m, uint32_t d) { out.items.push_back(Cut{std::string(t), m.line, m.col, d}); };
  for (size_t at = 0; at < input.size() && !out.error; at += step ? step : input.size())
    out.error = s.feed(std::string_view(input).substr(at, step ? step : input.size()), on_item);
  if (!out.error) out.error = s.finish();
  out.skeleton = s.skeleton();
  return out;
}

// kubectl's layout: keys sorted, four-space indentation, the list's kind after its items.
const std::string kKubectlList = R"({
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "a", "annotations": {"note": "braces } ] { [ and \"quotes\" \\"}}
        },
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}}
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
)";

}  // namespace

// Tests that the items are cut at the same places, with the same positions, however the input is chunked
// (whole, line-sized, one byte at a time), and that the rest is kept with an empty items array.
TEST(JsonListSplitter, SameCutsAtEveryChunkSize) {
  Split whole = split(kKubectlList, 0);
  ASSERT_FALSE(whole.error) << whole.error->message;
  ASSERT_EQ(whole.items.size(), 2u);
  EXPECT_EQ(whole.items[0].line, 4u);
  EXPECT_EQ(whole.items[0].col, 9u);
  EXPECT_EQ(whole.items[0].nesting, 3u);
  EXPECT_EQ(whole.items[0].text.substr(0, 1), "{");
  EXPECT_NE(whole.items[0].text.find(R"(\"quotes\" \\"}})"), std::string::npos) << whole.items[0].text;
  EXPECT_EQ(whole.items[1].text, R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}})");
  EXPECT_EQ(whole.items[1].line, 9u);
  EXPECT_EQ(whole.skeleton.find("Service"), std::string::npos) << whole.skeleton;
  EXPECT_NE(whole.skeleton.find(R"("items": [])"), std::string::npos) << whole.skeleton;
  for (size_t step : {1u, 2u, 3u, 7u, 64u}) {
    Split s = split(kKubectlList, step);
    ASSERT_FALSE(s.error) << step;
    EXPECT_EQ(s.items, whole.items) << "step " << step;
    EXPECT_EQ(s.skeleton, whole.skeleton) << "step " << step;
  }
}

// Tests that a position after the items in the rest is given where it is in the input.
TEST(JsonListSplitter, RestPositionsMapBackToTheInput) {
  JsonListSplitter s;
  Split r = split(kKubectlList, 5, &s);
  ASSERT_FALSE(r.error);
  auto in_skeleton = [&](std::string_view marker) {
    size_t at = r.skeleton.find(marker);
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < at; ++i) {
      if (r.skeleton[i] == '\n') line++, col = 1;
      else ++col;
    }
    return Mark{line, col};
  };
  Mark kind = s.to_input(in_skeleton(R"("kind": "List")"));
  EXPECT_EQ(kind.line, 11u);
  EXPECT_EQ(kind.col, 5u);
  Mark api = s.to_input(in_skeleton(R"("apiVersion": "v1")"));  // before the items: unchanged
  EXPECT_EQ(api.line, 2u);
  EXPECT_EQ(api.col, 5u);
}

// Tests the structural errors the splitter finds itself, each at its position: a missing comma between
// items, a comma with no item after it, a list that never closes.
TEST(JsonListSplitter, StructuralErrorsHavePositions) {
  Split missing = split("{\"items\": [\n  {\"a\": 1}\n  {\"b\": 2}]}", 1);
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->mark.line, 3u);
  EXPECT_EQ(missing.error->mark.col, 3u);
  EXPECT_EQ(missing.items.size(), 1u);
  Split trailing = split("{\"items\": [{\"a\": 1},\n]}", 0);
  ASSERT_TRUE(trailing.error);
  EXPECT_EQ(trailing.error->mark.line, 2u);
  Split open = split("{\"items\": [{\"a\": 1}, {\"b\": [", 0);
  ASSERT_TRUE(open.error);
  EXPECT_NE(open.error->message.find("braces or brackets do not match"), std::string::npos);
  // Not an object with items: all of it is the rest, nothing is cut.
  Split array = split("[{\"items\": [1]}]", 1);
  EXPECT_FALSE(array.error);
  EXPECT_TRUE(array.items.empty());
  EXPECT_EQ(array.skeleton, "[{\"items\": [1]}]");
}

// Tests the loader on kubectl's list: both objects, each at its own line.
TEST(JsonStream, KubectlListObjectsKeepTheirLines) {
  auto r = testing::scan_text(kKubectlList, InputFormat::Json);
  ASSERT_TRUE(r->errors.empty()) << r->errors[0].message;
  ASSERT_EQ(r->cluster.services.size(), 2u);
  EXPECT_EQ(r->cluster.services[0].meta.loc.line, 4u);
  EXPECT_EQ(r->cluster.services[1].meta.name, "b");
  EXPECT_EQ(r->cluster.services[1].meta.loc.line, 9u);
  EXPECT_EQ(r->stats.documents, 1u);
  EXPECT_EQ(r->stats.objects, 2u);
}

// Tests typed lists as the API server writes them (kind first, items without kind) and with the kind
// written after the items: both give their items the list's kind and apiVersion.
TEST(JsonStream, TypedListGivesItsItemsTheirKindWhereverItIsWritten) {
  std::string before = R"({"kind": "ServiceList", "apiVersion": "v1", "items": [{"metadata": {"name": "a"}}]})";
  std::string after = R"({"items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}], "apiVersion": "v1", "kind": "ServiceList"})";
  auto b = testing::scan_text(before, InputFormat::Json);
  ASSERT_EQ(b->cluster.services.size(), 1u);
  auto a = testing::scan_text(after, InputFormat::Json);
  ASSERT_EQ(a->cluster.services.size(), 2u);
  EXPECT_EQ(a->cluster.services[1].meta.name, "b");
  EXPECT_EQ(a->stats.skipped_documents, 0u);
  // In a plain List an item without a kind is no object.
  auto plain = testing::scan_text(R"({"items": [{"metadata": {"name": "a"}}], "kind": "List"})", InputFormat::Json);
  EXPECT_TRUE(plain->cluster.services.empty());
  EXPECT_EQ(plain->stats.skipped_documents, 1u);
}

// Tests that an object which is not a list is read as itself even with an "items" array (its items are not
// objects), with positions after the array still exact.
TEST(JsonStream, ObjectWithItemsThatIsNotAListIsItself) {
  std::string t = "{\"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"x\"}}],\n"
                  "\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n\"metadata\": {\"name\": \"cm\", \"namespace\": \"a\"}}";
  auto r = testing::scan_text(t, InputFormat::Json);
  EXPECT_TRUE(r->errors.empty());
  EXPECT_TRUE(r->cluster.services.empty());
  ASSERT_EQ(r->cluster.config_maps.size(), 1u);
  EXPECT_EQ(r->cluster.config_maps[0].meta.name, "cm");
  EXPECT_EQ(r->cluster.objects.size(), 1u);
}

// Tests a large list read from a file on several threads (many batches): every object in input order at
// its line, and a bad item near the end: the error at its line, the items before it kept, none after.
TEST(JsonStream, LargeListOnThreadsWithABadItem) {
  const int n = 20000;  // about 4 MB: several batches
  std::string t = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n";
  std::vector<uint32_t> lines;
  uint32_t line = 4;
  const int bad = 19000;
  for (int i = 0; i < n; ++i) {
    lines.push_back(line);
    t += "        {\n            \"apiVersion\": \"v1\", \"kind\": \"Service\",\n"
         "            \"metadata\": {\"name\": \"s" + std::to_string(i) + "\", \"namespace\": \"ns\", \"labels\": {\"a\": \"" +
         std::string(100, 'x') + "\"}}" + (i == bad ? ", oops" : "") + "\n        }" + (i + 1 < n ? "," : "") + "\n";
    line += 4;
  }
  t += "    ],\n    \"kind\": \"List\"\n}\n";
  std::string path = ::testing::TempDir() + "/ig-large-list-" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << t;
  Cluster cluster;
  Loader loader(cluster);
  loader.load_path(path);
  std::filesystem::remove(path);
  ASSERT_EQ(loader.errors().size(), 1u);
  EXPECT_EQ(loader.errors()[0].mark.line, lines[bad] + 2) << loader.errors()[0].message;
  ASSERT_EQ(cluster.services.size(), static_cast<size_t>(bad));
  for (int i = 0; i < bad; i += 997) {
    EXPECT_EQ(cluster.services[i].meta.name, "s" + std::to_string(i));
    EXPECT_EQ(cluster.services[i].meta.loc.line, lines[i]) << i;
  }
}

}  // namespace ig

namespace ig {

// Tests YAML Lists read item by item, as kubectl prints them (the kind after the items): every item at its line,
// a typed list giving kind and apiVersion to items written without them, anchors defined in one item and used
// in a later one or after the items, and a mapping with "items" that is not a list read as itself.
TEST(YamlList, ItemByItemKeepsWhatTheWholeDocumentSays) {
  std::string kubectl = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\n"
                        "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: b\nkind: List\nmetadata:\n  resourceVersion: \"\"\n";
  auto k = testing::scan_text(kubectl);
  ASSERT_TRUE(k->errors.empty());
  ASSERT_EQ(k->cluster.services.size(), 2u);
  EXPECT_EQ(k->cluster.services[1].meta.name, "b");
  EXPECT_EQ(k->cluster.services[1].meta.loc.line, 7u);
  EXPECT_EQ(k->stats.documents, 1u);

  auto typed = testing::scan_text("items:\n- metadata: {name: a}\n- metadata: {name: b}\napiVersion: v1\nkind: ServiceList\n");
  ASSERT_EQ(typed->cluster.services.size(), 2u);
  EXPECT_EQ(typed->stats.skipped_documents, 0u);

  std::string anchors = "kind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: &meta {name: a, labels: {x: y}}\n"
                        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: *meta\nmetadata: *meta\n";
  auto a = testing::scan_text(anchors);
  ASSERT_TRUE(a->errors.empty()) << a->errors[0].message;
  ASSERT_EQ(a->cluster.config_maps.size(), 1u);
  EXPECT_EQ(a->cluster.config_maps[0].meta.name, "a");

  std::string not_list = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\nitems:\n- apiVersion: v1\n  kind: Service\n"
                         "  metadata: {name: x}\n";
  auto n = testing::scan_text(not_list);
  EXPECT_TRUE(n->cluster.services.empty());
  ASSERT_EQ(n->cluster.config_maps.size(), 1u);

  // A broken list: no object of it is kept (as for any document that fails), the error has its line.
  auto bad = testing::scan_text("kind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- [unclosed\n");
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_TRUE(bad->cluster.services.empty());
}

}  // namespace ig
