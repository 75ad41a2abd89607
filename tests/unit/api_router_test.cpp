// The HTTP API's decisions without the HTTP: who the caller is, and what each
// route answers, with a directory of users the test controls.
#include <gtest/gtest.h>

#include <map>

#include "api_router.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using nlohmann::json;

// root and its alias toor share uid 0; alice is 1000; uid 4242 has no name.
class FakeDirectory final : public UserDirectory {
 public:
  std::optional<std::string> name_of(uid_t uid) const override {
    if (uid == 0) return "root";
    if (uid == 1000) return "alice";
    return std::nullopt;
  }
  std::optional<uid_t> uid_of(std::string_view name) const override {
    if (name == "root" || name == "toor") return 0;
    if (name == "alice") return 1000;
    return std::nullopt;
  }
};

class RecordingLog final : public EventLog {
 public:
  void security(const SecurityEvent& event) override { lines.push_back(format_event_line(event)); }
  void message(LogLevel, std::string_view text) override { lines.emplace_back(text); }
  std::vector<std::string> lines;
};

class ApiRouterTest : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view method, std::string_view path, uid_t uid, std::string_view body = "",
                   std::optional<std::string_view> act_as = std::nullopt) {
    return router.handle(ApiRequest{method, path, uid, act_as, body});
  }

  test::TempDir dir;
  Store store = test::must(Store::open(dir / "otpd.db"));
  SecretSealer sealer{test::test_key()};
  ManualClock clock{1'800'000'000};
  OtpService service{store, sealer, clock, ServicePolicy{}, BackupCodeHasher(1000)};
  FakeDirectory users;
  RecordingLog log;
  ApiRouter router{service, users, log};
};

TEST_F(ApiRouterTest, TheCallerIsTheUidsUser) {
  EXPECT_EQ(call("POST", "/v2/auth/otp/enable", 1000).status, 200U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 1000).body["pending"], true);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 0).body["pending"], false);
  EXPECT_NE(log.lines.back().find("enroll user=alice caller_uid=1000"), std::string::npos) << log.lines.back();
}

TEST_F(ApiRouterTest, AUidWithoutANameIsUnauthorized) {
  const auto response = call("GET", "/v2/auth/otp/status", 4242);
  EXPECT_EQ(response.status, 401U);
  EXPECT_EQ(response.body, (json{{"error", "Unauthorized"}}));
}

TEST_F(ApiRouterTest, OnlyRootMayNameAnotherUser) {
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 1000, "", "root").status, 401U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 1000, "", "alice").status, 401U) << "not even oneself";
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 0, "", "alice").status, 200U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 0, "", "nobody-here").status, 400U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 0, "", "a:b").status, 400U);
}

TEST_F(ApiRouterTest, RootActingForAnAliasActsForTheUidsUser) {
  ASSERT_EQ(call("POST", "/v2/auth/otp/enable", 0, "{}", "toor").status, 200U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 0).body["pending"], true) << "stored under root";
}

TEST_F(ApiRouterTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(call("GET", "/v2/auth/otp/enable/", 1000).status, 404U);
  EXPECT_EQ(call("GET", "/", 1000).status, 404U);
  const auto wrong = call("DELETE", "/v2/auth/otp/status", 1000);
  EXPECT_EQ(wrong.status, 405U);
  EXPECT_EQ(wrong.allow, "GET");
}

TEST_F(ApiRouterTest, ARouteThatFailsInsideAnswers500WithoutDetail) {
  // A sealed secret that does not open (another key) is an internal failure.
  ASSERT_EQ(call("POST", "/v2/auth/otp/enable", 1000).status, 200U);
  SecretSealer other_key{test::test_key(7)};
  OtpService broken{store, other_key, clock, ServicePolicy{}, BackupCodeHasher(1000)};
  ApiRouter broken_router{broken, users, log};
  const auto response = broken_router.handle(ApiRequest{"POST", "/v2/auth/otp/confirm", 1000, std::nullopt,
                                                        R"({"code":"123456"})"});
  EXPECT_EQ(response.status, 500U);
  EXPECT_EQ(response.body, (json{{"error", "Internal error"}}));
  EXPECT_NE(log.lines.back().find("did not authenticate"), std::string::npos) << log.lines.back();
}

}  // namespace
}  // namespace otpd
