#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "otp_enroll/arguments.hpp"
#include "protocol.hpp"

namespace otpd::cli {
namespace {

struct Parsed {
  tl::expected<Invocation, ExitCode> result;
  std::string out;
  std::string err;
};

Parsed parse(const std::vector<const char*>& words) {
  std::vector<const char*> argv{"otp-enroll"};
  argv.insert(argv.end(), words.begin(), words.end());
  std::ostringstream out, err;
  auto result = parse_arguments(static_cast<int>(argv.size()), argv.data(), out, err);
  return {std::move(result), out.str(), err.str()};
}

TEST(Arguments, NothingMeansTheInteractiveEnable) {
  const auto parsed = parse({});
  ASSERT_TRUE(parsed.result);
  EXPECT_EQ(parsed.result->command, Command::enroll);
  EXPECT_EQ(parsed.result->socket_path, protocol::kDefaultSocketPath);
  EXPECT_FALSE(parsed.result->json);
  EXPECT_FALSE(parsed.result->code);
  EXPECT_EQ(parsed.result->timeout_seconds, kDefaultTimeoutSeconds);
}

TEST(Arguments, OptionsComeBeforeOrAfterTheSubcommand) {
  for (const auto& words : {std::vector<const char*>{"--json", "--socket", "/tmp/s", "status"},
                            std::vector<const char*>{"status", "--json", "--socket", "/tmp/s"},
                            std::vector<const char*>{"--json", "status", "--socket=/tmp/s"}}) {
    const auto [result, out, err] = parse(words);
    ASSERT_TRUE(result) << err;
    EXPECT_EQ(result->command, Command::status);
    EXPECT_TRUE(result->json);
    EXPECT_EQ(result->socket_path, "/tmp/s");
  }
}

TEST(Arguments, CodeAndUserAfterTheSubcommand) {
  const auto parsed = parse({"disable", "123456", "--user", "alice", "--json"});
  ASSERT_TRUE(parsed.result) << parsed.err;
  EXPECT_EQ(parsed.result->command, Command::disable);
  EXPECT_EQ(parsed.result->code, "123456");
  EXPECT_EQ(parsed.result->user, "alice");
}

TEST(Arguments, EachSubcommandParses) {
  EXPECT_EQ(parse({"enable"}).result->command, Command::enroll);
  EXPECT_EQ(parse({"confirm", "123456"}).result->command, Command::confirm);
  EXPECT_EQ(parse({"backup-codes"}).result->command, Command::backup_codes);
  EXPECT_EQ(parse({"--user", "bob", "reset"}).result->command, Command::reset);
  EXPECT_FALSE(parse({"backup-codes"}).result->code);  // asked for later
}

TEST(Arguments, JsonWithoutACodeIsAUsageError) {
  for (const auto* command : {"confirm", "disable", "backup-codes"}) {
    const auto parsed = parse({"--json", command});
    ASSERT_FALSE(parsed.result) << command;
    EXPECT_EQ(parsed.result.error(), ExitCode::usage);
    EXPECT_NE(parsed.err.find("CODE is required"), std::string::npos);
  }
  EXPECT_TRUE(parse({"--json", "status"}).result);
  EXPECT_TRUE(parse({"--json"}).result);
}

TEST(Arguments, HelpAndVersionStopWithSuccess) {
  for (const auto& words : {std::vector<const char*>{"--help"}, std::vector<const char*>{"disable", "--help"},
                            std::vector<const char*>{"--version"}}) {
    const auto [result, out, err] = parse(words);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), ExitCode::ok);
    EXPECT_FALSE(out.empty());
  }
  EXPECT_NE(parse({"disable", "--help"}).out.find("CODE"), std::string::npos);
}

TEST(Arguments, MistakesAreUsageErrors) {
  for (const auto& words :
       {std::vector<const char*>{"frobnicate"}, std::vector<const char*>{"--bogus"},
        std::vector<const char*>{"status", "extra"}, std::vector<const char*>{"status", "disable"},
        std::vector<const char*>{"reset"}, std::vector<const char*>{"--qr-png", "/tmp/q.png", "status"},
        std::vector<const char*>{"--user", "bad name", "status"}, std::vector<const char*>{"--user", "", "status"},
        std::vector<const char*>{"--socket", "", "status"}, std::vector<const char*>{"--socket"}}) {
    const auto [result, out, err] = parse(words);
    ASSERT_FALSE(result) << words.front();
    EXPECT_EQ(result.error(), ExitCode::usage);
    EXPECT_FALSE(err.empty());
  }
}

TEST(Arguments, TimeoutIsWholeSecondsUpToAnHour) {
  EXPECT_EQ(parse({"--timeout", "300", "status"}).result->timeout_seconds, 300);
  EXPECT_EQ(parse({"confirm", "--timeout", "1"}).result->timeout_seconds, 1);
  EXPECT_EQ(parse({"--timeout", "3600"}).result->timeout_seconds, kMaxTimeoutSeconds);
  for (const char* bad : {"0", "-5", "3601", "1.5", "soon", "99999999999999999999"}) {
    const auto [result, out, err] = parse({"--timeout", bad, "status"});
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error(), ExitCode::usage) << bad;
    EXPECT_NE(err.find("--timeout"), std::string::npos) << bad << ": " << err;
  }
}

TEST(Arguments, ASocketPathTooLongForSunPathIsRefused) {
  const std::string long_path(200, 'x');
  EXPECT_EQ(parse({"--socket", long_path.c_str(), "status"}).result.error(), ExitCode::usage);
}

}  // namespace
}  // namespace otpd::cli
