// Backup codes are hashed off otpd's event loop: a login is answered while a
// confirm's ten PBKDF2 runs are under way, the hashing queue is bounded per user
// and in all, the codes come out as before, and SIGTERM mid-hash exits cleanly
// without writing half a change. Orderings are asserted, not timings: each test
// first makes otpd say (with a 429) that the batches it cares about are queued.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_api.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "patience.hpp"

namespace otpd::test {
namespace {

// How long a test waits for an answer before it calls otpd hung.
const int kAnswerBoundMs = static_cast<int>(patient(std::chrono::seconds(60)).count());

// A request on a connection of its own whose answer the test reads when it wants.
class PendingRequest {
 public:
  PendingRequest(const std::filesystem::path& socket_path, const std::string& path, const std::string& user,
                 const std::string& body) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error("cannot connect to otpd");
    }
    const std::string raw =
        "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-OTP-User: " + user +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (::send(fd_, raw.data(), raw.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(raw.size())) {
      throw std::runtime_error("cannot send the request");
    }
  }
  ~PendingRequest() {
    if (fd_ >= 0) ::close(fd_);
  }
  PendingRequest(const PendingRequest&) = delete;
  PendingRequest& operator=(const PendingRequest&) = delete;

  [[nodiscard]] int fd() const { return fd_; }
  // Whether any byte of the answer has arrived (or the server closed), without waiting.
  [[nodiscard]] bool answered() const {
    pollfd readable{fd_, POLLIN, 0};
    return ::poll(&readable, 1, 0) == 1;
  }
  // The answer, read until the server closes (status 0 if it closed without one).
  [[nodiscard]] HttpResponse response() const {
    std::string said;
    for (;;) {
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, kAnswerBoundMs) != 1) break;
      char buffer[4096];
      const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (got <= 0) break;
      said.append(buffer, static_cast<std::size_t>(got));
    }
    return parse(said);
  }

 private:
  static HttpResponse parse(const std::string& said) {
    HttpResponse response;
    const auto head_end = said.find("\r\n\r\n");
    if (said.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return response;
    response.status = std::stoi(said.substr(9, 3));
    std::size_t line = said.find("\r\n") + 2;
    while (line < head_end) {
      const auto end = said.find("\r\n", line);
      const auto colon = said.find(':', line);
      if (colon != std::string::npos && colon < end) {
        std::string name = said.substr(line, colon - line);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        response.headers[name] = said.substr(colon + 2, end - colon - 2);
      }
      line = end + 2;
    }
    response.body = said.substr(head_end + 4);
    return response;
  }

  int fd_ = -1;
};

// The index of the first of `requests` to be answered (waiting up to kAnswerBoundMs).
std::size_t first_answered(const std::vector<std::unique_ptr<PendingRequest>>& requests) {
  std::vector<pollfd> fds;
  for (const auto& request : requests) fds.push_back(pollfd{request->fd(), POLLIN, 0});
  if (::poll(fds.data(), fds.size(), kAnswerBoundMs) <= 0) throw std::runtime_error("no request was answered");
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if ((fds[i].revents & (POLLIN | POLLHUP)) != 0) return i;
  }
  throw std::runtime_error("poll said ready, but no request was");
}

const std::string kSetup = std::string(http_api::kSeed004SetupRoute);
const std::string kConfirm = std::string(http_api::kConfirmRoute);

class BackupCodeHashingTest : public OtpdTest {
 protected:
  std::string enable(const std::string& user) {
    const auto enabled = http_post(socket(), "/v2/auth/otp/enable", nlohmann::json::object(), {{"X-OTP-User", user}});
    EXPECT_EQ(enabled.status, 200) << enabled.body;
    return enabled.json()["secret"].get<std::string>();
  }
  std::unique_ptr<PendingRequest> send(const std::string& path, const std::string& user,
                                       const std::string& body = "{}") {
    return std::make_unique<PendingRequest>(socket(), path, user, body);
  }
};

TEST_F(BackupCodeHashingTest, AVerifyIsAnsweredWhileAConfirmHashesItsCodes) {
  const Enrolled bin = enroll_as_root(socket(), "bin");
  const std::string secret = enable("daemon");
  const std::string confirm_body = nlohmann::json{{"code", totp_code(secret)}}.dump();

  // Both workers busy with other users' setups, then three confirms for daemon:
  // otpd queues two of them and refuses the third at once with 429. That refusal
  // is the sign that two confirms are waiting for their hashes.
  const auto sys = send(kSetup, "sys");
  const auto games = send(kSetup, "games");
  std::vector<std::unique_ptr<PendingRequest>> confirms;
  for (int i = 0; i < 3; ++i) confirms.push_back(send(kConfirm, "daemon", confirm_body));
  const std::size_t refused = first_answered(confirms);
  const HttpResponse refusal = confirms[refused]->response();
  ASSERT_EQ(refusal.status, 429) << "the first answer must be the refusal: " << refusal.body;
  EXPECT_EQ(refusal.headers.count("retry-after"), 1U);
  EXPECT_FALSE(refusal.json()["error"].get<std::string>().empty());
  confirms.erase(confirms.begin() + static_cast<std::ptrdiff_t>(refused));

  const BusReply login = bus_verify(bus_address(), "bin", totp_code(bin.secret));
  ASSERT_TRUE(login.ok()) << login.error_message;
  EXPECT_EQ(login.outcome, "ok");
  EXPECT_FALSE(confirms[0]->answered() || confirms[1]->answered())
      << "the login was answered only after a confirm: it waited for the hashing";

  // Then the confirms: one activates, with ten codes; the other finds it active.
  std::vector<int> statuses;
  std::vector<std::string> codes;
  for (const auto& confirm : confirms) {
    const HttpResponse answer = confirm->response();
    statuses.push_back(answer.status);
    if (answer.status == 200) codes = answer.json()["backupCodes"].get<std::vector<std::string>>();
  }
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 409})) << "activated once";
  ASSERT_EQ(codes.size(), 10U);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const BusReply used = bus_verify(bus_address(), "daemon", codes[i]);
    EXPECT_EQ(used.outcome, "ok_backup") << codes[i];
    EXPECT_EQ(used.backup_codes_left, 9U - i);
  }
  EXPECT_EQ(bus_verify(bus_address(), "daemon", codes[0]).outcome, "invalid") << "each code works once";
  EXPECT_EQ(sys->response().status, 200);
  EXPECT_EQ(games->response().status, 200);
}

