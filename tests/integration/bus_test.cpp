// Verify, Status and Reset over a private system bus against the real otpd:
// one-time codes, backup codes, lockout, concurrency, and who may call.
#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "bus_client.hpp"
#include "database_probe.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "protocol.hpp"
#include "run_as.hpp"

namespace otpd::test {
namespace {

std::string wrong_code_for(const Enrolled& enrolled) {
  for (const std::string candidate : {"000000", "111111", "222222"}) {
    bool used = false;
    for (int step = -2; step <= 2; ++step) used = used || totp_code(enrolled.secret, step) == candidate;
    if (!used) return candidate;
  }
  return "333333";
}

class BusTest : public OtpdTest {};

TEST_F(BusTest, ACodeWorksOnce) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string code = totp_code(enrolled.secret);
  const auto first = bus_verify(bus_address(), "daemon", code, "sshd", "192.0.2.7");
  ASSERT_TRUE(first.ok()) << first.error_name << ": " << first.error_message;
  EXPECT_EQ(first.outcome, "ok");
  EXPECT_EQ(first.backup_codes_left, 10U);
  const auto again = bus_verify(bus_address(), "daemon", code);
  EXPECT_EQ(again.outcome, "replayed");
  EXPECT_EQ(again.message, "This code was already used; wait for the next one.");
}

TEST_F(BusTest, AnOlderStepIsRefusedOnceANewerOneWasAccepted) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret, 1)).outcome, "ok");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret, 0)).outcome, "replayed");
}

TEST_F(BusTest, WrongAndOutOfWindowCodesAreInvalid) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", wrong_code_for(enrolled)).outcome, "invalid");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret, 3)).outcome, "invalid");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", "12345").outcome, "invalid");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", "").outcome, "invalid");
}

TEST_F(BusTest, ABackupCodeLogsInOnceAndSaysHowManyAreLeft) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const auto reply = bus_verify(bus_address(), "daemon", enrolled.backup_codes[0]);
  EXPECT_EQ(reply.outcome, "ok_backup");
  EXPECT_EQ(reply.backup_codes_left, 9U);
  EXPECT_EQ(reply.message, "Backup code accepted; 9 left.");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", enrolled.backup_codes[0]).outcome, "invalid");
}

TEST_F(BusTest, AUserWithoutEnrollmentIsNotEnrolled) {
  const auto reply = bus_verify(bus_address(), "bin", "123456");
  EXPECT_EQ(reply.outcome, "not_enrolled");
  ASSERT_EQ(http_post(socket(), "/v2/auth/otp/enable", nlohmann::json::object(), {{"X-OTP-User", "bin"}}).status, 200);
  EXPECT_EQ(bus_verify(bus_address(), "bin", "123456").outcome, "not_enrolled") << "pending is not enrolled";
}

TEST_F(BusTest, FiveFailuresLockTheUserOutEvenForTheRightCode) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string wrong = wrong_code_for(enrolled);
  for (int attempt = 1; attempt < 5; ++attempt)
    EXPECT_EQ(bus_verify(bus_address(), "daemon", wrong).outcome, "invalid");
  const auto fifth = bus_verify(bus_address(), "daemon", wrong);
  EXPECT_EQ(fifth.outcome, "invalid");
  EXPECT_NE(fifth.message.find("Too many failed attempts; try again in"), std::string::npos) << fifth.message;
  const auto locked = bus_verify(bus_address(), "daemon", totp_code(enrolled.secret));
  EXPECT_EQ(locked.outcome, "locked");
  EXPECT_NE(locked.message.find("try again in"), std::string::npos);
  const auto status = bus_status(bus_address(), "daemon");
  EXPECT_GT(status.status.at("locked_until"), static_cast<std::uint64_t>(std::time(nullptr)));
}

TEST_F(BusTest, ALockoutSurvivesARestart) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  for (int attempt = 0; attempt < 5; ++attempt) (void)bus_verify(bus_address(), "daemon", wrong_code_for(enrolled));
  env().otpd.restart();
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret)).outcome, "locked");
}

TEST_F(BusTest, AReplayCountsAsAFailure) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string code = totp_code(enrolled.secret);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", code).outcome, "ok");
  for (int attempt = 0; attempt < 5; ++attempt) (void)bus_verify(bus_address(), "daemon", code);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret, 1)).outcome, "locked");
}

