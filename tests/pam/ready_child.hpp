// A process that says when it is ready, by its first line of output, and that the
// test always reaps: dbus-daemon --print-address, the fake otpd.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace otpd::pam::test {

class ReadyChild {
 public:
  // Runs `argv` with stdout on a pipe and waits until it writes its first line (its
  // "ready"), which is returned by ready_line(). `run_as` drops to that uid first.
  // Throws std::runtime_error when the child cannot start or exits before the line.
  explicit ReadyChild(const std::vector<std::string>& argv, std::optional<uid_t> run_as = std::nullopt);
  ~ReadyChild();
  ReadyChild(const ReadyChild&) = delete;
  ReadyChild& operator=(const ReadyChild&) = delete;

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
