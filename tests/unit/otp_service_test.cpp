// The verification service end to end on a real SQLite file: enrollment, login,
// replay, backup codes, lockout, and what reaches the disk.
#include "service/otp_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base32.hpp"
#include "core/hash_executor.hpp"
#include "core/otpauth_uri.hpp"
#include "core/totp.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using protocol::Outcome;
using test::must;

constexpr std::int64_t kStart = 1'700'000'010;  // the first second of step 56666667
constexpr std::int64_t kPeriod = 30;

std::string upper(std::string text) {
  for (char& c : text) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return text;
}

struct Enrolled {
  std::vector<std::uint8_t> secret;
  std::vector<std::string> backup_codes;
};

class OtpServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  // A store and a service on the test's database file, as a restarted otpd has.
  void open() {
    service.reset();
    store.reset();
    store.emplace(must(Store::open(db_path), "Store::open"));
    service.emplace(*store, sealer, clock, policy, BackupCodeHasher(1000));
  }

  std::string code_at(const std::vector<std::uint8_t>& secret, std::int64_t step_offset = 0) const {
    const std::uint64_t step = *totp_step(clock.now(), kPeriod) + static_cast<std::uint64_t>(step_offset);
    const auto code = hotp(secret, step, HashAlgorithm::sha1, 6);
    return code ? std::string(code->view()) : std::string();
  }

  // A code that no step of the window (+-1) accepts now.
  std::string wrong_code(const std::vector<std::uint8_t>& secret) const {
    const std::array<std::string, 3> window{code_at(secret, -1), code_at(secret), code_at(secret, 1)};
    for (char digit = '0';; ++digit) {
      const std::string candidate(6, digit);
      if (std::find(window.begin(), window.end(), candidate) == window.end()) return candidate;
    }
  }

  EnableResult enable(const std::string& user, EnableStyle style = {false, false}) {
    auto result = must(service->enable(user, style), "enable");
    EXPECT_EQ(result.status, FlowStatus::done);
    return result;
  }

  static std::vector<std::uint8_t> secret_of(const EnableResult& enabled) {
    return base32_decode(enabled.secret_base32.view()).value_or(std::vector<std::uint8_t>());
  }

  // Enables and confirms `user` with the current step's code, then moves the clock
  // to the next step so that a fresh code is at hand.
  Enrolled enroll(const std::string& user) {
    Enrolled enrolled{secret_of(enable(user)), {}};
    const auto confirmed = must(service->confirm(user, code_at(enrolled.secret)), "confirm");
    EXPECT_EQ(confirmed.status, FlowStatus::done);
    enrolled.backup_codes = test::texts_of(confirmed.backup_codes);
    clock.advance(kPeriod);
    return enrolled;
  }

  LoginResult login(const std::string& user, std::string_view code) {
    return must(service->verify_login(user, code), "verify_login");
  }

  // `times` failed logins with a wrong code; the last one's answer.
  LoginResult fail_logins(const std::string& user, const std::vector<std::uint8_t>& secret, int times) {
    LoginResult last;
    for (int i = 0; i < times; ++i) last = login(user, wrong_code(secret));
    return last;
  }

  CodeFlowResult confirm(const std::string& user, std::string_view code) {
    return must(service->confirm(user, code), "confirm");
  }

  CodeFlowResult disable(const std::string& user, std::string_view code) {
    return must(service->disable(user, code), "disable");
  }

  CodeFlowResult regenerate(const std::string& user, std::string_view code) {
    return must(service->regenerate_backup_codes(user, code), "regenerate_backup_codes");
  }

  UserStatus status(const std::string& user) { return must(service->status(user), "status"); }

  AttemptLimit stored_limit(const std::string& user) { return must(store->attempt_limit(user)); }

  test::TempDir dir;
  std::filesystem::path db_path = dir / "otpd.db";
  ManualClock clock{kStart};
  SecretSealer sealer{test::test_key()};
  ServicePolicy policy;
  std::optional<Store> store;
  std::optional<OtpService> service;
};

TEST_F(OtpServiceTest, EnableHandsOutWhatTheAuthenticatorNeeds) {
  const auto enabled = enable("alice", EnableStyle{true, false});
  ASSERT_EQ(enabled.secret_base32.size(), 32U);
  EXPECT_EQ(secret_of(enabled).size(), kSecretBytes);
  EXPECT_EQ(enabled.otpauth_uri.view(),
            otpauth_uri("otpd", "alice", enabled.secret_base32.view(), TotpParameters{}).view());
  ASSERT_GT(enabled.qr_png.size(), 8U);
  EXPECT_EQ(enabled.qr_png[1], 'P');
  EXPECT_EQ(enabled.expires_at, kStart + 600);
  EXPECT_TRUE(enabled.backup_codes.empty());
}

TEST_F(OtpServiceTest, EnableWithoutQrLeavesThePngOut) { EXPECT_TRUE(enable("alice").qr_png.empty()); }

TEST_F(OtpServiceTest, EveryEnrollmentGetsItsOwnSecret) {
  EXPECT_NE(enable("alice").secret_base32.view(), enable("bob").secret_base32.view());
}

TEST_F(OtpServiceTest, EnableConfirmLoginAndReplay) {
  const auto secret = secret_of(enable("alice"));
  const auto confirmed = confirm("alice", code_at(secret));
  ASSERT_EQ(confirmed.status, FlowStatus::done);
  EXPECT_EQ(confirmed.backup_codes.size(), 10U);

  clock.advance(kPeriod);
  const std::string code = code_at(secret);
  const auto first = login("alice", code);
  EXPECT_EQ(first.outcome, Outcome::ok);
  EXPECT_EQ(first.backup_codes_left, 10U);

  const auto again = login("alice", code);
  EXPECT_EQ(again.outcome, Outcome::replayed);
  EXPECT_TRUE(again.attempt.replayed);

  const auto older = login("alice", code_at(secret, -1));
  EXPECT_EQ(older.outcome, Outcome::replayed) << "an older step of the window is a replay too";

  const auto wrong = login("alice", wrong_code(secret));
  EXPECT_EQ(wrong.outcome, Outcome::invalid);
  EXPECT_FALSE(wrong.attempt.replayed);
  EXPECT_EQ(stored_limit("alice").failures, 3U) << "replays count as failures";
}

