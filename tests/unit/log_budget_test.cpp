#include "service/log_budget.hpp"

#include <gtest/gtest.h>

namespace otpd {
namespace {

constexpr std::uint64_t kSecond = 1'000'000;

TEST(LogBudget, WritesItsLinesThenCountsTheRest) {
  LogBudget budget(3, 60 * kSecond);
  const std::uint64_t start = 1000 * kSecond;
  unsigned written = 0;
  for (int i = 0; i < 1000; ++i) written += budget.take(start + i) ? 1 : 0;
  EXPECT_EQ(written, 3U);
  EXPECT_EQ(budget.summary_due_usec(), start + 60 * kSecond);
  EXPECT_EQ(budget.take_dropped(start + 59 * kSecond), 0U) << "not before the window is over";
  EXPECT_EQ(budget.take_dropped(start + 60 * kSecond), 997U);
  EXPECT_EQ(budget.summary_due_usec(), 0U);
  EXPECT_EQ(budget.take_dropped(start + 61 * kSecond), 0U) << "said once";
  EXPECT_TRUE(budget.take(start + 61 * kSecond)) << "a new window has its own lines";
}

TEST(LogBudget, LinesDroppedAfterTheWindowWaitForItsSummary) {
  LogBudget budget(1, 10 * kSecond);
  EXPECT_TRUE(budget.take(kSecond));
  EXPECT_FALSE(budget.take(2 * kSecond));
  EXPECT_FALSE(budget.take(30 * kSecond)) << "the summary is due first";
  EXPECT_EQ(budget.take_dropped(31 * kSecond), 2U);
  EXPECT_TRUE(budget.take(32 * kSecond));
}

TEST(LogBudget, AQuietSourceIsNeverHeldBack) {
  LogBudget budget(2, 10 * kSecond);
  for (std::uint64_t minute = 1; minute < 100; ++minute) {
    EXPECT_TRUE(budget.take(minute * 60 * kSecond));
    EXPECT_TRUE(budget.take(minute * 60 * kSecond + 1));
  }
  EXPECT_EQ(budget.summary_due_usec(), 0U);
}

}  // namespace
}  // namespace otpd
