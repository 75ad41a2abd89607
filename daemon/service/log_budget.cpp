#include "service/log_budget.hpp"

#include <utility>

namespace otpd {

bool LogBudget::take(std::uint64_t now_usec) {
  if (now_usec - window_start_ >= window_usec_ && dropped_ == 0) {
    window_start_ = now_usec;  // a window with nothing dropped ended: this line opens the next
    written_ = 0;
  }
  if (written_ < lines_ && now_usec - window_start_ < window_usec_) {
    ++written_;
    return true;
  }
  ++dropped_;
  return false;
}

unsigned LogBudget::take_dropped(std::uint64_t now_usec) {
  if (dropped_ == 0 || now_usec - window_start_ < window_usec_) return 0;
  window_start_ = now_usec;
  written_ = 0;
  return std::exchange(dropped_, 0U);
}

}  // namespace otpd
