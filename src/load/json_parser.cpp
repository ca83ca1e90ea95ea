#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <simdjson.h>

#include <string>

#include "load/parse.h"
#include "load/tree_builder.h"

namespace ig {

namespace {

namespace od = simdjson::ondemand;

class JsonWalker {
 public:
  JsonWalker(std::string_view buf, Mark origin, TreeBuilder& builder)
      : buf_(buf), origin_(origin), builder_(builder), cursor_(buf.data()) {}

  std::optional<Error> walk(od::value v) {
    const char* at = nullptr;
    if (v.current_location().get(at) == simdjson::SUCCESS) last_ = at;
    Mark mark = mark_of(last_);
    od::json_type type;
    if (auto e = v.type().get(type)) return fail(e);
    switch (type) {
      case od::json_type::object: {
        od::object obj;
        if (auto e = v.get_object().get(obj)) return fail(e);
        if (auto err = builder_.begin_collection(NodeKind::Mapping, mark)) return err;
        for (auto field : obj) {
          od::field f;
          if (auto e = std::move(field).get(f)) return fail(e);
          std::string_view key;
          const char* key_at = f.key().raw();
          last_ = key_at;
          if (auto e = f.unescaped_key().get(key)) return fail(e);
          // raw() points just past the opening quote.
          if (auto err = builder_.scalar(key, false, mark_of(key_at - 1))) return err;
          if (auto err = walk(f.value())) return err;
        }
        return builder_.end_collection();
      }
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return fail(e);
        if (auto err = builder_.begin_collection(NodeKind::Sequence, mark)) return err;
        for (auto item : arr) {
          od::value iv;
          if (auto e = item.get(iv)) return fail(e);
          if (auto err = walk(iv)) return err;
        }
        return builder_.end_collection();
      }
      case od::json_type::string: {
        // The token as written (quotes and escapes included) ends the value's span.
        std::string_view raw = v.raw_json_token();
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
          raw.remove_suffix(1);
        Mark end = mark_of(raw.data() + raw.size());
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(e);
        return builder_.scalar(s, false, mark, {}, end);
      }
      case od::json_type::number:
      case od::json_type::boolean:
      case od::json_type::null: {
        std::string_view raw = v.raw_json_token();
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
          raw.remove_suffix(1);
        // Validate the literal; simdjson checks it only when it is read.
        if (type == od::json_type::boolean) {
          bool b;
          if (auto e = v.get_bool().get(b)) return fail(e);
        } else if (type == od::json_type::null) {
          bool is_null;
          if (auto e = v.is_null().get(is_null)) return fail(e);
          if (!is_null) return fail(simdjson::N_ATOM_ERROR);
        } else {
          double d;
          if (auto e = v.get_double().get(d)) return fail(e);
        }
        return builder_.scalar(raw, true, mark, {}, mark_of(raw.data() + raw.size()));
      }
    }
    return fail(simdjson::INCORRECT_TYPE);
  }

  Error fail(simdjson::error_code e) const { return Error{"invalid JSON: " + plain_message(e), mark_of(last_)}; }

  // What went wrong in the words of the input, not of the parser's internals.
  static std::string plain_message(simdjson::error_code e) {
    switch (e) {
      case simdjson::TAPE_ERROR:
      case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
        return "braces or brackets do not match, or a comma or colon is missing or extra";
      case simdjson::STRING_ERROR:
      case simdjson::UNCLOSED_STRING:
        return "a string is not closed, or holds an invalid escape";
      case simdjson::UNESCAPED_CHARS:
        return "a string holds a control character that must be escaped (\\n, \\t, \\u0000)";
      case simdjson::T_ATOM_ERROR:
      case simdjson::F_ATOM_ERROR:
      case simdjson::N_ATOM_ERROR:
      case simdjson::INCORRECT_TYPE:
        return "a value is not a string, a number, an object, a list, true, false or null";
      case simdjson::NUMBER_ERROR:
      case simdjson::NUMBER_OUT_OF_RANGE:
        return "a number is malformed or out of range";
      case simdjson::EMPTY:
        return "the input is empty";
      case simdjson::SCALAR_DOCUMENT_AS_VALUE:
        return "the document is a single value, not an object or a list";
      case simdjson::UTF8_ERROR:
        return "the input is not UTF-8";
      default:
        return std::string("malformed JSON (") + simdjson::error_message(e) + ")";
    }
  }

