// ingress-nginx's own annotation checks, applied before the controller does:
// values its validators refuse, and annotations whose risk level exceeds the
// controller's annotations-risk-level (either makes the controller refuse
// the whole Ingress).

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "core/cidr.h"
#include "rules/catalog.h"
#include "rules/util.h"

namespace ig::rules {

namespace {

enum class Risk { Low = 0, Medium = 1, High = 2, Critical = 3 };
enum class ValueKind { Bool, Int, Cidrs, Size, Options, Chars, Other };

struct AnnotationSpec {
  std::string_view name;
  Risk risk;
  ValueKind kind;
  std::string_view options;  // Options: "|"-separated; Chars: the controller regex's name
  bool flag;                 // Options: case-sensitive; Chars: spaces removed before matching
};

// The controller's shared validators (internal/ingress/annotations/parser/validators.go): each is
// one character class over the whole value, so a set of characters says the same.
struct CharClass {
  std::string_view regex;    // its name in the controller
  std::string_view allowed;  // besides letters and digits
  std::string_view shown;    // how a message lists them
};
constexpr CharClass kCharClasses[] = {
    {"BasicCharsRegex", "-._~/:", "letters, digits and -._~/:"},
    {"ExtendedCharsRegex", "-._~/:, ", "letters, digits, spaces and -._~/:,"},
    {"CharsWithSpace", "-._~/: ", "letters, digits, spaces and -._~/:"},
    {"NGINXVariable", "-_${}", "letters, digits and -_${}"},
    {"HeadersVariable", "-_, ", "letters, digits, spaces and -_,"},
    {"URLIsValidRegex", "-._~/::?&=", "letters, digits and -._~/:?&="},
    {"URLWithNginxVariableRegex", "-._~/::?&=$", "letters, digits and -._~/:?&=$"},
    {"RegexPathWithCapture", "-._~/:$", "letters, digits and -._~/:$"},
    {"IsValidRegex", "-._~/:^$[](){}*+?|&=\\", "letters, digits and -._~/:^$[](){}*+?|&=\\"},
};

const CharClass* char_class(std::string_view regex) {
  for (const CharClass& c : kCharClasses)
    if (c.regex == regex) return &c;
  return nullptr;
}

// The first character of `v` outside the class, or nullopt.
std::optional<char> outside(const CharClass& c, std::string_view v) {
  for (char ch : v)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && c.allowed.find(ch) == std::string_view::npos) return ch;
  return std::nullopt;
}

std::string shown_char(char ch) {
  if (ch == ' ') return "a space";
  auto b = static_cast<unsigned char>(ch);
  if (b < 0x20 || b >= 0x7f) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[b >> 4] + kHex[b & 0xf];
  }
  return std::string("'") + ch + "'";
}

constexpr AnnotationSpec kAnnotations[] = {
#include "rules/nginx_annotations.inc"
};

const AnnotationSpec* spec_of(std::string_view short_name) {
  // Older names the controller still reads as aliases.
  if (short_name == "whitelist-source-range") short_name = "allowlist-source-range";
  if (short_name == "limit-whitelist") short_name = "limit-allowlist";
  // Looked up for every annotation of every Ingress: a table, not a scan.
  static const std::unordered_map<std::string_view, const AnnotationSpec*> by_name = [] {
    std::unordered_map<std::string_view, const AnnotationSpec*> m;
    for (const AnnotationSpec& a : kAnnotations) m.emplace(a.name, &a);
    return m;
  }();
  auto it = by_name.find(short_name);
  return it == by_name.end() ? nullptr : it->second;
}

const char* risk_name(Risk r) {
  switch (r) {
    case Risk::Low: return "Low";
    case Risk::Medium: return "Medium";
    case Risk::High: return "High";
    case Risk::Critical: return "Critical";
  }
  return "?";
}

std::optional<Risk> parse_risk(std::string_view v) {
  std::string s = to_lower(trim(v));
  if (s == "low") return Risk::Low;
  if (s == "medium") return Risk::Medium;
  if (s == "high") return Risk::High;
  if (s == "critical") return Risk::Critical;
  return std::nullopt;
}

bool valid_cidr_or_ip(std::string_view entry) { return parse_cidr(entry).has_value(); }

