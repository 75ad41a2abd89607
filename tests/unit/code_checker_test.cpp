// Which typed codes a TOTP enrollment accepts: the window, the shape, and the
// replay watermark.
#include "core/code_checker.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/totp.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using test::bytes_of;

const std::vector<std::uint8_t> kSecret = bytes_of("12345678901234567890");
constexpr std::int64_t kNow = 1'700'000'015;  // inside step 56666667
constexpr std::uint64_t kStep = 56'666'667;

std::string code_for(std::uint64_t step, unsigned digits = 6) {
  const auto code = hotp(kSecret, step, HashAlgorithm::sha1, digits);
  return code ? std::string(code->view()) : std::string();
}

EnrollmentRecord active_record(std::optional<std::uint64_t> last_step = std::nullopt) {
  EnrollmentRecord record;
  record.user = "alice";
  record.state = EnrollmentState::active;
  record.last_step = last_step;
  return record;
}

CheckedCode check(const std::string& code, const EnrollmentRecord& record = active_record(), unsigned window = 1,
                  bool enforce_watermark = true, std::int64_t now = kNow) {
  return check_totp(kSecret, record, CodeCheckRequest{code, now, window, enforce_watermark, true});
}

TEST(CheckTotp, TheTestClockIsWhereTheTestsThinkItIs) { ASSERT_EQ(totp_step(kNow, 30), kStep); }

TEST(CheckTotp, AcceptsEveryStepOfTheWindow) {
  for (const unsigned window : {0U, 1U, 2U, 5U}) {
    const auto reach = static_cast<std::int64_t>(window);
    for (std::int64_t offset = -reach; offset <= reach; ++offset) {
      const std::uint64_t step = kStep + static_cast<std::uint64_t>(offset);
      const auto result = check(code_for(step), active_record(), window);
      EXPECT_EQ(result.match, CodeMatch::totp) << "window " << window << " offset " << offset;
      EXPECT_EQ(result.step, step) << "window " << window << " offset " << offset;
    }
  }
}

TEST(CheckTotp, RefusesTheStepsJustOutsideTheWindow) {
  for (const unsigned window : {0U, 1U, 2U, 5U}) {
    EXPECT_EQ(check(code_for(kStep - window - 1), active_record(), window).match, CodeMatch::none)
        << "window " << window;
    EXPECT_EQ(check(code_for(kStep + window + 1), active_record(), window).match, CodeMatch::none)
        << "window " << window;
  }
}

TEST(CheckTotp, WindowIsMeasuredInStepsOfThePeriod) {
  EnrollmentRecord record = active_record();
  record.params.period = 60;
  const std::uint64_t step = *totp_step(kNow, 60);
  EXPECT_EQ(check(code_for(step + 1), record).match, CodeMatch::totp);
  EXPECT_EQ(check(code_for(step + 2), record).match, CodeMatch::none);
}

TEST(CheckTotp, AWindowReachingBeforeTheEpochIsClamped) {
  const auto result = check(code_for(0), active_record(), 3, true, 10);
  EXPECT_EQ(result.match, CodeMatch::totp);
  EXPECT_EQ(result.step, 0U);
}

TEST(CheckTotp, NoStepBeforeTheEpoch) {
  EXPECT_EQ(check(code_for(0), active_record(), 1, true, -1).match, CodeMatch::none);
}

TEST(CheckTotp, HonoursDigitsAndAlgorithm) {
  EnrollmentRecord record = active_record();
  record.params = TotpParameters{HashAlgorithm::sha256, 8, 30};
  const auto code = hotp(kSecret, kStep, HashAlgorithm::sha256, 8);
  ASSERT_TRUE(code);
  EXPECT_EQ(check(std::string(code->view()), record).match, CodeMatch::totp);
  EXPECT_EQ(check(code_for(kStep, 8), record).match, CodeMatch::none) << "a SHA1 code";
  EXPECT_EQ(check(std::string(code->view()).substr(2), record).match, CodeMatch::none) << "6 digits";
}

