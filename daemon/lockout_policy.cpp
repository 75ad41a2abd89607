#include "lockout_policy.hpp"

#include <algorithm>

namespace otpd {

FailureOutcome record_failure(const AttemptLimit& limit, std::int64_t now, const LockoutPolicy& policy) {
  FailureOutcome out{limit, false};
  out.limit.failures += 1;
  if (out.limit.failures < policy.max_failures) return out;

  // Doubling stops mattering long before the shift could overflow.
  const std::uint32_t doublings = std::min<std::uint32_t>(out.limit.lockouts, 30);
  const std::int64_t backoff = std::min(policy.lockout << doublings, policy.lockout_max);
  out.limit.failures = 0;
  out.limit.lockouts = std::min<std::uint32_t>(out.limit.lockouts + 1, 1000);
  out.limit.locked_until = now + backoff;
  out.lockout_started = true;
  return out;
}

}  // namespace otpd
