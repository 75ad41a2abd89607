// When otpd's clock is stepped back behind a user's replay watermark, every right
// code is refused until it catches up: one episode, reported once, not at every
// attempt (a login every few seconds would otherwise flood the log). An episode is
// the user and the watermark the clock fell behind; a new watermark is a new one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace otpd {

class ClockSkewEpisodes {
 public:
  // True the first time this user's episode at this watermark is seen. Thread-safe.
  [[nodiscard]] bool first_report(std::string_view user, std::uint64_t watermark) {
    const std::lock_guard lock(mutex_);
    const auto found = reported_.find(user);
    if (found != reported_.end()) return std::exchange(found->second, watermark) != watermark;
    reported_.emplace(std::string(user), watermark);  // one entry per enrolled user at most
    return true;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> reported_;
};

}  // namespace otpd
