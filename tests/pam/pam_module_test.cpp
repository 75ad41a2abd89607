// pam_otp.so loaded by libpam under pam_wrapper, against a private bus with the fake
// otpd on it: the options, the conversation, the PAM codes, what reaches the daemon.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "open_descriptors.hpp"
#include "pam_harness.hpp"
#include "permissive_bus.hpp"

namespace otpd::pam::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Every stack the tests run, written before pam_wrapper loads (see pam_harness.hpp).
PamStacks stacks() {
  const std::string set_items = wrapper_module_line("pam_set_items.so");
  const std::string get_items = wrapper_module_line("pam_get_items.so");
  return {
      {"otp", {otp_line("")}},
      {"otp_nullok", {otp_line("nullok")}},
      {"otp_nullok_permit", {otp_line("nullok"), "auth required pam_permit.so"}},
      {"otp_echo", {otp_line("echo")}},
      {"otp_prompt", {otp_line("[prompt=One-time code: ]")}},
      {"otp_unknown_option", {otp_line("frobnicate timeout=soon")}},
      {"otp_timeout", {otp_line("timeout=500")}},
      {"otp_rhost", {set_items, otp_line("")}},
      {"otp_use_first_pass", {set_items, otp_line("use_first_pass")}},
      {"otp_use_first_pass_alone", {otp_line("use_first_pass")}},
      {"otp_try_first_pass", {set_items, otp_line("try_first_pass")}},
      {"otp_try_first_pass_alone", {otp_line("try_first_pass")}},
      {"otp_forward_pass", {otp_line("forward_pass"), get_items}},
      {"otp_forward_pass_authtok", {set_items, otp_line("forward_pass use_first_pass"), get_items}},
  };
}

class PamModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "pam_otp.so believes only an otpd of uid 0: run as root";
  }
  void TearDown() override {
    unsetenv("PAM_AUTHTOK");
    unsetenv("PAM_RHOST");
  }

  void start_otpd(Strings args = {}, std::optional<uid_t> run_as = std::nullopt) {
    args.insert(args.begin(), path_from_env("FAKE_OTPD"));
    if (!run_as) args.insert(args.end(), {"--record", (dir_.path() / "requests").string()});
    otpd_ = std::make_unique<ReadyChild>(args, run_as);
  }

  // What otpd was asked, one line a call.
  [[nodiscard]] std::string requests() const {
    std::stringstream text;
    text << std::ifstream{dir_.path() / "requests"}.rdbuf();
    return text.str();
  }

  PermissiveBus bus_;
  SystemBusAddress address_{bus_.address()};
  otpd::test::TempDir dir_{"otpd-pam"};
  std::unique_ptr<ReadyChild> otpd_;
};

TEST_F(PamModuleTest, RightCodeSucceeds) {
  start_otpd({"--code", "123456"});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  ASSERT_EQ(conversation.seen.size(), 1U);
  EXPECT_EQ(conversation.seen[0], std::pair(PAM_PROMPT_ECHO_OFF, std::string{"Verification code: "}));
}