// Found in a review: once otpd's clock was stepped back behind a watermark, every
// right code was a replay that counted, and the user was locked out. The step back
// is played by moving the watermark 20 steps ahead, as a login at the later time
// would have left it.
TEST_F(BusTest, AClockBehindTheWatermarkRefusesRightCodesWithoutALockoutAndSaysSoOnce) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  ASSERT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret)).outcome, "ok");
  move_watermark_ahead(env().otpd.paths().database, "daemon", 20);
  for (int attempt = 0; attempt < 7; ++attempt) {
    const auto refused = bus_verify(bus_address(), "daemon", totp_code(enrolled.secret, attempt % 2));
    EXPECT_EQ(refused.outcome, "replayed") << attempt;
    EXPECT_NE(refused.message.find("clock is behind"), std::string::npos) << refused.message;
  }
  const auto status = bus_status(bus_address(), "daemon");
  EXPECT_GE(status.status.at(std::string(protocol::kStatusKeyClockSkew)), 19U * 30U);
  EXPECT_EQ(status.status.at(std::string(protocol::kStatusKeyLockedUntil)), 0U) << "seven right codes locked nobody";
  const std::string log = env().otpd.log_text();
  std::size_t reported = 0;
  for (auto at = log.find("clock_skew user=daemon"); at != std::string::npos; at = log.find("clock_skew", at + 1)) {
    ++reported;
  }
  EXPECT_EQ(reported, 1U) << log;
  EXPECT_EQ(log.find("login_failure"), std::string::npos) << "nothing for fail2ban to ban the user for\n" << log;
  EXPECT_EQ(bus_verify(bus_address(), "daemon", wrong_code_for(enrolled)).outcome, "invalid");
}

TEST_F(BusTest, TwentyConcurrentAttemptsWithOneCodeGiveExactlyOneSuccess) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string code = totp_code(enrolled.secret);
  std::vector<std::string> outcomes(20);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    threads.emplace_back([&, i] { outcomes[i] = bus_verify(bus_address(), "daemon", code).outcome; });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "ok"), 1);
  // Four of the nineteen replays lock the user out; the rest find the lock.
  EXPECT_EQ(
      std::count(outcomes.begin(), outcomes.end(), "replayed") + std::count(outcomes.begin(), outcomes.end(), "locked"),
      19);
}

TEST_F(BusTest, StatusAndReset) {
  (void)enroll_as_root(socket(), "daemon");
  const auto status = bus_status(bus_address(), "daemon");
  ASSERT_TRUE(status.ok()) << status.error_message;
  EXPECT_EQ(status.status,
            (std::map<std::string, std::uint64_t>{
                {"enabled", 1}, {"pending", 0}, {"backup_codes_left", 10}, {"locked_until", 0}, {"clock_skew", 0}}));
  ASSERT_TRUE(bus_reset(bus_address(), "daemon").ok());
  EXPECT_EQ(bus_status(bus_address(), "daemon").status.at("enabled"), 0U);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", "123456").outcome, "not_enrolled");
}

TEST_F(BusTest, MalformedArgumentsAreRefusedWithANamedError) {
  const std::string invalid(protocol::bus_error::kInvalidArgument);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", std::string(65, '1')).error_name, invalid);
  EXPECT_EQ(bus_verify(bus_address(), "", "123456").error_name, invalid);
  EXPECT_EQ(bus_verify(bus_address(), "a:b", "123456").error_name, invalid);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", "1", std::string(300, 's')).error_name, invalid);
  EXPECT_EQ(bus_status(bus_address(), std::string(300, 'u')).error_name, invalid);
}

TEST_F(BusTest, AnUnprivilegedCallerIsRefusedByTheBusPolicy) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  for (const auto& reply :
       {deserialize_bus_reply(run_as(
            kNobodyUid, [&] { return serialize(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret))); })),
        deserialize_bus_reply(run_as(kNobodyUid, [&] { return serialize(bus_status(bus_address(), "daemon")); })),
        deserialize_bus_reply(run_as(kNobodyUid, [&] { return serialize(bus_reset(bus_address(), "daemon")); }))}) {
    EXPECT_EQ(reply.error_name, "org.freedesktop.DBus.Error.AccessDenied");
  }
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret)).outcome, "ok") << "the code stayed unused";
}

class PermissiveBusTest : public OtpdTest {
 protected:
  std::vector<std::filesystem::path> policies() const override { return {permissive_test_policy_file()}; }
};

TEST_F(PermissiveBusTest, OtpdItselfRefusesAnUnprivilegedCaller) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string denied(protocol::bus_error::kAccessDenied);
  const auto verify = deserialize_bus_reply(
      run_as(kNobodyUid, [&] { return serialize(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret))); }));
  EXPECT_EQ(verify.error_name, denied);
  EXPECT_EQ(deserialize_bus_reply(run_as(kDaemonUid, [&] { return serialize(bus_reset(bus_address(), "daemon")); }))
                .error_name,
            denied);
  EXPECT_EQ(bus_status(bus_address(), "daemon").status.at("enabled"), 1U);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret)).outcome, "ok");
}

}  // namespace
}  // namespace otpd::test
