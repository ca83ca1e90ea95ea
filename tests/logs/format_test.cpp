#include "logs/format.h"

#include <gtest/gtest.h>

#include <map>

#include "logs/input.h"

namespace ig::logs {
namespace {

// The record's views point into the line or the format's JSON buffer: the formats live for the whole test run.
LogRecord parse_with(std::string_view format, std::string_view line, ParseOutcome expect = ParseOutcome::Full) {
  static std::map<std::string, LineFormat, std::less<>> formats;
  auto it = formats.find(format);
  if (it == formats.end()) {
    auto f = LineFormat::named(format);
    EXPECT_TRUE(f.ok()) << format;
    it = formats.emplace(std::string(format), std::move(*f)).first;
  }
  LogRecord r;
  EXPECT_EQ(it->second.parse(line, r), expect) << line;
  return r;
}

// Tests that the ingress-nginx upstreaminfo line yields every field the detectors read.
TEST(LogFormat, IngressNginxDefaultLine) {
  auto r = parse_with("ingress-nginx",
                      R"(192.168.162.115 - - [07/Jun/2021:14:37:01 +0000] "POST /models HTTP/1.1" 200 125 "-" )"
                      R"L("Apache-HttpClient/4.5.12 (Java/1.8.0_131)" 5338637 281.645 [default-api-eboltapi-80] [] )L"
                      R"(192.168.156.129:5000 125 0.592 200 4c004b704ec132265d24a938bc32e11e)");
  EXPECT_EQ(r.client, "192.168.162.115");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/models");
  EXPECT_EQ(r.protocol, "HTTP/1.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.bytes, 125);
  EXPECT_EQ(r.user_agent, "Apache-HttpClient/4.5.12 (Java/1.8.0_131)");
  EXPECT_EQ(r.service, "default-api-eboltapi-80");
  EXPECT_EQ(r.upstream_status, 200);
  EXPECT_EQ(r.time_ms, 1623076621000);
}

// Tests that retried (", ") and internally redirected (" : ") upstream lists are read whole.
TEST(LogFormat, IngressNginxUpstreamLists) {
  auto r = parse_with("ingress-nginx",
                      R"(10.0.0.1 - alice [01/Mar/2026:10:15:02 +0100] "GET /a?b=c HTTP/2.0" 200 10 "https://x/" "curl/8" )"
                      R"(80 0.020 [shop-web-80] [shop-web-canary-80] 10.244.1.5:8080, 10.244.2.7:8080 : 10.244.3.1:8080 )"
                      R"(0, 10 : 10 0.010, 0.004 : 0.002 502, 200 : 404 0123456789abcdef0123456789abcdef)");
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.target, "/a?b=c");
  EXPECT_EQ(r.upstream_status, 404);
  EXPECT_EQ(r.service, "shop-web-80");
  EXPECT_EQ(r.time_ms, 1772356502000);  // +0100 taken off
}

// Tests that a TLS ClientHello on the plain port (rejected before routing, "[] []") parses as a malformed 400.
TEST(LogFormat, IngressNginxRejectedBeforeRouting) {
  auto r = parse_with("ingress-nginx",
                      R"(203.0.113.50 - - [01/Mar/2026:10:15:02 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03\x8F\xA2\x1B\x9C" )"
                      R"(400 150 "-" "-" 0 0.001 [] [] - - - - 1b8f0e4c7d2a9e6f3b5c8d1a0e7f2c4b)");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.method.empty());
  EXPECT_TRUE(r.service.empty());
  EXPECT_EQ(r.request.substr(0, 8), R"(\x16\x03)");
}

