#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace ig {

using testing::scan_text;

namespace {
std::string ingress_named(const std::string& name) {
  return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: web\n";
}
}  // namespace

// Tests that every document of a multi-document stream is loaded, empty documents skipped.
TEST(Loader, MultiDocumentAndEmptyDocuments) {
  auto r = scan_text("---\n" + ingress_named("a") + "---\n---\n" + ingress_named("b") + "...\n");
  EXPECT_TRUE(r->errors.empty());
  ASSERT_EQ(r->cluster.ingresses.size(), 2u);
  EXPECT_EQ(r->cluster.ingresses[1].meta.name, "b");
  EXPECT_EQ(r->cluster.ingresses[1].meta.loc.line, 9u);
  EXPECT_EQ(r->stats.skipped_documents, 1u);
}

// Tests that kubectl's `kind: List` wrapper (yaml and json) is unwrapped and items keep their own lines.
TEST(Loader, ListWrappersYamlAndJson) {
  auto y = scan_text(
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n"
      "- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n");
  ASSERT_EQ(y->cluster.services.size(), 2u);
  EXPECT_EQ(y->cluster.services[1].meta.loc.line, 7u);

  auto j = scan_text(R"({
  "apiVersion": "v1",
  "kind": "ServiceList",
  "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "x"},
     "spec": {"externalIPs": ["10.0.0.1"]}}
  ]
})",
                     InputFormat::Json);
  ASSERT_TRUE(j->errors.empty()) << j->errors[0].message;
  ASSERT_EQ(j->cluster.services.size(), 1u);
  EXPECT_EQ(j->cluster.services[0].meta.ns, "x");
  EXPECT_EQ(j->lines("IG402"), std::vector<uint32_t>{6});
  EXPECT_EQ(j->cluster.services[0].external_ips_loc.col, 30u);
}

// Tests that the Helm `# Source:` comment becomes each document's origin.
TEST(Loader, HelmSourceOrigin) {
  auto r = scan_text("---\n# Source: chart/templates/a.yaml\n" + ingress_named("a") +
                     "---\n# Source: chart/templates/b.yaml\n" + ingress_named("b") + "---\n" + ingress_named("c"));
  ASSERT_EQ(r->cluster.ingresses.size(), 3u);
  EXPECT_EQ(r->cluster.ingresses[0].meta.origin, "chart/templates/a.yaml");
  EXPECT_EQ(r->cluster.ingresses[1].meta.origin, "chart/templates/b.yaml");
  EXPECT_EQ(r->cluster.ingresses[2].meta.origin, "");
}

// Tests that an alias cannot reach an anchor of an earlier document.
TEST(Loader, AnchorsAreScopedToTheirDocument) {
  auto r = scan_text("a: &x 1\n---\nb: *x\n");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].mark.line, 3u);
}

// Tests that merge keys apply with explicit keys winning, as kubectl does.
TEST(Loader, MergeKeys) {
  auto r = scan_text(
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: m\n  labels: &base\n"
      "    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n    team: a\n  annotations:\n    <<: *base\n    team: b\n"
      "spec:\n  tls:\n  - hosts: [x.example.com]\n  rules:\n  - host: x.example.com\n");
  ASSERT_EQ(r->cluster.ingresses.size(), 1u);
  const auto& m = r->cluster.ingresses[0].meta;
  ASSERT_NE(m.annotation("team"), nullptr);
  EXPECT_EQ(m.annotation("team")->value, "b");
  ASSERT_NE(m.annotation("nginx.ingress.kubernetes.io/ssl-redirect"), nullptr);
  EXPECT_EQ(r->lines("IG102"), std::vector<uint32_t>{6});  // points where the merged value is written
}

