// The argument parser of pam_otp.so: every option, their defaults, conflicts, and
// what happens to arguments it does not understand.
#include "module_options.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace otpd::pam {
namespace {

ParsedOptions parse(std::initializer_list<const char*> args) {
  const std::vector<const char*> argv{args};
  return parse_module_options(argv);
}

TEST(ModuleOptions, DefaultsAreTheStrictest) {
  const ParsedOptions parsed = parse({});
  const ModuleOptions& options = parsed.options;
  EXPECT_FALSE(options.nullok);
  EXPECT_FALSE(options.echo);
  EXPECT_FALSE(options.forward_pass);
  EXPECT_FALSE(options.debug);
  EXPECT_EQ(options.source, CodeSource::prompt);
  EXPECT_EQ(options.timeout, std::chrono::milliseconds{5000});
  EXPECT_EQ(options.digits, 6U);
  EXPECT_EQ(options.prompt_text(), "Verification code: ");
  EXPECT_TRUE(parsed.ignored.empty());
}

TEST(ModuleOptions, ParsesEveryFlag) {
  const ParsedOptions parsed = parse({"nullok", "echo", "forward_pass", "debug"});
  EXPECT_TRUE(parsed.options.nullok);
  EXPECT_TRUE(parsed.options.echo);
  EXPECT_TRUE(parsed.options.forward_pass);
  EXPECT_TRUE(parsed.options.debug);
  EXPECT_TRUE(parsed.ignored.empty());
}

TEST(ModuleOptions, FirstPassSources) {
  EXPECT_EQ(parse({"use_first_pass"}).options.source, CodeSource::use_first_pass);
  EXPECT_EQ(parse({"try_first_pass"}).options.source, CodeSource::try_first_pass);
}

TEST(ModuleOptions, UseFirstPassWinsOverTryFirstPassInEitherOrder) {
  EXPECT_EQ(parse({"use_first_pass", "try_first_pass"}).options.source, CodeSource::use_first_pass);
  EXPECT_EQ(parse({"try_first_pass", "use_first_pass"}).options.source, CodeSource::use_first_pass);
}

TEST(ModuleOptions, Timeout) {
  EXPECT_EQ(parse({"timeout=250"}).options.timeout, std::chrono::milliseconds{250});
  EXPECT_EQ(parse({"timeout=120000"}).options.timeout, std::chrono::milliseconds{120000});
}

TEST(ModuleOptions, BadTimeoutKeepsTheDefaultAndIsReported) {
  for (const char* arg : {"timeout=", "timeout=0", "timeout=-5", "timeout=abc", "timeout=5s", "timeout=120001",
                          "timeout=99999999999999999999999"}) {
    const ParsedOptions parsed = parse({arg});
    EXPECT_EQ(parsed.options.timeout, kDefaultTimeout) << arg;
    ASSERT_EQ(parsed.ignored.size(), 1U) << arg;
    EXPECT_TRUE(parsed.ignored[0].starts_with(arg)) << parsed.ignored[0];
  }
}

TEST(ModuleOptions, Digits) {
  EXPECT_EQ(parse({"digits=8"}).options.digits, 8U);
  for (const char* arg : {"digits=5", "digits=9", "digits=six", "digits="}) {
    const ParsedOptions parsed = parse({arg});
    EXPECT_EQ(parsed.options.digits, kDefaultDigits) << arg;
    EXPECT_EQ(parsed.ignored.size(), 1U) << arg;
  }
}

TEST(ModuleOptions, PromptTextMayHoldSpacesAndEquals) {
  // libpam hands "[prompt=One-time code = ]" to the module as one argument.
  const ParsedOptions parsed = parse({"prompt=One-time code = "});
  EXPECT_EQ(parsed.options.prompt_text(), "One-time code = ");
  EXPECT_TRUE(parsed.ignored.empty());
}

TEST(ModuleOptions, EmptyPromptKeepsTheDefault) {
  const ParsedOptions parsed = parse({"prompt="});
  EXPECT_EQ(parsed.options.prompt_text(), kDefaultPrompt);
  EXPECT_EQ(parsed.ignored.size(), 1U);
}

TEST(ModuleOptions, ForwardPassHasItsOwnDefaultPrompt) {
  EXPECT_EQ(parse({"forward_pass"}).options.prompt_text(), "Password & verification code: ");
  EXPECT_EQ(parse({"forward_pass", "prompt=Both: "}).options.prompt_text(), "Both: ");
}

TEST(ModuleOptions, UnknownOptionsAreReportedAndChangeNothing) {
  const ParsedOptions parsed = parse({"nulok", "NULLOK", "nullok=1", "timeout", "echo_off", ""});
  EXPECT_FALSE(parsed.options.nullok);
  EXPECT_FALSE(parsed.options.echo);
  EXPECT_EQ(parsed.options.timeout, kDefaultTimeout);
  ASSERT_EQ(parsed.ignored.size(), 6U);
  EXPECT_EQ(parsed.ignored[0], "nulok: unknown option");
}

TEST(ModuleOptions, KnownOptionsAroundAnUnknownOneStillApply) {
  const ParsedOptions parsed = parse({"debug", "frobnicate", "nullok"});
  EXPECT_TRUE(parsed.options.debug);
  EXPECT_TRUE(parsed.options.nullok);
  EXPECT_EQ(parsed.ignored.size(), 1U);
}

TEST(ModuleOptions, NullArgumentIsSkipped) {
  const std::vector<const char*> argv{"debug", nullptr};
  EXPECT_TRUE(parse_module_options(argv).options.debug);
}

}  // namespace
}  // namespace otpd::pam
