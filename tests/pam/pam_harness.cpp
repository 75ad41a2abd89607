#include "pam_harness.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "permissive_bus.hpp"

extern "C" {
#include <libpamtest.h>
}

namespace otpd::pam::test {
namespace {

bool is_prompt(int style) { return style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON; }

// Answers go back malloc()ed: libpam frees them.
int converse(int count, const pam_message** messages, pam_response** responses, void* data) {
  auto& conversation = *static_cast<Conversation*>(data);
  if (conversation.fail) return PAM_CONV_ERR;
  auto* replies = static_cast<pam_response*>(std::calloc(count, sizeof(pam_response)));
  if (replies == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < count; ++i) {
    conversation.seen.emplace_back(messages[i]->msg_style, messages[i]->msg);
    if (!is_prompt(messages[i]->msg_style)) continue;
    const std::string answer = conversation.answers.empty() ? "" : conversation.answers.front();
    if (!conversation.answers.empty()) conversation.answers.erase(conversation.answers.begin());
    replies[i].resp = strdup(answer.c_str());
  }
  *responses = replies;
  return PAM_SUCCESS;
}

std::vector<std::string> take_env(char** envlist) {
  std::vector<std::string> env;
  for (char** entry = envlist; entry != nullptr && *entry != nullptr; ++entry) env.emplace_back(*entry);
  pamtest_free_env(envlist);
  return env;
}

}  // namespace

std::vector<std::string> Conversation::prompts() const {
  std::vector<std::string> texts;
  for (const auto& [style, text] : seen) {
    if (is_prompt(style)) texts.push_back(text);
  }
  return texts;
}

std::vector<std::string> Conversation::messages(int style) const {
  std::vector<std::string> texts;
  for (const auto& [seen_style, text] : seen) {
    if (seen_style == style) texts.push_back(text);
  }
  return texts;
}

int run_tests_under_pam_wrapper(int argc, char** argv, const PamStacks& stacks) {
  if (std::getenv("PAM_WRAPPER") != nullptr) {
    unsetenv("LD_PRELOAD");
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
  }
  const std::filesystem::path dir = path_from_env("PAM_TEST_SERVICE_DIR");
  std::filesystem::create_directories(dir);
  for (const auto& [name, lines] : stacks) {
    std::ofstream out{dir / name};
    for (const std::string& line : lines) out << line << '\n';
    if (!out) throw std::runtime_error("cannot write the PAM service " + name);
  }
  setenv("PAM_WRAPPER_SERVICE_DIR", dir.c_str(), 1);
  setenv("PAM_WRAPPER", "1", 1);
  setenv("LD_PRELOAD", "libpam_wrapper.so", 1);
  // The path /proc/self/exe names, not the link itself: under valgrind the link is
  // memcheck's own binary, while readlink() of it gives the program being checked.
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  execv(self.c_str(), argv);
  throw std::runtime_error("cannot run the test again under pam_wrapper");
}

PamRun authenticate(const std::string& service, const std::string& user, Conversation& conversation, int expected,
                    int flags) {
  pam_testcase cases[] = {
      pam_test_flags(PAMTEST_AUTHENTICATE, expected, flags),
      pam_test(PAMTEST_GETENVLIST, PAM_SUCCESS),
  };
  const pamtest_err err =
      _pamtest_conv(service.c_str(), user.c_str(), converse, &conversation, cases, std::size(cases), nullptr);
  PamRun run{cases[0].op_rv, {}};
  // libpamtest stops at the first case that differs from its expectation.
  if (err == PAMTEST_ERR_OK) run.env = take_env(cases[1].case_out.envlist);
  return run;
}

int setcred(const std::string& service, const std::string& user) {
  Conversation conversation;
  pam_testcase cases[] = {pam_test(PAMTEST_SETCRED, PAM_SUCCESS)};
  (void)_pamtest_conv(service.c_str(), user.c_str(), converse, &conversation, cases, std::size(cases), nullptr);
  return cases[0].op_rv;
}

std::string otp_line(std::string_view options, std::string_view control) {
  return "auth " + std::string{control} + " " + path_from_env("PAM_OTP_SO") + " " + std::string{options};
}

std::string wrapper_module_line(std::string_view module) {
  return "auth required " + path_from_env("PAM_WRAPPER_MODULES") + "/" + std::string{module};
}

}  // namespace otpd::pam::test