  // The walk asks for positions in increasing order (nearly always): lines are counted forward from the
  // last one asked, so no line table is built; an earlier position counts again from the start.
  Mark mark_of(const char* p) const {
    if (!p || p < buf_.data() || p > buf_.data() + buf_.size()) return {};
    if (p < cursor_) {
      cursor_ = line_start_ = buf_.data();
      line_ = 1;
    }
    const char* end = p;
    while (cursor_ < end) {
      const void* nl = std::memchr(cursor_, '\n', static_cast<size_t>(end - cursor_));
      if (!nl) break;
      ++line_;
      cursor_ = line_start_ = static_cast<const char*>(nl) + 1;
    }
    cursor_ = end;
    return place(Mark{line_, static_cast<uint32_t>(p - line_start_ + 1)});
  }
  // A position in this buffer as a position in the input it was cut from.
  Mark place(Mark m) const { return at_origin(origin_, m); }
  const char* last() const { return last_; }

 private:
  std::string_view buf_;
  Mark origin_;
  TreeBuilder& builder_;
  mutable const char* cursor_;
  mutable const char* line_start_ = buf_.data();
  mutable uint32_t line_ = 1;
  const char* last_ = nullptr;
};

// The walk recurses once per nesting level; 10,000 levels need more than the
// default 8 MB stack with sanitizer-sized frames. Run it on a thread whose
// stack is reserved large (pages are only committed when touched).
constexpr size_t kWalkStack = 512ull << 20;

template <typename Fn>
bool run_with_large_stack(Fn& fn) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_attr_setstacksize(&attr, kWalkStack);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<Fn*>(arg))();
    return nullptr;
  };
  int rc = pthread_create(&thread, &attr, trampoline, &fn);
  pthread_attr_destroy(&attr);
  if (rc != 0) return false;
  pthread_join(thread, nullptr);
  return true;
}

// The deepest nesting of objects and arrays, outside strings: a cheap pass
// that spares shallow documents (nearly all) the large-stack thread.
size_t max_nesting(std::string_view buf) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < buf.size(); ++i) {
    char c = buf[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Below this depth the walk runs on the caller's stack (a few KB a level with sanitizers).
constexpr size_t kInlineDepth = 200;

}  // namespace

struct JsonParser::Impl {
  od::parser parser;
  Arena arena;
};

JsonParser::JsonParser() : impl_(std::make_unique<Impl>()) {}
JsonParser::~JsonParser() = default;

std::optional<Error> JsonParser::parse(std::string_view buf, size_t capacity, Mark origin, const ParseLimits& limits,
                                       DocumentSink& sink, std::optional<size_t> nesting) {
  // Two levels of headroom: the builder refuses level max_depth + 1 before
  // simdjson would reach its own limit.
  od::parser& parser = impl_->parser;
  if (parser.capacity() < std::max<size_t>(buf.size(), 64) || parser.max_depth() < limits.max_depth + 2) {
    if (auto e = parser.allocate(std::max<size_t>(buf.size(), 64), limits.max_depth + 2)) {
      return Error{std::string("cannot allocate the JSON parser: ") + simdjson::error_message(e), {}};
    }
  }
  if (capacity < buf.size() + simdjson::SIMDJSON_PADDING) {
    return Error{"internal: JSON buffer without padding", {}};
  }
  // kubectl reads JSON with a UTF-8 byte order mark; marks still count from the file's first byte.
  size_t skip = buf.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  simdjson::padded_string_view view(buf.data() + skip, buf.size() - skip, capacity - skip);
  Arena& arena = impl_->arena;
  arena.reset();
  TreeBuilder builder(arena, limits);
  JsonWalker walker(buf, origin, builder);
  od::document doc;
  if (auto e = parser.iterate(view).get(doc)) {
    if (e == simdjson::UTF8_ERROR) {
      if (auto bad = first_non_text_byte(buf, false))
        return Error{"not a text file: " + bad->what, walker.place(LineIndex(buf).at(bad->offset))};
    }
    return walker.fail(e);
  }
  od::value root;
  if (auto e = doc.get_value().get(root)) {
    if (e == simdjson::DEPTH_ERROR)
      return Error{"nesting deeper than " + std::to_string(limits.max_depth) + " levels", walker.place({1, 1})};
    return walker.fail(e);
  }
  builder.begin_document(walker.place(Mark{1, 1}));
  std::optional<Error> walk_error;
  auto walk = [&] { walk_error = walker.walk(root); };
  if ((nesting ? *nesting : max_nesting(buf)) < kInlineDepth) {
    walk();
  } else if (!run_with_large_stack(walk)) {
    return Error{"cannot start the JSON walker thread", {}};
  }
  if (walk_error) return walk_error;
  // Anything left after the top-level value is an error (two objects, junk).
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS && rest) {
    return Error{"invalid JSON: unexpected content after the top-level value", walker.mark_of(rest)};
  }
  sink.on_document(builder.document());
  return std::nullopt;
}

std::optional<Error> parse_json(const std::string& buf, const ParseLimits& limits, DocumentSink& sink) {
  JsonParser parser;
  return parser.parse(buf, buf.capacity(), Mark{1, 1}, limits, sink);
}

}  // namespace ig
