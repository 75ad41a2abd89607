// The HTTP API's decisions without the HTTP: who the caller is, and what each
// route answers, with a directory of users the test controls.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "http/api_router.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using nlohmann::json;

// root and its alias toor share uid 0; alice is 1000; uid 4242 has no name. While
// `failing`, every lookup is the directory failing.
class FakeDirectory final : public UserDirectory {
 public:
  Expected<std::optional<std::string>> name_of(uid_t uid) const override {
    if (failing) return fail(ErrorKind::directory, "the directory is down");
    if (uid == 0) return "root";
    if (uid == 1000) return "alice";
    return std::nullopt;
  }
  Expected<std::optional<uid_t>> uid_of(std::string_view name) const override {
    if (failing) return fail(ErrorKind::directory, "the directory is down");
    if (name == "root" || name == "toor") return 0;
    if (name == "alice") return 1000;
    return std::nullopt;
  }
  bool failing = false;
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

// A directory that cannot answer (sssd down) is otpd unable to serve now, not a
// caller without an account: 503, for the caller's own uid and for X-OTP-User.
TEST_F(ApiRouterTest, ADirectoryThatCannotAnswerIsUnavailableNotUnauthorized) {
  users.failing = true;
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 1000).status, 503U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 0, "", "toor").status, 503U);
  EXPECT_EQ(call("POST", "/v2/auth/otp/enable", 1000).status, 503U);
  EXPECT_NE(log.lines.back().find("the directory is down"), std::string::npos) << log.lines.back();
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
  const auto response =
      broken_router.handle(ApiRequest{"POST", "/v2/auth/otp/confirm", 1000, std::nullopt, R"({"code":"123456"})"});
  EXPECT_EQ(response.status, 500U);
  EXPECT_EQ(response.body, (json{{"error", "Internal error"}}));
  EXPECT_NE(log.lines.back().find("did not authenticate"), std::string::npos) << log.lines.back();
}

// An executor that holds every batch, or refuses them all: the router's answer
// waits for it, or says why not.
class HeldHashExecutor final : public HashExecutor {
 public:
  HashAdmission submit(std::string_view, BackupCodeBatch batch, Done done) override {
    if (admission == HashAdmission::accepted) held.emplace_back(std::move(batch), std::move(done));
    return admission;
  }
  void release_all() {
    auto jobs = std::move(held);
    held.clear();
    for (auto& [batch, done] : jobs) done(hash_backup_code_batch(batch));
  }
  std::vector<std::pair<BackupCodeBatch, Done>> held;
  HashAdmission admission = HashAdmission::accepted;
};

class AsyncApiRouterTest : public ApiRouterTest {
 protected:
  // The answer of handle(request, respond), which may come later.
  std::shared_ptr<std::optional<ApiResponse>> start(std::string_view method, std::string_view path,
                                                    std::string_view body = "") {
    auto answer = std::make_shared<std::optional<ApiResponse>>();
    async_router.handle(ApiRequest{method, path, 1000, std::nullopt, body},
                        [answer](ApiResponse response) { answer->emplace(std::move(response)); });
    return answer;
  }

  HeldHashExecutor executor;
  ApiRouter async_router{service, users, log, &executor};
};

TEST_F(AsyncApiRouterTest, ASeed004SetupIsAnsweredOnceItsCodesAreHashed) {
  const auto answer = start("POST", "/api/v1/auth/2fa/setup", "{}");
  EXPECT_FALSE(answer->has_value());
  ASSERT_EQ(executor.held.size(), 1U);
  EXPECT_EQ(start("GET", "/v2/auth/otp/status")->value().status, 200U) << "other routes answer at once";
  executor.release_all();
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->status, 200U);
  EXPECT_EQ((*answer)->body["backupCodes"].size(), 10U);
  EXPECT_EQ(call("GET", "/v2/auth/otp/status", 1000).body["pending"], true);
}

TEST_F(AsyncApiRouterTest, AFullQueueIs429ForTheUserAnd503ForAll) {
  executor.admission = HashAdmission::owner_busy;
  const auto mine = start("POST", "/api/v1/auth/2fa/setup", "{}");
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->status, 429U);
  EXPECT_EQ((*mine)->retry_after, 1);
  EXPECT_EQ((*mine)->body["retryAfter"], 1);
  EXPECT_NE((*mine)->body["error"].get<std::string>().find("this user"), std::string::npos);

  executor.admission = HashAdmission::all_busy;
  ASSERT_EQ(call("POST", "/v2/auth/otp/enable", 1000).status, 200U) << "enable hashes nothing";
  const auto all = start("POST", "/v2/auth/otp/confirm", R"({"code":"123456"})");
  ASSERT_TRUE(all->has_value());
  // A wrong code is answered before any hashing: 422, not 503.
  EXPECT_EQ((*all)->status, 422U);
}

TEST_F(AsyncApiRouterTest, TheSynchronousHandleNeverWaitsForTheExecutor) {
  executor.admission = HashAdmission::all_busy;
  const auto response = async_router.handle(ApiRequest{"POST", "/api/v1/auth/2fa/setup", 1000, std::nullopt, "{}"});
  EXPECT_EQ(response.status, 200U) << "handle(request) hashes inline, as the fuzz targets need";
  EXPECT_EQ(response.body["backupCodes"].size(), 10U);
  EXPECT_TRUE(executor.held.empty());
}

}  // namespace
}  // namespace otpd