TEST_F(OtpServiceTest, TheNextStepAfterALoginWorks) {
  const auto enrolled = enroll("alice");
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok);
  EXPECT_EQ(login("alice", code_at(enrolled.secret, 1)).outcome, Outcome::ok) << "a fast clock";
  clock.advance(2 * kPeriod);
  EXPECT_EQ(login("alice", code_at(enrolled.secret, 1)).outcome, Outcome::ok);
}

TEST_F(OtpServiceTest, TheConfirmingCodeCannotLogIn) {
  const auto secret = secret_of(enable("alice"));
  const std::string code = code_at(secret);
  ASSERT_EQ(confirm("alice", code).status, FlowStatus::done);
  EXPECT_EQ(login("alice", code).outcome, Outcome::replayed);
}

TEST_F(OtpServiceTest, EnableWhileActiveIsRefused) {
  const auto enrolled = enroll("alice");
  const auto again = must(service->enable("alice", EnableStyle{}));
  EXPECT_EQ(again.status, FlowStatus::already_active);
  EXPECT_TRUE(again.secret_base32.empty());
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok) << "the old secret stays";
}

TEST_F(OtpServiceTest, EnableAgainWhilePendingReplacesTheSecret) {
  const auto old_secret = secret_of(enable("alice"));
  const auto new_secret = secret_of(enable("alice"));
  ASSERT_NE(old_secret, new_secret);
  // Move to a step where the old secret's code is not, by chance, also a new one.
  while (code_at(old_secret) == code_at(new_secret, -1) || code_at(old_secret) == code_at(new_secret) ||
         code_at(old_secret) == code_at(new_secret, 1)) {
    clock.advance(kPeriod);
  }
  const auto with_old = confirm("alice", code_at(old_secret));
  EXPECT_EQ(with_old.status, FlowStatus::invalid_code);
  EXPECT_EQ(confirm("alice", code_at(new_secret)).status, FlowStatus::done);
}

TEST_F(OtpServiceTest, ConfirmAfterTheTtlIsExpiredAndForgetsTheEnrollment) {
  const auto secret = secret_of(enable("alice"));
  clock.advance(policy.enrollment_ttl);
  EXPECT_FALSE(status("alice").pending);
  EXPECT_EQ(confirm("alice", code_at(secret)).status, FlowStatus::expired);
  EXPECT_EQ(must(store->find_enrollment("alice")), std::nullopt);
  EXPECT_EQ(confirm("alice", code_at(secret)).status, FlowStatus::no_pending);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "an expired enrollment is no failed attempt";
}

TEST_F(OtpServiceTest, ConfirmJustBeforeTheTtlWorks) {
  const auto secret = secret_of(enable("alice"));
  clock.advance(policy.enrollment_ttl - 1);
  EXPECT_TRUE(status("alice").pending);
  EXPECT_EQ(confirm("alice", code_at(secret)).status, FlowStatus::done);
}

TEST_F(OtpServiceTest, ConfirmWithoutAnEnrollmentHasNothingPending) {
  EXPECT_EQ(confirm("alice", "123456").status, FlowStatus::no_pending);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{});
}

TEST_F(OtpServiceTest, ConfirmWhileActiveIsRefused) {
  const auto enrolled = enroll("alice");
  EXPECT_EQ(confirm("alice", code_at(enrolled.secret)).status, FlowStatus::already_active);
}

TEST_F(OtpServiceTest, AWrongConfirmingCodeCountsAndKeepsThePendingEnrollment) {
  const auto secret = secret_of(enable("alice"));
  const auto wrong = confirm("alice", wrong_code(secret));
  EXPECT_EQ(wrong.status, FlowStatus::invalid_code);
  EXPECT_EQ(stored_limit("alice").failures, 1U);
  EXPECT_TRUE(status("alice").pending);
  EXPECT_EQ(confirm("alice", code_at(secret)).status, FlowStatus::done);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "a success resets the counter";
}

TEST_F(OtpServiceTest, PreissuedBackupCodesBecomeValidOnConfirm) {
  const auto enabled = enable("alice", EnableStyle{false, true});
  ASSERT_EQ(enabled.backup_codes.size(), 10U);
  const auto secret = secret_of(enabled);

  EXPECT_EQ(login("alice", enabled.backup_codes[0].view()).outcome, Outcome::not_enrolled);
  EXPECT_EQ(confirm("alice", enabled.backup_codes[0].view()).status, FlowStatus::invalid_code)
      << "a backup code cannot confirm";
  const auto confirmed = confirm("alice", code_at(secret));
  ASSERT_EQ(confirmed.status, FlowStatus::done);
  EXPECT_TRUE(confirmed.backup_codes.empty()) << "they were handed out at enable";
  EXPECT_FALSE(must(store->find_enrollment("alice"))->backup_codes_preissued);

  const auto with_backup = login("alice", enabled.backup_codes[0].view());
  EXPECT_EQ(with_backup.outcome, Outcome::ok_backup);
  EXPECT_EQ(with_backup.backup_codes_left, 9U);
}

TEST_F(OtpServiceTest, EnableAgainDropsPreissuedBackupCodes) {
  const auto first = enable("alice", EnableStyle{false, true});
  const auto secret = secret_of(enable("alice"));
  const auto confirmed = confirm("alice", code_at(secret));
  ASSERT_EQ(confirmed.status, FlowStatus::done);
  EXPECT_EQ(confirmed.backup_codes.size(), 10U);
  EXPECT_EQ(login("alice", first.backup_codes[0].view()).outcome, Outcome::invalid);
  EXPECT_EQ(login("alice", confirmed.backup_codes[0].view()).outcome, Outcome::ok_backup);
}

TEST_F(OtpServiceTest, BackupCodeLogsInOnce) {
  const auto enrolled = enroll("alice");
  const auto first = login("alice", enrolled.backup_codes[0]);
  EXPECT_EQ(first.outcome, Outcome::ok_backup);
  EXPECT_EQ(first.backup_codes_left, 9U);
  const auto reuse = login("alice", enrolled.backup_codes[0]);
  EXPECT_EQ(reuse.outcome, Outcome::invalid);
  EXPECT_EQ(reuse.backup_codes_left, 9U);
  EXPECT_EQ(stored_limit("alice").failures, 1U);
}

