#include "logs/format.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace ig::logs {

namespace {

enum class Field : uint8_t {
  Ignore,
  RemoteAddr,
  RemoteUser,
  TimeLocal,
  TimeIso,
  TimeHaproxy,
  TimeMsec,
  Request,
  Method,
  Uri,
  Protocol,
  Status,
  BodyBytes,
  Referer,
  UserAgent,
  Service,
  Host,
  UpstreamStatus,
  ForwardedFor,
};

// nginx variables the analysis reads; every other variable is matched and ignored.
struct VarName {
  std::string_view name;
  Field field;
  bool list;  // upstream_* values: ", "-separated retries and " : "-separated redirects
};
constexpr std::array kVars = {
    VarName{"remote_addr", Field::RemoteAddr, false},
    VarName{"binary_remote_addr", Field::Ignore, false},
    VarName{"remote_user", Field::RemoteUser, false},
    VarName{"time_local", Field::TimeLocal, false},
    VarName{"time_iso8601", Field::TimeIso, false},
    VarName{"msec", Field::TimeMsec, false},
    VarName{"request", Field::Request, false},
    VarName{"request_method", Field::Method, false},
    VarName{"request_uri", Field::Uri, false},
    VarName{"server_protocol", Field::Protocol, false},
    VarName{"status", Field::Status, false},
    VarName{"body_bytes_sent", Field::BodyBytes, false},
    VarName{"bytes_sent", Field::BodyBytes, false},
    VarName{"http_referer", Field::Referer, false},
    VarName{"http_user_agent", Field::UserAgent, false},
    VarName{"proxy_upstream_name", Field::Service, false},
    VarName{"host", Field::Host, false},
    VarName{"http_host", Field::Host, false},
    VarName{"server_name", Field::Host, false},
    VarName{"upstream_status", Field::UpstreamStatus, true},
    VarName{"upstream_addr", Field::Ignore, true},
    VarName{"upstream_response_time", Field::Ignore, true},
    VarName{"upstream_response_length", Field::Ignore, true},
    VarName{"upstream_connect_time", Field::Ignore, true},
    VarName{"upstream_header_time", Field::Ignore, true},
    VarName{"upstream_bytes_received", Field::Ignore, true},
    VarName{"upstream_bytes_sent", Field::Ignore, true},
    VarName{"upstream_cache_status", Field::Ignore, true},
    VarName{"http_x_forwarded_for", Field::ForwardedFor, false},
    // Names used only by the presets below for fields of other proxies.
    VarName{"ig_haproxy_time", Field::TimeHaproxy, false},
    VarName{"ig_service", Field::Service, false},
};

constexpr std::string_view kIngressNginx =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" )"
    R"("$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] )"
    R"($upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id)";
constexpr std::string_view kCombined =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")";
constexpr std::string_view kTraefikClf =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" )"
    R"("$http_user_agent" $request_count "$ig_service" "$service_url" $duration)";
constexpr std::string_view kEnvoy =
    R"([$time_iso8601] "$request" $status $response_flags $bytes_received $body_bytes_sent $duration )"
    R"($upstream_service_time "$http_x_forwarded_for" "$http_user_agent" "$request_id" "$host" "$upstream_host")";
// `option httplog`: the request line is the last quoted field; what lies
// between the status and it (cookies, termination state, queues, captured
// headers) is skipped.
constexpr std::string_view kHaproxy =
    R"($remote_addr:$remote_port [$ig_haproxy_time] $frontend $ig_service $timers $status $body_bytes_sent $ig_skip"$request")";

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == kMonths[i]) return i + 1;
  return 0;
}

int64_t to_ms(int y, int mo, int d, int h, int mi, int s) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return 0;
  return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + s * 1000LL;
}