// Tests that a duplicate key keeps the last value and is reported at its second occurrence.
TEST(Loader, DuplicateKeyKeepsLastAndIsReported) {
  auto r = scan_text(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  type: ClusterIP\n  type: LoadBalancer\n");
  ASSERT_EQ(r->cluster.services.size(), 1u);
  EXPECT_EQ(r->cluster.services[0].type.value, "LoadBalancer");
  EXPECT_EQ(r->lines("IG001"), std::vector<uint32_t>{7});
}

// Tests the repeated-key amplification attack: one key set 5,000 times is one finding (with the
// count, at its last line), and 300 distinct repeated keys give at most 64 listed findings plus one
// that counts the rest, so a document of repeats costs a bounded number of findings.
TEST(Loader, RepeatedKeysAreCountedNotMultiplied) {
  std::string text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n";
  for (int i = 0; i < 5000; ++i) text += "  same: v" + std::to_string(i) + "\n";
  for (int k = 0; k < 300; ++k)
    for (int i = 0; i < 3; ++i) text += "  k" + std::to_string(k) + ": v\n";
  auto r = scan_text(text);
  ASSERT_EQ(r->cluster.config_maps.size(), 1u);
  std::vector<const ig::Finding*> found;
  for (const ig::Finding& f : r->findings)
    if (f.rule->id == "IG001") found.push_back(&f);
  ASSERT_EQ(found.size(), ig::kMaxDuplicateKeys + 1);
  EXPECT_EQ(found[0]->message, "key 'same' is set 5000 times (first on line 6); the API server keeps this last value");
  EXPECT_EQ(found[0]->loc.line, 5005u);
  EXPECT_NE(found[1]->message.find("is set 3 times"), std::string::npos) << found[1]->message;
  // 300 keys set 3 times each were seen beside 'same'; 63 of them are listed, the other 237 repeat twice each.
  EXPECT_EQ(found.back()->message, "474 more repeats of keys in this document are not listed");
}

// Tests that an unquoted boolean in annotations is reported (the API server rejects it) and quoted is not.
TEST(Loader, NonStringAnnotation) {
  auto r = scan_text(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    a: yes\n    b: \"yes\"\n    c: 8080\n");
  EXPECT_EQ(r->lines("IG002"), (std::vector<uint32_t>{6, 8}));
}

// Tests annotation lookups through the loader's key signature: every key is found whole and split
// anywhere into prefix + name (short keys too), absent keys are not, and an object whose signature
// was never computed is still searched.
TEST(Loader, AnnotationLookupWithSignature) {
  std::vector<std::string> keys = {"a", "ab/c", "example.com/x", "nginx.ingress.kubernetes.io/ssl-redirect",
                                   "nginx.ingress.kubernetes.io/server-snippet",
                                   "nginx.ingress.kubernetes.io/configuration-snippet", "alb.ingress.kubernetes.io/scheme"};
  std::string yaml = ingress_named("sig") + "  annotations:\n";
  for (const std::string& k : keys) yaml += "    " + k + ": \"v-" + k + "\"\n";
  auto r = scan_text(yaml);
  ASSERT_EQ(r->cluster.ingresses.size(), 1u);
  const ObjectMeta& m = r->cluster.ingresses[0].meta;
  EXPECT_NE(m.annotation_keys, 0u);
  for (const std::string& k : keys) {
    for (size_t split = 0; split <= k.size(); ++split) {
      const KeyValue* kv = m.annotation(std::string_view(k).substr(0, split), std::string_view(k).substr(split));
      ASSERT_NE(kv, nullptr) << k << " split at " << split;
      EXPECT_EQ(kv->value, "v-" + k);
    }
    EXPECT_EQ(m.annotation(k), m.annotation("", k));
  }
  size_t absent_found = 0;
  for (const char* absent : {"b", "ab/d", "nginx.ingress.kubernetes.io/auth-url", "nginx.ingress.kubernetes.io/ssl-redirects",
                             "alb.ingress.kubernetes.io/schema", "x"})
    absent_found += m.annotation(absent) != nullptr;
  EXPECT_EQ(absent_found, 0u);
  ObjectMeta unsigned_meta = m;
  unsigned_meta.annotation_keys = 0;
  for (const std::string& k : keys) EXPECT_NE(unsigned_meta.annotation(k), nullptr) << k;
}

// Tests that the legacy extensions/v1beta1 backend fields are read.
TEST(Loader, LegacyIngressBackend) {
  auto r = scan_text(
      "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n  backend:\n    serviceName: web\n"
      "    servicePort: 80\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - backend:\n"
      "          serviceName: api\n          servicePort: http\n");
  ASSERT_EQ(r->cluster.ingresses.size(), 1u);
  const Ingress& ing = r->cluster.ingresses[0];
  EXPECT_EQ(ing.default_backend.service, "web");
  EXPECT_EQ(ing.default_backend.port_number, 80);
  ASSERT_EQ(ing.rules[0].paths.size(), 1u);
  EXPECT_EQ(ing.rules[0].paths[0].backend.port_name, "http");
}

// Tests the gate bypass by !!binary: kubectl sends the API server the decoded bytes, so a snippet annotation, a
// 0.0.0.0/0 allowlist and externalIPs written as base64 are judged as what they decode to.
TEST(LoaderHostile, BinaryTagIsDecodedAsKubectlDoes) {
  auto r = scan_text(
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n"
      "    nginx.ingress.kubernetes.io/configuration-snippet: !!binary bW9yZV9zZXRfaGVhZGVycyAiWDogeSI7\n"
      "    nginx.ingress.kubernetes.io/whitelist-source-range: !!binary MC4wLjAuMC8w\n"
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: ext, namespace: shop}\n"
      "spec:\n  externalIPs: [!!binary MTkyLjAuMi4x]\n");
  ASSERT_TRUE(r->errors.empty()) << r->errors[0].message;
  EXPECT_EQ(r->lines("IG201"), std::vector<uint32_t>{7});
  EXPECT_EQ(r->lines("IG203"), std::vector<uint32_t>{8});
  EXPECT_EQ(r->lines("IG402"), std::vector<uint32_t>{14});
  ASSERT_EQ(r->cluster.services.size(), 1u);
  EXPECT_EQ(r->cluster.services[0].external_ips[0].value, "192.0.2.1");
}