TEST_F(PamModuleTest, WrongCodeFailsAndSaysSo) {
  start_otpd({"--code", "123456"});
  Conversation conversation{{"654321"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
  EXPECT_EQ(conversation.messages(PAM_ERROR_MSG), Strings{"Invalid code."});
}

TEST_F(PamModuleTest, BackupCodeSucceedsAndShowsWhatIsLeft) {
  start_otpd();
  Conversation conversation{{"abcd-2345"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(conversation.messages(PAM_TEXT_INFO), Strings{"Backup code accepted; 9 left."});
}

TEST_F(PamModuleTest, SilentFlagShowsNoMessage) {
  start_otpd();
  Conversation conversation{{"abcd-2345"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_SUCCESS, PAM_SILENT).result, PAM_SUCCESS);
  EXPECT_TRUE(conversation.messages(PAM_TEXT_INFO).empty());
}

TEST_F(PamModuleTest, ReplayedCodeFails) {
  start_otpd({"--outcome", "replayed", "--message", "This code was used already."});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
  EXPECT_EQ(conversation.messages(PAM_ERROR_MSG), Strings{"This code was used already."});
}

TEST_F(PamModuleTest, LockedIsMaxtriesWithTheDaemonsMessage) {
  const char* message = "Too many failed attempts; try again in 60 s.";
  start_otpd({"--outcome", "locked", "--message", message});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_MAXTRIES).result, PAM_MAXTRIES);
  EXPECT_EQ(conversation.messages(PAM_ERROR_MSG), Strings{message});
}

TEST_F(PamModuleTest, UnknownOutcomeIsDenied) {
  start_otpd({"--outcome", "welcome"});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
}

TEST_F(PamModuleTest, NotEnrolledWithoutNullokFails) {
  start_otpd({"--user", "bob"});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
  EXPECT_TRUE(conversation.messages(PAM_ERROR_MSG).empty());
}

TEST_F(PamModuleTest, NotEnrolledWithNullokStepsAsideWithoutAPrompt) {
  start_otpd({"--user", "bob"});
  // PAM_IGNORE leaves the decision to the rest of the stack: pam_permit here.
  const std::string stack = "otp_nullok_permit";
  Conversation conversation;
  EXPECT_EQ(authenticate(stack, "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_TRUE(conversation.seen.empty());
  EXPECT_EQ(requests(), "Status alice\n");
}

TEST_F(PamModuleTest, NullokStepsAsideAndDecidesNothing) {
  start_otpd({"--user", "bob"});
  // The only module steps aside: libpam must not turn that into a success.
  Conversation conversation;
  EXPECT_NE(authenticate("otp_nullok", "alice", conversation, PAM_PERM_DENIED).result, PAM_SUCCESS);
}

TEST_F(PamModuleTest, NullokStillAsksAnEnrolledUser) {
  start_otpd({"--user", "alice", "--code", "123456"});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp_nullok", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(requests(), "Status alice\nVerify alice 123456 otp_nullok \n");
}

TEST_F(PamModuleTest, WithoutNullokNoStatusCall) {
  start_otpd();
  Conversation conversation{{"123456"}};
  const std::string name = "otp";
  ASSERT_EQ(authenticate(name, "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(requests(), "Verify alice 123456 " + name + " \n");
}

TEST_F(PamModuleTest, SendsServiceAndRhost) {
  start_otpd();
  setenv("PAM_RHOST", "192.0.2.7", 1);
  const std::string name = "otp_rhost";
  Conversation conversation{{"123456"}};
  ASSERT_EQ(authenticate(name, "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(requests(), "Verify alice 123456 " + name + " 192.0.2.7\n");
}

TEST_F(PamModuleTest, EchoShowsTheCode) {
  start_otpd();
  Conversation conversation{{"123456"}};
  ASSERT_EQ(authenticate("otp_echo", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(conversation.seen.at(0).first, PAM_PROMPT_ECHO_ON);
}

TEST_F(PamModuleTest, PromptOptionWithSpaces) {
  start_otpd();
  Conversation conversation{{"123456"}};
  ASSERT_EQ(authenticate("otp_prompt", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(conversation.prompts(), Strings{"One-time code: "});
}

TEST_F(PamModuleTest, UnknownOptionIsIgnored) {
  start_otpd();
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp_unknown_option", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
}

TEST_F(PamModuleTest, UseAndTryFirstPassTakeTheCodeFromAuthtok) {
  start_otpd();
  setenv("PAM_AUTHTOK", "123456", 1);
  for (const char* stack : {"otp_use_first_pass", "otp_try_first_pass"}) {
    Conversation conversation;
    EXPECT_EQ(authenticate(stack, "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS) << stack;
    EXPECT_TRUE(conversation.seen.empty()) << stack;
  }
}

TEST_F(PamModuleTest, UseFirstPassWithoutAuthtokFailsWithoutAsking) {
  start_otpd();
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp_use_first_pass_alone", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
  EXPECT_TRUE(conversation.seen.empty());
  EXPECT_EQ(requests(), "");
}

TEST_F(PamModuleTest, TryFirstPassAsksWhenNoAuthtok) {
  start_otpd();
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp_try_first_pass_alone", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  EXPECT_EQ(conversation.prompts(), Strings{"Verification code: "});
}

TEST_F(PamModuleTest, ForwardPassHandsThePasswordOn) {
  start_otpd();
  const std::string name = "otp_forward_pass";
  Conversation conversation{{"Password1123456"}};
  const PamRun run = authenticate(name, "alice", conversation, PAM_SUCCESS);
  EXPECT_EQ(run.result, PAM_SUCCESS);
  EXPECT_EQ(conversation.prompts(), Strings{"Password & verification code: "});
  EXPECT_EQ(requests(), "Verify alice 123456 " + name + " \n");
  EXPECT_NE(std::find(run.env.begin(), run.env.end(), "PAM_AUTHTOK=Password1"), run.env.end());
}

TEST_F(PamModuleTest, ForwardPassWithABackupCode) {
  start_otpd();
  Conversation conversation{{"hunter2abcd-2345"}};
  EXPECT_EQ(authenticate("otp_forward_pass", "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
}

TEST_F(PamModuleTest, ForwardPassWithoutACodeFailsWithoutAskingOtpd) {
  start_otpd();
  Conversation conversation{{"hunter2"}};
  EXPECT_EQ(authenticate("otp_forward_pass", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
  EXPECT_EQ(requests(), "");
}

TEST_F(PamModuleTest, ForwardPassFromAuthtok) {
  start_otpd({"--code", "654321"});
  setenv("PAM_AUTHTOK", "pw654321", 1);
  const std::string name = "otp_forward_pass_authtok";
  Conversation conversation;
  const PamRun run = authenticate(name, "alice", conversation, PAM_SUCCESS);
  EXPECT_EQ(run.result, PAM_SUCCESS);
  EXPECT_TRUE(conversation.seen.empty());
  EXPECT_NE(std::find(run.env.begin(), run.env.end(), "PAM_AUTHTOK=pw"), run.env.end());
}

TEST_F(PamModuleTest, ConversationFailureIsConvErr) {
  start_otpd();
  Conversation conversation;
  conversation.fail = true;
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_CONV_ERR).result, PAM_CONV_ERR);
  EXPECT_EQ(requests(), "");
}

TEST_F(PamModuleTest, EmptyOrImpossibleCodeFailsWithoutAskingOtpd) {
  start_otpd();
  for (const std::string& answer : Strings{"", "12345\x01", std::string(65, '1')}) {
    Conversation conversation{{answer}};
    EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTH_ERR).result, PAM_AUTH_ERR);
  }
  EXPECT_EQ(requests(), "");
}

TEST_F(PamModuleTest, NoDaemonIsAuthinfoUnavailWithoutAPrompt) {
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result, PAM_AUTHINFO_UNAVAIL);
  EXPECT_TRUE(conversation.seen.empty());
}

TEST_F(PamModuleTest, StoppedDaemonIsAuthinfoUnavailWithinTheTimeout) {
  start_otpd();
  otpd_->signal(SIGSTOP);
  Conversation conversation{{"123456"}};
  const auto start = steady_clock::now();
  EXPECT_EQ(authenticate("otp_timeout", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result, PAM_AUTHINFO_UNAVAIL);
  EXPECT_LT(steady_clock::now() - start, milliseconds{2500});
}

TEST_F(PamModuleTest, StoppedBusIsAuthinfoUnavailWithinTheTimeout) {
  start_otpd();
  bus_.signal(SIGSTOP);
  Conversation conversation{{"123456"}};
  const auto start = steady_clock::now();
  const int result = authenticate("otp_timeout", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result;
  const auto waited = steady_clock::now() - start;
  bus_.signal(SIGCONT);
  EXPECT_EQ(result, PAM_AUTHINFO_UNAVAIL);
  EXPECT_LT(waited, milliseconds{2500});
}

TEST_F(PamModuleTest, BusNameOwnedByANonRootProcessIsRefused) {
  start_otpd({"--outcome", "ok"}, kNobody);
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result, PAM_AUTHINFO_UNAVAIL);
  EXPECT_TRUE(conversation.seen.empty());
}

TEST_F(PamModuleTest, MalformedOrErrorReplyIsAuthinfoUnavail) {
  for (const char* verify : {"malformed", "error"}) {
    start_otpd({"--verify", verify});
    Conversation conversation{{"123456"}};
    EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result, PAM_AUTHINFO_UNAVAIL) << verify;
    otpd_.reset();
  }
}

TEST_F(PamModuleTest, ABusyOtpdIsAuthinfoUnavailAndSaysTryAgain) {
  start_otpd({"--verify", "busy"});
  Conversation conversation{{"abcd-2345"}};
  EXPECT_EQ(authenticate("otp", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result, PAM_AUTHINFO_UNAVAIL);
  EXPECT_EQ(conversation.messages(PAM_ERROR_MSG), Strings{"Too many logins are being checked at once; try again."});
}

TEST_F(PamModuleTest, BrokenStatusWithNullokIsAuthinfoUnavail) {
  start_otpd({"--status", "missing"});
  Conversation conversation{{"123456"}};
  EXPECT_EQ(authenticate("otp_nullok", "alice", conversation, PAM_AUTHINFO_UNAVAIL).result, PAM_AUTHINFO_UNAVAIL);
}

TEST_F(PamModuleTest, SetcredSucceeds) { EXPECT_EQ(setcred("otp", "alice"), PAM_SUCCESS); }

TEST_F(PamModuleTest, LeavesNoDescriptorBehind) {
  start_otpd();
  const std::string name = "otp";
  Conversation warm_up{{"123456"}};
  ASSERT_EQ(authenticate(name, "alice", warm_up, PAM_SUCCESS).result, PAM_SUCCESS);
  const std::size_t before = open_descriptors();
  for (int i = 0; i < 3; ++i) {
    Conversation conversation{{"123456"}};
    ASSERT_EQ(authenticate(name, "alice", conversation, PAM_SUCCESS).result, PAM_SUCCESS);
  }
  EXPECT_EQ(open_descriptors(), before);
}

}  // namespace
}  // namespace otpd::pam::test

int main(int argc, char** argv) {
  return otpd::pam::test::run_tests_under_pam_wrapper(argc, argv, otpd::pam::test::stacks());
}
