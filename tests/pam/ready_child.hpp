// A process the tests start and always reap: dbus-daemon, the fake otpd.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace otpd::pam::test {

class ChildProcess {
 public:
  // Runs `argv` with stdout on a pipe and waits until it writes its first line (its
  // "ready"), which is returned by ready_line(). `run_as` drops to that uid first.
  // Throws std::runtime_error when the child cannot start or exits before the line.
  explicit ChildProcess(const std::vector<std::string>& argv,
                        std::optional<uid_t> run_as = std::nullopt);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] const std::string& ready_line() const { return ready_line_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int signal_number) const;

 private:
  void reap() noexcept;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string ready_line_;
};

}  // namespace otpd::pam::test
