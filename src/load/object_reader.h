// The generic half of reading a document into the Cluster snapshot: locations,
// fields, string maps, selectors and object metadata. The kind-specific readers
// (load/snapshot.cpp for the core kinds, load/gateway_snapshot.cpp for the
// Gateway API and its policies) build on it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster.h"
#include "load/node.h"
#include "load/scalar.h"

namespace ig::load {

class ObjectReader {
 public:
  ObjectReader(Cluster& c, uint32_t file, const Document& doc) : c_(c), file_(file), doc_(doc) {}

  Loc loc(const Node* n) const { return n ? Loc{file_, n->mark.line, n->mark.col} : Loc{}; }

  Field field(const Node* n) const {
    Field f;
    if (auto t = scalar_text(n)) {
      f.value = c_.strings->keep(*t);
      f.loc = loc(n);
      f.present = true;
    }
    return f;
  }

  // Scalar text, a view into the document (valid while it is being read).
  static std::string_view text(const Node* n) { return scalar_text(n).value_or(std::string_view()); }

  std::string str(const Node* n) const {
    auto t = scalar_text(n);
    return t ? std::string(*t) : std::string();
  }

  std::vector<Field> fields(const Node* seq) const {
    std::vector<Field> out;
    if (!seq || !seq->is_seq()) return out;
    out.reserve(seq->count);
    for (uint32_t i = 0; i < seq->count; ++i) {
      Field f = field(seq->item(i));
      if (f) out.push_back(std::move(f));
    }
    return out;
  }

  // A map[string]string (labels, annotations, data). Non-string scalars are
  // kept as text and reported: the API server refuses them.
  std::vector<KeyValue> string_map(const Node* m, bool report_types) {
    std::vector<KeyValue> out;
    if (!m || !m->is_map()) return out;
    out.reserve(m->count);
    for (uint32_t i = 0; i < m->count; ++i) {
      const Node* k = m->key(i);
      const Node* v = m->value(i);
      if (!k->is_scalar()) continue;
      KeyValue kv;
      kv.key = c_.strings->intern(k->text);
      kv.set_locs(loc(k), loc(v));
      if (v->is_scalar()) {
        ScalarType t = scalar_type(*v);
        if (t != ScalarType::Null) kv.value = c_.strings->keep(v->text);
        kv.non_string = t == ScalarType::Bool || t == ScalarType::Int || t == ScalarType::Float;
      } else {
        kv.non_string = true;
      }
      if (kv.non_string && report_types) {
        c_.input_issues.push_back(InputIssue{InputIssue::Kind::NonStringValue,
                                             std::string(kv.key) + ": " + (v->is_scalar() ? std::string(v->text) : "<collection>"),
                                             kv.value_loc(), kv.key_loc(), object_index_});
      }
      out.push_back(std::move(kv));
    }
    return out;
  }

  LabelSelector selector(const Node* n) {
    LabelSelector s;
    if (!n || !n->is_map()) return s;
    s.present = true;
    s.loc = loc(n);
    s.match_labels = string_map(n->get("matchLabels"), false);
    if (const Node* exprs = n->get("matchExpressions"); exprs && exprs->is_seq()) {
      for (uint32_t i = 0; i < exprs->count; ++i) {
        const Node* e = exprs->item(i);
        LabelSelectorRequirement r;
        r.key = str(e->get("key"));
        r.op = str(e->get("operator"));
        for (const Field& f : fields(e->get("values"))) r.values.emplace_back(f.value);
        s.match_expressions.push_back(std::move(r));
      }
    }
    return s;
  }

  ObjectMeta meta(const Node* obj, const Node* kind_node) {
    ObjectMeta m;
    StringPool& pool = *c_.strings;
    const Node* api = obj->get("apiVersion");
    m.api_version = pool.intern(api ? text(api) : item_api_);
    m.api_version_loc = api ? loc(api) : loc(obj);
    m.kind = pool.intern(kind_node ? text(kind_node) : item_kind_);
    m.loc = loc(obj);
    m.origin = pool.intern(doc_.origin);
    const Node* md = obj->get("metadata");
    if (md && md->is_map()) {
      const Node* name = md->get("name");
      m.name = pool.keep(text(name));
      if (m.name.empty()) m.name = pool.keep(text(md->get("generateName")));
      m.name_loc = name ? loc(name) : loc(md);
      m.ns = pool.intern(text(md->get("namespace")));
      m.labels = string_map(md->get("labels"), true);
      m.annotations = string_map(md->get("annotations"), true);
      for (const KeyValue& kv : m.annotations) m.annotation_keys |= key_signature_bit({}, kv.key);
    } else {
      m.name_loc = m.loc;
    }
    return m;
  }

  // Items of a typed list read from the API (DeploymentList...) may omit
  // kind and apiVersion: the list's own say what they are.
  void set_item_defaults(std::string_view kind, std::string_view api) {
    item_kind_ = kind;
    item_api_ = api;
  }

  Cluster& cluster() { return c_; }

  // The object's scalar fields below its root, metadata and status excepted.
  FlatSpec flatten(const Node* obj) {
    FlatSpec out;
    if (!obj || !obj->is_map()) return out;
    for (uint32_t i = 0; i < obj->count; ++i) {
      std::string_view k = obj->key(i)->text;
      if (k == "apiVersion" || k == "kind" || k == "metadata" || k == "status" || k.size() > FlatSpec::kMaxKey) continue;
      std::string path(k), pattern(k);
      flatten_into(obj->value(i), path, pattern, out, 0);
    }
    return out;
  }

 protected:
  void flatten_into(const Node* n, std::string& path, std::string& pattern, FlatSpec& out, int depth) {
    // Bounded whatever the input: fields per object, depth, and path length (a path copies the
    // keys above it, so long keys over many fields would otherwise multiply memory).
    if (!n || out.fields.size() >= FlatSpec::kMaxFields || depth > 64 || path.size() > FlatSpec::kMaxPath) return;
    if (n->is_scalar() || n->count == 0) {  // an empty {} or [] is kept too: the section is present
      std::string_view value = n->is_scalar() ? n->text.substr(0, FlatSpec::kMaxValue) : std::string_view();
      size_t bytes = path.size() + pattern.size() + value.size() + sizeof(FlatField);
      if (c_.flattened_bytes + bytes > FlatSpec::kClusterBudget) return;
      c_.flattened_bytes += bytes;
      out.fields.push_back({path, pattern, std::string(value), loc(n)});
      return;
    }
    size_t path_len = path.size(), pattern_len = pattern.size();
    for (uint32_t i = 0; i < n->count; ++i) {
      if (n->is_map()) {
        if (!n->key(i)->is_scalar() || n->key(i)->text.size() > FlatSpec::kMaxKey) continue;
        path.append(".").append(n->key(i)->text);
        pattern.append(".").append(n->key(i)->text);
        flatten_into(n->value(i), path, pattern, out, depth + 1);
      } else {
        path.append("[").append(std::to_string(i)).append("]");
        pattern.append("[*]");
        flatten_into(n->item(i), path, pattern, out, depth + 1);
      }
      path.resize(path_len);
      pattern.resize(pattern_len);
    }
  }

  std::string_view item_kind_;
  std::string_view item_api_;
  Cluster& c_;
  size_t object_index_ = 0;
  uint32_t file_;
  const Document& doc_;
};

// Reads a Gateway API object or an attached policy into the cluster; false
// when `kind` is none of those (load/gateway_snapshot.cpp).
bool read_gateway_object(ObjectReader& r, const Node* obj, ObjectMeta& m);

}  // namespace ig::load
