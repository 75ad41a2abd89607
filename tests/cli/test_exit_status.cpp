#include <gtest/gtest.h>

#include "http_api.hpp"
#include "shared/exit_status.hpp"

namespace otpd::cli {
namespace {

ApiResponse answer(long status, std::string_view body = "{}") {
  ApiResponse response;
  response.status = status;
  response.body = nlohmann::json::parse(body);
  return response;
}

TEST(ExitCodeForStatus, FollowsTheContract) {
  EXPECT_EQ(exit_code_for_status(200), ExitCode::ok);
  EXPECT_EQ(exit_code_for_status(204), ExitCode::ok);
  EXPECT_EQ(exit_code_for_status(400), ExitCode::usage);
  EXPECT_EQ(exit_code_for_status(413), ExitCode::usage);
  for (const long refused : {401L, 404L, 405L, 409L, 410L, 422L, 429L, 500L}) {
    EXPECT_EQ(exit_code_for_status(refused), ExitCode::refused) << refused;
  }
  EXPECT_EQ(to_int(ExitCode::unreachable), 3);
}

TEST(DescribeRefusal, NamesTheLockoutTime) {
  auto locked = answer(429, R"({"error":"Too many attempts"})");
  EXPECT_EQ(describe_refusal(locked, {}), "too many wrong codes; locked out, try again later");
  locked.retry_after = 60;
  EXPECT_EQ(describe_refusal(locked, {}), "too many wrong codes; locked for 60 s");
}

TEST(DescribeRefusal, ABusyHashingQueueIsNoLockout) {
  const auto busy = answer(429, nlohmann::json{{"error", http_api::kErrorHashingBusyForUser}}.dump());
  EXPECT_EQ(describe_refusal(busy, {}), "otpd answered HTTP 429: " + std::string(http_api::kErrorHashingBusyForUser));
}

TEST(DescribeRefusal, UsesTheCallersWordsForAWrongState) {
  EXPECT_EQ(describe_refusal(answer(409, R"({"error":"2FA is already active"})"), {.wrong_state = "already on"}),
            "already on");
  EXPECT_EQ(describe_refusal(answer(409, R"({"error":"2FA is already active"})"), {}),
            "otpd answered HTTP 409: 2FA is already active");
}

TEST(DescribeRefusal, ExplainsExpiryWrongCodesAndActingForOthers) {
  EXPECT_NE(describe_refusal(answer(410), {}).find("run otp-enroll again"), std::string::npos);
  EXPECT_EQ(describe_refusal(answer(422, R"({"error":"Invalid OTP code"})"), {}), "wrong code");
  EXPECT_EQ(describe_refusal(answer(401, R"({"error":"Unauthorized"})"), {.acting_for_other_user = true}),
            "only root may act for another user (--user)");
  EXPECT_EQ(describe_refusal(answer(401, R"({"error":"Unauthorized"})"), {}), "otpd answered HTTP 401: Unauthorized");
}

TEST(DescribeRefusal, CopesWithABodyThatIsNotJson) {
  ApiResponse response;
  response.status = 502;
  EXPECT_EQ(describe_refusal(response, {}), "otpd answered HTTP 502");
}

TEST(DescribeTransportError, TellsHowToStartOtpd) {
  for (const auto kind : {TransportErrorKind::socket_missing, TransportErrorKind::connection_refused}) {
    const auto text = describe_transport_error({kind, ""}, "/run/otpd/api.sock", 30);
    EXPECT_NE(text.find("otpd is not running"), std::string::npos) << text;
    EXPECT_NE(text.find("/run/otpd/api.sock"), std::string::npos) << text;
    EXPECT_NE(text.find("systemctl start otpd.socket"), std::string::npos) << text;
  }
  EXPECT_NE(describe_transport_error({TransportErrorKind::bad_response, "Weird server reply"}, "/s", 30)
                .find("Weird server reply"),
            std::string::npos);
}

TEST(DescribeTransportError, ATimeoutSaysHowLongAndHowToWaitLonger) {
  EXPECT_EQ(describe_transport_error({TransportErrorKind::timed_out, ""}, "/s", 7),
            "otpd did not answer within 7 s on /s (--timeout SECONDS waits longer)");
}

}  // namespace
}  // namespace otpd::cli