// "+0100" / "-07:00" / "Z" to an offset in minutes; false when malformed.
bool parse_offset(std::string_view z, int& minutes) {
  if (z == "Z" || z == "z") {
    minutes = 0;
    return true;
  }
  if (z.size() < 5 || (z[0] != '+' && z[0] != '-')) return false;
  int hh = 0, mm = 0;
  size_t mpos = z[3] == ':' ? 4 : 3;
  if (!digits(z, 1, 2, hh) || !digits(z, mpos, 2, mm)) return false;
  minutes = (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

int to_int(std::string_view s, int fallback = 0) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

// The last status of an upstream list ("502, 200" / "404 : 200").
int last_list_status(std::string_view v) {
  size_t end = v.size();
  while (end > 0 && (v[end - 1] < '0' || v[end - 1] > '9')) --end;
  size_t start = end;
  while (start > 0 && v[start - 1] >= '0' && v[start - 1] <= '9') --start;
  return to_int(v.substr(start, end - start));
}

// Whether `lit` appears in `line` at `at` (literals are short: compared inline).
inline bool literal_at(std::string_view line, size_t at, const std::string& lit) {
  if (at > line.size() || line.size() - at < lit.size()) return false;
  const char* p = line.data() + at;
  for (size_t i = 0; i < lit.size(); ++i)
    if (p[i] != lit[i]) return false;
  return true;
}

// The first occurrence of `lit` at or after `from`.
inline size_t find_literal(std::string_view line, size_t from, const std::string& lit) {
  while (from < line.size()) {
    const void* hit = std::memchr(line.data() + from, lit[0], line.size() - from);
    if (!hit) return std::string_view::npos;
    size_t at = static_cast<size_t>(static_cast<const char*>(hit) - line.data());
    if (literal_at(line, at, lit)) return at;
    from = at + 1;
  }
  return std::string_view::npos;
}

bool is_method_char(char c) { return (c >= 'A' && c <= 'Z') || c == '-' || c == '_'; }

std::string_view dash_empty(std::string_view v) { return v == "-" ? std::string_view{} : v; }

}  // namespace

struct LineFormat::Segment {
  bool is_var = false;
  Field field = Field::Ignore;
  bool list = false;
  // An unquoted, unbracketed value has no space in it (so a line of another
  // format does not slide its fields along); lists and $ig_skip excepted.
  bool no_space = false;
  std::string literal;
};

struct LineFormat::JsonState {
  simdjson::ondemand::parser parser;
  std::string buf;
};

LineFormat::LineFormat() = default;
LineFormat::LineFormat(LineFormat&&) noexcept = default;
LineFormat& LineFormat::operator=(LineFormat&&) noexcept = default;
LineFormat::~LineFormat() = default;

const std::vector<std::string_view>& LineFormat::preset_names() {
  static const std::vector<std::string_view> kNames = {"ingress-nginx", "traefik-clf", "envoy", "haproxy",
                                                       "json", "combined"};
  return kNames;
}

Result<LineFormat> LineFormat::named(std::string_view name) {
  if (name == "ingress-nginx") return compile_nginx(kIngressNginx, "ingress-nginx");
  if (name == "combined") return compile_nginx(kCombined, "combined");
  if (name == "traefik-clf") return compile_nginx(kTraefikClf, "traefik-clf");
  if (name == "envoy") return compile_nginx(kEnvoy, "envoy");
  if (name == "haproxy") {
    auto f = compile_nginx(kHaproxy, "haproxy");
    if (f) f->syslog_prefix_ = true;
    return f;
  }
  if (name == "json" || name == "traefik-json" || name == "envoy-json") {
    LineFormat f;
    f.name_ = std::string(name);
    f.json_ = std::make_unique<JsonState>();
    return f;
  }
  if (name.substr(0, 6) == "nginx:") return compile_nginx(name.substr(6), "nginx");
  return Error{"unknown log format '" + std::string(name) +
                   "' (auto, ingress-nginx, combined, traefik-clf, traefik-json, envoy, envoy-json, haproxy, json, "
                   "or 'nginx:<log_format string>')",
               {}};
}

Result<LineFormat> LineFormat::compile_nginx(std::string_view format, std::string name) {
  LineFormat f;
  f.name_ = std::move(name);
  size_t i = 0;
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    Segment s;
    s.literal = std::move(literal);
    literal.clear();
    f.segments_.push_back(std::move(s));
  };
  while (i < format.size()) {
    char c = format[i];
    if (c != '$') {
      literal += c;
      ++i;
      continue;
    }
    size_t start = i++;
    bool braced = i < format.size() && format[i] == '{';
    if (braced) ++i;
    size_t name_start = i;
    while (i < format.size() && (std::isalnum(static_cast<unsigned char>(format[i])) || format[i] == '_')) ++i;
    std::string_view var = format.substr(name_start, i - name_start);
    if (var.empty())
      return Error{"'$' not followed by a variable name", {1, static_cast<uint32_t>(start + 1)}};
    if (braced) {
      if (i >= format.size() || format[i] != '}')
        return Error{"'${' without its closing '}'", {1, static_cast<uint32_t>(start + 1)}};
      ++i;
    }
    if (!f.segments_.empty() && f.segments_.back().is_var && literal.empty())
      return Error{"two variables with nothing between them cannot be told apart: $" + std::string(var),
                   {1, static_cast<uint32_t>(start + 1)}};
    flush_literal();
    Segment s;
    s.is_var = true;
    for (const auto& v : kVars) {
      if (v.name == var) {
        s.field = v.field;
        s.list = v.list;
      }
    }
    const std::string* before = f.segments_.empty() ? nullptr : &f.segments_.back().literal;
    bool enclosed = before && !before->empty() && (before->back() == '"' || before->back() == '[');
    s.no_space = !enclosed && !s.list && var != "ig_skip";
    f.segments_.push_back(std::move(s));
  }
  flush_literal();
  bool any_var = std::any_of(f.segments_.begin(), f.segments_.end(), [](const Segment& s) { return s.is_var; });
  if (!any_var) return Error{"log format has no $variable", {1, 1}};
  return f;
}

