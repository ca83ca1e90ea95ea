#include "logs/blocklist.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/unique_fd.h"
#include "load/subprocess.h"
#include "logs/output.h"

namespace ig::logs {

namespace {

struct Entry {
  int64_t until_s = 0;
  std::string scenario;  // "IG805 auth-brute-force"
};

// A Go duration as CrowdSec prints one: "4h0m0s", "30m0s", "45s".
std::string go_duration(int64_t seconds) {
  std::string out;
  if (seconds >= 3600) out += std::to_string(seconds / 3600) + "h";
  if (seconds >= 60) out += std::to_string(seconds / 60 % 60) + "m";
  return out + std::to_string(seconds % 60) + "s";
}

// The decisions feed, opened to append.
UniqueFd open_append(const std::string& path) {
  return UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
}

// Writes `text` to `path` through a temporary file in the same directory and a rename.
bool replace_file(const std::string& path, const std::string& text, std::string& error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = tmp + ": " + std::strerror(errno);
    return false;
  }
  bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return true;
  error = path + ": " + std::strerror(ok ? errno : saved);
  ::unlink(tmp.c_str());
  return false;
}

}  // namespace

struct Blocklist::Impl {
  BlocklistOptions opt;
  std::map<std::string, Entry> entries;  // canonical address -> decision
  std::vector<std::pair<std::string, Entry>> fresh;  // decisions since the last commit (for the JSON lines)
  bool dirty = false;
  BlockStats stats;

  bool never(const IpAddress& a) const {
    return std::any_of(opt.never.begin(), opt.never.end(), [&](const IpBlockRange& r) { return r.contains(a); });
  }

  // Room for one more: the entry that expires first goes.
  void make_room() {
    while (entries.size() >= opt.max_entries && !entries.empty()) {
      auto first = std::min_element(entries.begin(), entries.end(),
                                    [](const auto& x, const auto& y) { return x.second.until_s < y.second.until_s; });
      entries.erase(first);
      ++stats.evicted;
    }
  }

  // The file an earlier run wrote: `deny ADDRESS; # until EPOCH ...` lines; anything else is skipped.
  void read_back(int64_t now_s) {
    std::ifstream in(opt.path);
    std::string line;
    while (std::getline(in, line) && entries.size() < opt.max_entries) {
      if (line.rfind("deny ", 0) != 0) continue;
      size_t semi = line.find(';');
      size_t until = line.find("# until ");
      if (semi == std::string::npos || until == std::string::npos) continue;
      auto a = parse_ip(std::string_view(line).substr(5, semi - 5));
      if (!a || never(*a)) continue;
      std::istringstream rest(line.substr(until + 8));
      Entry e;
      std::string shown;
      if (!(rest >> e.until_s >> shown) || e.until_s <= now_s) continue;
      std::getline(rest >> std::ws, e.scenario);
      entries[to_string(*a)] = e;
    }
  }

  std::string render() const {
    std::string out =
        "# Written by ingressguard logs: addresses denied for what they did, each until its expiry (epoch seconds).\n"
        "# Include it in an nginx http, server or location block; it is replaced whole on each change.\n";
    for (const auto& [address, e] : entries)
      out += "deny " + address + "; # until " + std::to_string(e.until_s) + " " + format_time(e.until_s * 1000) + " " +
             e.scenario + "\n";
    return out;
  }
};

Blocklist::Blocklist(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Blocklist::~Blocklist() = default;

Result<std::unique_ptr<Blocklist>> Blocklist::open(BlocklistOptions options, int64_t now_s) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  if (impl->opt.max_entries == 0) return Error{"the blocklist needs room for at least one address", {}};
  if (!impl->opt.path.empty()) {
    impl->read_back(now_s);
    // Written now: the file exists for nginx's include, and a path that cannot be written fails at the start.
    std::string error;
    if (!replace_file(impl->opt.path, impl->render(), error)) return Error{"--blocklist: " + error, {}};
  }
  if (!impl->opt.decisions.empty()) {
    if (open_append(impl->opt.decisions).get() < 0)
      return Error{"--decisions: " + impl->opt.decisions + ": " + std::strerror(errno), {}};
  }
  impl->stats.active = impl->entries.size();
  return std::unique_ptr<Blocklist>(new Blocklist(std::move(impl)));
}

void Blocklist::consider(const Alert& a, int64_t now_s) {
  Impl& I = *impl_;
  if (a.severity < I.opt.min_severity || a.client.empty()) return;
  auto address = parse_ip(a.client);
  if (!address || I.never(*address)) {
    ++I.stats.refused;
    return;
  }
  std::string key = to_string(*address);
  Entry e{now_s + std::max<int64_t>(1, I.opt.duration_ms / 1000),
          std::string(info(a.detector).id) + " " + std::string(info(a.detector).name)};
  auto it = I.entries.find(key);
  if (it == I.entries.end()) {
    I.make_room();
    I.entries.emplace(key, e);
  } else if (it->second.until_s < e.until_s) {
    it->second = e;
  } else {
    return;
  }
  I.fresh.emplace_back(key, e);
  ++I.stats.decisions;
  I.stats.active = I.entries.size();
  I.dirty = true;
}

void Blocklist::expire(int64_t now_s) {
  Impl& I = *impl_;
  for (auto it = I.entries.begin(); it != I.entries.end();) {
    if (it->second.until_s <= now_s) {
      it = I.entries.erase(it);
      ++I.stats.expired;
      I.dirty = true;
    } else {
      ++it;
    }
  }
  I.stats.active = I.entries.size();
}

void Blocklist::commit(int64_t now_s, std::string& error) {
  Impl& I = *impl_;
  if (!I.fresh.empty() && !I.opt.decisions.empty()) {
    std::string lines;
    for (const auto& [address, e] : I.fresh) {
      nlohmann::ordered_json j = {{"origin", "ingressguard"},
                                  {"type", "ban"},
                                  {"scope", "Ip"},
                                  {"value", address},
                                  {"duration", go_duration(std::max<int64_t>(0, e.until_s - now_s))},
                                  {"until", format_time(e.until_s * 1000)},
                                  {"scenario", e.scenario}};
      lines += j.dump() + "\n";
    }
    UniqueFd fd = open_append(I.opt.decisions);
    if (fd.get() < 0 || !write_all(fd.get(), lines))
      error = "--decisions: " + I.opt.decisions + ": " + std::strerror(errno);
  }
  I.fresh.clear();
  if (!I.dirty || I.opt.path.empty()) return;
  std::string werr;
  if (!replace_file(I.opt.path, I.render(), werr)) {
    ++I.stats.write_errors;
    error = "--blocklist: " + werr;
    return;  // still dirty: the next commit tries again
  }
  I.dirty = false;
  ++I.stats.writes;
  if (I.opt.on_change.empty()) return;
  RunResult r = run_captured(I.opt.on_change, 64 * 1024, I.opt.on_change_timeout_s);
  if (r.ok()) {
    ++I.stats.reloads;
    return;
  }
  ++I.stats.reload_errors;
  std::string why = !r.started ? "could not be run" : r.timed_out ? "timed out" : "failed";
  std::string tail = r.err.substr(0, 300);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  error = "--on-change " + why + (tail.empty() ? "" : ": " + tail);
}

const BlockStats& Blocklist::stats() const { return impl_->stats; }
std::string Blocklist::render() const { return impl_->render(); }

}  // namespace ig::logs
