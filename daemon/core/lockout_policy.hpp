// Failed attempts and lockouts: one counter per user, wherever a code is checked.
#pragma once

#include <cstdint>

#include "store/store.hpp"

namespace otpd {

struct LockoutPolicy {
  std::uint32_t max_failures = 5;  // the attempt that reaches this starts a lockout
  std::int64_t lockout = 30;       // seconds, the first lockout
  std::int64_t lockout_max = 900;  // seconds, the cap of the doubling back-off
};

struct FailureOutcome {
  AttemptLimit limit;
  bool lockout_started = false;
};

[[nodiscard]] constexpr bool is_locked(const AttemptLimit& limit, std::int64_t now) { return limit.locked_until > now; }

// Counts one more failure; the one that reaches max_failures locks the user out for
// lockout * 2^(lockouts so far), capped at lockout_max, and starts a new count.
[[nodiscard]] FailureOutcome record_failure(const AttemptLimit& limit, std::int64_t now, const LockoutPolicy& policy);

}  // namespace otpd
