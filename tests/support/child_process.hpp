// A program the test starts and owns: killed and reaped when the owner dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "patience.hpp"

namespace otpd::test {

struct SpawnOptions {
  std::vector<std::string> argv;
  std::map<std::string, std::string> extra_env;  // added to the test's environment
  std::optional<std::filesystem::path> output;   // stdout and stderr go here (appended)
  int pass_fd = -1;                              // dup2'ed to descriptor 3 in the child
};

class ChildProcess {
 public:
  ChildProcess() = default;
  explicit ChildProcess(const SpawnOptions& options);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool running() const { return pid_ > 0; }
  // A descriptor that polls readable (POLLIN or POLLHUP) once the process exits.
  [[nodiscard]] int exit_fd() const { return pidfd_; }
  void signal(int signal_number) const;
  // Waits for the exit and returns the wait status; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout = patient(std::chrono::seconds(10)));
  // SIGTERM, then SIGKILL if it has not exited within `grace`.
  int stop(std::chrono::milliseconds grace = patient(std::chrono::seconds(10)));

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

}  // namespace otpd::test
