// otpd's database on a tiny tmpfs that fills up: every write fails with a clear
// answer (HTTP 503, a named D-Bus error) and a clear log line, nothing is half
// written, and once there is room again the same operations succeed, no restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

#include "bus_client.hpp"
#include "database_probe.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_daemon.hpp"
#include "private_bus.hpp"
#include "protocol.hpp"
#include "tmpfs_mount.hpp"

namespace otpd::test {
namespace {

constexpr const char* kUser = "daemon";
constexpr std::size_t kDiskBytes = 1024 * 1024;
const std::vector<std::pair<std::string, std::string>> kAsUser{{"X-OTP-User", kUser}};

// The world of OtpdEnvironment, with otpd's state directory on a small tmpfs.
class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    disk_.emplace(dir_ / "state", kDiskBytes);
    bus_.emplace(dir_);
    otpd_.emplace(dir_, bus_->address());
  }
  void TearDown() override {
    otpd_.reset();
    bus_.reset();
    disk_.reset();
  }

  const std::filesystem::path& socket() { return otpd_->paths().socket; }
  const std::string& bus_address() { return bus_->address(); }

  TempDir dir_;
  std::optional<TmpfsMount> disk_;
  std::optional<PrivateBus> bus_;
  std::optional<OtpdDaemon> otpd_;
};

TEST_F(DiskFullTest, WritesFailClearlyWithNothingHalfWrittenAndSucceedOnceThereIsRoom) {
  const auto enrolled = enroll_as_root(socket(), kUser);
  disk_->fill();

  const auto regenerate =
      http_post(socket(), "/v2/auth/otp/backup-codes", {{"code", enrolled.backup_codes[0]}}, kAsUser);
  EXPECT_EQ(regenerate.status, 503) << regenerate.body;
  EXPECT_EQ(regenerate.json()["error"], "otpd cannot use its database right now; try again later");
  const auto enable = http_post(socket(), "/v2/auth/otp/enable", nlohmann::json::object(), {{"X-OTP-User", "bin"}});
  EXPECT_EQ(enable.status, 503) << enable.body;
  const std::string code = totp_code(enrolled.secret);
  const auto login = bus_verify(bus_address(), kUser, code);
  EXPECT_EQ(login.error_name, protocol::bus_error::kInternal) << login.outcome;
  EXPECT_NE(otpd_->log_text().find("failed: a database statement failed: database or disk is full"), std::string::npos)
      << otpd_->log_text();

  // What failed changed nothing: the old set is whole, the codes are unused.
  const auto status = http_get(socket(), "/v2/auth/otp/status", kAsUser);
  EXPECT_EQ(status.json()["backupCodesRemaining"], 10) << status.body;
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "bin"}}).json()["pending"], false);

  disk_->make_room();
  EXPECT_EQ(bus_verify(bus_address(), kUser, code).outcome, "ok") << "the code was never used";
  const auto again = http_post(socket(), "/v2/auth/otp/backup-codes", {{"code", enrolled.backup_codes[0]}}, kAsUser);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["backupCodes"].size(), 10U);
  EXPECT_EQ(bus_verify(bus_address(), kUser, enrolled.backup_codes[1]).outcome, "invalid") << "the old set died";
  EXPECT_EQ(http_post(socket(), "/v2/auth/otp/enable", nlohmann::json::object(), {{"X-OTP-User", "bin"}}).status, 200);

  otpd_->stop();
  EXPECT_EQ(database_integrity(otpd_->paths().database), "ok");
  EXPECT_EQ(stored_user(otpd_->paths().database, kUser).backup_codes, 10);
}

TEST_F(DiskFullTest, AFullDiskAtStartStopsOtpdWithAClearMessage) {
  otpd_->stop();
  for (const char* name : {"otpd.db", "otpd.db-wal", "otpd.db-shm", "otpd.key"}) {
    std::filesystem::remove(dir_ / "state" / name);
  }
  disk_->fill();
  const auto& paths = otpd_->paths();
  const auto run = run_otpd_to_exit(
      dir_,
      {"--config", paths.config.string(), "--database", paths.database.string(), "--socket", paths.socket.string()},
      {{"DBUS_SYSTEM_BUS_ADDRESS", bus_address()}});
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("otpd: "), std::string::npos) << run.output;
  disk_->make_room();
  otpd_->start();
  (void)enroll_as_root(socket(), kUser);
}

}  // namespace
}  // namespace otpd::test