// Tests that line breaks inside !!binary are skipped (as Go's base64 decoder does) and that tags kubectl refuses
// (invalid base64, !!int on a word) are input errors at the value, while other tags leave the text a string.
TEST(LoaderHostile, TagsKubectlRefusesAreErrors) {
  auto folded = scan_text("apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  externalIPs:\n  - !!binary |\n"
                          "      MTkyLjAu\n      Mi4x\n");
  ASSERT_TRUE(folded->errors.empty()) << folded->errors[0].message;
  EXPECT_EQ(folded->count("IG402"), 1u);
  auto bad = scan_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: !!binary \"not base64!\"\n");
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_EQ(bad->errors[0].mark.line, 5u);
  EXPECT_NE(bad->errors[0].message.find("!!binary"), std::string::npos);
  auto word = scan_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: !!int abc\n");
  ASSERT_EQ(word->errors.size(), 1u);
  EXPECT_NE(word->errors[0].message.find("!!int"), std::string::npos);
  // A local tag keeps a plain `true` a string: the annotation value is the text "true".
  auto local = scan_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: {a: !foo true}\n");
  EXPECT_TRUE(local->errors.empty());
}

// Tests that a tab used for indentation gives an error at its line and column.
TEST(LoaderHostile, TabIndentation) {
  auto r = scan_text("apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].mark.line, 4u);
  EXPECT_NE(r->errors[0].message.find("tab"), std::string::npos);
}

// Tests that a billion-laughs alias bomb is refused quickly instead of expanded.
TEST(LoaderHostile, AliasBomb) {
  std::string y = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) y += (j ? ", *a" : "*a") + std::to_string(i - 1);
    y += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  auto r = scan_text(y);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].message.find("alias"), std::string::npos);
  EXPECT_GT(r->errors[0].mark.line, 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Tests that a few aliases in a normal document stay within the budget.
TEST(LoaderHostile, ModestAliasesAccepted) {
  auto r = scan_text("x: &labels {app: web}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {app: web}\n");
  EXPECT_TRUE(r->errors.empty());
}

// Tests that nesting beyond 10,000 levels is refused, in YAML and JSON, without a crash.
TEST(LoaderHostile, DepthLimit) {
  auto y = scan_text(std::string(20000, '['));
  ASSERT_EQ(y->errors.size(), 1u);
  EXPECT_NE(y->errors[0].message.find("nesting deeper than 10000"), std::string::npos);
  auto j = scan_text(std::string(20000, '[') + std::string(20000, ']'), InputFormat::Json);
  ASSERT_EQ(j->errors.size(), 1u);
  EXPECT_NE(j->errors[0].message.find("nesting deeper than 10000"), std::string::npos);
  // 9,000 levels are legal and load.
  auto ok = scan_text(std::string(9000, '[') + std::string(9000, ']'), InputFormat::Json);
  EXPECT_TRUE(ok->errors.empty());
}

// Tests that binary junk is an error, not a crash.
TEST(LoaderHostile, BinaryJunk) {
  std::string junk;
  for (int i = 0; i < 512; ++i) junk.push_back(static_cast<char>((i * 37) & 0xff));
  auto y = scan_text(junk);
  EXPECT_EQ(y->errors.size(), 1u);
  auto j = scan_text("{" + junk, InputFormat::Json);
  EXPECT_EQ(j->errors.size(), 1u);
}

// Tests that a truncated file reports where it ends and keeps the documents before it.
TEST(LoaderHostile, TruncatedKeepsEarlierDocuments) {
  auto r = scan_text(ingress_named("ok") + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: \"abc\n");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].mark.line, 11u);  // end of input
  EXPECT_NE(r->errors[0].message.find("started at line 10, column 9"), std::string::npos) << r->errors[0].message;
  EXPECT_EQ(r->cluster.ingresses.size(), 1u);
}