// Tests that combined lines, with Debian's extra X-Forwarded-For field and with a vhost prefix, parse.
TEST(LogFormat, CombinedVariants) {
  auto r = parse_with("combined", R"(12.34.56.78 - - [20/Jan/2015:19:53:28 +0100] "GET //pma/setup.php HTTP/1.1" 404 47 "-" "-" "-")");
  EXPECT_EQ(r.client, "12.34.56.78");
  EXPECT_EQ(r.status, 404);
  auto v = parse_with("combined", R"(memze.ro 23.94.26.138 - - [08/Oct/2021:17:09:03 +0200] "GET / HTTP/1.1" 400 166 "-" "-")");
  EXPECT_EQ(v.client, "23.94.26.138");
  EXPECT_EQ(v.host, "memze.ro");
  // Common log format (no referer/agent): decoded up to the size.
  auto c = parse_with("combined", R"(1.2.3.4 - - [05/Mar/2021:09:01:38 +0100] "POST /x HTTP/1.0" 200 1513)", ParseOutcome::Partial);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.method, "POST");
  // Garbage request lines stay requests with no method.
  auto g = parse_with("combined", R"(1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "HELP" 400 157 "-" "-")");
  EXPECT_TRUE(g.method.empty());
  EXPECT_EQ(g.request, "HELP");
}

// Tests the Traefik CLF preset (router name quoted, duration in ms).
TEST(LogFormat, TraefikClf) {
  auto r = parse_with("traefik-clf",
                      R"(172.17.1.2 - - [24/Nov/2024:13:38:04 +0000] "GET /birthday HTTP/2" 200 352 "-" "Nikto" 244 )"
                      R"("test@docker -> leaf@docker" "http://172.17.0.3:80" 42ms)");
  EXPECT_EQ(r.service, "test@docker -> leaf@docker");
  EXPECT_EQ(r.user_agent, "Nikto");
}

// Tests that Traefik JSON and Envoy Gateway JSON lines are read by key.
TEST(LogFormat, JsonByKey) {
  auto t = parse_with("traefik-json",
                      R"({"ClientHost":"192.168.1.115","DownstreamStatus":404,"RequestHost":"admin.example.com",)"
                      R"("RequestMethod":"GET","RequestPath":"/.env","RequestProtocol":"HTTP/2.0","ServiceName":"web@kubernetes",)"
                      R"("ServiceURL":{"Host":"x"},"StartUTC":"2026-01-14T09:45:33.759014877Z","request_User-Agent":"zgrab/0.x"})");
  EXPECT_EQ(t.client, "192.168.1.115");
  EXPECT_EQ(t.status, 404);
  EXPECT_EQ(t.target, "/.env");
  EXPECT_EQ(t.service, "web@kubernetes");
  EXPECT_EQ(t.user_agent, "zgrab/0.x");
  EXPECT_EQ(t.time_ms, 1768383933759);
  auto e = parse_with("envoy-json",
                      R"({"start_time":"2025-12-31T16:40:00.100Z","method":"GET","x-envoy-origin-path":"/page-01",)"
                      R"("response_code":404,"user-agent":"Mozilla/5.0","downstream_remote_address":"10.0.0.13:40000",":authority":"crawl.internal"})");
  EXPECT_EQ(e.client, "10.0.0.13");
  EXPECT_EQ(e.host, "crawl.internal");
  LogRecord r;
  auto f = LineFormat::named("json");
  EXPECT_EQ(f->parse(R"({"no":"request here"})", r), ParseOutcome::None);
  EXPECT_EQ(f->parse(R"({"status":200,)", r), ParseOutcome::None);
}

// Tests the Envoy default text format: the client is the first X-Forwarded-For entry.
TEST(LogFormat, EnvoyText) {
  auto r = parse_with("envoy",
                      R"([2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28, 10.1.1.1" )"
                      R"("nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80")");
  EXPECT_EQ(r.client, "10.0.35.28");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.host, "locations");
  EXPECT_EQ(r.time_ms, 1460751420310);
}

// Tests HAProxy httplog behind a syslog prefix, and that an IPv6 combined line is not taken for HAProxy.
TEST(LogFormat, HaproxyHttplog) {
  auto r = parse_with("haproxy",
                      R"(Jan 14 12:48:57 lb haproxy[1234]: 117.136.40.129:14853 [14/Jan/2015:12:48:57.127] https-in~ )"
                      R"(xx_server_https/xxx_node_8002 170/0/0/3/173 200 739 - - --NN 0/0/0/0/0 0/0 "GET /xxx/xxx HTTP/1.1")");
  EXPECT_EQ(r.client, "117.136.40.129");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.target, "/xxx/xxx");
  EXPECT_EQ(r.time_ms, 1421239737127);
  parse_with("haproxy",
             R"(2001:db8::7334 - - [29/Sep/2021:14:11:34 +0200] "HEAD / HTTP/1.1" 200 0 "-" "Nikto")", ParseOutcome::None);
}