TEST(CheckTotp, RefusesTheWrongShape) {
  const std::string good = code_for(kStep);
  for (const std::string& bad :
       {good.substr(0, 5), good + "0", "0" + good, good.substr(0, 5) + "a", " " + good.substr(1),
        good.substr(0, 3) + "-" + good.substr(3, 2), std::string(), std::string(6, '\0')}) {
    EXPECT_EQ(check(bad).match, CodeMatch::none) << "'" << bad << "'";
  }
}

TEST(CheckTotp, ASameLengthCodeWithAnotherDigitIsRefused) {
  std::string altered = code_for(kStep);
  altered[5] = altered[5] == '9' ? '0' : static_cast<char>(altered[5] + 1);
  // Another step of the window could, by chance, have this very code.
  if (altered == code_for(kStep - 1) || altered == code_for(kStep + 1)) GTEST_SKIP();
  EXPECT_EQ(check(altered).match, CodeMatch::none);
}

TEST(CheckTotp, EqualOrOlderStepsThanTheWatermarkAreReplays) {
  const EnrollmentRecord record = active_record(kStep);
  for (const std::uint64_t step : {kStep - 1, kStep}) {
    const auto result = check(code_for(step), record);
    EXPECT_EQ(result.match, CodeMatch::totp_replayed) << step;
    EXPECT_EQ(result.step, step);
  }
  EXPECT_EQ(check(code_for(kStep + 1), record).match, CodeMatch::totp);
}

// No code of the window can have moved the watermark past it: the clock was later
// then than it is now. The code is still refused, but as the clock's doing.
TEST(CheckTotp, AWatermarkAheadOfTheWindowIsTheClockBehindNotAReplay) {
  const EnrollmentRecord record = active_record(kStep + 5);
  const auto result = check(code_for(kStep + 1), record);
  EXPECT_EQ(result.match, CodeMatch::totp_clock_behind);
  EXPECT_EQ(result.clock_behind_seconds, 5 * 30);
  EXPECT_EQ(check(code_for(kStep + 1), active_record(kStep + 1)).clock_behind_seconds, 0) << "within the window";
  EXPECT_EQ(check("000000", record).match, CodeMatch::none) << "a wrong code is still wrong";
}

TEST(CheckTotp, WithoutWatermarkEnforcementOldStepsAreAccepted) {
  const EnrollmentRecord record = active_record(kStep + 1);
  for (const std::uint64_t step : {kStep - 1, kStep, kStep + 1}) {
    EXPECT_EQ(check(code_for(step), record, 1, false).match, CodeMatch::totp) << step;
  }
}

// Under the RFC 4226 seed, HOTP counters 153567 and 153569 share the 6-digit code
// 468457 (found by search). With the clock in step 153568 both are in the window.
constexpr std::uint64_t kCollidingEarly = 153'567;
constexpr std::uint64_t kCollidingLate = 153'569;
constexpr std::int64_t kCollisionNow = 153'568 * 30 + 7;

TEST(CheckTotp, TheLatestMatchingStepWins) {
  ASSERT_EQ(code_for(kCollidingEarly), "468457");
  ASSERT_EQ(code_for(kCollidingLate), "468457");
  const auto result = check("468457", active_record(), 1, true, kCollisionNow);
  EXPECT_EQ(result.match, CodeMatch::totp);
  EXPECT_EQ(result.step, kCollidingLate);
}

TEST(CheckTotp, AnEarlierMatchAtTheWatermarkDoesNotHideALaterOne) {
  const auto result = check("468457", active_record(kCollidingEarly), 1, true, kCollisionNow);
  EXPECT_EQ(result.match, CodeMatch::totp);
  EXPECT_EQ(result.step, kCollidingLate);
}

TEST(LooksLikeTotp, DigitsOfTheRightCountOnly) {
  EXPECT_TRUE(looks_like_totp("012345", 6));
  EXPECT_TRUE(looks_like_totp("0123456", 7));
  EXPECT_TRUE(looks_like_totp("01234567", 8));
  EXPECT_FALSE(looks_like_totp("012345", 8));
  EXPECT_FALSE(looks_like_totp("01234a", 6));
  EXPECT_FALSE(looks_like_totp("01234\xD9", 6));
  EXPECT_FALSE(looks_like_totp("", 6));
  EXPECT_FALSE(looks_like_totp("abcd-efg", 8));
}

}  // namespace
}  // namespace otpd