int64_t LineFormat::parse_time_cached(std::string_view text, int kind) {
  if (text.size() <= 40 && text == last_time_text_) return last_time_ms_;
  int64_t ms = kind == 0 ? parse_time_local(text) : kind == 1 ? parse_time_iso8601(text) : parse_time_haproxy(text);
  if (text.size() <= 40) {
    last_time_text_.assign(text);
    last_time_ms_ = ms;
  }
  return ms;
}

namespace {

// Assigns one JSON key's value to the record. Keys of Traefik, Envoy Gateway
// and ingress-nginx escape=json formats.
enum class JsonKey : uint8_t { None, Client, ClientAddrPort, Time, Method, Path, Protocol, Status, Bytes, UserAgent,
                               Referer, Service, Host, Request, ForwardedFor, User, UpstreamStatus };
struct JsonKeyName {
  std::string_view key;
  JsonKey field;
};
constexpr std::array kJsonKeys = {
    JsonKeyName{"ClientHost", JsonKey::Client},
    JsonKeyName{"remote_addr", JsonKey::Client},
    JsonKeyName{"client_ip", JsonKey::Client},
    JsonKeyName{"downstream_remote_address", JsonKey::ClientAddrPort},
    JsonKeyName{"StartUTC", JsonKey::Time},
    JsonKeyName{"start_time", JsonKey::Time},
    JsonKeyName{"time_iso8601", JsonKey::Time},
    JsonKeyName{"time", JsonKey::Time},
    JsonKeyName{"RequestMethod", JsonKey::Method},
    JsonKeyName{"method", JsonKey::Method},
    JsonKeyName{"request_method", JsonKey::Method},
    JsonKeyName{"RequestPath", JsonKey::Path},
    JsonKeyName{"x-envoy-origin-path", JsonKey::Path},
    JsonKeyName{"path", JsonKey::Path},
    JsonKeyName{"request_uri", JsonKey::Path},
    JsonKeyName{"uri", JsonKey::Path},
    JsonKeyName{"RequestProtocol", JsonKey::Protocol},
    JsonKeyName{"protocol", JsonKey::Protocol},
    JsonKeyName{"server_protocol", JsonKey::Protocol},
    JsonKeyName{"DownstreamStatus", JsonKey::Status},
    JsonKeyName{"response_code", JsonKey::Status},
    JsonKeyName{"status", JsonKey::Status},
    JsonKeyName{"DownstreamContentSize", JsonKey::Bytes},
    JsonKeyName{"bytes_sent", JsonKey::Bytes},
    JsonKeyName{"body_bytes_sent", JsonKey::Bytes},
    JsonKeyName{"request_User-Agent", JsonKey::UserAgent},
    JsonKeyName{"user-agent", JsonKey::UserAgent},
    JsonKeyName{"user_agent", JsonKey::UserAgent},
    JsonKeyName{"http_user_agent", JsonKey::UserAgent},
    JsonKeyName{"request_Referer", JsonKey::Referer},
    JsonKeyName{"referer", JsonKey::Referer},
    JsonKeyName{"http_referer", JsonKey::Referer},
    JsonKeyName{"ServiceName", JsonKey::Service},
    JsonKeyName{"upstream_cluster", JsonKey::Service},
    JsonKeyName{"proxy_upstream_name", JsonKey::Service},
    JsonKeyName{"RequestHost", JsonKey::Host},
    JsonKeyName{":authority", JsonKey::Host},
    JsonKeyName{"host", JsonKey::Host},
    JsonKeyName{"request", JsonKey::Request},
    JsonKeyName{"x-forwarded-for", JsonKey::ForwardedFor},
    JsonKeyName{"http_x_forwarded_for", JsonKey::ForwardedFor},
    JsonKeyName{"ClientUsername", JsonKey::User},
    JsonKeyName{"remote_user", JsonKey::User},
    JsonKeyName{"upstream_status", JsonKey::UpstreamStatus},
};

JsonKey json_key(std::string_view k) {
  for (const auto& e : kJsonKeys)
    if (e.key == k) return e.field;
  return JsonKey::None;
}

std::string_view strip_port(std::string_view addr) {
  if (!addr.empty() && addr.front() == '[') {
    size_t close = addr.find(']');
    return close == std::string_view::npos ? addr : addr.substr(1, close - 1);
  }
  size_t colon = addr.rfind(':');
  if (colon != std::string_view::npos && addr.find(':') == colon) return addr.substr(0, colon);
  return addr;
}

ParseOutcome parse_json_line(simdjson::ondemand::parser& parser, std::string& buf, std::string_view line,
                             LogRecord& out) {
  size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] != '{') return ParseOutcome::None;
  buf.assign(line);
  buf.resize(line.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (parser.iterate(buf.data(), line.size(), buf.size()).get(doc)) return ParseOutcome::None;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return ParseOutcome::None;
  std::string_view forwarded;
  bool have_status = false, have_path = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return ParseOutcome::None;
    JsonKey k = json_key(key);
    if (k == JsonKey::None) continue;  // On-Demand skips an unread value when the loop moves on
    simdjson::ondemand::value v;
    if (field.value().get(v)) return ParseOutcome::None;
    std::string_view s;
    int64_t n = 0;
    // type() reports malformed input as an error; compared directly it would throw.
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) return ParseOutcome::None;
    bool is_string = type == simdjson::ondemand::json_type::string;
    bool is_number = type == simdjson::ondemand::json_type::number;
    if (is_string) {
      if (v.get_string().get(s)) return ParseOutcome::None;
    } else if (is_number) {
      if (v.get_int64().get(n)) {
        double d = 0;
        if (v.get_double().get(d)) return ParseOutcome::None;
        n = static_cast<int64_t>(d);
      }
    } else {
      continue;  // objects (old Traefik ServiceURL), arrays, null: not read
    }
    switch (k) {
      case JsonKey::Client: out.client = s; break;
      case JsonKey::ClientAddrPort: if (out.client.empty()) out.client = strip_port(s); break;
      case JsonKey::Time:
        if (out.time_ms == 0) out.time_ms = is_string ? parse_time_iso8601(s) : 0;
        break;
      case JsonKey::Method: out.method = s; break;
      case JsonKey::Path: out.target = s; have_path = true; break;
      case JsonKey::Protocol: out.protocol = s; break;
      case JsonKey::Status:
        out.status = is_number ? static_cast<int>(n) : to_int(s);
        have_status = true;
        break;
      case JsonKey::Bytes: out.bytes = is_number ? n : to_int(s, -1); break;
      case JsonKey::UserAgent: out.user_agent = s; break;
      case JsonKey::Referer: out.referer = s; break;
      case JsonKey::Service: out.service = dash_empty(s); break;
      case JsonKey::Host: out.host = dash_empty(s); break;
      case JsonKey::Request: out.request = s; break;
      case JsonKey::ForwardedFor: forwarded = s; break;
      case JsonKey::User: out.user = s; break;
      case JsonKey::UpstreamStatus:
        out.upstream_status = is_number ? static_cast<int>(n) : (s.empty() || s == "-") ? -1 : last_list_status(s);
        break;
      case JsonKey::None: break;
    }
  }
  if (!have_status || (!have_path && out.request.empty())) return ParseOutcome::None;
  if (!out.request.empty() && out.method.empty()) split_request(out.request, out);
  if (out.client.empty() && !forwarded.empty() && forwarded != "-")
    out.client = forwarded.substr(0, std::min(forwarded.find(','), forwarded.size()));
  return ParseOutcome::Full;
}

}  // namespace

