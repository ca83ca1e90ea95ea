#include <openssl/evp.h>
#include <yaml.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "core/text.h"
#include "load/parse.h"
#include "load/scalar.h"
#include "load/tree_builder.h"

namespace ig {

namespace {

struct ParserDeleter {
  void operator()(yaml_parser_t* p) const {
    yaml_parser_delete(p);
    delete p;
  }
};
using ParserPtr = std::unique_ptr<yaml_parser_t, ParserDeleter>;

// One event at a time. Not zeroed here: yaml_parser_parse clears the event
// before anything else (zeroing it again per event was 2% of a scan).
struct EventGuard {
  yaml_event_t event;
  ~EventGuard() { yaml_event_delete(&event); }
};

Mark to_mark(const yaml_mark_t& m) {
  return Mark{static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

std::string_view anchor_of(const yaml_char_t* a) {
  return a ? std::string_view(reinterpret_cast<const char*>(a)) : std::string_view{};
}

// Lines that start with "# Source: " (helm template), in order.
struct SourceComment {
  uint32_t line;
  std::string path;
};

std::vector<SourceComment> find_source_comments(std::string_view buf) {
  std::vector<SourceComment> out;
  static constexpr std::string_view kTag = "# Source: ";
  size_t pos = 0;
  uint32_t line = 1;
  size_t counted_to = 0;
  while ((pos = buf.find(kTag, pos)) != std::string_view::npos) {
    if (pos == 0 || buf[pos - 1] == '\n') {
      line += static_cast<uint32_t>(std::count(buf.begin() + static_cast<ptrdiff_t>(counted_to),
                                               buf.begin() + static_cast<ptrdiff_t>(pos), '\n'));
      counted_to = pos;
      size_t end = buf.find('\n', pos);
      if (end == std::string_view::npos) end = buf.size();
      std::string_view path = buf.substr(pos + kTag.size(), end - pos - kTag.size());
      while (!path.empty() && (path.back() == '\r' || path.back() == ' ')) path.remove_suffix(1);
      out.push_back(SourceComment{line, std::string(path)});
    }
    pos += kTag.size();
  }
  return out;
}

std::string_view line_text(std::string_view buf, uint32_t line) {
  size_t pos = 0;
  for (uint32_t l = 1; l < line; ++l) {
    pos = buf.find('\n', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = buf.find('\n', pos);
  return buf.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

Error parser_error(const yaml_parser_t& p, std::string_view buf) {
  std::string msg = p.problem ? p.problem : "invalid YAML";
  if (p.context) msg += std::string(" ") + p.context;
  Mark mark = to_mark(p.problem_mark);
  Mark context = to_mark(p.context_mark);
  if (p.context && context.line && (context.line != mark.line || context.col != mark.col)) {
    msg += " that started at line " + std::to_string(context.line) + ", column " + std::to_string(context.col);
  }
  if (p.error == YAML_READER_ERROR) {
    // Reader errors (bad UTF-8, control bytes) carry an offset, not a line.
    msg = "not a text file: " + msg;
  } else {
    std::string_view text = line_text(buf, mark.line);
    size_t indent_end = text.find_first_not_of(" \t");
    if (text.substr(0, indent_end).find('\t') != std::string_view::npos) {
      msg += " (a tab is used for indentation; YAML allows only spaces)";
    }
  }
  return Error{msg, mark};
}

// A scalar's explicit tag as kubectl (sigs.k8s.io/yaml over go-yaml v2) reads it.
// !!binary is base64 that the API server receives decoded; !!int, !!float,
// !!bool and !!null force a type and are refused when the text is not of it;
// every other tag (!!str, !!timestamp, "!", local tags such as !foo) leaves
// the text a string.
struct TaggedScalar {
  std::string_view text;
  bool plain = false;
  std::optional<Error> error;
};

constexpr std::string_view kYamlTag = "tag:yaml.org,2002:";

// Go's base64.StdEncoding.DecodeString: padding required, \r and \n skipped,
// anything else outside the alphabet refused.
bool decode_binary(std::string_view in, std::string& out) {
  std::string compact;
  compact.reserve(in.size());
  for (char ch : in)
    if (ch != '\n' && ch != '\r') compact.push_back(ch);
  size_t n = compact.size();
  if (n % 4 != 0 || n > static_cast<size_t>(INT32_MAX)) return false;
  size_t pad = compact.ends_with("==") ? 2 : compact.ends_with('=') ? 1 : 0;
  if (compact.find('=') < n - pad) return false;
  out.resize(n / 4 * 3);
  int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(compact.data()), static_cast<int>(n));
  if (len < 0) return false;
  out.resize(static_cast<size_t>(len) - pad);
  return true;
}

TaggedScalar read_tagged(std::string_view tag, std::string_view text, bool plain_style, Mark mark, std::string& decoded) {
  if (tag.empty()) return {text, plain_style, std::nullopt};
  if (!tag.starts_with(kYamlTag)) return {text, false, std::nullopt};  // "!", !foo, other URIs: a string
  std::string_view name = tag.substr(kYamlTag.size());
  if (name == "binary") {
    if (!decode_binary(text, decoded))
      return {text, false, Error{"!!binary value is not valid base64 (kubectl refuses it)", mark}};
    return {decoded, false, std::nullopt};
  }
  ScalarType want;
  if (name == "int") want = ScalarType::Int;
  else if (name == "float") want = ScalarType::Float;
  else if (name == "bool") want = ScalarType::Bool;
  else if (name == "null") want = ScalarType::Null;
  else return {text, false, std::nullopt};  // !!str, !!timestamp, !!map on a scalar...
  ScalarType got = resolve_plain(text);
  if (got == want || (want == ScalarType::Float && got == ScalarType::Int)) return {text, true, std::nullopt};
  return {text, false, Error{"!!" + std::string(name) + " tag on a value that is not one (kubectl refuses it)", mark}};
}

}  // namespace

std::optional<BadByte> first_non_text_byte(std::string_view buf, bool yaml) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto hex = [](uint32_t v, int digits) {
    std::string h;
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) h.push_back(kHex[(v >> shift) & 0xf]);
    return h;
  };
  // Printable ASCII, tab, LF and CR: text in both formats, and nearly every byte of a manifest.
  static const auto kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7f; ++c) t[c] = true;
    t['\t'] = t['\n'] = t['\r'] = true;
    return t;
  }();
  const auto* bytes = reinterpret_cast<const unsigned char*>(buf.data());
  for (size_t i = 0; i < buf.size();) {
    while (i < buf.size() && kPlain[bytes[i]]) ++i;
    if (i == buf.size()) break;
    unsigned char b = bytes[i];
    uint32_t cp = 0;
    size_t n = utf8_char(buf, i, cp);
    if (n == 0) return BadByte{i, "invalid UTF-8 byte 0x" + hex(b, 2)};
    if (yaml) {
      // YAML 1.1's printable set (libyaml checks the same): tab, LF, CR, 0x20-0x7e, NEL, 0xa0 and up
      // without surrogates and U+FFFE/U+FFFF.
      bool printable = cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
                       (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
      if (!printable)
        return BadByte{i, cp == 0 ? std::string("NUL byte")
                                  : "control character " + (cp < 0x100 ? "0x" + hex(cp, 2) : "U+" + hex(cp, 4)) +
                                        " (YAML allows tab, line feed and carriage return only)"};
    }
    i += n;
  }
  return std::nullopt;
}

namespace {

// Where the document holding `offset` starts: the line of the last `---`
// marker before it, or 0. Text before it is whole documents.
size_t document_start_before(std::string_view buf, size_t offset) {
  size_t start = 0;
  for (size_t line = 0; line < offset;) {
    if (buf.compare(line, 3, "---") == 0 &&
        (line + 3 == buf.size() || buf[line + 3] == ' ' || buf[line + 3] == '\n' || buf[line + 3] == '\r' ||
         buf[line + 3] == '\t'))
      start = line;
    size_t nl = buf.find('\n', line);
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  return start;
}

std::optional<Error> parse_yaml_text(std::string_view buf, const ParseLimits& limits, DocumentSink& sink);

}  // namespace

// libyaml decodes ahead of what it parses, so a byte that is not text fails the stream before
// the documents in front of it are read, with no line: find it first, read the whole documents
// before it, and report it where it is.
std::optional<Error> parse_yaml(std::string_view buf, const ParseLimits& limits, DocumentSink& sink) {
  auto bad = first_non_text_byte(buf, true);
  if (!bad) return parse_yaml_text(buf, limits, sink);
  if (size_t keep = document_start_before(buf, bad->offset); keep > 0)
    if (auto err = parse_yaml_text(buf.substr(0, keep), limits, sink)) return err;
  return Error{"not a text file: " + bad->what, LineIndex(buf).at(bad->offset)};
}

namespace {

// A node event (scalar, alias, start or end of a collection) into a tree.
std::optional<Error> add_event(TreeBuilder& b, const yaml_event_t& e, Mark mark) {
  switch (e.type) {
    case YAML_SCALAR_EVENT: {
      const auto& sc = e.data.scalar;
      std::string_view tag = sc.tag ? reinterpret_cast<const char*>(sc.tag) : "";
      std::string decoded;
      TaggedScalar v = read_tagged(tag, std::string_view(reinterpret_cast<const char*>(sc.value), sc.length),
                                   sc.style == YAML_PLAIN_SCALAR_STYLE, mark, decoded);
      return v.error ? v.error : b.scalar(v.text, v.plain, mark, anchor_of(sc.anchor), to_mark(e.end_mark));
    }
    case YAML_ALIAS_EVENT: return b.alias(anchor_of(e.data.alias.anchor), mark);
    case YAML_SEQUENCE_START_EVENT:
      return b.begin_collection(NodeKind::Sequence, mark, anchor_of(e.data.sequence_start.anchor));
    case YAML_MAPPING_START_EVENT:
      return b.begin_collection(NodeKind::Mapping, mark, anchor_of(e.data.mapping_start.anchor));
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: return b.end_collection();
    default: return std::nullopt;
  }
}

std::optional<Error> parse_yaml_text(std::string_view buf, const ParseLimits& limits, DocumentSink& sink) {
  ParserPtr parser(new yaml_parser_t);
  if (!yaml_parser_initialize(parser.get())) {
    delete parser.release();
    return Error{"cannot initialise the YAML parser", {}};
  }
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(buf.data()), buf.size());

