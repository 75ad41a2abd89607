// A user directory that cannot answer, as when sssd or an LDAP server is down:
// pam_otp.so under pam_wrapper against the real otpd, with libnss_otpdtest.so.2
// (tests/nss) behind `files`. Found in a review: a failed lookup was taken for "no
// such user", so a login under an alias (toor) or a case variant (Daemon) kept its
// own name, had no enrollment, and with nullok walked past the second factor.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "nss_test_directory.hpp"
#include "otpd_environment.hpp"
#include "pam_harness.hpp"
#include "run_as.hpp"

namespace otpd::pam::test {
namespace {

constexpr uid_t kDirectoryOnlyUid = 4242;  // known to the test directory alone

PamStacks stacks() { return {{"otp_nullok_permit", {otp_line("nullok"), "auth required pam_permit.so"}}}; }

class DirectoryFailureTest : public otpd::test::OtpdTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a mount namespace, setuid to test users)";
    directory_ = std::make_unique<otpd::test::NssTestDirectory>(
        std::map<std::string, uid_t>{{"toor", 0}, {"Daemon", 1}, {"diruser", kDirectoryOnlyUid}});
    OtpdTest::SetUp();
    setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address().c_str(), 1);
    for (const char* user : {"root", "daemon"}) enrolled_.push_back(otpd::test::enroll_as_root(socket(), user));
  }
  void TearDown() override {
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    env_.reset();  // otpd goes before its directory
    directory_.reset();
  }

  // A login with a wrong code on a stack where nullok lets the unenrolled through.
  int login(const std::string& user, Conversation& conversation, int expected) {
    conversation.answers = {otpd::test::wrong_totp_code(enrolled_.front().secret)};
    return authenticate("otp_nullok_permit", user, conversation, expected).result;
  }

  std::unique_ptr<otpd::test::NssTestDirectory> directory_;
  std::vector<otpd::test::Enrolled> enrolled_;
};

TEST_F(DirectoryFailureTest, AnAliasIsAskedForItsUidsCodeWhileTheDirectoryAnswers) {
  for (const std::string user : {"toor", "Daemon"}) {
    Conversation conversation;
    EXPECT_EQ(login(user, conversation, PAM_AUTH_ERR), PAM_AUTH_ERR) << user;
    EXPECT_EQ(conversation.prompts(), Strings{"Verification code: "}) << user;
  }
}

TEST_F(DirectoryFailureTest, AnAliasDoesNotWalkInWhenTheDirectoryCannotAnswer) {
  directory_->set_failing(true);
  for (const std::string user : {"toor", "Daemon"}) {
    Conversation conversation;
    EXPECT_EQ(login(user, conversation, PAM_AUTHINFO_UNAVAIL), PAM_AUTHINFO_UNAVAIL) << user;
    EXPECT_TRUE(conversation.prompts().empty()) << user;
    const auto verify = otpd::test::bus_verify(bus_address(), user, "123456");
    EXPECT_FALSE(verify.ok()) << user << ": " << verify.outcome << " instead of an error";
  }
  const std::string log = env().otpd.log_text();
  EXPECT_NE(log.find("the user directory could not look up"), std::string::npos) << log;
  directory_->set_failing(false);
  Conversation again;
  EXPECT_EQ(login("toor", again, PAM_AUTH_ERR), PAM_AUTH_ERR) << "once it answers, logins go on";
}

TEST_F(DirectoryFailureTest, TheApiIsUnavailableNotUnauthorizedWhenTheDirectoryCannotAnswer) {
  const auto status_as_directory_user = [&] {
    return otpd::test::run_as(kDirectoryOnlyUid, [&] {
      return std::to_string(otpd::test::http_get(socket(), "/v2/auth/otp/status").status);
    });
  };
  EXPECT_EQ(status_as_directory_user(), "200");
  directory_->set_failing(true);
  EXPECT_EQ(status_as_directory_user(), "503");
  EXPECT_EQ(otpd::test::http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "toor"}}).status, 503);
}

}  // namespace
}  // namespace otpd::pam::test

int main(int argc, char** argv) {
  return otpd::pam::test::run_tests_under_pam_wrapper(argc, argv, otpd::pam::test::stacks());
}
