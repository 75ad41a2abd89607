// Log lines: caller-controlled values cannot forge a line or a field; the D-Bus
// login messages say what a person needs to know.
#include <gtest/gtest.h>

#include "bus/bus_service.hpp"
#include "service/event_log.hpp"

namespace otpd {
namespace {

TEST(EventLog, PlainValuesStayAsTheyAre) {
  EXPECT_EQ(format_event_line({"login_success", LogLevel::info, {{"user", "alice"}, {"rhost", "192.0.2.1"}}}),
            "login_success user=alice rhost=192.0.2.1");
}

TEST(EventLog, ValuesWithSpacesQuotesOrControlsAreQuotedAndEscaped) {
  EXPECT_EQ(escape_log_value(""), "\"\"");
  EXPECT_EQ(escape_log_value("a b"), "\"a b\"");
  EXPECT_EQ(escape_log_value("x\nuser=root"), "\"x\\x0auser=root\"");
  EXPECT_EQ(escape_log_value("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(escape_log_value("k=v"), "\"k=v\"");
  EXPECT_EQ(escape_log_value("\x7f\x1b[31m"), "\"\\x7f\\x1b[31m\"");
}

LoginResult result(protocol::Outcome outcome, std::uint32_t left = 0, std::int64_t locked_until = 0,
                   bool lockout_started = false) {
  return LoginResult{outcome, left, AttemptReport{locked_until, lockout_started, false}};
}

TEST(LoginMessage, TellsThePersonWhatHappened) {
  using protocol::Outcome;
  EXPECT_EQ(login_message(result(Outcome::ok), 0), "Verification code accepted.");
  EXPECT_EQ(login_message(result(Outcome::ok_backup, 9), 0), "Backup code accepted; 9 left.");
  EXPECT_EQ(login_message(result(Outcome::ok_backup, 0), 0),
            "Backup code accepted; none left. Run otp-enroll backup-codes now.");
  EXPECT_EQ(login_message(result(Outcome::invalid), 0), "Invalid verification code.");
  EXPECT_EQ(login_message(result(Outcome::invalid, 0, 160, true), 100),
            "Invalid verification code. Too many failed attempts; try again in 60 s.");
  EXPECT_EQ(login_message(result(Outcome::replayed), 0), "This code was already used; wait for the next one.");
  EXPECT_EQ(login_message(result(Outcome::locked, 0, 130), 100), "Too many failed attempts; try again in 30 s.");
  EXPECT_EQ(login_message(result(Outcome::not_enrolled), 0),
            "Two-factor authentication is not set up for this account.");
}

}  // namespace
}  // namespace otpd
