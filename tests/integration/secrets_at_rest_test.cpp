// No secret in the clear: not in the database, not in its WAL, not in otpd's log.
#include <gtest/gtest.h>

#include "base32.hpp"
#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"

namespace otpd::test {
namespace {

class SecretsAtRestTest : public OtpdTest {};

std::string everything_on_disk(const OtpdPaths& paths) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm"}) all += read_file(paths.database.string() + suffix);
  return all;
}

TEST_F(SecretsAtRestTest, NoSecretOrCodeIsStoredOrLoggedInTheClear) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const std::string code = totp_code(enrolled.secret);
  ASSERT_EQ(bus_verify(bus_address(), "daemon", code, "sshd", "192.0.2.1").outcome, "ok");
  ASSERT_EQ(bus_verify(bus_address(), "daemon", enrolled.backup_codes[0]).outcome, "ok_backup");
  (void)bus_verify(bus_address(), "daemon", "999999");

  const auto raw_secret = *base32_decode(enrolled.secret);
  const std::string raw(raw_secret.begin(), raw_secret.end());
  const std::string disk = everything_on_disk(env().otpd.paths());
  ASSERT_FALSE(disk.empty());
  EXPECT_EQ(disk.find(raw), std::string::npos);
  EXPECT_EQ(disk.find(enrolled.secret), std::string::npos);
  for (const auto& backup : enrolled.backup_codes) {
    EXPECT_EQ(disk.find(backup), std::string::npos);
    EXPECT_EQ(disk.find(backup.substr(0, 4) + backup.substr(5)), std::string::npos);
  }

  env().otpd.stop();
  const std::string log = env().otpd.log_text();
  EXPECT_NE(log.find("login_success user=daemon service=sshd rhost=192.0.2.1 outcome=ok"), std::string::npos) << log;
  EXPECT_NE(log.find("login_failure user=daemon"), std::string::npos) << log;
  for (const std::string& secret : {enrolled.secret, code, std::string("999999")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  for (const auto& backup : enrolled.backup_codes) EXPECT_EQ(log.find(backup), std::string::npos);
}

TEST_F(SecretsAtRestTest, CallerControlledLogFieldsCannotForgeLines) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  (void)bus_verify(bus_address(), "daemon", "000000", "sshd\notpd: login_success user=root", "evil\r\nhost");
  env().otpd.stop();
  const std::string log = env().otpd.log_text();
  EXPECT_EQ(log.find("\notpd: login_success user=root"), std::string::npos) << log;
  EXPECT_NE(log.find(R"(service="sshd\x0aotpd: login_success user=root")"), std::string::npos) << log;
}

}  // namespace
}  // namespace otpd::test