  std::vector<SourceComment> sources = find_source_comments(buf);
  size_t next_source = 0;
  uint32_t prev_doc_end_line = 0;

  Arena arena;
  TreeBuilder builder(arena, limits);
  // A List's items (the top-level mapping's "items" sequence) are built one at a time, each in the items'
  // arena, which is emptied after each one unless anchors (aliases may refer back) or the sink need them.
  const bool split = sink.wants_items();
  ParseLimits item_limits = limits;
  item_limits.max_depth = limits.max_depth > 2 ? limits.max_depth - 2 : 1;
  Arena items_arena;
  TreeBuilder items(items_arena, item_limits);
  // The collections open in the document and in the current item are the builders' depths.
  bool root_map = false, expect_key = true, in_items = false, items_done = false, keep_items = false;
  std::string last_key, kind_before, api_before;
  for (;;) {
    EventGuard ev;
    if (!yaml_parser_parse(parser.get(), &ev.event)) return parser_error(*parser, buf);
    const yaml_event_t& e = ev.event;
    Mark mark = to_mark(e.start_mark);
    std::optional<Error> err;
    bool starts = e.type == YAML_SCALAR_EVENT || e.type == YAML_ALIAS_EVENT || e.type == YAML_SEQUENCE_START_EVENT ||
                  e.type == YAML_MAPPING_START_EVENT;
    if (in_items && !(items.depth() == 0 && e.type == YAML_SEQUENCE_END_EVENT)) {
      // An event of an item.
      if (items.depth() == 0) items.begin_item(mark);
      if ((err = add_event(items, e, mark))) return err;
      if (items.depth() == 0) {
        keep_items = sink.on_list_item(items.document(), kind_before, api_before) || keep_items;
        if (!keep_items && items.anchor_count() == 0) items_arena.reset();
      }
      continue;
    }
    // Where the document's root mapping is: its keys and values alternate; "items" with a sequence is split.
    bool at_top = root_map && builder.depth() == 1 && starts;
    bool key = at_top && expect_key;
    if (at_top) expect_key = !expect_key;
    if (key && e.type == YAML_SCALAR_EVENT) {
      last_key.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
    } else if (key) {
      last_key.clear();
    } else if (at_top && e.type == YAML_SCALAR_EVENT && !items_done && (last_key == "kind" || last_key == "apiVersion")) {
      (last_key == "kind" ? kind_before : api_before)
          .assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
    }
    switch (e.type) {
      case YAML_STREAM_END_EVENT:
        return std::nullopt;
      case YAML_DOCUMENT_START_EVENT:
        arena.reset();
        items_arena.reset();
        builder.begin_document(mark);
        items.begin_document(mark);
        root_map = in_items = items_done = keep_items = false;
        expect_key = true;
        kind_before.clear();
        api_before.clear();
        break;
      case YAML_DOCUMENT_END_EVENT: {
        Document& doc = builder.document();
        uint32_t content_line = doc.root ? doc.root->mark.line : mark.line;
        // The origin is the last `# Source:` comment between the previous
        // document and this one's content.
        doc.origin.clear();
        while (next_source < sources.size() && sources[next_source].line < content_line) {
          if (sources[next_source].line > prev_doc_end_line) doc.origin = sources[next_source].path;
          ++next_source;
        }
        prev_doc_end_line = mark.line;
        sink.on_document(doc);
        break;
      }
      case YAML_SCALAR_EVENT:
      case YAML_ALIAS_EVENT:
        err = add_event(builder, e, mark);
        break;
      case YAML_SEQUENCE_START_EVENT:
        err = add_event(builder, e, mark);
        // Split only when nothing before refers across (no anchor defined before the items).
        if (split && at_top && !key && last_key == "items" && !items_done && builder.anchor_count() == 0) in_items = true;
        break;
      case YAML_MAPPING_START_EVENT:
        if (builder.depth() == 0) root_map = true;
        err = add_event(builder, e, mark);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (in_items) {
          // The end of the items: what comes after may refer to their anchors.
          in_items = false;
          items_done = true;
          builder.take_anchors(items);
        }
        err = add_event(builder, e, mark);
        break;
      default:
        break;
    }
    if (err) return err;
  }
}

}  // namespace

}  // namespace ig