// Tests a user's own nginx log_format with $host and ${var} syntax, and compile errors with their column.
TEST(LogFormat, CustomNginxFormat) {
  auto f = LineFormat::named(R"(nginx:$host ${remote_addr} [$time_iso8601] "$request" $status $request_time "$http_user_agent")");
  ASSERT_TRUE(f.ok()) << f.error().message;
  LogRecord r;
  ASSERT_EQ(f->parse(R"(shop.example.com 10.1.2.3 [2026-03-01T10:00:00+00:00] "GET /cart HTTP/1.1" 302 0.004 "curl/8")", r),
            ParseOutcome::Full);
  EXPECT_EQ(r.host, "shop.example.com");
  EXPECT_EQ(r.client, "10.1.2.3");
  EXPECT_EQ(r.status, 302);
  auto bad = LineFormat::compile_nginx("$remote_addr$status");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().mark.col, 13u);
  auto unclosed = LineFormat::compile_nginx("$remote_addr ${status");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().mark.col, 14u);
  EXPECT_FALSE(LineFormat::compile_nginx("no variables").ok());
  EXPECT_FALSE(LineFormat::named("apache").ok());
}

// Tests the time parsers on offsets, fractions and junk.
TEST(LogFormat, Times) {
  EXPECT_EQ(parse_time_local("01/Mar/2026:10:15:02 -0700"), 1772385302000);
  EXPECT_EQ(parse_time_local("01/Foo/2026:10:15:02 +0000"), 0);
  EXPECT_EQ(parse_time_local("1/Mar/2026"), 0);
  EXPECT_EQ(parse_time_iso8601("2025-12-31T17:40:00.000000100+01:00"), 1767199200000);
  EXPECT_EQ(parse_time_iso8601("2025-12-31T17:40:00"), 1767202800000);
  EXPECT_EQ(parse_time_iso8601("2025-13-31T17:40:00Z"), 0);
  EXPECT_EQ(parse_time_haproxy("14/Jan/2015:12:48:57.127"), 1421239737127);
}

// Tests that nginx error-log events are recognised and classified, also behind a journal prefix.
TEST(LogFormat, NginxErrorLog) {
  LogRecord r;
  ASSERT_TRUE(parse_nginx_error_line(
      R"(2012/04/09 11:53:36 [error] 2865#0: *66647 user "xyz": password mismatch, client: 192.0.43.10, server: www.myhost.com, request: "GET / HTTP/1.1", host: "www.myhost.com")",
      r));
  EXPECT_EQ(r.kind, EventKind::AuthFailure);
  EXPECT_EQ(r.client, "192.0.43.10");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.host, "www.myhost.com");
  ASSERT_TRUE(parse_nginx_error_line(
      R"(host nginx[983478]: 2016/09/30 08:36:06 [error] 22923#0: *4758725916 limiting requests, excess: 15.243 by zone "one", client: 2001:db8::80da:af6b:8b2c, server: example.com, request: "GET / HTTP/1.1", host: "example.com")",
      r));
  EXPECT_EQ(r.kind, EventKind::RateLimited);
  EXPECT_EQ(r.client, "2001:db8::80da:af6b:8b2c");
  ASSERT_TRUE(parse_nginx_error_line(
      "2018/09/14 19:03:05 [error] 2035#2035: *9134 access forbidden by rule, client: 12.34.56.78, server: x", r));
  EXPECT_EQ(r.kind, EventKind::Forbidden);
  ASSERT_TRUE(parse_nginx_error_line(
      "2020/11/25 14:42:16 [crit] 76952#76952: *2454307 SSL_do_handshake() failed (SSL: error) while SSL handshaking, client: 142.93.180.14, server: 0.0.0.0:443",
      r));
  EXPECT_EQ(r.kind, EventKind::TlsHandshake);
  EXPECT_FALSE(parse_nginx_error_line(R"(1.2.3.4 - - [20/Jan/2015:19:53:28 +0100] "GET / HTTP/1.1" 404 1 "-" "-")", r));
  EXPECT_FALSE(parse_nginx_error_line("", r));
}