TEST_F(OtpServiceTest, BackupCodesAreAcceptedInAnyCaseWithOrWithoutTheDash) {
  const auto enrolled = enroll("alice");
  const auto& codes = enrolled.backup_codes;
  const std::string no_dash = codes[1].substr(0, 4) + codes[1].substr(5);
  const std::string spaced = " " + codes[2].substr(0, 4) + " " + codes[2].substr(5) + " ";
  for (const auto& variant : {upper(codes[0]), no_dash, spaced, upper(codes[3].substr(0, 4)) + codes[3].substr(5)}) {
    EXPECT_EQ(login("alice", variant).outcome, Outcome::ok_backup) << variant;
  }
  EXPECT_EQ(status("alice").backup_codes_left, 6U);
}

TEST_F(OtpServiceTest, TheFifthFailureLocksAndTheRightCodeWorksAfterwards) {
  const auto enrolled = enroll("alice");
  const std::string wrong = wrong_code(enrolled.secret);
  for (int i = 1; i < 5; ++i) {
    const auto attempt = login("alice", wrong);
    EXPECT_EQ(attempt.outcome, Outcome::invalid) << i;
    EXPECT_FALSE(attempt.attempt.lockout_started) << i;
  }
  const auto fifth = login("alice", wrong);
  EXPECT_EQ(fifth.outcome, Outcome::invalid);
  EXPECT_TRUE(fifth.attempt.lockout_started);
  EXPECT_EQ(fifth.attempt.locked_until, clock.now() + 30);
  EXPECT_EQ(fifth.attempt.retry_after(clock.now()), 30);

  const auto sixth = login("alice", code_at(enrolled.secret));
  EXPECT_EQ(sixth.outcome, Outcome::locked) << "the right code is not even looked at";
  EXPECT_EQ(sixth.attempt.locked_until, clock.now() + 30);
  EXPECT_EQ(status("alice").locked_until, clock.now() + 30);

  clock.advance(29);
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::locked);
  clock.advance(1);
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "a success resets counter and lockouts";
  EXPECT_EQ(status("alice").locked_until, 0);
}

TEST_F(OtpServiceTest, ASecondLockoutLastsTwiceAsLong) {
  const auto enrolled = enroll("alice");
  ASSERT_TRUE(fail_logins("alice", enrolled.secret, 5).attempt.lockout_started);
  clock.advance(30);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(login("alice", wrong_code(enrolled.secret)).outcome, Outcome::invalid);
  const auto second = login("alice", wrong_code(enrolled.secret));
  EXPECT_TRUE(second.attempt.lockout_started);
  EXPECT_EQ(second.attempt.locked_until, clock.now() + 60);
}

TEST_F(OtpServiceTest, OneCounterForLoginDisableAndRegenerate) {
  const auto enrolled = enroll("alice");
  const std::string wrong = wrong_code(enrolled.secret);
  EXPECT_EQ(disable("alice", wrong).status, FlowStatus::invalid_code);
  EXPECT_EQ(regenerate("alice", wrong).status, FlowStatus::invalid_code);
  EXPECT_EQ(login("alice", wrong).outcome, Outcome::invalid);
  EXPECT_EQ(disable("alice", wrong).status, FlowStatus::invalid_code);
  EXPECT_EQ(stored_limit("alice").failures, 4U);
  const auto fifth = regenerate("alice", wrong);
  EXPECT_EQ(fifth.status, FlowStatus::invalid_code);
  EXPECT_TRUE(fifth.attempt.lockout_started);

  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::locked);
  EXPECT_EQ(disable("alice", code_at(enrolled.secret)).status, FlowStatus::locked);
  EXPECT_EQ(regenerate("alice", enrolled.backup_codes[0]).status, FlowStatus::locked);
  EXPECT_TRUE(status("alice").enabled);
}

TEST_F(OtpServiceTest, ConfirmFailuresCountAndLockToo) {
  const auto secret = secret_of(enable("alice"));
  for (int i = 1; i < 5; ++i) EXPECT_EQ(confirm("alice", wrong_code(secret)).status, FlowStatus::invalid_code);
  EXPECT_EQ(stored_limit("alice").failures, 4U);
  const auto fifth = confirm("alice", wrong_code(secret));
  EXPECT_EQ(fifth.status, FlowStatus::invalid_code);
  EXPECT_TRUE(fifth.attempt.lockout_started);
  const auto locked = confirm("alice", code_at(secret));
  EXPECT_EQ(locked.status, FlowStatus::locked);
  EXPECT_EQ(locked.attempt.locked_until, clock.now() + 30);
  clock.advance(30);
  EXPECT_EQ(confirm("alice", code_at(secret)).status, FlowStatus::done);
}

TEST_F(OtpServiceTest, ALockoutSurvivesARestart) {
  const auto enrolled = enroll("alice");
  ASSERT_TRUE(fail_logins("alice", enrolled.secret, 5).attempt.lockout_started);
  const std::int64_t locked_until = clock.now() + 30;
  open();
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::locked);
  EXPECT_EQ(status("alice").locked_until, locked_until);
  clock.advance(30);
  open();
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok);
}

TEST_F(OtpServiceTest, AFailureCountSurvivesARestart) {
  const auto enrolled = enroll("alice");
  (void)fail_logins("alice", enrolled.secret, 4);
  open();
  EXPECT_TRUE(login("alice", wrong_code(enrolled.secret)).attempt.lockout_started);
}

TEST_F(OtpServiceTest, OneUsersLockoutDoesNotLockAnother) {
  const auto alice = enroll("alice");
  const auto bob = enroll("bob");
  ASSERT_TRUE(fail_logins("alice", alice.secret, 5).attempt.lockout_started);
  EXPECT_EQ(login("alice", code_at(alice.secret)).outcome, Outcome::locked);
  EXPECT_EQ(login("bob", code_at(bob.secret)).outcome, Outcome::ok);
}

