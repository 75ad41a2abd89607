#include "core/lockout_policy.hpp"

#include <algorithm>
#include <limits>

namespace otpd {
namespace {

// Lockouts are counted only to decide the back-off, which stops doubling long
// before this; the cap keeps the count from wrapping.
constexpr std::uint32_t kMaxCountedLockouts = 1000;

}  // namespace

FailureOutcome record_failure(const AttemptLimit& limit, std::int64_t now, const LockoutPolicy& policy) {
  FailureOutcome out{limit, false};
  // Saturating: a count read back from the database may hold any value.
  if (out.limit.failures < std::numeric_limits<std::uint32_t>::max()) out.limit.failures += 1;
  if (out.limit.failures < policy.max_failures) return out;

  // The back-off reaches the cap long before 30 doublings; with lockout at most a
  // day (the configuration's bound, 17 bits) the shift cannot overflow.
  const std::uint32_t doublings = std::min<std::uint32_t>(out.limit.lockouts, 30);
  const std::int64_t first = std::clamp<std::int64_t>(policy.lockout, 1, 86400);
  const std::int64_t backoff = std::min(first << doublings, policy.lockout_max);
  out.limit.failures = 0;
  out.limit.lockouts = std::min(out.limit.lockouts, kMaxCountedLockouts - 1) + 1;
  out.limit.locked_until = now + backoff;
  out.lockout_started = true;
  return out;
}

}  // namespace otpd
