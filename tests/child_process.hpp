#pragma once

// A program the test starts and stops by its PID, with its standard output read line by line
// and its standard input a pipe that ends when the test does (or the object goes).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace nanofaas::test {

class ChildProcess {
 public:
  /// Starts `argv[0]` with `argv`, its standard output into a pipe this reads.
  explicit ChildProcess(const std::vector<std::string>& argv) {
    int fds[2];
    int in[2];
    // Close-on-exec: a child started later must not hold this one's pipes open.
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    if (pipe2(in, O_CLOEXEC) != 0) {
      close(fds[0]);
      close(fds[1]);
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    for (const int fd : {fds[0], fds[1], in[0], in[1]}) {
      posix_spawn_file_actions_addclose(&actions, fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    close(in[0]);
    if (spawned != 0) {
      close(fds[0]);
      close(in[1]);
      throw std::runtime_error("cannot start " + argv[0]);
    }
    out_ = fdopen(fds[0], "r");
    in_ = in[1];
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  /// A process still running is killed.
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (out_ != nullptr) std::fclose(out_);
    close(in_);
  }

  /// The next line of its output without the newline; empty at its end.
  std::string read_line() {
    char buffer[4096];
    if (out_ == nullptr || std::fgets(buffer, sizeof buffer, out_) == nullptr) return {};
    std::string line(buffer);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }
  /// Sends `signal`, unless it ended.
  void signal(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
  }
  /// Waits for it to end; its exit status (128 + the signal that ended it).
  int wait() {
    if (pid_ <= 0) return status_;
    int raw = 0;
    while (waitpid(pid_, &raw, 0) < 0) {
    }
    pid_ = 0;
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return status_;
  }

 private:
  pid_t pid_ = 0;
  int status_ = -1;
  std::FILE* out_ = nullptr;
  int in_ = -1;
};

}  // namespace nanofaas::test
