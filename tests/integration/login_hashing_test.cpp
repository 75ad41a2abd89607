// A login with a backup code has its code hashed (one PBKDF2 run) on threads of
// otpd's own, off the event loop: other logins are answered meanwhile, and how many
// logins may wait for a hash is bounded, per user by the failure limit. Orderings
// are asserted, not timings: the calls go pipelined on one bus connection, which
// otpd receives in the order they were sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "otpd_environment.hpp"
#include "protocol.hpp"

namespace otpd::test {
namespace {

// Has a backup code's shape; matches none of a set (checked against it).
const std::string kWrongBackupCode = "zzzz-zzzz";

std::size_t position_of(const std::vector<std::size_t>& answer_order, std::size_t call) {
  return static_cast<std::size_t>(std::find(answer_order.begin(), answer_order.end(), call) - answer_order.begin());
}

class LoginHashingTest : public OtpdTest {
 protected:
  // Every one of the flood's wrong codes is looked at (and hashed), none answered
  // `locked` unhashed; and a user may have that many logins waiting for a hash.
  std::string config_text() const override { return "[policy]\nmax_failures = 100\n"; }
};

TEST_F(LoginHashingTest, ATotpLoginIsAnsweredWhileBackupCodeLoginsWaitForTheirHashes) {
  const Enrolled daemon = enroll_as_root(socket(), "daemon");
  const Enrolled bin = enroll_as_root(socket(), "bin");
  ASSERT_EQ(std::count(daemon.backup_codes.begin(), daemon.backup_codes.end(), kWrongBackupCode), 0);
  constexpr std::size_t kHashed = 16;  // 8 PBKDF2 runs one after another on each of two threads
  std::vector<VerifyCall> calls(kHashed, VerifyCall{"daemon", kWrongBackupCode});
  calls.push_back(VerifyCall{"bin", totp_code(bin.secret)});

  const auto answered = bus_verify_pipelined(bus_address(), calls);

  for (std::size_t i = 0; i < kHashed; ++i) {
    ASSERT_TRUE(answered.replies[i].ok()) << i << ": " << answered.replies[i].error_name;
    EXPECT_EQ(answered.replies[i].outcome, "invalid") << i;
  }
  ASSERT_TRUE(answered.replies[kHashed].ok()) << answered.replies[kHashed].error_message;
  EXPECT_EQ(answered.replies[kHashed].outcome, "ok");
  // Sent last, so otpd saw it last; with the hashing on its loop, it would have
  // been answered last too.
  const std::size_t position = position_of(answered.answer_order, kHashed);
  std::cout << "the TOTP login, sent after " << kHashed << " backup-code logins, was answer " << position + 1 << " of "
            << calls.size() << "\n";
  EXPECT_LT(position, kHashed) << "answered only after every backup code was hashed";
}

class LoginHashingLimitTest : public OtpdTest {
 protected:
  // At most two of a user's logins wait for a hash at once.
  std::string config_text() const override { return "[policy]\nmax_failures = 2\n"; }
};

TEST_F(LoginHashingLimitTest, ALoginOverTheUsersLimitIsRefusedAsBusyAndNothingElseChanges) {
  const Enrolled daemon = enroll_as_root(socket(), "daemon");
  const std::string& code = daemon.backup_codes[0];
  constexpr std::size_t kCalls = 12;
  const std::vector<VerifyCall> calls(kCalls, VerifyCall{"daemon", code});

  const auto answered = bus_verify_pipelined(bus_address(), calls);

  std::size_t successes = 0;
  std::size_t busy = 0;
  for (const auto& reply : answered.replies) {
    if (!reply.ok()) {
      EXPECT_EQ(reply.error_name, protocol::bus_error::kBusy) << reply.error_message;
      ++busy;
      continue;
    }
    if (reply.outcome == "ok_backup") {
      ++successes;
      EXPECT_EQ(reply.backup_codes_left, 9U);
      continue;
    }
    EXPECT_TRUE(reply.outcome == "invalid" || reply.outcome == "locked") << reply.outcome;
  }
  std::cout << kCalls << " logins with one backup code, two at most hashed at once: " << busy << " refused\n";
  EXPECT_EQ(successes, 1U);
  EXPECT_GE(busy, 1U) << "the calls after the first two came while those two were hashed";
  const auto status = bus_status(bus_address(), "daemon");
  ASSERT_TRUE(status.ok()) << status.error_message;
  EXPECT_EQ(status.status.at("backup_codes_left"), 9U);
  EXPECT_NE(env().otpd.log_text().find("login_busy"), std::string::npos) << "the refusal is in the journal";
}

}  // namespace
}  // namespace otpd::test