TEST_F(BackupCodeHashingTest, TheHashingQueueIsBoundedInAll) {
  // Five users, two setups each: none over its own limit, two over the total of 8.
  const std::vector<std::string> users{"sys", "games", "man", "lp", "mail"};
  std::vector<std::unique_ptr<PendingRequest>> setups;
  for (const auto& user : users) {
    setups.push_back(send(kSetup, user));
    setups.push_back(send(kSetup, user));
  }
  int refused = 0;
  for (const auto& setup : setups) {
    const HttpResponse answer = setup->response();
    if (answer.status == 503) {
      ++refused;
      EXPECT_EQ(answer.headers.at("retry-after"), "1");
      EXPECT_NE(answer.json()["error"].get<std::string>().find("busy"), std::string::npos) << answer.body;
    } else {
      ASSERT_EQ(answer.status, 200) << answer.body;
      EXPECT_EQ(answer.json()["backupCodes"].size(), 10U);
    }
  }
  EXPECT_GE(refused, 1) << "ten batches cannot all wait at once";
  EXPECT_EQ(http_post(socket(), kSetup, nlohmann::json::object(), {{"X-OTP-User", "news"}}).status, 200)
      << "served again once the queue drained";
}

TEST_F(BackupCodeHashingTest, Seed004CodesAndRegeneratedCodesWorkAsBefore) {
  const auto setup = http_post(socket(), kSetup, nlohmann::json::object(), {{"X-OTP-User", "lp"}});
  ASSERT_EQ(setup.status, 200) << setup.body;
  const auto preissued = setup.json()["backupCodes"].get<std::vector<std::string>>();
  ASSERT_EQ(preissued.size(), 10U);
  const std::string secret = setup.json()["secret"].get<std::string>();
  EXPECT_EQ(bus_verify(bus_address(), "lp", preissued[0]).outcome, "not_enrolled") << "valid only once confirmed";
  const auto confirmed = http_post(socket(), kConfirm, {{"code", totp_code(secret)}}, {{"X-OTP-User", "lp"}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_FALSE(confirmed.json().contains("backupCodes"));
  EXPECT_EQ(bus_verify(bus_address(), "lp", preissued[0]).outcome, "ok_backup");

  const auto regenerated =
      http_post(socket(), std::string(http_api::kBackupCodesRoute), {{"code", preissued[1]}}, {{"X-OTP-User", "lp"}});
  ASSERT_EQ(regenerated.status, 200) << regenerated.body;
  const auto fresh = regenerated.json()["backupCodes"].get<std::vector<std::string>>();
  ASSERT_EQ(fresh.size(), 10U);
  EXPECT_EQ(bus_verify(bus_address(), "lp", preissued[2]).outcome, "invalid") << "the old set died";
  const BusReply with_new = bus_verify(bus_address(), "lp", fresh[0]);
  EXPECT_EQ(with_new.outcome, "ok_backup");
  EXPECT_EQ(with_new.backup_codes_left, 9U);
}

TEST_F(BackupCodeHashingTest, SigtermWhileHashingExitsCleanlyAndWritesNoHalfChange) {
  std::vector<std::unique_ptr<PendingRequest>> setups;
  for (int i = 0; i < 3; ++i) setups.push_back(send(kSetup, "mail"));
  const std::size_t refused = first_answered(setups);
  ASSERT_EQ(setups[refused]->response().status, 429) << "two setups are being hashed";
  setups.erase(setups.begin() + static_cast<std::ptrdiff_t>(refused));

  const int status = env().otpd.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  bool any_made = false;
  for (const auto& setup : setups) {
    const HttpResponse answer = setup->response();
    EXPECT_TRUE(answer.status == 0 || answer.status == 200) << answer.status << " " << answer.body;
    any_made = any_made || answer.status == 200;
  }
  env().otpd.start();
  const BusReply status_now = bus_status(bus_address(), "mail");
  ASSERT_TRUE(status_now.ok()) << status_now.error_message;
  if (!any_made) {
    EXPECT_EQ(status_now.status.at("pending"), 0U) << "a cut setup wrote nothing";
  }
  EXPECT_EQ(env().otpd.log_text().find("AddressSanitizer"), std::string::npos);
}

}  // namespace
}  // namespace otpd::test
