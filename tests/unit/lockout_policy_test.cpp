// Failure counting and the doubling lockout back-off.
#include "core/lockout_policy.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace otpd {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
const LockoutPolicy kPolicy{5, 30, 900};

// Fails `count` times at `now`, carrying the counter from one failure to the next.
FailureOutcome fail_times(AttemptLimit limit, int count, std::int64_t now = kNow,
                          const LockoutPolicy& policy = kPolicy) {
  FailureOutcome outcome{limit, false};
  for (int i = 0; i < count; ++i) outcome = record_failure(outcome.limit, now, policy);
  return outcome;
}

TEST(LockoutPolicy, DefaultsMatchTheDesign) {
  const LockoutPolicy policy;
  EXPECT_EQ(policy.max_failures, 5U);
  EXPECT_EQ(policy.lockout, 30);
  EXPECT_EQ(policy.lockout_max, 900);
}

TEST(LockoutPolicy, FailuresBelowTheMaximumDoNotLock) {
  AttemptLimit limit;
  for (std::uint32_t i = 1; i < kPolicy.max_failures; ++i) {
    const auto outcome = record_failure(limit, kNow, kPolicy);
    EXPECT_FALSE(outcome.lockout_started) << i;
    EXPECT_EQ(outcome.limit.failures, i);
    EXPECT_EQ(outcome.limit.locked_until, 0);
    EXPECT_FALSE(is_locked(outcome.limit, kNow));
    limit = outcome.limit;
  }
}

TEST(LockoutPolicy, TheMaxthFailureLocksForTheFirstLockout) {
  const auto outcome = fail_times({}, 5);
  EXPECT_TRUE(outcome.lockout_started);
  EXPECT_EQ(outcome.limit.locked_until, kNow + 30);
  EXPECT_EQ(outcome.limit.lockouts, 1U);
  EXPECT_EQ(outcome.limit.failures, 0U) << "the count starts again after a lockout";
  EXPECT_TRUE(is_locked(outcome.limit, kNow));
  EXPECT_TRUE(is_locked(outcome.limit, kNow + 29));
  EXPECT_FALSE(is_locked(outcome.limit, kNow + 30));
}

TEST(LockoutPolicy, FurtherLockoutsDoubleUpToTheMaximum) {
  const std::vector<std::int64_t> expected{30, 60, 120, 240, 480, 900, 900, 900};
  AttemptLimit limit;
  std::int64_t now = kNow;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    // Four failures that do not lock, then the fifth that does.
    const auto quiet = fail_times(limit, 4, now);
    EXPECT_FALSE(quiet.lockout_started) << "lockout " << i;
    const auto outcome = record_failure(quiet.limit, now, kPolicy);
    ASSERT_TRUE(outcome.lockout_started) << "lockout " << i;
    EXPECT_EQ(outcome.limit.locked_until - now, expected[i]) << "lockout " << i;
    limit = outcome.limit;
    now = limit.locked_until;  // the next round starts when this lockout ends
  }
}

TEST(LockoutPolicy, TheCounterRestartsAfterALockout) {
  const auto locked = fail_times({}, 5);
  ASSERT_TRUE(locked.lockout_started);
  const auto after = record_failure(locked.limit, kNow + 30, kPolicy);
  EXPECT_FALSE(after.lockout_started);
  EXPECT_EQ(after.limit.failures, 1U);
  EXPECT_EQ(after.limit.lockouts, 1U);
}

TEST(LockoutPolicy, MaxFailuresOfOneLocksOnTheFirstFailure) {
  const auto outcome = record_failure({}, kNow, LockoutPolicy{1, 30, 900});
  EXPECT_TRUE(outcome.lockout_started);
  EXPECT_EQ(outcome.limit.locked_until, kNow + 30);
}

TEST(LockoutPolicy, HugeLockoutCountsStayAtTheMaximumWithoutOverflow) {
  for (const std::uint32_t lockouts : {31U, 63U, 64U, 1000U, 100'000U}) {
    const auto outcome = fail_times(AttemptLimit{4, lockouts, 0}, 1);
    ASSERT_TRUE(outcome.lockout_started) << lockouts;
    EXPECT_EQ(outcome.limit.locked_until, kNow + 900) << lockouts;
    EXPECT_GE(outcome.limit.lockouts, 30U) << "the back-off stays at the cap";
  }
}

// A lockout count at the top of its type (a damaged or hand-edited database row)
// must not wrap to zero and so restart the back-off from 30 s.
TEST(LockoutPolicy, ALockoutCountAtItsLimitDoesNotWrap) {
  const std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
  const auto first = fail_times(AttemptLimit{4, top, 0}, 1);
  ASSERT_TRUE(first.lockout_started);
  EXPECT_EQ(first.limit.locked_until, kNow + 900);
  const auto next = fail_times(first.limit, 5, first.limit.locked_until);
  ASSERT_TRUE(next.lockout_started);
  EXPECT_EQ(next.limit.locked_until - first.limit.locked_until, 900) << "lockouts wrapped to " << first.limit.lockouts;
}

TEST(LockoutPolicy, AFailureCountAtItsLimitStillLocks) {
  const std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
  const auto outcome = record_failure(AttemptLimit{top, 0, 0}, kNow, kPolicy);
  EXPECT_TRUE(outcome.lockout_started) << "failures wrapped to " << outcome.limit.failures;
}

TEST(LockoutPolicy, ALongFirstLockoutIsCapped) {
  const auto outcome = fail_times({}, 5, kNow, LockoutPolicy{5, 3600, 900});
  EXPECT_EQ(outcome.limit.locked_until, kNow + 900);
}

}  // namespace
}  // namespace otpd
