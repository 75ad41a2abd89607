// The limits a caller meets on the HTTP API: connections per uid, and the time a
// connection may take to send its headers.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>

#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "run_as.hpp"

namespace otpd::test {
namespace {

int open_connection(const std::filesystem::path& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads until the server closes; what it said, or "(open)" if it keeps quiet for
// `timeout_ms`.
std::string read_until_closed(int fd, int timeout_ms) {
  std::string said;
  for (;;) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, timeout_ms) <= 0) return "(open)";
    char buffer[1024];
    const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
    if (got <= 0) return said;
    said.append(buffer, static_cast<std::size_t>(got));
  }
}

class HttpLimitsTest : public OtpdTest {};

TEST_F(HttpLimitsTest, OneUidCannotHoldMoreThan32Connections) {
  const std::string answer = run_as(kNobodyUid, [&] {
    std::vector<int> held;
    for (int i = 0; i < 32; ++i) held.push_back(open_connection(socket()));
    // The 32 are served: a request on the last one is answered.
    const std::string request = "GET /v2/auth/otp/status HTTP/1.1\r\nHost: x\r\n\r\n";
    (void)!::send(held.back(), request.data(), request.size(), MSG_NOSIGNAL);
    pollfd answered{held.back(), POLLIN, 0};
    const bool served = ::poll(&answered, 1, 10000) == 1;
    const int extra = open_connection(socket());
    std::string refused = read_until_closed(extra, 10000);
    for (int fd : held) ::close(fd);
    ::close(extra);
    return std::string(served ? "served;" : "not served;") + refused;
  });
  EXPECT_EQ(answer.rfind("served;HTTP/1.1 429", 0), 0U) << answer;
  EXPECT_NE(answer.find("Too many open connections"), std::string::npos);
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "daemon"}}).status, 200)
      << "other users are still served";
}

TEST_F(HttpLimitsTest, ConnectionsAreServedAgainOnceTheHeldOnesClose) {
  const std::string answer = run_as(kNobodyUid, [&] {
    std::vector<int> held;
    for (int i = 0; i < 32; ++i) held.push_back(open_connection(socket()));
    for (int fd : held) ::close(fd);
    return std::to_string(http_get(socket(), "/v2/auth/otp/status").status);
  });
  EXPECT_EQ(answer, "200");
}

TEST_F(HttpLimitsTest, AClientThatNeverFinishesItsHeadersIsCut) {
  const int fd = open_connection(socket());
  ASSERT_GE(fd, 0);
  const std::string partial = "GET /v2/auth/otp/status HTTP/1.1\r\nHost: x\r\n";
  ASSERT_GT(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
  // The header timeout is 10 s; the connection must be closed well within 30.
  EXPECT_NE(read_until_closed(fd, 30000), "(open)");
  ::close(fd);
}

}  // namespace
}  // namespace otpd::test
