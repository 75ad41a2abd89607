// Running a PAM stack under pam_wrapper with a conversation that answers from a
// script and remembers everything the modules said.
#pragma once

#include <security/pam_appl.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otpd::pam::test {

struct Conversation {
  Conversation() = default;
  explicit Conversation(std::vector<std::string> answers_in) : answers(std::move(answers_in)) {}

  std::vector<std::string> answers;  // one for each prompt, in order
  bool fail = false;                 // the application's conversation breaks
  // What the modules sent: (PAM_PROMPT_ECHO_OFF / _ON / PAM_ERROR_MSG / PAM_TEXT_INFO, text).
  std::vector<std::pair<int, std::string>> seen;

  [[nodiscard]] std::vector<std::string> prompts() const;
  [[nodiscard]] std::vector<std::string> messages(int style) const;
};

struct PamRun {
  int result = PAM_SYSTEM_ERR;   // what pam_authenticate returned
  std::vector<std::string> env;  // the PAM environment afterwards (pam_get_items.so fills it)
};

using Strings = std::vector<std::string>;

inline constexpr uid_t kNobody = 65534;

// The PAM services a test binary uses: name -> the lines of its auth stack.
using PamStacks = std::map<std::string, Strings>;

// main() of a test binary that runs PAM stacks. pam_wrapper reads its service files
// once, when it is loaded, so they must exist before the binary starts: the first time
// this writes `stacks` into PAM_TEST_SERVICE_DIR and runs the binary again under
// pam_wrapper. Under pam_wrapper it takes LD_PRELOAD out of the environment, so that
// the daemons the tests start do not load pam_wrapper too, and runs the tests.
[[nodiscard]] int run_tests_under_pam_wrapper(int argc, char** argv, const PamStacks& stacks);

// pam_authenticate for `user` on `service`. The PAM environment after it is read only
// when the result is `expected` (libpamtest stops at the first surprise).
[[nodiscard]] PamRun authenticate(const std::string& service, const std::string& user, Conversation& conversation,
                                  int expected, int flags = 0);
[[nodiscard]] int setcred(const std::string& service, const std::string& user);

// "auth required /path/pam_otp.so OPTIONS"
[[nodiscard]] std::string otp_line(std::string_view options, std::string_view control = "required");
// A line for one of pam_wrapper's helper modules (pam_set_items.so, pam_get_items.so).
[[nodiscard]] std::string wrapper_module_line(std::string_view module);

}  // namespace otpd::pam::test
