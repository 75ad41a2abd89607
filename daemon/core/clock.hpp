// Time as the verifier sees it, injected so tests can drive it.
#pragma once

#include <cstdint>
#include <ctime>

namespace otpd {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  [[nodiscard]] virtual std::int64_t now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t now() const override { return static_cast<std::int64_t>(std::time(nullptr)); }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start) : now_(start) {}
  [[nodiscard]] std::int64_t now() const override { return now_; }
  void set(std::int64_t value) { now_ = value; }
  void advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::int64_t now_;
};

}  // namespace otpd