// Tests that detection picks the preset that decodes the lines, and combined for an unknown format.
TEST(LogFormat, Detection) {
  EXPECT_EQ(detect_format({R"(1.2.3.4 - - [07/Jun/2021:14:37:01 +0000] "GET / HTTP/1.1" 200 1 "-" "x" 1 0.1 [a-b-80] [] 10.0.0.1:80 1 0.1 200 abc)"}),
            "ingress-nginx");
  EXPECT_EQ(detect_format({R"(1.2.3.4 - - [07/Jun/2021:14:37:01 +0000] "GET / HTTP/1.1" 200 1 "-" "x")"}), "combined");
  EXPECT_EQ(detect_format({R"({"ClientHost":"1.2.3.4","DownstreamStatus":200,"RequestPath":"/"})"}), "json");
  EXPECT_EQ(detect_format({"garbage", ""}), "combined");
}

// Tests CRI (with partial chunks joined), Docker json-file, kubectl --prefix and syslog envelopes.
TEST(LogInput, Unwrap) {
  Unwrapper u(1 << 16);
  std::string_view out;
  ASSERT_TRUE(u.unwrap("2026-03-01T10:15:02.123456789Z stdout F 1.2.3.4 - - x", out));
  EXPECT_EQ(out, "1.2.3.4 - - x");
  EXPECT_FALSE(u.unwrap("2026-03-01T10:15:02.123456789Z stdout P first half ", out));
  ASSERT_TRUE(u.unwrap("2026-03-01T10:15:02.223456789Z stdout F second half", out));
  EXPECT_EQ(out, "first half second half");
  ASSERT_TRUE(u.unwrap(R"({"log":"1.2.3.4 \"GET / HTTP/1.1\" \\x16\n","stream":"stdout","time":"2026-03-01T10:15:02Z"})", out));
  EXPECT_EQ(out, R"(1.2.3.4 "GET / HTTP/1.1" \x16)");
  EXPECT_FALSE(u.unwrap(R"({"log":"part one ","stream":"stdout"})", out));
  ASSERT_TRUE(u.unwrap(R"({"log":"part two\n","stream":"stdout"})", out));
  EXPECT_EQ(out, "part one part two");
  ASSERT_TRUE(u.unwrap("[pod/ingress-nginx-controller-7d9/controller] 1.2.3.4 - - rest", out));
  EXPECT_EQ(out, "1.2.3.4 - - rest");
  ASSERT_TRUE(u.unwrap("Sep 15 16:13:46 ip-172-31-43-28 nginx[2869]: 81.150.104.130 - - rest", out));
  EXPECT_EQ(out, "81.150.104.130 - - rest");
  ASSERT_TRUE(u.unwrap("fe80::1 - - [29/Sep/2021:14:11:34 +0200] \"GET / HTTP/1.1\" 200 0", out));
  EXPECT_EQ(out.substr(0, 7), "fe80::1");
}

// Tests that partial chunks never join beyond the line limit.
TEST(LogInput, PartialJoinIsBounded) {
  Unwrapper u(64);
  std::string_view out;
  std::string chunk = "2026-03-01T10:15:02.123456789Z stdout P " + std::string(100, 'a');
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(u.unwrap(chunk, out));
  ASSERT_TRUE(u.unwrap("2026-03-01T10:15:02.123456789Z stdout F end", out));
  EXPECT_EQ(out.size(), 64u);
}

// Tests line splitting: CRLF, a last line without newline, and over-long lines cut once.
TEST(LogInput, Splitter) {
  LineSplitter s(10);
  std::vector<std::string> lines;
  auto take = [&](std::string_view l) { lines.emplace_back(l); };
  s.feed("ab\r\ncd", take);
  s.feed("e\n0123456789ABCDEF", take);
  s.feed("GHIJ\nok\nlast", take);
  s.finish(take);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "ab");
  EXPECT_EQ(lines[1], "cde");
  EXPECT_EQ(lines[2], "0123456789");
  EXPECT_EQ(lines[3], "ok");
  EXPECT_EQ(lines[4], "last");
  EXPECT_EQ(s.truncated(), 1u);
}

}  // namespace
}  // namespace ig::logs
