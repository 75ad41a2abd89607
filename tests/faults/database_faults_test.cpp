// otpd's database missing, empty, foreign, deleted, replaced or corrupted, at start
// and while otpd runs: otpd fails closed with a clear log line and never takes a
// lost database for "nobody is enrolled".
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "protocol.hpp"
#include "run_as.hpp"

namespace otpd::test {
namespace {

constexpr const char* kUser = "daemon";
const std::vector<std::pair<std::string, std::string>> kAsUser{{"X-OTP-User", kUser}};
const std::string kInternal(protocol::bus_error::kInternal);

bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

class DatabaseFaultTest : public OtpdTest {
 protected:
  const std::filesystem::path& database() { return env().otpd.paths().database; }
  std::filesystem::path key_file() { return database().parent_path() / "otpd.key"; }

  // otpd on this test's paths, run until it exits (for a start that must fail).
  OtpdRun start_to_exit() {
    const auto& paths = env().otpd.paths();
    return run_otpd_to_exit(
        env().dir,
        {"--config", paths.config.string(), "--database", paths.database.string(), "--socket", paths.socket.string()},
        {{"DBUS_SYSTEM_BUS_ADDRESS", bus_address()}});
  }

  void remove_database() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(database().string() + suffix);
  }

  // Stops otpd cleanly, so that everything is checkpointed into the main file.
  Enrolled enroll_and_stop() {
    const auto enrolled = enroll_as_root(socket(), kUser);
    env().otpd.stop();
    return enrolled;
  }
};

TEST_F(DatabaseFaultTest, AMissingDatabaseBesideAnExistingKeyIsNotReplacedByAnEmptyOne) {
  (void)enroll_and_stop();
  remove_database();
  const auto run = start_to_exit();
  EXPECT_TRUE(exited_with(run.status, 1)) << run.output;
  EXPECT_NE(run.output.find("is missing or empty, but the sealing key " + key_file().string() + " exists"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("move the key file away"), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(database())) << "no empty database was created";
}

TEST_F(DatabaseFaultTest, AnEmptyDatabaseBesideAnExistingKeyIsRefused) {
  (void)enroll_and_stop();
  remove_database();
  write_file(database(), "");
  ::chmod(database().c_str(), 0600);
  const auto run = start_to_exit();
  EXPECT_TRUE(exited_with(run.status, 1)) << run.output;
  EXPECT_NE(run.output.find("is missing or empty"), std::string::npos) << run.output;
  EXPECT_EQ(std::filesystem::file_size(database()), 0U);
}

TEST_F(DatabaseFaultTest, MovingTheKeyAwayStartsAfreshOnPurpose) {
  (void)enroll_and_stop();
  remove_database();
  std::filesystem::rename(key_file(), key_file().string() + ".old");
  env().otpd.start();
  EXPECT_EQ(bus_verify(bus_address(), kUser, "123456").outcome, "not_enrolled");
  EXPECT_TRUE(std::filesystem::exists(key_file())) << "a new key for the new database";
}

TEST_F(DatabaseFaultTest, AStartThatDiedBeforeWritingTheKeyStartsAgain) {
  // First start creates the database, then the key: dying between the two leaves a
  // database and no key, which is still a first start.
  env().otpd.stop();
  std::filesystem::remove(key_file());
  env().otpd.start();
  (void)enroll_as_root(socket(), kUser);
}

TEST_F(DatabaseFaultTest, ADatabaseOwnedByAnotherUserIsRefused) {
  (void)enroll_and_stop();
  ASSERT_EQ(::chown(database().c_str(), kNobodyUid, kNobodyUid), 0);
  const auto run = start_to_exit();
  EXPECT_TRUE(exited_with(run.status, 1)) << run.output;
  EXPECT_NE(run.output.find("must be owned by otpd's user with mode 0600"), std::string::npos) << run.output;
}

TEST_F(DatabaseFaultTest, ADatabaseDeletedWhileOtpdRunsTakesNoWriteThatWouldBeLost) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  remove_database();
  // Written to the deleted file, an accepted code would be usable again after a restart.
  const auto login = bus_verify(bus_address(), kUser, totp_code(enrolled.secret));
  EXPECT_EQ(login.error_name, kInternal) << login.outcome;
  const auto regenerate =
      http_post(socket(), "/v2/auth/otp/backup-codes", {{"code", enrolled.backup_codes[0]}}, kAsUser);
  EXPECT_EQ(regenerate.status, 503) << regenerate.body;
  EXPECT_EQ(regenerate.json()["error"], "otpd cannot use its database right now; try again later");
  EXPECT_NE(env().otpd.log_text().find("was deleted or replaced while otpd ran; restart otpd"), std::string::npos)
      << env().otpd.log_text();
  env().otpd.stop();
  EXPECT_TRUE(exited_with(start_to_exit().status, 1)) << "and it does not come back empty";
}

TEST_F(DatabaseFaultTest, ADatabaseReplacedWhileOtpdRunsIsNotWrittenTo) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  const auto other = env().dir / "other.db";
  std::filesystem::copy_file(database(), other);
  std::filesystem::rename(other, database());
  EXPECT_EQ(bus_verify(bus_address(), kUser, totp_code(enrolled.secret)).error_name, kInternal);
  env().otpd.restart();  // the admin's restart takes the new file
  EXPECT_EQ(bus_verify(bus_address(), kUser, totp_code(enrolled.secret)).outcome, "ok");
}

TEST_F(DatabaseFaultTest, ADatabaseCorruptedWhileOtpdRunsFailsClosed) {
  const auto enrolled = enroll_and_stop();
  env().otpd.start();
  {
    // Every page after the first (the tables' pages) overwritten in place.
    std::fstream file(database(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(4096);
    const std::string garbage(std::filesystem::file_size(database()) - 4096, '\xa5');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  // otpd may still answer from its page cache; what it answers must be true.
  const auto wrong = bus_verify(bus_address(), kUser, wrong_totp_code(enrolled.secret));
  EXPECT_TRUE(wrong.outcome == "invalid" || wrong.error_name == kInternal) << wrong.outcome << wrong.error_name;
  const auto status = bus_status(bus_address(), kUser);
  EXPECT_TRUE(status.error_name == kInternal || status.status.at("enabled") == 1U) << "never 'not enrolled'";
  env().otpd.stop();
  const auto run = start_to_exit();
  EXPECT_TRUE(exited_with(run.status, 1)) << run.output;
  EXPECT_NE(run.output.find("database"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace otpd::test
