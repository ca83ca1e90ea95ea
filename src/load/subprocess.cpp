#include "load/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>

namespace ig {

bool RunResult::ok() const { return started && !timed_out && !too_large && !stopped && WIFEXITED(status) && WEXITSTATUS(status) == 0; }

RunResult run_captured(const std::vector<std::string>& argv, uint64_t max_out, int timeout_seconds) {
  RunResult r;
  RunResult s = run_streaming(argv, timeout_seconds, [&](std::string_view bytes) {
    if (r.out.size() + bytes.size() > max_out) {
      r.out.append(bytes.substr(0, max_out - std::min<uint64_t>(max_out, r.out.size())));
      r.too_large = true;
      return false;
    }
    r.out.append(bytes);
    return true;
  });
  s.out = std::move(r.out);
  s.too_large = r.too_large;
  return s;
}

RunResult run_streaming(const std::vector<std::string>& argv, int timeout_seconds,
                        const std::function<bool(std::string_view)>& on_out) {
  RunResult r;
  bool stop = false;
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]), close(out_pipe[1]);
    return r;
  }
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]), close(out_pipe[1]), close(err_pipe[0]), close(err_pipe[1]);
    return r;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvp(args[0], args.data());
    int e = errno;
    (void)!write(exec_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close(out_pipe[1]), close(err_pipe[1]), close(exec_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]), close(err_pipe[0]), close(exec_pipe[0]);
    return r;
  }
  int exec_errno = 0;
  r.started = read(exec_pipe[0], &exec_errno, sizeof exec_errno) != static_cast<ssize_t>(sizeof exec_errno);
  close(exec_pipe[0]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      if (i == 0) {
        if (!on_out(std::string_view(buf, static_cast<size_t>(n)))) stop = true;
      } else {
        constexpr size_t cap = 64 << 10;
        r.err.append(buf, std::min<size_t>(cap - std::min(cap, r.err.size()), static_cast<size_t>(n)));
      }
    }
    if (stop) break;
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (r.timed_out || stop) kill(pid, SIGKILL);
  r.stopped = stop;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = status;
  return r;
}

}  // namespace ig
