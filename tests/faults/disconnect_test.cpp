// Clients that hang up mid-request. Over HTTP, a wrong code whose answer nobody
// reads still counts against the failure limit. Over the bus, a Verify whose caller
// is gone before otpd asked the bus daemon who it is, is refused at the gate.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"

namespace otpd::test {
namespace {

constexpr const char* kUser = "daemon";
constexpr int kMaxFailures = 5;  // otpd's default
const std::vector<std::pair<std::string, std::string>> kAsUser{{"X-OTP-User", kUser}};

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

class DisconnectTest : public OtpdTest {
 protected:
  std::size_t logged(const std::string& event) { return occurrences(env().otpd.log_text(), event); }
  void hang_up_with(const std::string& route, const std::string& code) {
    http_send_and_hang_up(socket(), {"POST", route, nlohmann::json{{"code", code}}.dump(), kAsUser});
  }
  int post(const std::string& route, const std::string& code) {
    return http_post(socket(), route, {{"code", code}}, kAsUser).status;
  }

  // After wrong codes whose answers nobody read: every one that otpd checked (and
  // logged) counts, so exactly the rest of the limit is left to a client that waits.
  void expect_every_checked_code_counted(const std::string& route, const std::string& event, const std::string& wrong) {
    for (int attempt = 0; attempt < kMaxFailures; ++attempt) hang_up_with(route, wrong);
    ASSERT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsUser).status, 200);  // after the hung-up ones
    const auto checked = static_cast<int>(logged(event));
    std::cout << route << ": otpd checked " << checked << " of " << kMaxFailures
              << " codes whose client hung up (the rest it never read whole)\n";
    for (int attempt = checked; attempt < kMaxFailures; ++attempt) EXPECT_EQ(post(route, wrong), 422);
    EXPECT_EQ(post(route, wrong), 429) << "every checked code counted: the limit is reached";
  }
};

// libmicrohttpd reads the request and the client's close together and drops a
// request whose client is gone before otpd sees it: then no code is checked. A
// request that otpd did see is served whole, and a wrong code in it counts.
TEST_F(DisconnectTest, AWrongConfirmWhoseAnswerNobodyReadsIsNeverAFreeGuess) {
  const auto enabled = http_post(socket(), "/v2/auth/otp/enable", nlohmann::json::object(), kAsUser);
  const std::string secret = enabled.json()["secret"];
  expect_every_checked_code_counted("/v2/auth/otp/confirm", "enroll_failure", wrong_totp_code(secret));
}

TEST_F(DisconnectTest, AWrongDisableWhoseAnswerNobodyReadsIsNeverAFreeGuess) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  expect_every_checked_code_counted("/v2/auth/otp/disable", "disable_failure", wrong_totp_code(enrolled.secret));
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsUser).json()["enabled"], true);
}

TEST_F(DisconnectTest, ARightDisableWhoseAnswerNobodyReadsIsDoneWholeOrNotAtAll) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  hang_up_with("/v2/auth/otp/disable", enrolled.backup_codes[0]);
  if (http_get(socket(), "/v2/auth/otp/status", kAsUser).json()["enabled"] == false) {
    EXPECT_EQ(logged("otpd: disable "), 1U);
    return;
  }
  EXPECT_EQ(logged("otpd: disable "), 0U);
  EXPECT_EQ(post("/v2/auth/otp/disable", enrolled.backup_codes[0]), 200) << "the code was not used";
}

// A Verify whose caller is gone: otpd asks the bus daemon for the caller's uid,
// which it cannot tell for a closed connection, and the gate refuses the call
// unseen (no code is checked, no failure counted, nothing logged). If the uid
// came back before the caller left, the call is served as usual and its answer
// is lost. Either way nobody is let in, and otpd goes on serving.
TEST_F(DisconnectTest, AVerifyWhoseCallerHangsUpIsNeverASuccessForAnyone) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  const std::string right = totp_code(enrolled.secret);
  bus_verify_and_hang_up(bus_address(), kUser, right);
  for (int attempt = 0; attempt < kMaxFailures; ++attempt) {
    bus_verify_and_hang_up(bus_address(), kUser, wrong_totp_code(enrolled.secret));
  }
  // Calls reach otpd in order, and its gate answers them in order: once this one
  // is answered, the hung-up ones have been dealt with.
  const auto status = bus_status(bus_address(), kUser);
  ASSERT_TRUE(status.ok()) << status.error_message;
  const auto log = env().otpd.log_text();
  const std::size_t served = occurrences(log, "login_");
  const auto again = bus_verify(bus_address(), kUser, right);
  std::cout << "bus hang-ups: " << served << " of " << kMaxFailures + 1
            << " Verify calls were served; the right code then answered " << again.outcome << '\n';
  EXPECT_TRUE(again.outcome == "ok" || again.outcome == "replayed" || again.outcome == "locked") << again.outcome;
  if (served == 0) {
    EXPECT_EQ(again.outcome, "ok") << "a refused call used no code";
    EXPECT_EQ(status.status.at("locked_until"), 0U);
  }
}

}  // namespace
}  // namespace otpd::test