TEST_F(OtpServiceTest, RegenerateReplacesTheBackupCodes) {
  const auto enrolled = enroll("alice");
  const auto regenerated = regenerate("alice", code_at(enrolled.secret));
  ASSERT_EQ(regenerated.status, FlowStatus::done);
  ASSERT_EQ(regenerated.backup_codes.size(), 10U);
  EXPECT_FALSE(regenerated.used_backup_code);
  for (const auto& code : test::texts_of(regenerated.backup_codes)) {
    EXPECT_EQ(std::count(enrolled.backup_codes.begin(), enrolled.backup_codes.end(), code), 0) << code;
  }
  EXPECT_EQ(login("alice", enrolled.backup_codes[1]).outcome, Outcome::invalid) << "old codes die";
  EXPECT_EQ(login("alice", regenerated.backup_codes[1].view()).outcome, Outcome::ok_backup);
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::replayed) << "the code that regenerated is used";
}

TEST_F(OtpServiceTest, RegenerateWithABackupCode) {
  const auto enrolled = enroll("alice");
  const auto regenerated = regenerate("alice", enrolled.backup_codes[0]);
  ASSERT_EQ(regenerated.status, FlowStatus::done);
  EXPECT_TRUE(regenerated.used_backup_code);
  EXPECT_EQ(status("alice").backup_codes_left, 10U);
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok) << "the watermark did not move";
}

TEST_F(OtpServiceTest, RegenerateAndDisableNeedAnActiveEnrollment) {
  EXPECT_EQ(regenerate("alice", "123456").status, FlowStatus::not_enabled);
  EXPECT_EQ(disable("alice", "123456").status, FlowStatus::not_enabled);
  const auto secret = secret_of(enable("alice"));
  EXPECT_EQ(regenerate("alice", code_at(secret)).status, FlowStatus::not_enabled);
  EXPECT_EQ(disable("alice", code_at(secret)).status, FlowStatus::not_enabled);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{});
}

TEST_F(OtpServiceTest, DisableWithABackupCode) {
  const auto enrolled = enroll("alice");
  const auto disabled = disable("alice", upper(enrolled.backup_codes[4]));
  ASSERT_EQ(disabled.status, FlowStatus::done);
  EXPECT_TRUE(disabled.used_backup_code);
  EXPECT_FALSE(status("alice").enabled);
}

TEST_F(OtpServiceTest, DisableRemovesEverything) {
  const auto enrolled = enroll("alice");
  (void)login("alice", wrong_code(enrolled.secret));
  ASSERT_EQ(disable("alice", code_at(enrolled.secret)).status, FlowStatus::done);

  const auto after = status("alice");
  EXPECT_FALSE(after.enabled);
  EXPECT_FALSE(after.pending);
  EXPECT_EQ(after.backup_codes_left, 0U);
  EXPECT_EQ(after.locked_until, 0);
  EXPECT_EQ(must(store->find_enrollment("alice")), std::nullopt);
  EXPECT_TRUE(must(store->backup_code_hashes("alice")).empty());
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{});
  EXPECT_EQ(login("alice", code_at(enrolled.secret, 1)).outcome, Outcome::not_enrolled);
  EXPECT_EQ(login("alice", enrolled.backup_codes[0]).outcome, Outcome::not_enrolled);
}

TEST_F(OtpServiceTest, DisableWithAReplayedCodeIsRefused) {
  const auto enrolled = enroll("alice");
  const std::string code = code_at(enrolled.secret);
  ASSERT_EQ(login("alice", code).outcome, Outcome::ok);
  const auto refused = disable("alice", code);
  EXPECT_EQ(refused.status, FlowStatus::invalid_code);
  EXPECT_TRUE(refused.attempt.replayed);
  EXPECT_TRUE(status("alice").enabled);
}

// Found in a review: a clock stepped back behind the watermark made every right
// code a replay that counted as a failure, and the lockouts grew until the clock had
// caught up. Now such a code is refused uncounted, once reported per episode, and
// Status says how far behind the clock is.
TEST_F(OtpServiceTest, AClockSteppedBackRefusesRightCodesWithoutCountingThem) {
  const auto enrolled = enroll("alice");
  ASSERT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok);
  clock.advance(-10 * kPeriod);  // the clock is stepped back five minutes
  EXPECT_EQ(status("alice").clock_behind, 10 * kPeriod);
  for (int attempt = 1; attempt <= 7; ++attempt) {
    const auto refused = login("alice", code_at(enrolled.secret));
    EXPECT_EQ(refused.outcome, Outcome::replayed) << attempt;
    EXPECT_EQ(refused.attempt.clock_behind, status("alice").clock_behind) << attempt;
    EXPECT_GT(refused.attempt.clock_behind, 0) << attempt;
    EXPECT_EQ(refused.attempt.clock_skew_started, attempt == 1) << "reported once, at attempt " << attempt;
    clock.advance(attempt % 2 == 0 ? kPeriod : 0);  // a new step's code now and then
  }
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "none of the right codes counted";
  EXPECT_EQ(disable("alice", code_at(enrolled.secret)).attempt.clock_behind, 7 * kPeriod);
  EXPECT_EQ(regenerate("alice", code_at(enrolled.secret)).status, FlowStatus::invalid_code);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "nor in the flows";
  EXPECT_EQ(login("alice", wrong_code(enrolled.secret)).outcome, Outcome::invalid) << "a wrong code still counts";
  EXPECT_EQ(stored_limit("alice").failures, 1U);
  EXPECT_EQ(login("alice", enrolled.backup_codes.at(0)).outcome, Outcome::ok_backup) << "a backup code works";
  clock.advance(8 * kPeriod);  // past the watermark
  EXPECT_EQ(status("alice").clock_behind, 0);
  EXPECT_EQ(login("alice", code_at(enrolled.secret)).outcome, Outcome::ok);
}

TEST_F(OtpServiceTest, AReplayWithinTheWindowIsStillAFailure) {
  const auto enrolled = enroll("alice");
  const std::string ahead = code_at(enrolled.secret, 1);  // a phone a step fast
  ASSERT_EQ(login("alice", ahead).outcome, Outcome::ok);
  const auto again = login("alice", ahead);
  EXPECT_EQ(again.outcome, Outcome::replayed);
  EXPECT_EQ(again.attempt.clock_behind, 0) << "a watermark the window reaches is no skew";
  EXPECT_EQ(stored_limit("alice").failures, 1U);
}

