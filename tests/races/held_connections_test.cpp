// The API held open by as many connections as otpd admits (256: eight uids with 32
// each) that send half a header, trickle a body a byte at a time, or say nothing,
// and 44 more waiting behind them, while logins go on over the bus. Every login
// gets its right answer; otpd never holds more than its limit; the slow ones are
// cut by the header timeout or closed; and then the API serves everyone again.
// Correctness only: how fast is bench/'s business.
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "patience.hpp"
#include "run_as.hpp"

namespace otpd::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned kMaxConnections = 256;  // otpd's limits (daemon/http_server.hpp)
constexpr unsigned kPerUid = 32;
constexpr uid_t kFirstHoldingUid = 1;  // daemon, bin, sys, ... : eight users with passwd entries
constexpr unsigned kHoldingUids = kMaxConnections / kPerUid;
constexpr unsigned kWaiting = 44;  // root's, queued in the kernel behind the held ones
// libmicrohttpd shuts a finished connection down at once but closes its descriptor
// on a later run: otpd's count of descriptors at rest is off by one or two.
constexpr std::size_t kSlack = 2;

const std::vector<std::string> kEnrolledUsers{"news", "uucp", "proxy"};

std::size_t open_descriptors(pid_t pid) {
  const auto dir = std::filesystem::path("/proc") / std::to_string(pid) / "fd";
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

// Looks again every 10 ms until `condition` holds or `limit` has passed.
template <class Condition>
bool wait_until(Condition condition, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + patient(limit);
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void send_text(int fd, const std::string& text) { (void)!::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

struct Held {
  std::vector<UniqueFd> half_header;  // a request line and part of the headers
  std::vector<UniqueFd> trickling;    // whole headers, then the body a byte at a time
  std::vector<UniqueFd> idle;         // nothing at all
  [[nodiscard]] std::size_t size() const { return half_header.size() + trickling.size() + idle.size(); }
};

class HeldConnectionsTest : public OtpdTest {
 protected:
  Held hold_the_api() {
    Held held;
    for (unsigned n = 0; n < kHoldingUids; ++n) {
      auto fds = http_connect_as(kFirstHoldingUid + n, socket(), kPerUid);
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (i % 3 == 0) {
          send_text(fds[i].get(), "POST /v2/auth/otp/confirm HTTP/1.1\r\nHost: x\r\nX-Half: ");
          held.half_header.push_back(std::move(fds[i]));
        } else if (i % 3 == 1) {
          send_text(fds[i].get(),
                    "POST /v2/auth/otp/confirm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 4000\r\n\r\n{");
          held.trickling.push_back(std::move(fds[i]));
        } else {
          held.idle.push_back(std::move(fds[i]));
        }
      }
    }
    return held;
  }

  // Logins of every kind, each with its one right answer; a byte goes down every
  // trickling connection between two of them.
  void log_in_while_held(Held& held, std::size_t baseline) {
    std::size_t logins = 0;
    std::size_t most_descriptors = 0;
    const auto expect_login = [&](const std::string& user, const std::string& code, const std::string& outcome) {
      EXPECT_EQ(bus_verify(bus_address(), user, code).outcome, outcome) << user << " " << code;
      ++logins;
      for (const auto& fd : held.trickling) send_text(fd.get(), " ");
      most_descriptors = std::max(most_descriptors, open_descriptors(env().otpd.process().pid()));
    };
    for (const auto& user : kEnrolledUsers) {
      const auto enrolled = enrolled_.at(user);
      for (const auto& backup : enrolled.backup_codes) expect_login(user, backup, "ok_backup");
      expect_login(user, enrolled.backup_codes.front(), "invalid");
      const std::string code = totp_code(enrolled.secret);
      expect_login(user, code, "ok");
      expect_login(user, code, "replayed");
      expect_login(user, wrong_totp_code(enrolled.secret), "invalid");
    }
    expect_login("games", "123456", "not_enrolled");
    std::cout << held.size() << " connections held (" << held.half_header.size() << " half a header, "
              << held.trickling.size() << " trickling a body, " << held.idle.size() << " idle) and " << kWaiting
              << " waiting, during " << logins << " logins; otpd had at most " << most_descriptors - baseline
              << " descriptors more than at rest\n";
    EXPECT_LE(most_descriptors, baseline + kMaxConnections + kSlack) << "otpd admitted more than its limit";
  }

  std::map<std::string, Enrolled> enrolled_;
};

TEST_F(HeldConnectionsTest, LoginsAreRightWhileTheApiIsHeldOpenAndTheApiServesAgainAfter) {
  for (const auto& user : kEnrolledUsers) enrolled_[user] = enroll_as_root(socket(), user);
  const pid_t otpd = env().otpd.process().pid();
  const std::size_t baseline = open_descriptors(otpd);

  Held held = hold_the_api();
  ASSERT_EQ(held.size(), kMaxConnections);
  ASSERT_TRUE(wait_until([&] { return open_descriptors(otpd) + kSlack >= baseline + kMaxConnections; },
                         std::chrono::seconds(10)))
      << "otpd admits all of its 256: " << open_descriptors(otpd) << " descriptors, " << baseline << " at rest";

  const std::string status_request =
      "GET /v2/auth/otp/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-OTP-User: news\r\n\r\n";
  std::vector<UniqueFd> waiting;
  for (unsigned i = 0; i < kWaiting; ++i) {
    waiting.push_back(http_connect(socket()));
    ASSERT_TRUE(waiting.back().valid());
    send_text(waiting.back().get(), status_request);
  }

  log_in_while_held(held, baseline);

  held.trickling.clear();  // these would never end: close them
  const auto cut_by = Clock::now() + patient(std::chrono::seconds(30));
  std::size_t cut = 0;
  for (auto* group : {&held.half_header, &held.idle}) {
    for (const auto& fd : *group) cut += http_closed_by_server(fd.get(), cut_by) ? 1 : 0;
  }
  EXPECT_EQ(cut, held.half_header.size() + held.idle.size()) << "the header timeout cuts every stalled one";
  held = Held{};

  for (const auto& fd : waiting) EXPECT_EQ(http_read_response(fd.get()).status, 200) << "a waiting one is served";
  waiting.clear();
  EXPECT_TRUE(wait_until([&] { return open_descriptors(otpd) <= baseline + kSlack; }, std::chrono::seconds(10)))
      << "otpd let go of every connection: " << open_descriptors(otpd) << " descriptors, " << baseline << " at rest";
  for (unsigned n = 0; n < kHoldingUids; ++n) {
    const auto response =
        deserialize(run_as(kFirstHoldingUid + n, [&] { return serialize(http_get(socket(), "/v2/auth/otp/status")); }));
    EXPECT_EQ(response.status, 200) << "uid " << kFirstHoldingUid + n << " has its connections back: " << response.body;
  }
}

}  // namespace
}  // namespace otpd::test
