#pragma once

// Real NATS servers with JetStream for a test, started and stopped by scripts/nats.sh (its
// path comes from CMake): one server or a three-node cluster, on loopback, in a directory
// of their own that goes with them.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace nanofaas::test {

class NatsServers {
 public:
  /// One server (`cluster` false) or three in a cluster; throws when they do not start.
  explicit NatsServers(bool cluster = false) {
    std::string pattern = (std::filesystem::temp_directory_path() / "nanofaas-nats-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    const std::string out = run(cluster ? "start-cluster" : "start");
    std::size_t from = 0;
    while (from < out.size()) {
      std::size_t to = out.find_first_of(",\n", from);
      if (to == std::string::npos) to = out.size();
      if (to > from) urls_.push_back(out.substr(from, to - from));
      from = to + 1;
    }
    if (urls_.empty()) throw std::runtime_error("nats.sh printed no URL");
  }
  NatsServers(const NatsServers&) = delete;
  NatsServers& operator=(const NatsServers&) = delete;
  ~NatsServers() {
    try {
      run("stop");
    } catch (...) {  // a destructor must not throw; the servers end with the test at worst
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  /// The client URLs, one per server.
  [[nodiscard]] const std::vector<std::string>& urls() const noexcept { return urls_; }
  /// Kills server `node` (1-based) with SIGKILL and waits until it is gone.
  void kill(int node) { run("kill", std::to_string(node)); }
  /// Server `node` stops answering (SIGSTOP), as behind a partition; `resume` lets it go on.
  void pause(int node) { run("pause", std::to_string(node)); }
  void resume(int node) { run("resume", std::to_string(node)); }

 private:
  std::string run(const std::string& command, const std::string& arg = {}) const {
    std::string line = NANOFAAS_NATS_SCRIPT;
    line.append(" ").append(command).append(" ").append(dir_);
    if (!arg.empty()) line.append(" ").append(arg);
    FILE* pipe = popen(line.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + line);
    std::string out;
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
    if (pclose(pipe) != 0) throw std::runtime_error(line + " failed");
    return out;
  }

  std::string dir_;
  std::vector<std::string> urls_;
};

}  // namespace nanofaas::test
