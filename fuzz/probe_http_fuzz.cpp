// libFuzzer target for what the prober reads from a server: the bytes are an
// HTTP/1.1 answer arriving on a socket (a socketpair here). Whatever they
// hold, the exchange ends with an answer or an error, within its limits.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

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
  close(fds[1]);
  return 0;
}
