// Where the sealing key comes from: created once beside the database, refused
// when the file is anything but a private 32-byte regular file, or taken from the
// systemd credentials directory.
#include "crypto/sealing_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "test_support.hpp"

namespace otpd {
namespace {

using test::file_mode;
using test::read_file;
using test::TempDir;
using test::write_file_with_mode;

std::string as_string(const SecureBytes& bytes) { return test::text_of(bytes.view()); }

class SealingKeyTest : public ::testing::Test {
 protected:
  // The key file, with no credentials directory.
  Expected<SecureBytes> load() { return load_sealing_key(std::nullopt, key_file); }

  void expect_refused(const std::string& why) {
    const auto key = load();
    ASSERT_FALSE(key) << why;
    EXPECT_EQ(key.error().kind, ErrorKind::system) << why;
    EXPECT_NE(key.error().message.find(key_file.string()), std::string::npos)
        << "the message names the file: " << key.error().message;
  }

  TempDir dir;
  std::filesystem::path key_file = dir / "otpd.key";
};

TEST_F(SealingKeyTest, CreatesAPrivate32ByteKeyOnFirstUse) {
  const auto key = load();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->size(), 32U);
  EXPECT_EQ(file_mode(key_file), 0600U);
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(key_file)));
  EXPECT_EQ(read_file(key_file), as_string(*key));
  EXPECT_NE(as_string(*key), std::string(32, '\0'));
}

TEST_F(SealingKeyTest, ReturnsTheSameKeyTheSecondTime) {
  const auto first = load();
  ASSERT_TRUE(first) << first.error().message;
  const auto second = load();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(as_string(*first), as_string(*second));
}

TEST_F(SealingKeyTest, TwoNewKeysDiffer) {
  const TempDir other;
  const auto first = load();
  const auto second = load_sealing_key(std::nullopt, other / "otpd.key");
  ASSERT_TRUE(first && second);
  EXPECT_NE(as_string(*first), as_string(*second));
}

TEST_F(SealingKeyTest, ReadsAnExistingPrivateKeyFile) {
  const std::string bytes(32, '\x42');
  write_file_with_mode(key_file, bytes, 0600);
  const auto key = load();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(as_string(*key), bytes);
}

TEST_F(SealingKeyTest, RefusesASymlink) {
  const auto target = dir / "real.key";
  write_file_with_mode(target, std::string(32, '\x42'), 0600);
  std::filesystem::create_symlink(target, key_file);
  expect_refused("a symlink to a good key");
  EXPECT_EQ(read_file(target), std::string(32, '\x42'));
}

TEST_F(SealingKeyTest, RefusesADanglingSymlinkAndWritesNothingThrough) {
  const auto target = dir / "planted.key";
  std::filesystem::create_symlink(target, key_file);
  EXPECT_FALSE(load());
  EXPECT_FALSE(std::filesystem::exists(target)) << "the key was written through a symlink";
}

TEST_F(SealingKeyTest, RefusesAFileOthersCanRead) {
  write_file_with_mode(key_file, std::string(32, '\x42'), 0644);
  expect_refused("mode 0644");
  EXPECT_EQ(file_mode(key_file), 0644U) << "refused, never repaired";
}

TEST_F(SealingKeyTest, RefusesAFileTheGroupCanRead) {
  write_file_with_mode(key_file, std::string(32, '\x42'), 0640);
  expect_refused("mode 0640");
}

TEST_F(SealingKeyTest, RefusesAShortKey) {
  write_file_with_mode(key_file, std::string(31, '\x42'), 0600);
  expect_refused("31 bytes");
}

TEST_F(SealingKeyTest, RefusesALongKey) {
  write_file_with_mode(key_file, std::string(33, '\x42'), 0600);
  expect_refused("33 bytes");
}

TEST_F(SealingKeyTest, RefusesAnEmptyKeyFile) {
  write_file_with_mode(key_file, "", 0600);
  expect_refused("0 bytes");
}

TEST_F(SealingKeyTest, RefusesADirectory) {
  ASSERT_TRUE(std::filesystem::create_directory(key_file));
  ASSERT_EQ(::chmod(key_file.c_str(), 0700), 0);
  expect_refused("a directory");
}

TEST_F(SealingKeyTest, FailsWhenTheDirectoryDoesNotExist) {
  const auto key = load_sealing_key(std::nullopt, dir / "missing" / "otpd.key");
  EXPECT_FALSE(key);
}

class CredentialKeyTest : public SealingKeyTest {
 protected:
  Expected<SecureBytes> load_with_credentials() { return load_sealing_key(credentials.path(), key_file); }
  TempDir credentials;
};

TEST_F(CredentialKeyTest, UsesTheCredentialWhenPresent) {
  const std::string credential(32, '\x17');
  write_file_with_mode(credentials / kCredentialName, credential, 0400);
  write_file_with_mode(key_file, std::string(32, '\x42'), 0600);
  const auto key = load_with_credentials();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(as_string(*key), credential);
}

TEST_F(CredentialKeyTest, CreatesNoKeyFileWhenTheCredentialIsPresent) {
  write_file_with_mode(credentials / kCredentialName, std::string(32, '\x17'), 0400);
  ASSERT_TRUE(load_with_credentials());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(key_file)));
}

TEST_F(CredentialKeyTest, RefusesAWrongSizeCredential) {
  for (const std::size_t size : {0U, 31U, 33U}) {
    write_file_with_mode(credentials / kCredentialName, std::string(size, '\x17'), 0600);
    const auto key = load_with_credentials();
    EXPECT_FALSE(key) << size << " bytes";
    EXPECT_FALSE(std::filesystem::exists(key_file)) << "no fallback to the key file";
  }
}

TEST_F(CredentialKeyTest, FallsBackToTheKeyFileWithoutTheCredential) {
  const auto key = load_with_credentials();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(read_file(key_file), as_string(*key));
}

}  // namespace
}  // namespace otpd

namespace otpd {
namespace {

TEST(CredentialSymlink, ADanglingCredentialIsRefusedNotSkipped) {
  test::TempDir credentials;
  test::TempDir state;
  std::filesystem::create_symlink(credentials / "nowhere", credentials / kCredentialName);
  const auto key = load_sealing_key(credentials.path(), state / "otpd.key");
  EXPECT_FALSE(key) << "falling back to a key file would silently change the key";
  EXPECT_FALSE(std::filesystem::exists(state / "otpd.key"));
}

}  // namespace
}  // namespace otpd