// Tests bytes that are not text: an invalid UTF-8 byte, a NUL and a bell in the second document are reported at
// their own line and column, and the first document is still loaded; the same byte in JSON has its location too.
TEST(LoaderHostile, NonTextBytesAreLocatedAndEarlierDocumentsKept) {
  std::string second = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: web\n  labels: {x: \"a";
  for (auto [bytes, what] : std::vector<std::pair<std::string, std::string>>{
           {"\xff", "invalid UTF-8 byte 0xff"}, {std::string(1, '\0'), "NUL byte"}, {"\x07", "control character 0x07"}}) {
    auto r = scan_text(ingress_named("ok") + second + bytes + "\"}\n");
    ASSERT_EQ(r->errors.size(), 1u) << what;
    EXPECT_NE(r->errors[0].message.find(what), std::string::npos) << r->errors[0].message;
    EXPECT_EQ(r->errors[0].mark.line, 12u) << what;
    EXPECT_EQ(r->errors[0].mark.col, 17u) << what;
    EXPECT_EQ(r->cluster.ingresses.size(), 1u) << what;
    EXPECT_TRUE(r->cluster.services.empty()) << "the document holding the byte was read: " << what;
  }
  auto j = scan_text("{\"apiVersion\": \"v1\",\n \"kind\": \"Service\", \"metadata\": {\"name\": \"a\xc3\"}}", InputFormat::Json);
  ASSERT_EQ(j->errors.size(), 1u);
  EXPECT_EQ(j->errors[0].message, "not a text file: invalid UTF-8 byte 0xc3");
  EXPECT_EQ(j->errors[0].mark.line, 2u);
  EXPECT_EQ(j->errors[0].mark.col, 44u);
}

// Tests JSON that starts with a UTF-8 byte order mark: read as kubectl reads it, locations still from the
// file's first byte.
TEST(LoaderHostile, JsonWithByteOrderMark) {
  auto r = scan_text("\xEF\xBB\xBF{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"Ingress\",\n"
                     " \"metadata\": {\"name\": \"bom\", \"namespace\": \"web\"}}",
                     InputFormat::Auto);
  EXPECT_TRUE(r->errors.empty()) << (r->errors.empty() ? "" : r->errors[0].message);
  ASSERT_EQ(r->cluster.ingresses.size(), 1u);
  EXPECT_EQ(r->cluster.ingresses[0].meta.name, "bom");
  EXPECT_EQ(r->cluster.ingresses[0].meta.loc.line, 1u);
}

// Tests that JSON errors carry a line and column, and trailing content is refused.
TEST(LoaderHostile, JsonErrors) {
  auto r = scan_text("{\n  \"kind\": \"Service\",\n  \"apiVersion\": tru\n}", InputFormat::Json);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].mark.line, 3u);
  // Plain words, not the parser's internals.
  EXPECT_EQ(r->errors[0].message, "invalid JSON: a value is not a string, a number, an object, a list, true, false or null");
  auto unbalanced = scan_text("{\"kind\": \"Service\", \"metadata\": {\"name\": \"a\"}", InputFormat::Json);
  ASSERT_EQ(unbalanced->errors.size(), 1u);
  EXPECT_EQ(unbalanced->errors[0].message.find("tape"), std::string::npos) << unbalanced->errors[0].message;
  EXPECT_NE(unbalanced->errors[0].message.find("braces or brackets"), std::string::npos) << unbalanced->errors[0].message;
  auto t = scan_text("{\"a\": 1}\n{\"b\": 2}", InputFormat::Json);
  ASSERT_EQ(t->errors.size(), 1u);
  EXPECT_NE(t->errors[0].message.find("after the top-level value"), std::string::npos);
  EXPECT_EQ(t->errors[0].mark.line, 2u);
}

