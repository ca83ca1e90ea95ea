// libFuzzer target for what the prober reads from a server: the bytes are an
// HTTP/1.1 answer arriving on a socket (a socketpair here). Whatever they
// hold, the exchange ends with an answer or an error, within its limits, and
// the header checks (HSTS max-age, Server version, echoed values) read any value.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "core/text.h"
#include "probe/connection.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 200 * 1024) return 0;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  int big = 512 * 1024;
  setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  size_t sent = 0;
  while (sent < size) {
    ssize_t n = send(fds[1], data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(fds[1], SHUT_WR);
  ig::probe::Socket ours(fds[0]);
  auto r = ig::probe::http_exchange(ours, nullptr, "GET", "fuzz.invalid", "/", {{"Origin", "https://x.invalid"}},
                                    std::chrono::milliseconds(500));
  if (r.ok() && (r->body.size() > 64 * 1024 || r->status < 0)) __builtin_trap();
  if (r.ok()) {
    // The header checks read what the server sent: any value, any length.
    for (const auto& [name, value] : r->headers) {
      auto age = ig::probe::hsts_max_age(value);
      if (age && (*age < 0 || *age > 1000000000000LL)) __builtin_trap();
      (void)ig::probe::discloses_version(value);
      if (ig::safe_text(value).size() > 4 * ig::kMaxEchoedValue + 32) __builtin_trap();
    }
  }
  close(fds[1]);
  return 0;
}