ParseOutcome LineFormat::parse(std::string_view line, LogRecord& out) {
  out.reset();
  if (json_) {
    // Errors are read as values there; a simdjson exception would be a slip, and still only an undecoded line.
    try {
      return parse_json_line(json_->parser, json_->buf, line, out);
    } catch (const simdjson::simdjson_error&) {
      out.reset();
      return ParseOutcome::None;
    }
  }
  if (syslog_prefix_) {
    // "Jan 14 12:48:57 host haproxy[123]: " precedes lines shipped through syslog.
    size_t tag = line.find("]: ");
    if (tag != std::string_view::npos && tag < 80 && !line.empty() && std::isalpha(static_cast<unsigned char>(line[0])))
      line.remove_prefix(tag + 3);
  }
  size_t pos = 0;
  bool have_status = false;
  std::string_view forwarded;
  const size_t n = segments_.size();
  for (size_t i = 0; i < n; ++i) {
    const Segment& seg = segments_[i];
    if (!seg.is_var) {
      if (!literal_at(line, pos, seg.literal)) return have_status ? ParseOutcome::Partial : ParseOutcome::None;
      pos += seg.literal.size();
      continue;
    }
    size_t end;
    if (i + 1 == n) {
      end = line.size();
    } else {
      const std::string& next = segments_[i + 1].literal;
      if (seg.field == Field::RemoteAddr && next[0] == ':') {
        // ip:port with IPv6 addresses: the last colon before the next space.
        size_t space = line.find(' ', pos);
        if (space == std::string_view::npos) return ParseOutcome::None;
        end = line.rfind(':', space);
        if (end == std::string_view::npos || end < pos) return ParseOutcome::None;
      } else if (seg.no_space && next[0] == ' ' && seg.field != Field::RemoteAddr) {
        // The value ends at the first space, and the literal must start there.
        const void* sp = std::memchr(line.data() + pos, ' ', line.size() - pos);
        end = sp ? static_cast<size_t>(static_cast<const char*>(sp) - line.data()) : std::string_view::npos;
        if (end == std::string_view::npos || !literal_at(line, end, next))
          return have_status ? ParseOutcome::Partial : ParseOutcome::None;
      } else {
        end = find_literal(line, pos, next);
        // Lists of upstream values continue after ", " and " : ".
        while (seg.list && end != std::string_view::npos &&
               ((end > pos && line[end - 1] == ',') || line.compare(end, 3, " : ") == 0)) {
          end = find_literal(line, end + (line[end - 1] == ',' ? 1 : 3), next);
        }
        if (end == std::string_view::npos) return have_status ? ParseOutcome::Partial : ParseOutcome::None;
        if (seg.no_space && seg.field != Field::RemoteAddr &&
            std::memchr(line.data() + pos, ' ', end - pos) != nullptr)
          return have_status ? ParseOutcome::Partial : ParseOutcome::None;
      }
    }
    std::string_view v = line.substr(pos, end - pos);
    pos = end;
    switch (seg.field) {
      case Field::Ignore: break;
      case Field::RemoteAddr:
        // nginx's vhost_combined style puts "host " (or "host:port ") first.
        if (size_t sp = v.rfind(' '); sp != std::string_view::npos) {
          if (!seg.no_space || v.find(' ') != sp) return ParseOutcome::None;
          out.host = v.substr(0, sp);
          v.remove_prefix(sp + 1);
        }
        out.client = v;
        break;
      case Field::RemoteUser: out.user = v; break;
      case Field::TimeLocal: out.time_ms = parse_time_cached(v, 0); break;
      case Field::TimeIso: out.time_ms = parse_time_cached(v, 1); break;
      case Field::TimeHaproxy: out.time_ms = parse_time_cached(v, 2); break;
      case Field::TimeMsec: {
        double sec = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), sec);
        if (ec == std::errc()) out.time_ms = static_cast<int64_t>(sec * 1000);
        break;
      }
      case Field::Request: out.request = v; split_request(v, out); break;
      case Field::Method: out.method = v; break;
      case Field::Uri: out.target = v; break;
      case Field::Protocol: out.protocol = v; break;
      case Field::Status: {
        if (v == "-") {
          out.status = 0;
        } else {
          int s = to_int(v, -1);
          if (s < 0 || s > 999) return ParseOutcome::None;
          out.status = s;
        }
        have_status = true;
        break;
      }
      case Field::BodyBytes: out.bytes = v == "-" ? -1 : to_int(v, -1); break;
      case Field::Referer: out.referer = v; break;
      case Field::UserAgent: out.user_agent = v; break;
      case Field::Service: out.service = dash_empty(v); break;
      case Field::Host: out.host = dash_empty(v); break;
      case Field::UpstreamStatus: out.upstream_status = v == "-" ? -1 : last_list_status(v); break;
      case Field::ForwardedFor: forwarded = v; break;
    }
  }
  if (!have_status) return ParseOutcome::None;
  if (out.client.empty() && !forwarded.empty() && forwarded != "-")
    out.client = forwarded.substr(0, std::min(forwarded.find(','), forwarded.size()));
  return ParseOutcome::Full;
}

