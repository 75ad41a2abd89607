// OtpdClient against a private dbus-daemon: the owner check, the two calls, and every
// way the bus or the daemon can fail, each of which must come back as a BusError.
#include "bus_client.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "open_descriptors.hpp"
#include "permissive_bus.hpp"

namespace otpd::pam {
namespace {

using otpd::test::TempDir;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using test::open_descriptors;
using test::PermissiveBus;
using test::ReadyChild;
using test::SystemBusAddress;

constexpr milliseconds kTimeout{2000};

std::unique_ptr<ReadyChild> start_fake(std::vector<std::string> args = {}) {
  args.insert(args.begin(), test::path_from_env("FAKE_OTPD"));
  return std::make_unique<ReadyChild>(args);
}

VerifyRequest request(std::string_view code) { return VerifyRequest{"alice", SecureString{code}, "sshd", "192.0.2.1"}; }

class BusClientTest : public ::testing::Test {
 protected:
  PermissiveBus bus_;
  SystemBusAddress address_{bus_.address()};
  const uid_t me_ = getuid();

  // One Verify of "123456" against a fake otpd started with `fake_args`.
  [[nodiscard]] tl::expected<VerifyReply, BusError> verify_against(std::vector<std::string> fake_args) const {
    const auto fake = start_fake(std::move(fake_args));
    auto client = OtpdClient::connect(kTimeout, me_);
    if (!client) return tl::unexpected{client.error()};
    return client->verify(request("123456"));
  }
};

TEST_F(BusClientTest, VerifiesThroughTheOwnerItChecked) {
  const auto fake = start_fake({"--code", "654321"});
  auto client = OtpdClient::connect(kTimeout, me_);
  ASSERT_TRUE(client) << client.error().detail;
  EXPECT_TRUE(client->owner().starts_with(":"));
  const auto reply = client->verify(request("654321"));
  ASSERT_TRUE(reply) << reply.error().detail;
  EXPECT_EQ(reply->outcome, "ok");
  const auto wrong = client->verify(request("000000"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->outcome, "invalid");
  EXPECT_EQ(wrong->message, "Invalid code.");
}

TEST_F(BusClientTest, SendsUserCodeServiceAndRhost) {
  TempDir dir{"otpd-pam"};
  const auto record = dir.path() / "requests";
  const auto fake = start_fake({"--record", record.string()});
  auto client = OtpdClient::connect(kTimeout, me_);
  ASSERT_TRUE(client) << client.error().detail;
  ASSERT_TRUE(client->verify(request("123456")));
  std::stringstream seen;
  seen << std::ifstream{record}.rdbuf();
  EXPECT_EQ(seen.str(), "Verify alice 123456 sshd 192.0.2.1\n");
}

TEST_F(BusClientTest, BackupCodeReplyCarriesTheCount) {
  const auto fake = start_fake();
  auto client = OtpdClient::connect(kTimeout, me_);
  ASSERT_TRUE(client) << client.error().detail;
  const auto reply = client->verify(request("abcd-2345"));
  ASSERT_TRUE(reply) << reply.error().detail;
  EXPECT_EQ(reply->outcome, "ok_backup");
  EXPECT_EQ(reply->message, "Backup code accepted; 9 left.");
  EXPECT_EQ(reply->backup_codes_left, 9U);
}

TEST_F(BusClientTest, UnknownOutcomeIsPassedOnAsSent) {
  const auto fake = start_fake({"--outcome", "welcome"});
  auto client = OtpdClient::connect(kTimeout, me_);
  ASSERT_TRUE(client) << client.error().detail;
  const auto reply = client->verify(request("123456"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->outcome, "welcome");
}

TEST_F(BusClientTest, StatusEnabled) {
  for (const auto& [status, enrolled] : {std::pair{"yes", true}, std::pair{"no", false}}) {
    const auto fake = start_fake({"--status", status});
    auto client = OtpdClient::connect(kTimeout, me_);
    ASSERT_TRUE(client) << client.error().detail;
    const auto answer = client->is_enrolled("alice");
    ASSERT_TRUE(answer) << answer.error().detail;
    EXPECT_EQ(*answer, enrolled) << status;
  }
}

TEST_F(BusClientTest, StatusWithoutABooleanEnabledIsMalformed) {
  for (const char* status : {"missing", "wrongtype"}) {
    const auto fake = start_fake({"--status", status});
    auto client = OtpdClient::connect(kTimeout, me_);
    ASSERT_TRUE(client) << client.error().detail;
    const auto answer = client->is_enrolled("alice");
    ASSERT_FALSE(answer) << status;
    EXPECT_EQ(answer.error().failure, BusFailure::malformed_reply) << answer.error().detail;
  }
}

TEST_F(BusClientTest, VerifyReplyOfTheWrongShapeIsMalformed) {
  const auto reply = verify_against({"--verify", "malformed"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().failure, BusFailure::malformed_reply) << reply.error().detail;
}

TEST_F(BusClientTest, NamedErrorReplyIsACallFailureThatNamesTheError) {
  const auto reply = verify_against({"--verify", "error"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().failure, BusFailure::call_failed);
  EXPECT_NE(reply.error().detail.find("org.otpd.Otpd1.Error.AccessDenied"), std::string::npos) << reply.error().detail;
}

TEST_F(BusClientTest, BusyIsAFailureOfItsOwn) {
  const auto reply = verify_against({"--verify", "busy"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().failure, BusFailure::busy) << reply.error().detail;
  EXPECT_EQ(reply.error().error_name, protocol::bus_error::kBusy);
}

TEST_F(BusClientTest, OwnerOfAnotherUidIsRefused) {
  const auto fake = start_fake();
  const auto client = OtpdClient::connect(kTimeout, me_ + 1);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().failure, BusFailure::owner_not_root);
  EXPECT_NE(client.error().detail.find("runs as uid " + std::to_string(me_)), std::string::npos)
      << client.error().detail;
}

TEST_F(BusClientTest, NobodyOwnsTheName) {
  const auto client = OtpdClient::connect(kTimeout, me_);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().failure, BusFailure::not_running) << client.error().detail;
}

TEST_F(BusClientTest, SilentDaemonTimesOutWithinTheTimeout) {
  const auto fake = start_fake({"--verify", "silent"});
  auto client = OtpdClient::connect(milliseconds{300}, me_);
  ASSERT_TRUE(client) << client.error().detail;
  const auto start = steady_clock::now();
  const auto reply = client->verify(request("123456"));
  const auto waited = steady_clock::now() - start;
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().failure, BusFailure::timeout) << reply.error().detail;
  EXPECT_GE(waited, milliseconds{250});
  EXPECT_LT(waited, milliseconds{2000});
}

TEST_F(BusClientTest, StoppedDaemonTimesOut) {
  const auto fake = start_fake();
  auto client = OtpdClient::connect(milliseconds{300}, me_);
  ASSERT_TRUE(client) << client.error().detail;
  fake->signal(SIGSTOP);
  const auto start = steady_clock::now();
  const auto reply = client->verify(request("123456"));
  EXPECT_LT(steady_clock::now() - start, milliseconds{2000});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().failure, BusFailure::timeout);
  fake->signal(SIGCONT);
}

TEST_F(BusClientTest, StoppedBusDaemonTimesOutWithinTheTimeoutNotSdBusDefault) {
  const auto fake = start_fake();
  bus_.signal(SIGSTOP);
  const auto start = steady_clock::now();
  const auto client = OtpdClient::connect(milliseconds{300}, me_);
  const auto waited = steady_clock::now() - start;
  bus_.signal(SIGCONT);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().failure, BusFailure::timeout) << client.error().detail;
  EXPECT_LT(waited, milliseconds{2000});
}

TEST_F(BusClientTest, LeavesNoDescriptorBehind) {
  const auto fake = start_fake();
  const std::size_t before = open_descriptors();
  {
    auto client = OtpdClient::connect(kTimeout, me_);
    ASSERT_TRUE(client) << client.error().detail;
    ASSERT_TRUE(client->verify(request("123456")));
  }
  EXPECT_EQ(open_descriptors(), before);
}

TEST(BusClientNoBus, NoBusIsAConnectFailure) {
  const TempDir dir{"otpd-pam"};
  const SystemBusAddress address{"unix:path=" + (dir.path() / "no-bus-here").string()};
  const auto client = OtpdClient::connect(kTimeout, getuid());
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().failure, BusFailure::connect);
}

TEST(BusClientActivation, StartsOtpdByBusActivation) {
  const PermissiveBus bus{{{"org.otpd.Otpd1", test::path_from_env("FAKE_OTPD") + " --code 111111"}}};
  const SystemBusAddress address{bus.address()};
  auto client = OtpdClient::connect(kTimeout, getuid());
  ASSERT_TRUE(client) << client.error().detail;
  const auto reply = client->verify(request("111111"));
  ASSERT_TRUE(reply) << reply.error().detail;
  EXPECT_EQ(reply->outcome, "ok");
}

}  // namespace
}  // namespace otpd::pam
