// How otpd starts and stops: configuration errors name file, line and key; unsafe
// files are refused; the socket is set up right; SIGTERM is a clean exit.
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "http_client.hpp"
#include "otpd_environment.hpp"

namespace otpd::test {
namespace {

class StartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  }

  OtpdRun run_with_config(const std::string& config_text) {
    write_file(dir_ / "bad.conf", config_text);
    return run_otpd_to_exit(dir_,
                            {"--config", (dir_ / "bad.conf").string(), "--database", (dir_ / "db/otpd.db").string(),
                             "--socket", (dir_ / "api.sock").string()},
                            {{"DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + (dir_ / "no-bus").string()}});
  }

  TempDir dir_;
};

bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

TEST_F(StartupTest, ABadValueNamesFileLineAndKey) {
  const auto run = run_with_config("[totp]\nissuer = Example\ndigits = 9\n");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("bad.conf:3: [totp] digits: expected a whole number from 6 to 8"), std::string::npos)
      << run.output;
}

TEST_F(StartupTest, AnUnknownKeyIsAnError) {
  const auto run = run_with_config("[policy]\nmax_failure = 3\n");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("bad.conf:2: [policy] max_failure: unknown key"), std::string::npos) << run.output;
}

TEST_F(StartupTest, ALineThatIsNotIniIsAnError) {
  const auto run = run_with_config("[totp]\nthis is not ini\nissuer = x\n");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("bad.conf:2: not a valid INI line"), std::string::npos) << run.output;
}

TEST_F(StartupTest, AnExplicitConfigThatIsMissingIsAnError) {
  const auto run = run_otpd_to_exit(dir_, {"--config", (dir_ / "missing.conf").string()});
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("missing.conf: No such file or directory"), std::string::npos) << run.output;
}

TEST_F(StartupTest, AnUnreachableBusStopsStartWithAClearMessage) {
  const auto run = run_with_config("");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("cannot connect to the system bus"), std::string::npos) << run.output;
}

TEST_F(StartupTest, ADatabaseOthersCanReadIsRefused) {
  std::filesystem::create_directories(dir_ / "db");
  write_file(dir_ / "db/otpd.db", "");
  ::chmod((dir_ / "db/otpd.db").c_str(), 0644);
  const auto run = run_with_config("");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("must be owned by otpd's user with mode 0600"), std::string::npos) << run.output;
}

TEST_F(StartupTest, ACorruptDatabaseIsRefused) {
  std::filesystem::create_directories(dir_ / "db");
  write_file(dir_ / "db/otpd.db", std::string(8192, 'x'));
  ::chmod((dir_ / "db/otpd.db").c_str(), 0600);
  const auto run = run_with_config("");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("database"), std::string::npos) << run.output;
}

TEST_F(StartupTest, AKeyFileOthersCanReadIsRefused) {
  std::filesystem::create_directories(dir_ / "db");
  write_file(dir_ / "db/otpd.key", std::string(32, 'k'));
  ::chmod((dir_ / "db/otpd.key").c_str(), 0644);
  const auto run = run_with_config("");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("otpd.key is readable or writable by others"), std::string::npos) << run.output;
}

TEST_F(StartupTest, AKeyFileThatIsASymlinkIsRefused) {
  std::filesystem::create_directories(dir_ / "db");
  write_file(dir_ / "elsewhere", std::string(32, 'k'));
  std::filesystem::create_symlink(dir_ / "elsewhere", dir_ / "db/otpd.key");
  const auto run = run_with_config("");
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("cannot open key"), std::string::npos) << run.output;
}

class RunningDaemonTest : public OtpdTest {};

TEST_F(RunningDaemonTest, FilesAndSocketHaveTheRightModes) {
  struct stat st {};
  ASSERT_EQ(::stat(socket().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0666U);
  ASSERT_EQ(::stat(env().otpd.paths().database.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat((env().otpd.paths().database.parent_path() / "otpd.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(st.st_size, 32);
  ASSERT_EQ(::stat(env().otpd.paths().database.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
}

TEST_F(RunningDaemonTest, ASecondOtpdRefusesALiveSocket) {
  const auto run = run_otpd_to_exit(env().dir, {"--config", env().otpd.paths().config.string(), "--database",
                                                (env().dir / "other.db").string(), "--socket", socket().string()});
  EXPECT_TRUE(exited_with(run.status, 1));
  EXPECT_NE(run.output.find("is in use: is another otpd running?"), std::string::npos) << run.output;
}

TEST_F(RunningDaemonTest, SigtermIsACleanExitAndAStaleSocketIsReplacedOnRestart) {
  EXPECT_TRUE(exited_with(env().otpd.stop(), 0));
  EXPECT_TRUE(std::filesystem::exists(socket())) << "the dead daemon's socket stays behind";
  env().otpd.start();
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "daemon"}}).status, 200);
}

TEST_F(StartupTest, SocketActivationServesOnThePassedSocket) {
  // systemd-socket-activate listens, and on the first connection starts otpd with
  // the listening socket as descriptor 3 (LISTEN_FDS=1), as otpd.socket will.
  const PrivateBus bus(dir_);
  write_file(dir_ / "otpd.conf", "");
  const auto socket_path = dir_ / "activated.sock";
  ChildProcess activator(SpawnOptions{
      {"/usr/bin/systemd-socket-activate", "-l", socket_path.string(), "-E", "DBUS_SYSTEM_BUS_ADDRESS=" + bus.address(),
       otpd_binary().string(), "--config", (dir_ / "otpd.conf").string(), "--database", (dir_ / "db/otpd.db").string(),
       "--socket", (dir_ / "unused.sock").string()},
      {},
      dir_ / "activator.log"});
  // It says so once it listens; a connection before that would be refused.
  ASSERT_TRUE(wait_for(dir_.path(), [&] {
    return read_file(dir_ / "activator.log").find("Listening on") != std::string::npos;
  })) << read_file(dir_ / "activator.log");
  const auto response = http_get(socket_path, "/v2/auth/otp/status", {{"X-OTP-User", "daemon"}});
  EXPECT_EQ(response.status, 200) << read_file(dir_ / "activator.log");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "unused.sock"));
  activator.stop();
}

}  // namespace
}  // namespace otpd::test
