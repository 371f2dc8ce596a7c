#pragma once

// The nats-server nanofaas_bench_jetstream runs against: one of its own, started and stopped
// with scripts/nats.sh, or the one given by URL; and the server's CPU time.

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "jetstream_bench_shared.hpp"

namespace nanofaas::bench::jetstream {

/// A nats-server of our own (scripts/nats.sh), or the one given.
class Server {
 public:
  explicit Server(std::string url) : url_(std::move(url)) {}
  /// Starts one in `dir`.
  explicit Server(const std::filesystem::path& dir) : dir_(dir) {
    stop_on_failure = dir.string();
    url_ = run("start");
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == ' ')) url_.pop_back();
    if (url_.empty()) die("scripts/nats.sh printed no URL");
    std::FILE* f = std::fopen((dir / "node1" / "pid").c_str(), "r");
    if (f != nullptr) {
      if (std::fscanf(f, "%d", &pid_) != 1) pid_ = 0;
      std::fclose(f);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (!dir_.empty()) run("stop");
    stop_on_failure.clear();
  }
  const std::string& url() const { return url_; }
  /// The server's CPU time so far (user and system), if it is ours; else 0.
  std::int64_t cpu_ns() const {
    if (pid_ == 0) return 0;
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (f == nullptr) return 0;
    std::array<char, 1024> line{};
    const bool read = std::fgets(line.data(), line.size(), f) != nullptr;
    std::fclose(f);
    if (!read) return 0;
    // Fields 14 and 15 (utime, stime, in clock ticks) after the command in parentheses.
    const char* p = std::strrchr(line.data(), ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (p == nullptr || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                                    &utime, &stime) != 2) {
      return 0;
    }
    return static_cast<std::int64_t>((utime + stime) * 1'000'000'000ULL /
                                     static_cast<unsigned long long>(::sysconf(_SC_CLK_TCK)));
  }

 private:
  std::string run(const std::string& command) const {
    const std::string line =
        std::string(NANOFAAS_NATS_SCRIPT) + " " + command + " " + dir_.string();
    FILE* pipe = ::popen(line.c_str(), "r");
    if (pipe == nullptr) die("cannot run " + line);
    std::string out;
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
    if (::pclose(pipe) != 0) die(line + " failed");
    return out;
  }
  std::filesystem::path dir_;
  std::string url_;
  int pid_ = 0;
};

}  // namespace nanofaas::bench::jetstream
