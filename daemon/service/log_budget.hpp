// A budget of log lines for a source that callers can make talk: at most `lines` in
// a window, the rest counted and said in one line once the window is over. Without
// it a local user who opens and drops connections fills the journal, and journald's
// own rate limit then drops otpd's security events with the noise.
#pragma once

#include <cstdint>

namespace otpd {

class LogBudget {
 public:
  LogBudget(unsigned lines, std::uint64_t window_usec) : lines_(lines), window_usec_(window_usec) {}

  // True when a line may be written at `now_usec`; false counts it as dropped.
  [[nodiscard]] bool take(std::uint64_t now_usec);
  // When the window that dropped lines ends (for a timer): 0 if none was dropped.
  [[nodiscard]] std::uint64_t summary_due_usec() const { return dropped_ == 0 ? 0 : window_start_ + window_usec_; }
  // The lines dropped in the window that has ended by `now_usec`, which starts a new
  // window; 0 (and nothing changes) if it is still open or dropped nothing.
  [[nodiscard]] unsigned take_dropped(std::uint64_t now_usec);
  [[nodiscard]] std::uint64_t window_usec() const { return window_usec_; }

 private:
  unsigned lines_;
  std::uint64_t window_usec_;
  std::uint64_t window_start_ = 0;
  unsigned written_ = 0;
  unsigned dropped_ = 0;
};

}  // namespace otpd
