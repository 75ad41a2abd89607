// otpd.conf: defaults, every key, and errors that name the file, line and key.
#include <gtest/gtest.h>

#include "service/config.hpp"
#include "test_support.hpp"

namespace otpd::test {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  Expected<Config> load(const std::string& text) {
    write_file(dir_ / "otpd.conf", text);
    return load_config(dir_ / "otpd.conf", true);
  }
  std::string error_of(const std::string& text) {
    auto config = load(text);
    return config ? "(loaded)" : config.error().message;
  }
  TempDir dir_;
};

TEST_F(ConfigTest, AMissingDefaultFileMeansDefaults) {
  const auto config = load_config(dir_ / "absent.conf", false);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->database, "/var/lib/otpd/otpd.db");
  EXPECT_EQ(config->effective_key_file(), "/var/lib/otpd/otpd.key");
  EXPECT_EQ(config->socket, "/run/otpd/api.sock");
  EXPECT_EQ(config->policy.totp, TotpParameters{});
  EXPECT_EQ(config->policy.window, 1U);
  EXPECT_EQ(config->policy.enrollment_ttl, 600);
  EXPECT_EQ(config->policy.lockout.max_failures, 5U);
  EXPECT_EQ(config->policy.lockout.lockout, 30);
  EXPECT_EQ(config->policy.lockout.lockout_max, 900);
  EXPECT_EQ(config->policy.backup_codes, 10U);
  EXPECT_FALSE(config->policy.issuer.empty()) << "the host name";
}

TEST_F(ConfigTest, AMissingExplicitFileIsAnError) { EXPECT_FALSE(load_config(dir_ / "absent.conf", true)); }

TEST_F(ConfigTest, EveryKeyIsRead) {
  const auto config = load(
      "; comment\n[storage]\ndatabase = /srv/otp/db\nkey_file = /etc/otpd/key\n[api]\nsocket = /run/x.sock\n"
      "[totp]\nissuer = Example Corp\nalgorithm = sha256\ndigits = 8\nperiod = 60\nwindow = 2\n"
      "[policy]\nenrollment_ttl = 120\nmax_failures = 3\nlockout = 10\nlockout_max = 100\nbackup_codes = 12\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->database, "/srv/otp/db");
  EXPECT_EQ(config->effective_key_file(), "/etc/otpd/key");
  EXPECT_EQ(config->socket, "/run/x.sock");
  EXPECT_EQ(config->policy.issuer, "Example Corp");
  EXPECT_EQ(config->policy.totp, (TotpParameters{HashAlgorithm::sha256, 8, 60}));
  EXPECT_EQ(config->policy.window, 2U);
  EXPECT_EQ(config->policy.enrollment_ttl, 120);
  EXPECT_EQ(config->policy.lockout.max_failures, 3U);
  EXPECT_EQ(config->policy.lockout.lockout, 10);
  EXPECT_EQ(config->policy.lockout.lockout_max, 100);
  EXPECT_EQ(config->policy.backup_codes, 12U);
}

TEST_F(ConfigTest, BadValuesNameFileLineAndKey) {
  const std::string file = (dir_ / "otpd.conf").string();
  EXPECT_EQ(error_of("[totp]\ndigits = 9\n"), file + ":2: [totp] digits: expected a whole number from 6 to 8");
  EXPECT_EQ(error_of("[totp]\n\nperiod = 30s\n"), file + ":3: [totp] period: expected a whole number from 10 to 300");
  EXPECT_EQ(error_of("[totp]\nalgorithm = MD5\n"), file + ":2: [totp] algorithm: expected SHA1, SHA256 or SHA512");
  EXPECT_EQ(error_of("[totp]\nissuer = a:b\n"),
            file + ":2: [totp] issuer: must not contain ':' (it separates issuer and account)");
  EXPECT_EQ(error_of("[storage]\ndatabase = relative.db\n"),
            file + ":2: [storage] database: expected an absolute path");
  EXPECT_EQ(error_of("[policy]\nmax_failures = -1\n"),
            file + ":2: [policy] max_failures: expected a whole number from 1 to 100");
  EXPECT_EQ(error_of("[policy]\nlockout = 60\nlockout_max = 30\n"),
            file + ": [policy] lockout_max must be at least lockout");
}

TEST_F(ConfigTest, UnknownKeysAndSectionsAreErrors) {
  const std::string file = (dir_ / "otpd.conf").string();
  EXPECT_EQ(error_of("[policy]\nmax_failure = 3\n"), file + ":2: [policy] max_failure: unknown key");
  EXPECT_EQ(error_of("[polcy]\nmax_failures = 3\n"), file + ":2: [polcy] max_failures: unknown key");
  EXPECT_EQ(error_of("digits = 6\n"), file + ":1: [] digits: unknown key");
}

TEST_F(ConfigTest, TheFirstErrorIsTheOneReported) {
  const std::string file = (dir_ / "otpd.conf").string();
  EXPECT_EQ(error_of("[totp]\nnot ini at all\ndigits = 9\n"), file + ":2: not a valid INI line");
  EXPECT_EQ(error_of("[totp]\ndigits = 9\nnot ini at all\n"),
            file + ":2: [totp] digits: expected a whole number from 6 to 8");
}

// inih reads a line in pieces of its buffer: the tail of a long comment once became
// a setting of its own, and the lines after it were misnumbered (found by
// fuzz/config; the input is in fuzz/corpus/config/).
TEST_F(ConfigTest, ALongLineIsAnErrorNotTwoLines) {
  const std::string file = (dir_ / "otpd.conf").string();
  const std::string long_comment = "# " + std::string(1000, 'x') + " digits = 8\n";
  EXPECT_TRUE(error_of("[totp]\n" + long_comment).starts_with(file + ":2: a line longer than "))
      << error_of("[totp]\n" + long_comment);
  EXPECT_EQ(error_of("[totp]\ndigits = 9\n" + long_comment),
            file + ":2: [totp] digits: expected a whole number from 6 to 8");
  EXPECT_EQ(error_of("[totp]\n#" + std::string(150, 'x') + "\ndigits = 9\n"),
            file + ":3: [totp] digits: expected a whole number from 6 to 8");
  EXPECT_EQ(error_of(std::string("[totp]\ndigits = 7\0 digits = 8\n", 30)), file + ":2: a NUL byte");
}

// inih reads an indented line as more of the value before it; otpd reads it as a
// line of its own, as whoever indented it meant.
TEST_F(ConfigTest, AnIndentedLineIsALineOfItsOwn) {
  const auto config = load("[totp]\nissuer = a\n  digits = 8\n\t window = 2\n  [policy]\n    max_failures = 3\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->policy.issuer, "a");
  EXPECT_EQ(config->policy.totp.digits, 8u);
  EXPECT_EQ(config->policy.window, 2u);
  EXPECT_EQ(config->policy.lockout.max_failures, 3u);
  const std::string file = (dir_ / "otpd.conf").string();
  EXPECT_EQ(error_of("[totp]\nwindow = 1\n  5\n"), file + ":3: not a valid INI line");
}

TEST_F(ConfigTest, AKeySetTwiceIsAnError) {
  const std::string file = (dir_ / "otpd.conf").string();
  EXPECT_EQ(error_of("[policy]\nmax_failures = 5\n\nmax_failures = 100\n"),
            file + ":4: [policy] max_failures: set again (first on line 2)");
  EXPECT_EQ(error_of("[totp]\nwindow = 1\n[policy]\nlockout = 30\n[totp]\nwindow = 3\n"),
            file + ":6: [totp] window: set again (first on line 2)");
}

}  // namespace
}  // namespace otpd::test
