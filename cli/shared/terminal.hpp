// The few things otp-enroll asks of a terminal: is it one, how wide, may we colour it,
// and typing without echo. Echo comes back on every way out, signals included.
#pragma once

#include <termios.h>

#include <optional>

namespace otpd::cli {

[[nodiscard]] bool is_terminal(int fd);
[[nodiscard]] std::optional<int> terminal_columns(int fd);
// A terminal, not TERM=dumb, and no NO_COLOR (https://no-color.org).
[[nodiscard]] bool colours_wanted(int fd);

// Turns echo off on `fd` (a terminal) for its lifetime. A SIGINT, SIGTERM, SIGHUP or
// SIGQUIT meanwhile restores the terminal before the signal takes its default course.
// One at a time: it keeps what the signal handler restores in static storage.
class EchoOff {
 public:
  explicit EchoOff(int fd);
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff();

  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  bool active_ = false;
};

}  // namespace otpd::cli
