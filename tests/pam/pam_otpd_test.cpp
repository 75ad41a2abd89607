// pam_otp.so loaded by libpam under pam_wrapper, against the real otpd on a private
// system bus (tests/support): a person logging in with a real enrollment.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "enrollment.hpp"
#include "otpd_environment.hpp"
#include "pam_harness.hpp"
#include "permissive_bus.hpp"
#include "ready_child.hpp"

namespace otpd::pam::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr const char* kEnrolledUser = "daemon";  // in every Debian passwd
constexpr const char* kUnenrolledUser = "bin";

// Every stack the tests run, written before pam_wrapper loads (see pam_harness.hpp).
PamStacks stacks() {
  const std::string set_items = wrapper_module_line("pam_set_items.so");
  const std::string get_items = wrapper_module_line("pam_get_items.so");
  return {
      {"otp", {set_items, otp_line("")}},
      {"otp_nullok", {otp_line("nullok")}},
      {"otp_nullok_permit", {otp_line("nullok"), "auth required pam_permit.so"}},
      {"otp_timeout", {otp_line("timeout=500")}},
      {"otp_use_first_pass", {set_items, otp_line("use_first_pass")}},
      {"otp_try_first_pass", {set_items, otp_line("try_first_pass")}},
      {"otp_forward_pass", {otp_line("forward_pass"), get_items}},
  };
}

// Another code than the one valid now; it could match the step before or after with
// a chance of about 2 in a million.
std::string wrong_code(const std::string& right) {
  std::string wrong = right;
  for (char& digit : wrong) digit = static_cast<char>('0' + (digit - '0' + 1) % 10);
  return wrong;
}

bool has(const Strings& strings, const std::string& wanted) {
  return std::find(strings.begin(), strings.end(), wanted) != strings.end();
}

class PamOtpdTest : public otpd::test::OtpdTest {
 protected:
  void SetUp() override {
    OtpdTest::SetUp();
    if (IsSkipped()) return;
    setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address().c_str(), 1);
  }
  void TearDown() override {
    for (const char* name : {"DBUS_SYSTEM_BUS_ADDRESS", "PAM_AUTHTOK", "PAM_RHOST"}) unsetenv(name);
  }

  otpd::test::Enrolled enroll() { return otpd::test::enroll_as_root(socket(), kEnrolledUser); }

  int login(const std::string& stack, const std::string& answer, Conversation& conversation, int expected,
            const char* user = kEnrolledUser) {
    conversation.answers = {answer};
    return authenticate(stack, user, conversation, expected).result;
  }
};

TEST_F(PamOtpdTest, TheCurrentCodeLogsInOnce) {
  const auto enrolled = enroll();
  const std::string code = otpd::test::totp_code(enrolled.secret);
  Conversation first;
  EXPECT_EQ(login("otp", code, first, PAM_SUCCESS), PAM_SUCCESS);
  EXPECT_EQ(first.prompts(), Strings{"Verification code: "});
  Conversation again;
  EXPECT_EQ(login("otp", code, again, PAM_AUTH_ERR), PAM_AUTH_ERR);
  EXPECT_EQ(again.messages(PAM_ERROR_MSG), Strings{"This code was already used; wait for the next one."});
}

TEST_F(PamOtpdTest, AWrongCodeFails) {
  const auto enrolled = enroll();
  Conversation conversation;
  EXPECT_EQ(login("otp", wrong_code(otpd::test::totp_code(enrolled.secret)), conversation, PAM_AUTH_ERR), PAM_AUTH_ERR);
  EXPECT_EQ(conversation.messages(PAM_ERROR_MSG), Strings{"Invalid verification code."});
}

TEST_F(PamOtpdTest, ABackupCodeLogsInOnceAndSaysHowManyAreLeft) {
  const auto enrolled = enroll();
  Conversation first;
  EXPECT_EQ(login("otp", enrolled.backup_codes.at(0), first, PAM_SUCCESS), PAM_SUCCESS);
  EXPECT_EQ(first.messages(PAM_TEXT_INFO), Strings{"Backup code accepted; 9 left."});
  Conversation again;
  EXPECT_EQ(login("otp", enrolled.backup_codes.at(0), again, PAM_AUTH_ERR), PAM_AUTH_ERR);
}

TEST_F(PamOtpdTest, FiveFailuresLockTheUserOutEvenForTheRightCode) {
  const auto enrolled = enroll();
  const std::string right = otpd::test::totp_code(enrolled.secret);
  Conversation conversation;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    EXPECT_EQ(login("otp", wrong_code(right), conversation, PAM_AUTH_ERR), PAM_AUTH_ERR);
  }
  EXPECT_NE(conversation.messages(PAM_ERROR_MSG).back().find("Too many failed attempts"), std::string::npos);
  Conversation locked;
  EXPECT_EQ(login("otp", right, locked, PAM_MAXTRIES), PAM_MAXTRIES);
  ASSERT_EQ(locked.messages(PAM_ERROR_MSG).size(), 1U);
  EXPECT_TRUE(locked.messages(PAM_ERROR_MSG)[0].starts_with("Too many failed attempts; try again in"));
}

TEST_F(PamOtpdTest, AUserWithoutEnrollmentFailsWithoutNullok) {
  Conversation conversation;
  EXPECT_EQ(login("otp", "123456", conversation, PAM_AUTH_ERR, kUnenrolledUser), PAM_AUTH_ERR);
}

