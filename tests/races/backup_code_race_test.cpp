// Fifty logins with one backup code, each over a bus connection of its own, all
// sent before otpd answers any: the code logs in once, and only one code of the
// set is used up. The same code comes in the spellings a person may type (upper
// case, no dash), so the race is on the code, not on the bytes of the input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>

#include "bus_client.hpp"
#include "database_probe.hpp"
#include "enrollment.hpp"
#include "otpd_environment.hpp"

namespace otpd::test {
namespace {

constexpr const char* kUser = "daemon";
constexpr std::size_t kAttempts = 50;

class BackupCodeRaceTest : public OtpdTest {
 protected:
  // Every loser is a failure; the default limit of 5 would answer most of them
  // `locked` before their code is looked at.
  std::string config_text() const override { return "[policy]\nmax_failures = 100\n"; }
};

std::vector<std::string> spellings(const std::string& code) {
  std::string upper = code;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  const auto undashed = [](std::string text) {
    text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
    return text;
  };
  return {code, upper, undashed(code), undashed(upper)};
}

TEST_F(BackupCodeRaceTest, FiftyConcurrentLoginsWithOneBackupCodeGiveExactlyOneSuccess) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  const std::string& code = enrolled.backup_codes[3];
  const auto ways_to_type_it = spellings(code);
  std::vector<std::string> attempts;
  for (std::size_t i = 0; i < kAttempts; ++i) attempts.push_back(ways_to_type_it[i % ways_to_type_it.size()]);

  const auto replies = bus_verify_at_once(bus_address(), kUser, attempts);

  std::size_t successes = 0;
  std::size_t invalid = 0;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    ASSERT_TRUE(replies[i].ok()) << i << ": " << replies[i].error_name << " " << replies[i].error_message;
    if (replies[i].outcome == "ok_backup") {
      ++successes;
      EXPECT_EQ(replies[i].backup_codes_left, 9U) << "the winner used up one code";
    }
    if (replies[i].outcome == "invalid") ++invalid;
  }
  std::cout << kAttempts << " concurrent attempts: " << successes << " ok_backup, " << invalid << " invalid\n";
  EXPECT_EQ(successes, 1U);
  EXPECT_EQ(invalid, kAttempts - 1);

  const auto status = bus_status(bus_address(), kUser);
  ASSERT_TRUE(status.ok()) << status.error_message;
  EXPECT_EQ(status.status.at("backup_codes_left"), 9U);
  EXPECT_EQ(stored_user(env().otpd.paths().database, kUser).backup_codes, 9);
  EXPECT_EQ(bus_verify(bus_address(), kUser, code).outcome, "invalid") << "the code stays used";
  const auto next = bus_verify(bus_address(), kUser, enrolled.backup_codes[4]);
  EXPECT_EQ(next.outcome, "ok_backup") << "the rest of the set is untouched";
  EXPECT_EQ(next.backup_codes_left, 8U);
}

}  // namespace
}  // namespace otpd::test