// Tests that files over the size limit are refused by name and the rest still load.
TEST(LoaderHostile, FileSizeLimitAndOtherFilesStillLoad) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "ig_loader_limit";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "big.yaml") << std::string(5000, '#') << "\n";
  std::ofstream(dir / "sub" / "ok.yml") << ingress_named("ok");
  std::ofstream(dir / "notes.txt") << "not a manifest";
  std::ofstream(dir / "bad.json") << "{";
  Cluster c;
  LoadOptions opts;
  opts.max_file_size = 1000;
  Loader loader(c, opts);
  loader.load_path(dir.string());
  loader.load_path((dir / "missing.yaml").string());
  ASSERT_EQ(loader.errors().size(), 3u);
  EXPECT_NE(loader.errors()[0].file.find("bad.json"), std::string::npos);
  EXPECT_NE(loader.errors()[1].message.find("over the limit"), std::string::npos);
  EXPECT_EQ(loader.errors()[2].message, "no such file or directory");
  EXPECT_EQ(c.ingresses.size(), 1u);
  EXPECT_EQ(loader.stats().files, 2u);  // big.yaml refused before reading, notes.txt ignored
  fs::remove_all(dir);
}


// Tests that the flattened specs of other controllers' resources stay bounded on hostile input:
// long keys are skipped, long values cut, and a Cluster holds at most FlatSpec::kClusterBudget
// bytes of them, whatever the number of objects with long paths over many small leaves.
TEST(LoaderHostile, FlattenedSpecsAreBounded) {
  std::string deep = "spec:\n  " + std::string(200, 'a') + ":\n    " + std::string(200, 'b') + ":\n";
  std::string leaves;
  for (int i = 0; i < 4096; ++i) leaves += "      k" + std::to_string(i) + ": 1\n";
  std::string text;
  for (int o = 0; o < 40; ++o)
    text += "---\napiVersion: traefik.io/v1alpha1\nkind: TLSOption\nmetadata: {name: o" + std::to_string(o) +
            ", namespace: x}\n" + deep + leaves;
  std::string odd = "---\napiVersion: traefik.io/v1alpha1\nkind: TLSOption\nmetadata: {name: last, namespace: x}\nspec:\n  " +
                    std::string(300, 'k') + ": skipped\n  minVersion: " + std::string(5000, 'v') + "\n";
  auto alone = testing::scan_text(odd);
  ASSERT_EQ(alone->cluster.extensions.size(), 1u);
  const FlatSpec& spec = alone->cluster.extensions[0].spec;
  ASSERT_EQ(spec.fields.size(), 1u);  // the 300-character key is skipped
  EXPECT_EQ(spec.fields[0].path, "spec.minVersion");
  EXPECT_EQ(spec.fields[0].value.size(), FlatSpec::kMaxValue);
  text += odd;
  auto s = testing::scan_text(text);
  ASSERT_TRUE(s->errors.empty());
  EXPECT_EQ(s->cluster.extensions.size(), 41u);
  EXPECT_LE(s->cluster.flattened_bytes, FlatSpec::kClusterBudget);
  EXPECT_GT(s->cluster.flattened_bytes, FlatSpec::kClusterBudget / 2);  // the budget was reached, then held
  const Extension& first = s->cluster.extensions[0];
  EXPECT_EQ(first.spec.fields.size(), FlatSpec::kMaxFields);  // 4096 leaves, all kept while the budget lasts
  const Extension& last = s->cluster.extensions[40];
  EXPECT_EQ(last.spec.fields.size(), 0u);  // the budget is spent: metadata only
}

}  // namespace ig