// Why the controller's validator refuses the value, or empty when it accepts it.
std::string validation_error(const AnnotationSpec& a, std::string_view raw) {
  std::string_view v = trim(raw);
  switch (a.kind) {
    case ValueKind::Bool:
      return parse_go_bool(v) ? "" : "is not a boolean";
    case ValueKind::Int: {
      std::string_view d = v;
      if (!d.empty() && (d[0] == '-' || d[0] == '+')) d.remove_prefix(1);
      return !d.empty() && std::all_of(d.begin(), d.end(), ::isdigit) ? "" : "is not an integer";
    }
    case ValueKind::Size: {
      std::string_view d = v;
      if (!d.empty() && std::string_view("bBkKmMgG").find(d.back()) != std::string_view::npos) d.remove_suffix(1);
      return !d.empty() && std::all_of(d.begin(), d.end(), ::isdigit) ? "" : "is not a size (digits with k, m or g)";
    }
    case ValueKind::Cidrs:
      for (std::string_view e : split_list(v, ','))
        if (!valid_cidr_or_ip(e)) return "holds '" + std::string(e) + "', which is not an IP address or CIDR";
      return "";
    case ValueKind::Options: {
      std::string want = a.flag ? std::string(v) : to_lower(v);
      for (std::string_view o : split_list(a.options, '|'))
        if ((a.flag ? std::string(o) : to_lower(o)) == want) return "";
      std::string list(a.options);
      std::replace(list.begin(), list.end(), '|', ',');
      return "is not one of " + list;
    }
    case ValueKind::Chars: {
      const CharClass* cls = char_class(a.options);
      if (!cls) return "";
      // Server names (IsValidRegex) are trimmed, each of a comma-separated list for server-alias;
      // the others match the raw value, with spaces taken out first where the controller does.
      std::string value(a.options == "IsValidRegex" ? v : raw);
      if (a.flag) value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
      std::vector<std::string_view> parts;
      if (a.name == "server-alias") parts = split_list(value, ',');
      else parts.push_back(a.options == "IsValidRegex" ? trim(value) : std::string_view(value));
      for (std::string_view part : parts)
        if (auto ch = outside(*cls, part))
          return "contains " + shown_char(*ch) + ", which the controller's validator refuses (it allows " +
                 std::string(cls->shown) + ")";
      return "";
    }
    case ValueKind::Other:
      return "";
  }
  return "";
}

void check_invalid_values(const Cluster& c, const RuleSettings&, Findings& out) {
  for (const Ingress& ing : c.ingresses)
    for (const KeyValue& kv : ing.meta.annotations) {
      if (kv.key.substr(0, kNginxPrefix.size()) != kNginxPrefix) continue;
      std::string_view name = kv.key.substr(kNginxPrefix.size());
      const AnnotationSpec* a = spec_of(name);
      if (!a) continue;
      std::string why = validation_error(*a, kv.value);
      if (!why.empty())
        out.add(kAnnotationValueInvalid.info, ing.meta, kv.value_loc(),
                std::string(name) + ": \"" + std::string(kv.value.substr(0, 80)) + "\" " + why +
                    "; the controller's annotation validation refuses the Ingress");
    }
}

void check_risk_level(const Cluster& c, const RuleSettings& s, Findings& out) {
  // Only when the input says which level the controller runs with; with
  // several controllers, the most permissive one decides.
  std::optional<Risk> level;
  for (const ConfigMap* cm : derived<ControllerConfigMaps>(c, s)->list)
    if (const KeyValue* kv = cm->get("annotations-risk-level"))
      if (auto r = parse_risk(kv->value); r && (!level || *r > *level)) level = r;
  if (!level) return;
  for (const Ingress& ing : c.ingresses)
    for (const KeyValue& kv : ing.meta.annotations) {
      if (kv.key.substr(0, kNginxPrefix.size()) != kNginxPrefix) continue;
      const AnnotationSpec* a = spec_of(kv.key.substr(kNginxPrefix.size()));
      if (a && a->risk > *level)
        out.add(kAnnotationAboveRiskLevel.info, ing.meta, kv.key_loc(),
                std::string(a->name) + " is rated " + risk_name(a->risk) + ", above the controller's annotations-risk-level " +
                    risk_name(*level) + ": the controller refuses this whole Ingress");
    }
}

}  // namespace

const Rule kAnnotationValueInvalid{
    .info = {.id = "IG213",
             .title = "Annotation value fails ingress-nginx's validation",
             .severity = Severity::Medium,
             .category = "injection",
             .rationale = "ingress-nginx validates annotation values (by default since 1.12) and refuses an Ingress "
                          "whose value does not match; where validation is off, malformed values are the entry point "
                          "of configuration injection.",
             .remediation = "Use a value of the documented form (booleans, integers, sizes, CIDRs, the listed options) "
                            "made only of the characters the annotation's validator accepts.",
             .references = {"CVE-2025-24514", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations-risk/"}},
    .check = &check_invalid_values,
};

const Rule kAnnotationAboveRiskLevel{
    .info = {.id = "IG214",
             .title = "Annotation above the controller's risk level",
             .severity = Severity::Low,
             .category = "hygiene",
             .rationale = "The controller refuses every Ingress that carries an annotation rated above its "
                          "annotations-risk-level; the route silently stops being updated.",
             .remediation = "Drop the annotation, or have the platform team review it and raise annotations-risk-level.",
             .references = {"https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations-risk/"}},
    .check = &check_risk_level,
};

}  // namespace ig::rules