TEST_F(OtpServiceTest, StatusFollowsTheEnrollment) {
  EXPECT_FALSE(status("alice").enabled);
  EXPECT_FALSE(status("alice").pending);

  const auto secret = secret_of(enable("alice"));
  auto now = status("alice");
  EXPECT_FALSE(now.enabled);
  EXPECT_TRUE(now.pending);
  EXPECT_EQ(now.backup_codes_left, 0U);

  const auto confirmed = confirm("alice", code_at(secret));
  ASSERT_EQ(confirmed.status, FlowStatus::done);
  now = status("alice");
  EXPECT_TRUE(now.enabled);
  EXPECT_FALSE(now.pending);
  EXPECT_EQ(now.backup_codes_left, 10U);
  EXPECT_EQ(now.locked_until, 0);

  (void)login("alice", confirmed.backup_codes[0].view());
  EXPECT_EQ(status("alice").backup_codes_left, 9U);
}

TEST_F(OtpServiceTest, ResetForgetsEnrollmentCodesAndFailures) {
  const auto enrolled = enroll("alice");
  ASSERT_TRUE(fail_logins("alice", enrolled.secret, 5).attempt.lockout_started);
  EXPECT_TRUE(must(service->reset("alice")));
  EXPECT_FALSE(status("alice").enabled);
  EXPECT_EQ(status("alice").locked_until, 0);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{});
  EXPECT_TRUE(must(store->backup_code_hashes("alice")).empty());
  EXPECT_FALSE(must(service->reset("alice"))) << "nothing left to reset";
  EXPECT_FALSE(must(service->reset("nobody")));
}

TEST_F(OtpServiceTest, ResetForgetsAPendingEnrollment) {
  (void)enable("alice");
  EXPECT_TRUE(must(service->reset("alice")));
  EXPECT_FALSE(status("alice").pending);
}

TEST_F(OtpServiceTest, AnUnknownUserIsNotEnrolledAndCountsNoFailure) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(login("nobody", "123456").outcome, Outcome::not_enrolled);
  EXPECT_EQ(stored_limit("nobody"), AttemptLimit{});
  EXPECT_EQ(status("nobody").locked_until, 0);
}

TEST_F(OtpServiceTest, APendingUserIsNotEnrolled) {
  const auto secret = secret_of(enable("alice"));
  EXPECT_EQ(login("alice", code_at(secret)).outcome, Outcome::not_enrolled);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{});
  EXPECT_EQ(confirm("alice", code_at(secret)).status, FlowStatus::done) << "the code was not used";
}

TEST_F(OtpServiceTest, ASecretCopiedToAnotherUsersRowDoesNotOpen) {
  (void)enroll("alice");
  const auto bob = enroll("bob");
  auto stolen = *must(store->find_enrollment("alice"));
  auto bob_record = *must(store->find_enrollment("bob"));
  bob_record.sealed_secret = stolen.sealed_secret;
  must(store->put_enrollment(bob_record));
  const auto result = service->verify_login("bob", code_at(bob.secret));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::crypto);
}

TEST_F(OtpServiceTest, TwoConcurrentLoginsWithTheSameCodeOneWins) {
  const auto enrolled = enroll("alice");
  const std::string code = code_at(enrolled.secret);
  Store other_store = must(Store::open(db_path));
  OtpService other(other_store, sealer, clock, policy, BackupCodeHasher(1000));
  std::array<std::optional<Expected<LoginResult>>, 2> results;
  std::thread first([&] { results[0] = service->verify_login("alice", code); });
  std::thread second([&] { results[1] = other.verify_login("alice", code); });
  first.join();
  second.join();
  std::vector<Outcome> outcomes;
  for (const auto& result : results) {
    ASSERT_TRUE(result && *result) << (result && !*result ? (*result).error().message : "no result");
    outcomes.push_back((**result).outcome);
  }
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes, (std::vector<Outcome>{Outcome::ok, Outcome::replayed}));
}

// Nothing a person types or scans may be on disk in clear: not the secret's bytes,
// not its base32 text, not a backup code, in the database or its WAL.
TEST_F(OtpServiceTest, TheDatabaseHoldsNoSecretInClear) {
  const auto enabled = enable("alice", EnableStyle{true, false});
  const auto secret = secret_of(enabled);
  const auto confirmed = confirm("alice", code_at(secret));
  ASSERT_EQ(confirmed.status, FlowStatus::done);
  const auto pending = enable("bob", EnableStyle{false, true});

  auto expect_clean = [&](const std::string& when) {
    const std::string files = test::read_file(db_path) + test::read_file(dir / "otpd.db-wal");
    ASSERT_GT(files.size(), 0U);
    const std::string lower_files = lower(files);
    for (const auto& [name, secret_bytes] :
         {std::pair{"alice", test::text_of(secret)}, std::pair{"bob", test::text_of(secret_of(pending))}}) {
      EXPECT_EQ(files.find(secret_bytes), std::string::npos) << when << ": raw secret of " << name;
    }
    for (const std::string_view text : {enabled.secret_base32.view(), pending.secret_base32.view()}) {
      EXPECT_EQ(lower_files.find(lower(std::string(text))), std::string::npos) << when << ": base32 secret " << text;
    }
    for (const auto& codes : {test::texts_of(confirmed.backup_codes), test::texts_of(pending.backup_codes)}) {
      for (const auto& code : codes) {
        const std::string bare = code.substr(0, 4) + code.substr(5);
        EXPECT_EQ(lower_files.find(code), std::string::npos) << when << ": backup code " << code;
        EXPECT_EQ(lower_files.find(bare), std::string::npos) << when << ": backup code " << bare;
      }
    }
  };
  expect_clean("while open");
  service.reset();
  store.reset();
  expect_clean("after close");
}

}  // namespace
}  // namespace otpd