void split_request(std::string_view request, LogRecord& out) {
  out.method = {};
  out.target = {};
  out.protocol = {};
  size_t sp1 = request.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > 24) return;
  for (size_t i = 0; i < sp1; ++i)
    if (!is_method_char(request[i])) return;
  size_t sp2 = request.rfind(' ');
  std::string_view method = request.substr(0, sp1);
  if (sp2 == sp1) {  // HTTP/0.9: "GET /path"
    out.method = method;
    out.target = request.substr(sp1 + 1);
    return;
  }
  std::string_view proto = request.substr(sp2 + 1);
  if (proto.substr(0, 5) != "HTTP/") {
    out.method = method;
    out.target = request.substr(sp1 + 1);
    return;
  }
  out.method = method;
  out.target = request.substr(sp1 + 1, sp2 - sp1 - 1);
  out.protocol = proto;
}

int64_t parse_time_local(std::string_view t) {
  // 07/Jun/2021:14:37:01 +0000
  int d, y, h, mi, s;
  if (t.size() < 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[20] != ' ') return 0;
  if (!digits(t, 0, 2, d) || !digits(t, 7, 4, y) || !digits(t, 12, 2, h) || !digits(t, 15, 2, mi) ||
      !digits(t, 18, 2, s))
    return 0;
  int mo = month_index(t.substr(3, 3));
  int offset = 0;
  if (!parse_offset(t.substr(21), offset)) return 0;
  int64_t ms = to_ms(y, mo, d, h, mi, s);
  return ms == 0 ? 0 : ms - offset * 60000LL;
}

