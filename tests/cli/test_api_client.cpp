// The HTTP client against a fake server on a Unix socket: what it sends, how it reads
// the answer, and every way of getting no usable answer.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "fake_http_server.hpp"
#include "http_api.hpp"
#include "shared/api_client.hpp"

namespace otpd::cli {
namespace {

using otpd::test::TempDir;
using test_support::FakeHttpServer;
using test_support::http_response;

ApiClient client_for(const std::string& socket_path, std::string user = {}) {
  return ApiClient({.socket_path = socket_path, .act_as_user = std::move(user)});
}

TEST(ApiClient, GetsStatusAndParsesJson) {
  FakeHttpServer server({http_response(200, R"({"enabled":true,"backupCodesRemaining":7})")});
  const auto result = client_for(server.socket_path()).get(http_api::kStatusRoute);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->status, 200);
  EXPECT_TRUE(result->ok());
  EXPECT_EQ(result->body["backupCodesRemaining"], 7);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_TRUE(requests[0].head.starts_with("GET /v2/auth/otp/status HTTP/1.1\r\n"));
}

TEST(ApiClient, PostsTheBodyAndNoCredentials) {
  FakeHttpServer server({http_response(200, R"({"success":true})")});
  const auto result = client_for(server.socket_path()).post(http_api::kConfirmRoute, R"({"code":"123456"})");
  ASSERT_TRUE(result);
  const auto request = server.requests().at(0);
  EXPECT_TRUE(request.head.starts_with("POST /v2/auth/otp/confirm HTTP/1.1\r\n"));
  EXPECT_EQ(request.body, R"({"code":"123456"})");
  EXPECT_NE(request.head.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(request.head.find("X-OTP-User"), std::string::npos);
  EXPECT_EQ(request.head.find("Authorization"), std::string::npos);
}

TEST(ApiClient, SendsTheActAsUserHeaderWhenAsked) {
  FakeHttpServer server({http_response(200, "{}")});
  ASSERT_TRUE(client_for(server.socket_path(), "alice").get(http_api::kStatusRoute));
  EXPECT_NE(server.requests().at(0).head.find("\r\nX-OTP-User: alice\r\n"), std::string::npos);
}

TEST(ApiClient, ErrorAnswersKeepStatusBodyAndRetryAfter) {
  FakeHttpServer server({http_response(429, R"({"error":"Locked","retryAfter":42})", "Retry-After: 40\r\n")});
  const auto result = client_for(server.socket_path()).post(http_api::kDisableRoute, "{}");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 429);
  EXPECT_FALSE(result->ok());
  EXPECT_EQ(result->retry_after, 42);  // the JSON's figure wins
  EXPECT_EQ(result->body["error"], "Locked");
}

TEST(ApiClient, RetryAfterHeaderIsTheFallback) {
  FakeHttpServer server({http_response(429, R"({"error":"Locked"})", "rEtRy-AfTeR:  17 \r\n")});
  const auto result = client_for(server.socket_path()).post(http_api::kDisableRoute, "{}");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->retry_after, 17);
}

TEST(ApiClient, AnErrorAnswerThatIsNotJsonHasANullBody) {
  FakeHttpServer server({http_response(404, "not found")});
  const auto result = client_for(server.socket_path()).get("/nowhere");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_TRUE(result->body.is_null());
}

TEST(ApiClient, ASuccessThatIsNotAJsonObjectIsABadResponse) {
  FakeHttpServer server({http_response(200, "[1,2]")});
  const auto result = client_for(server.socket_path()).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::bad_response);
}

TEST(ApiClient, RefusesAnAnswerLargerThanTheLimit) {
  const std::string huge = R"({"error":")" + std::string(kMaxResponseBytes, 'x') + R"("})";
  FakeHttpServer server({http_response(200, huge)});
  const auto result = client_for(server.socket_path()).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::response_too_large);
}

TEST(ApiClient, RefusesAnOversizedAnswerWithoutContentLength) {
  std::string raw = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
  raw += std::string(kMaxResponseBytes + 1, ' ');
  FakeHttpServer server({raw});
  const auto result = client_for(server.socket_path()).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::response_too_large);
}

TEST(ApiClient, AMissingSocketSaysSo) {
  const TempDir directory;
  const auto result = client_for((directory / "absent.sock").string()).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::socket_missing);
}

TEST(ApiClient, ASocketNobodyListensOnIsRefused) {
  const TempDir directory;
  const std::string path = (directory / "dead.sock").string();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);  // the file stays, nobody listens
  const auto result = client_for(path).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::connection_refused);
}

TEST(ApiClient, GarbageInsteadOfHttpIsABadResponse) {
  FakeHttpServer server({std::string("SSH-2.0-OpenSSH_9.2\r\n")});
  const auto result = client_for(server.socket_path()).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::bad_response);
}

TEST(ApiClient, AClosedConnectionIsABadResponse) {
  FakeHttpServer server({std::string()});
  const auto result = client_for(server.socket_path()).get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::bad_response);
}

TEST(ApiClient, ASilentDaemonTimesOut) {
  FakeHttpServer server({std::nullopt});
  const ApiClient client({.socket_path = server.socket_path(), .total_timeout_ms = 300});
  const auto result = client.get(http_api::kStatusRoute);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::timed_out);
}

TEST(WipeJsonStrings, ZeroesEveryStringValue) {
  auto value = nlohmann::json::parse(R"({"secret":"ABCD","codes":["ab-cd",{"x":"yz"}],"n":1})");
  wipe_json_strings(value);
  EXPECT_EQ(value["secret"].get<std::string>(), std::string(4, '\0'));
  EXPECT_EQ(value["codes"][0].get<std::string>(), std::string(5, '\0'));
  EXPECT_EQ(value["codes"][1]["x"].get<std::string>(), std::string(2, '\0'));
  EXPECT_EQ(value["n"], 1);
}

}  // namespace
}  // namespace otpd::cli