namespace otpd {
namespace {

TEST_F(OtpServiceTest, HasEnrollmentMatchesTheExactStoredName) {
  EXPECT_FALSE(must(service->has_enrollment("alice")));
  (void)enable("alice");
  EXPECT_TRUE(must(service->has_enrollment("alice"))) << "pending counts";
  EXPECT_FALSE(must(service->has_enrollment("Alice")));
  (void)enroll("bob");
  EXPECT_TRUE(must(service->has_enrollment("bob")));
}

TEST_F(OtpServiceTest, AGroupOfLoginsIsVerifiedInOneCommitAndOnlyOneUseOfACodeWins) {
  const auto alice = enroll("alice");
  const auto bob = enroll("bob");
  const std::string code = code_at(alice.secret);
  const std::vector<LoginAttempt> attempts{{"alice", code, std::nullopt},
                                           {"bob", code_at(bob.secret), std::nullopt},
                                           {"alice", code, std::nullopt},
                                           {"carol", "123456", std::nullopt},
                                           {"bob", "000000", std::nullopt}};
  const auto results = service->verify_logins(attempts);
  ASSERT_EQ(results.size(), attempts.size());
  for (const auto& result : results) ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(results[0]->outcome, Outcome::ok);
  EXPECT_EQ(results[1]->outcome, Outcome::ok);
  EXPECT_EQ(results[2]->outcome, Outcome::replayed) << "the same code twice in one group";
  EXPECT_EQ(results[3]->outcome, Outcome::not_enrolled);
  EXPECT_EQ(results[4]->outcome, Outcome::invalid);
  open();  // what reached the disk
  EXPECT_EQ(stored_limit("alice").failures, 1U) << "the replay in the group counted";
  EXPECT_EQ(stored_limit("bob").failures, 1U) << "in order: bob's success, then his failure";
  EXPECT_EQ(login("alice", code).outcome, Outcome::replayed);
}

TEST_F(OtpServiceTest, AnAttemptThatFailsInAGroupFailsAlone) {
  const auto alice = enroll("alice");
  enroll("bob");
  // bob's sealed secret no longer opens: his attempt is an error, not a verdict.
  auto record = must(store->find_enrollment("bob"));
  ASSERT_TRUE(record);
  record->sealed_secret.back() ^= 1;
  must(store->put_enrollment(*record));
  const std::vector<LoginAttempt> attempts{{"bob", "123456", std::nullopt},
                                           {"alice", code_at(alice.secret), std::nullopt}};
  const auto results = service->verify_logins(attempts);
  ASSERT_EQ(results.size(), 2U);
  EXPECT_FALSE(results[0]);
  ASSERT_TRUE(results[1]);
  EXPECT_EQ(results[1]->outcome, Outcome::ok);
  open();
  EXPECT_EQ(login("alice", code_at(alice.secret)).outcome, Outcome::replayed) << "alice's login was committed";
}

TEST_F(OtpServiceTest, AnEmptyGroupIsNoWork) { EXPECT_TRUE(service->verify_logins({}).empty()); }

TEST_F(OtpServiceTest, ALoginAsksForAHashOnlyWhereABackupCodeCouldMatch) {
  const auto alice = enroll("alice");
  const std::string& backup = alice.backup_codes[0];
  EXPECT_FALSE(must(service->login_backup_code_batch("bob", backup))) << "not enrolled";
  EXPECT_FALSE(must(service->login_backup_code_batch("alice", code_at(alice.secret)))) << "a TOTP code";
  EXPECT_FALSE(must(service->login_backup_code_batch("alice", "not-a-code"))) << "no backup code's shape";
  const auto batch = must(service->login_backup_code_batch("alice", upper(backup)));
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->normalized_codes.size(), 1U);
  EXPECT_EQ(batch->normalized_codes[0].view(), normalize_backup_code(backup)->view()) << "the code as it is hashed";
  EXPECT_EQ(batch->iterations, 1000U);
  EXPECT_EQ(batch->salt, must(store->find_enrollment("alice"))->backup_salt);
  (void)fail_logins("alice", alice.secret, 5);
  EXPECT_FALSE(must(service->login_backup_code_batch("alice", backup))) << "locked: answered so, unhashed";
}

TEST_F(OtpServiceTest, ALoginsCheckComparesTheDigestItIsGivenAndHashesNothing) {
  const auto alice = enroll("alice");
  const std::string& backup = alice.backup_codes[0];
  const std::vector<LoginAttempt> unhashed{{"alice", backup, std::nullopt}};
  const auto refused = service->verify_logins(unhashed);
  ASSERT_TRUE(refused[0]) << refused[0].error().message;
  EXPECT_EQ(refused[0]->outcome, Outcome::invalid) << "without a digest, no backup code matches";

  const auto batch = must(service->login_backup_code_batch("alice", backup));
  ASSERT_TRUE(batch);
  const std::vector<LoginAttempt> hashed{
      {"alice", backup, backup_code_digest(*batch, must(hash_backup_code_batch(*batch)).front())}};
  const auto accepted = service->verify_logins(hashed);
  ASSERT_TRUE(accepted[0]) << accepted[0].error().message;
  EXPECT_EQ(accepted[0]->outcome, Outcome::ok_backup);
  EXPECT_EQ(accepted[0]->backup_codes_left, 9U);
}

TEST_F(OtpServiceTest, ADigestMatchesOnlyTheSetItWasHashedFor) {
  const auto alice = enroll("alice");
  const std::string& old_code = alice.backup_codes[0];
  const auto batch = must(service->login_backup_code_batch("alice", old_code));
  ASSERT_TRUE(batch);
  const BackupCodeDigest digest = backup_code_digest(*batch, must(hash_backup_code_batch(*batch)).front());

  BackupCodeDigest other_salt = digest;
  other_salt.salt.back() ^= 1;
  const std::vector<LoginAttempt> mislabelled{{"alice", old_code, other_salt}};
  EXPECT_EQ(must(service->verify_logins(mislabelled)[0]).outcome, Outcome::invalid) << "said to be another set's";

  ASSERT_EQ(regenerate("alice", code_at(alice.secret)).status, FlowStatus::done);
  const std::vector<LoginAttempt> stale{{"alice", old_code, digest}};
  EXPECT_EQ(must(service->verify_logins(stale)[0]).outcome, Outcome::invalid) << "hashed for the replaced set";
  EXPECT_EQ(status("alice").backup_codes_left, 10U) << "the new set is whole";
}

// An executor that keeps each batch until the test lets it finish: the state can be
// changed between "check + prepare" and "commit", the way a login or another
// request changes it while a worker hashes. No thread: release() hashes inline.
class HeldHashExecutor final : public HashExecutor {
 public:
  HashAdmission submit(std::string_view owner, BackupCodeBatch batch, Done done) override {
    if (admission != HashAdmission::accepted) return admission;
    held.push_back(Held{std::string(owner), std::move(batch), std::move(done)});
    return HashAdmission::accepted;
  }
  void release(std::size_t index = 0) {
    Held job = std::move(held.at(index));
    held.erase(held.begin() + static_cast<std::ptrdiff_t>(index));
    job.done(hash_backup_code_batch(job.batch));
  }
  struct Held {
    std::string owner;
    BackupCodeBatch batch;
    Done done;
  };
  std::vector<Held> held;
  HashAdmission admission = HashAdmission::accepted;
};

class OtpServiceSplitTest : public OtpServiceTest {
 protected:
  // Starts a confirm on the held executor; its answer lands in the returned slot.
  std::shared_ptr<std::optional<CodeFlowResult>> start_confirm(const std::string& user, const std::string& code) {
    auto answer = std::make_shared<std::optional<CodeFlowResult>>();
    service->confirm(user, code, executor, [answer](Expected<CodeFlowResult> result) {
      answer->emplace(must(std::move(result), "confirm"));
    });
    return answer;
  }
  std::shared_ptr<std::optional<CodeFlowResult>> start_regenerate(const std::string& user, const std::string& code) {
    auto answer = std::make_shared<std::optional<CodeFlowResult>>();
    service->regenerate_backup_codes(user, code, executor, [answer](Expected<CodeFlowResult> result) {
      answer->emplace(must(std::move(result), "regenerate"));
    });
    return answer;
  }