TEST_F(PamOtpdTest, NullokLetsAUserWithoutEnrollmentPassUnasked) {
  Conversation conversation;
  EXPECT_EQ(login("otp_nullok_permit", "", conversation, PAM_SUCCESS, kUnenrolledUser), PAM_SUCCESS);
  EXPECT_TRUE(conversation.seen.empty());
  Conversation alone;
  EXPECT_NE(login("otp_nullok", "", alone, PAM_PERM_DENIED, kUnenrolledUser), PAM_SUCCESS);
}

TEST_F(PamOtpdTest, NullokStillAsksAnEnrolledUser) {
  const auto enrolled = enroll();
  Conversation wrong;
  EXPECT_EQ(login("otp_nullok", wrong_code(otpd::test::totp_code(enrolled.secret)), wrong, PAM_AUTH_ERR), PAM_AUTH_ERR);
  EXPECT_EQ(wrong.prompts(), Strings{"Verification code: "});
  Conversation right;
  EXPECT_EQ(login("otp_nullok", otpd::test::totp_code(enrolled.secret), right, PAM_SUCCESS), PAM_SUCCESS);
}

TEST_F(PamOtpdTest, UseAndTryFirstPassTakeTheCodeFromAuthtok) {
  const auto enrolled = enroll();
  const Strings stacks{"otp_use_first_pass", "otp_try_first_pass"};
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    // A fresh step each time: a code logs in once.
    const std::string code = otpd::test::totp_code(enrolled.secret, static_cast<int>(i));
    setenv("PAM_AUTHTOK", code.c_str(), 1);
    Conversation conversation;
    EXPECT_EQ(authenticate(stacks[i], kEnrolledUser, conversation, PAM_SUCCESS).result, PAM_SUCCESS) << stacks[i];
    EXPECT_TRUE(conversation.seen.empty()) << stacks[i];
  }
}

TEST_F(PamOtpdTest, ForwardPassChecksTheCodeAndHandsThePasswordOn) {
  const auto enrolled = enroll();
  Conversation conversation{{"Password1" + otpd::test::totp_code(enrolled.secret)}};
  const PamRun run = authenticate("otp_forward_pass", kEnrolledUser, conversation, PAM_SUCCESS);
  EXPECT_EQ(run.result, PAM_SUCCESS);
  EXPECT_EQ(conversation.prompts(), Strings{"Password & verification code: "});
  EXPECT_TRUE(has(run.env, "PAM_AUTHTOK=Password1"));
  Conversation backup{{"hunter2" + enrolled.backup_codes.at(1)}};
  EXPECT_EQ(authenticate("otp_forward_pass", kEnrolledUser, backup, PAM_SUCCESS).result, PAM_SUCCESS);
}

TEST_F(PamOtpdTest, ServiceAndRhostReachOtpdsLog) {
  const auto enrolled = enroll();
  setenv("PAM_RHOST", "192.0.2.7", 1);
  Conversation conversation;
  ASSERT_EQ(login("otp", otpd::test::totp_code(enrolled.secret), conversation, PAM_SUCCESS), PAM_SUCCESS);
  const std::string log = env().otpd.log_text();
  EXPECT_NE(log.find("192.0.2.7"), std::string::npos) << log;
}

TEST_F(PamOtpdTest, StoppedOtpdIsAuthinfoUnavailWithoutAPrompt) {
  env().otpd.stop();
  Conversation conversation;
  EXPECT_EQ(login("otp", "123456", conversation, PAM_AUTHINFO_UNAVAIL), PAM_AUTHINFO_UNAVAIL);
  EXPECT_TRUE(conversation.seen.empty());
}

TEST_F(PamOtpdTest, FrozenOtpdIsAuthinfoUnavailWithinTheTimeout) {
  const auto enrolled = enroll();
  env().otpd.process().signal(SIGSTOP);
  Conversation conversation;
  const auto start = steady_clock::now();
  const int result = login("otp_timeout", otpd::test::totp_code(enrolled.secret), conversation, PAM_AUTHINFO_UNAVAIL);
  const auto waited = steady_clock::now() - start;
  env().otpd.process().signal(SIGCONT);
  EXPECT_EQ(result, PAM_AUTHINFO_UNAVAIL);
  EXPECT_LT(waited, milliseconds{2500});
}

// A bus whose policy (wrongly) lets anybody own org.otpd.Otpd1: the module's own
// check of the owner's uid is what stands between the impostor and a login.
class PamImpostorTest : public PamOtpdTest {
 protected:
  [[nodiscard]] std::vector<std::filesystem::path> policies() const override {
    return {otpd::test::permissive_test_policy_file()};
  }
};

TEST_F(PamImpostorTest, ABusNameOwnedByANonRootProcessIsRefused) {
  env().otpd.stop();
  const ReadyChild impostor{{path_from_env("FAKE_OTPD"), "--outcome", "ok"}, kNobody};
  Conversation conversation;
  EXPECT_EQ(login("otp", "123456", conversation, PAM_AUTHINFO_UNAVAIL), PAM_AUTHINFO_UNAVAIL);
  EXPECT_TRUE(conversation.seen.empty());
}

}  // namespace
}  // namespace otpd::pam::test

int main(int argc, char** argv) {
  return otpd::pam::test::run_tests_under_pam_wrapper(argc, argv, otpd::pam::test::stacks());
}
