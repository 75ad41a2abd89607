// No secret in the clear: not in the database, not in its WAL, not in otpd's log.
#include <gtest/gtest.h>

#include <cctype>

#include "bus_client.hpp"
#include "core/base32.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "secrets_seen.hpp"

namespace otpd::test {
namespace {

class SecretsAtRestTest : public OtpdTest {};

std::string everything_on_disk(const OtpdPaths& paths) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm"}) all += read_file(paths.database.string() + suffix);
  return all;
}

// Neither the secret (raw or base32) nor a backup code (with or without its dash).
void expect_no_secret_in(const std::string& bytes, const Enrolled& enrolled) {
  const auto raw_secret = *base32_decode(enrolled.secret);
  EXPECT_EQ(bytes.find(std::string(raw_secret.begin(), raw_secret.end())), std::string::npos);
  EXPECT_EQ(bytes.find(enrolled.secret), std::string::npos);
  for (const auto& backup : enrolled.backup_codes) {
    EXPECT_EQ(bytes.find(backup), std::string::npos) << backup;
    EXPECT_EQ(bytes.find(backup.substr(0, 4) + backup.substr(5)), std::string::npos) << backup;
  }
}

TEST_F(SecretsAtRestTest, NoSecretOrCodeIsStoredOrLoggedInTheClear) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string code = totp_code(enrolled.secret);
  ASSERT_EQ(bus_verify(bus_address(), "daemon", code, "sshd", "192.0.2.1").outcome, "ok");
  ASSERT_EQ(bus_verify(bus_address(), "daemon", enrolled.backup_codes[0]).outcome, "ok_backup");
  (void)bus_verify(bus_address(), "daemon", "999999");

  const std::string disk = everything_on_disk(env().otpd.paths());
  ASSERT_FALSE(disk.empty());
  expect_no_secret_in(disk, enrolled);

  env().otpd.stop();
  const std::string log = env().otpd.log_text();
  EXPECT_NE(log.find("login_success user=daemon service=sshd rhost=192.0.2.1 outcome=ok"), std::string::npos) << log;
  EXPECT_NE(log.find("login_failure user=daemon"), std::string::npos) << log;
  for (const std::string& secret : {enrolled.secret, code, std::string("999999")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  for (const auto& backup : enrolled.backup_codes) EXPECT_EQ(log.find(backup), std::string::npos);
}

// The WAL while otpd runs, right after an enrollment and logins: it holds the
// pages that say so (the user's name is there), but no secret and no code that
// was typed, in any spelling.
TEST_F(SecretsAtRestTest, TheWalOfARunningOtpdHoldsNoSecretOrCodeInTheClear) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string confirming = totp_code(enrolled.secret, -1);  // enroll_as_root confirmed with it
  const std::string code = totp_code(enrolled.secret);
  ASSERT_EQ(bus_verify(bus_address(), "daemon", code).outcome, "ok");
  std::string shouted = enrolled.backup_codes[1];
  for (auto& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  shouted.erase(4, 1);
  ASSERT_EQ(bus_verify(bus_address(), "daemon", shouted).outcome, "ok_backup");

  const std::string wal = read_file(env().otpd.paths().database.string() + "-wal");
  ASSERT_NE(wal.find("daemon"), std::string::npos) << "the enrollment is in the WAL, so the look means something";
  expect_no_secret_in(wal, enrolled);
  for (const std::string& typed : {confirming, code, shouted}) EXPECT_EQ(wal.find(typed), std::string::npos) << typed;
}

TEST_F(SecretsAtRestTest, CallerControlledLogFieldsCannotForgeLines) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  (void)bus_verify(bus_address(), "daemon", "000000", "sshd\notpd: login_success user=root", "evil\r\nhost");
  env().otpd.stop();
  const std::string log = env().otpd.log_text();
  EXPECT_EQ(log.find("\notpd: login_success user=root"), std::string::npos) << log;
  EXPECT_NE(log.find(R"(service="sshd\x0aotpd: login_success user=root")"), std::string::npos) << log;
}

// What every OtpdDaemon checks its otpd's log with, when it stops: remembered
// secrets and backup codes anywhere, a code only as a number of its own.
TEST(SecretsSeenTest, ARememberedSecretOrCodeInALogIsALeakAndAnUnrelatedNumberIsNot) {
  remember_handed_out(R"({"secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","backupCodes":["abcd-efgh"]})");
  remember_code("428193");
  EXPECT_EQ(leaked_secret("otpd: enable user=alice secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
  EXPECT_EQ(leaked_secret("otpd: login_failure user=alice code=abcdefgh"), "abcdefgh");
  EXPECT_EQ(leaked_secret("otpd: login_failure user=alice code=428193 outcome=invalid"), "428193");
  EXPECT_EQ(leaked_secret("otpd: lockout user=alice locked_until=1764281930"), std::nullopt);
  EXPECT_EQ(leaked_secret("otpd: login_failure user=alice outcome=invalid"), std::nullopt);
}

}  // namespace
}  // namespace otpd::test