  HeldHashExecutor executor;
};

TEST_F(OtpServiceSplitTest, AConfirmWritesNothingUntilItsCodesAreHashed) {
  const auto secret = secret_of(enable("alice"));
  const auto answer = start_confirm("alice", code_at(secret));
  ASSERT_EQ(executor.held.size(), 1U);
  EXPECT_FALSE(answer->has_value());
  EXPECT_EQ(executor.held[0].owner, "alice");
  EXPECT_EQ(executor.held[0].batch.normalized_codes.size(), 10U);
  EXPECT_EQ(executor.held[0].batch.iterations, 1000U);
  EXPECT_TRUE(status("alice").pending) << "not active before the commit";
  EXPECT_EQ(must(store->count_backup_codes("alice")), 0U);

  executor.release();
  ASSERT_TRUE(answer->has_value());
  ASSERT_EQ((*answer)->status, FlowStatus::done);
  ASSERT_EQ((*answer)->backup_codes.size(), 10U);
  EXPECT_TRUE(status("alice").enabled);
  EXPECT_EQ(login("alice", (*answer)->backup_codes[3].view()).outcome, Outcome::ok_backup);
  EXPECT_EQ(login("alice", (*answer)->backup_codes[3].view()).outcome, Outcome::invalid) << "once each";
}

TEST_F(OtpServiceSplitTest, AWrongCodeCountsAtOnceAndIsNeverHashed) {
  const auto secret = secret_of(enable("alice"));
  const auto answer = start_confirm("alice", wrong_code(secret));
  EXPECT_TRUE(executor.held.empty()) << "a wrong code costs no PBKDF2";
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->status, FlowStatus::invalid_code);
  EXPECT_EQ(stored_limit("alice").failures, 1U);

  const auto enrolled = enroll("bob");
  const auto regenerate = start_regenerate("bob", wrong_code(enrolled.secret));
  EXPECT_TRUE(executor.held.empty());
  ASSERT_TRUE(regenerate->has_value());
  EXPECT_EQ((*regenerate)->status, FlowStatus::invalid_code);
  EXPECT_EQ(stored_limit("bob").failures, 1U);
}

TEST_F(OtpServiceSplitTest, AConfirmWhosePendingEnrollmentWasReplacedMeanwhileWritesNothing) {
  const auto old_secret = secret_of(enable("alice"));
  const auto answer = start_confirm("alice", code_at(old_secret));
  const auto new_secret = secret_of(enable("alice"));
  executor.release();
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->status, FlowStatus::changed);
  EXPECT_TRUE((*answer)->backup_codes.empty());
  EXPECT_TRUE(status("alice").pending) << "the new enrollment is untouched";
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "the code was right: no failure";
  EXPECT_EQ(confirm("alice", code_at(new_secret)).status, FlowStatus::done);
}

TEST_F(OtpServiceSplitTest, TwoConfirmsWithTheSameCodeActivateOnce) {
  const auto secret = secret_of(enable("alice"));
  const auto first = start_confirm("alice", code_at(secret));
  const auto second = start_confirm("alice", code_at(secret));
  ASSERT_EQ(executor.held.size(), 2U);
  executor.release(1);
  executor.release(0);
  ASSERT_TRUE(first->has_value() && second->has_value());
  EXPECT_EQ((*second)->status, FlowStatus::done);
  EXPECT_EQ((*first)->status, FlowStatus::already_active) << "never activated twice";
  EXPECT_TRUE((*first)->backup_codes.empty());
  EXPECT_EQ(login("alice", (*second)->backup_codes[0].view()).outcome, Outcome::ok_backup) << "the winner's set stands";
}

TEST_F(OtpServiceSplitTest, AConfirmForAUserLockedMeanwhileIsLockedAndActivatesNothing) {
  const auto secret = secret_of(enable("alice"));
  const auto answer = start_confirm("alice", code_at(secret));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(confirm("alice", wrong_code(secret)).status, FlowStatus::invalid_code);
  executor.release();
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->status, FlowStatus::locked);
  EXPECT_GT((*answer)->attempt.locked_until, clock.now());
  EXPECT_TRUE(status("alice").pending);
  EXPECT_FALSE(status("alice").enabled);
}

TEST_F(OtpServiceSplitTest, AConfirmAfterAResetOrTheTtlMeanwhileFindsNothingToActivate) {
  const auto secret = secret_of(enable("alice"));
  const auto reset_meanwhile = start_confirm("alice", code_at(secret));
  ASSERT_TRUE(must(service->reset("alice")));
  executor.release();
  EXPECT_EQ((*reset_meanwhile)->status, FlowStatus::no_pending);
  EXPECT_EQ(must(store->find_enrollment("alice")), std::nullopt);

  const auto again = secret_of(enable("alice"));
  const auto expired_meanwhile = start_confirm("alice", code_at(again));
  clock.advance(policy.enrollment_ttl);
  executor.release();
  EXPECT_EQ((*expired_meanwhile)->status, FlowStatus::expired);
  EXPECT_EQ(must(store->find_enrollment("alice")), std::nullopt);
}