int64_t parse_time_haproxy(std::string_view t) {
  // 14/Jan/2015:12:48:57.127
  int d, y, h, mi, s, frac = 0;
  if (t.size() < 20 || t[2] != '/' || t[6] != '/' || t[11] != ':') return 0;
  if (!digits(t, 0, 2, d) || !digits(t, 7, 4, y) || !digits(t, 12, 2, h) || !digits(t, 15, 2, mi) ||
      !digits(t, 18, 2, s))
    return 0;
  if (t.size() >= 24 && t[20] == '.') digits(t, 21, 3, frac);
  int64_t ms = to_ms(y, month_index(t.substr(3, 3)), d, h, mi, s);
  return ms == 0 ? 0 : ms + frac;
}

int64_t parse_time_iso8601(std::string_view t) {
  // 2016-04-15T20:17:00.310Z / 2025-12-31T17:40:00.000000100+01:00 / 2026-01-14T10:45:33+01:00
  int y, mo, d, h, mi, s;
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' ||
      t[16] != ':')
    return 0;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s))
    return 0;
  size_t i = 19;
  int frac_ms = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int scale = 100;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      frac_ms += (t[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  int offset = 0;
  if (i < t.size() && !parse_offset(t.substr(i), offset)) return 0;
  int64_t ms = to_ms(y, mo, d, h, mi, s);
  return ms == 0 ? 0 : ms + frac_ms - offset * 60000LL;
}

bool parse_nginx_error_line(std::string_view line, LogRecord& out) {
  // Find "YYYY/MM/DD HH:MM:SS [level] " at the start or after a syslog/journal prefix.
  size_t start = 0;
  for (;;) {
    size_t slash = line.find('/', start);
    if (slash == std::string_view::npos || slash > 200) return false;
    if (slash >= 4 && line.size() >= slash + 16 && line[slash + 3] == '/' && line[slash + 6] == ' ' &&
        (slash == 4 || line[slash - 5] == ' ')) {
      start = slash - 4;
      break;
    }
    start = slash + 1;
  }
  std::string_view t = line.substr(start);
  int y, mo, d, h, mi, s;
  if (t.size() < 22 || t[13] != ':' || t[16] != ':' || t[19] != ' ' || t[20] != '[') return false;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s))
    return false;
  size_t close = t.find("] ", 21);
  if (close == std::string_view::npos || close > 30) return false;
  out = LogRecord{};
  out.time_ms = to_ms(y, mo, d, h, mi, s);
  std::string_view rest = t.substr(close + 2);
  // "12#12: *3 " : process and connection numbers.
  if (size_t colon = rest.find(": "); colon != std::string_view::npos && colon < 30) rest.remove_prefix(colon + 2);
  if (!rest.empty() && rest[0] == '*') {
    size_t sp = rest.find(' ');
    rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp + 1);
  }
  size_t client_at = rest.find(", client: ");
  out.message = rest.substr(0, client_at);
  if (client_at != std::string_view::npos) {
    std::string_view c = rest.substr(client_at + 10);
    out.client = c.substr(0, std::min(c.find(','), c.size()));
    if (size_t r = c.find(", request: \""); r != std::string_view::npos) {
      std::string_view req = c.substr(r + 12);
      out.request = req.substr(0, std::min(req.find('"'), req.size()));
      split_request(out.request, out);
    }
    if (size_t hh = c.find(", host: \""); hh != std::string_view::npos) {
      std::string_view host = c.substr(hh + 9);
      out.host = host.substr(0, std::min(host.find('"'), host.size()));
    }
  }
  std::string_view m = out.message;
  auto has = [&](std::string_view needle) { return m.find(needle) != std::string_view::npos; };
  if (m.substr(0, 6) == "user \"" && (has("was not found in") || has("password mismatch")))
    out.kind = EventKind::AuthFailure;
  else if (m.substr(0, 10) == "PAM: user " && has("not authenticated"))
    out.kind = EventKind::AuthFailure;
  else if (m.substr(0, 8) == "limiting" || m.substr(0, 8) == "delaying")
    out.kind = EventKind::RateLimited;
  else if (m.substr(0, 24) == "access forbidden by rule")
    out.kind = EventKind::Forbidden;
  else if (has("(2: No such file or directory)"))
    out.kind = EventKind::FileNotFound;
  else if (m.substr(0, 4) == "SSL_")  // SSL_do_handshake() / SSL_read() failed
    out.kind = EventKind::TlsHandshake;
  else
    out.kind = EventKind::OtherError;
  return true;
}

std::string detect_format(const std::vector<std::string>& sample) {
  std::string best = "combined";
  size_t best_full = 0;
  LogRecord rec;
  for (std::string_view name : LineFormat::preset_names()) {
    auto f = LineFormat::named(name);
    if (!f) continue;
    size_t full = 0;
    for (const auto& line : sample)
      if (f->parse(line, rec) == ParseOutcome::Full) ++full;
    if (full > best_full) {
      best_full = full;
      best = std::string(name);
    }
  }
  return best;
}

}  // namespace ig::logs