TEST_F(OtpServiceSplitTest, ARegenerateWhoseCodeALoginUsedMeanwhileIsAReplayAndKeepsTheOldSet) {
  const auto enrolled = enroll("alice");
  const std::string code = code_at(enrolled.secret);
  const auto answer = start_regenerate("alice", code);
  ASSERT_EQ(executor.held.size(), 1U);
  EXPECT_EQ(login("alice", code).outcome, Outcome::ok) << "the code was not used by the waiting regenerate";
  executor.release();
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->status, FlowStatus::invalid_code);
  EXPECT_TRUE((*answer)->attempt.replayed);
  EXPECT_EQ(stored_limit("alice").failures, 1U);
  EXPECT_EQ(login("alice", enrolled.backup_codes[0]).outcome, Outcome::ok_backup) << "the old set is whole";
  EXPECT_EQ(status("alice").backup_codes_left, 9U);
}

TEST_F(OtpServiceSplitTest, ARegenerateCommitsTheNewSetAndUsesItsCode) {
  const auto enrolled = enroll("alice");
  const auto answer = start_regenerate("alice", enrolled.backup_codes[0]);
  EXPECT_EQ(login("alice", enrolled.backup_codes[1]).outcome, Outcome::ok_backup) << "the old set until the commit";
  executor.release();
  ASSERT_EQ((*answer)->status, FlowStatus::done);
  EXPECT_TRUE((*answer)->used_backup_code);
  ASSERT_EQ((*answer)->backup_codes.size(), 10U);
  EXPECT_EQ(login("alice", enrolled.backup_codes[2]).outcome, Outcome::invalid) << "the old set died";
  EXPECT_EQ(login("alice", (*answer)->backup_codes[0].view()).outcome, Outcome::ok_backup);
}

TEST_F(OtpServiceSplitTest, ARegenerateAfterADisableOrANewEnrollmentMeanwhileWritesNothing) {
  const auto enrolled = enroll("alice");
  const auto disabled_meanwhile = start_regenerate("alice", code_at(enrolled.secret));
  ASSERT_EQ(disable("alice", enrolled.backup_codes[0]).status, FlowStatus::done);
  executor.release();
  EXPECT_EQ((*disabled_meanwhile)->status, FlowStatus::not_enabled);
  EXPECT_EQ(must(store->count_backup_codes("alice")), 0U);

  const auto first = enroll("alice");
  const auto replaced_meanwhile = start_regenerate("alice", code_at(first.secret));
  ASSERT_EQ(disable("alice", first.backup_codes[0]).status, FlowStatus::done);
  const auto second = enroll("alice");
  executor.release();
  EXPECT_EQ((*replaced_meanwhile)->status, FlowStatus::changed);
  EXPECT_EQ(login("alice", second.backup_codes[0]).outcome, Outcome::ok_backup) << "the new set is untouched";
}

TEST_F(OtpServiceSplitTest, ASeed004SetupIsWrittenOnceHashedUnlessAConfirmWonMeanwhile) {
  std::optional<EnableResult> setup;
  service->enable("alice", EnableStyle{false, true}, executor,
                  [&setup](Expected<EnableResult> result) { setup.emplace(must(std::move(result), "enable")); });
  EXPECT_FALSE(setup.has_value());
  EXPECT_FALSE(status("alice").pending) << "nothing is written before the hashes";
  executor.release();
  ASSERT_EQ(setup->status, FlowStatus::done);
  ASSERT_EQ(setup->backup_codes.size(), 10U);
  EXPECT_EQ(setup->expires_at, clock.now() + policy.enrollment_ttl);
  EXPECT_EQ(confirm("alice", code_at(secret_of(*setup))).status, FlowStatus::done);
  EXPECT_EQ(login("alice", setup->backup_codes[0].view()).outcome, Outcome::ok_backup);

  const auto bob = secret_of(enable("bob"));
  std::optional<EnableResult> late;
  service->enable("bob", EnableStyle{false, true}, executor,
                  [&late](Expected<EnableResult> result) { late.emplace(must(std::move(result), "enable")); });
  ASSERT_EQ(confirm("bob", code_at(bob)).status, FlowStatus::done);
  executor.release();
  EXPECT_EQ(late->status, FlowStatus::already_active);
  EXPECT_TRUE(late->secret_base32.empty()) << "no secret handed out for an enrollment that was not made";
  EXPECT_EQ(login("bob", code_at(bob, 1)).outcome, Outcome::ok) << "the confirmed secret stays";
}

TEST_F(OtpServiceSplitTest, AFullQueueRefusesWithoutWritingOrUsingTheCode) {
  const auto secret = secret_of(enable("alice"));
  executor.admission = HashAdmission::owner_busy;
  const auto refused = start_confirm("alice", code_at(secret));
  ASSERT_TRUE(refused->has_value());
  EXPECT_EQ((*refused)->status, FlowStatus::user_busy);
  executor.admission = HashAdmission::all_busy;
  EXPECT_EQ((*start_confirm("alice", code_at(secret)))->status, FlowStatus::busy);
  EXPECT_EQ(stored_limit("alice"), AttemptLimit{}) << "a refusal is no failed attempt";
  EXPECT_TRUE(status("alice").pending);
  executor.admission = HashAdmission::accepted;
  const auto accepted = start_confirm("alice", code_at(secret));
  executor.release();
  EXPECT_EQ((*accepted)->status, FlowStatus::done) << "the same code works once there is room";
}

TEST_F(OtpServiceSplitTest, TheSynchronousFlowsGiveWhatTheSplitOnesDo) {
  const auto enabled = must(service->enable("alice", EnableStyle{false, true}));
  ASSERT_EQ(enabled.backup_codes.size(), 10U);
  EXPECT_EQ(confirm("alice", code_at(secret_of(enabled))).status, FlowStatus::done);
  clock.advance(kPeriod);
  const auto regenerated = regenerate("alice", code_at(secret_of(enabled)));
  ASSERT_EQ(regenerated.status, FlowStatus::done);
  EXPECT_EQ(regenerated.backup_codes.size(), 10U);
  EXPECT_TRUE(executor.held.empty());
}

}  // namespace
}  // namespace otpd
