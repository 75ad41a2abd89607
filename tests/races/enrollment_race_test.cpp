// Many clients enabling, confirming and disabling one user's enrollment at once
// (root acting for the user, over the HTTP API). After every round otpd's state,
// as the bus and the database both tell it, is one a client could have caused: no
// enrollment; a pending one; or an active one whose secret logs in and whose ten
// backup codes are the very ten one confirm handed out. No code is accepted twice.
#include <gtest/gtest.h>

#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "bus_client.hpp"
#include "database_probe.hpp"
#include "enrollment.hpp"
#include "http_api.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"

namespace otpd::test {
namespace {

constexpr const char* kUser = "daemon";
constexpr int kRounds = 8;
constexpr int kClients = 6;
constexpr int kRequestsPerClient = 4;
constexpr std::size_t kBackupCodes = 10;
const std::vector<std::pair<std::string, std::string>> kAsUser{{"X-OTP-User", kUser}};

// What the clients of one round saw, shared between them.
class Ledger {
 public:
  void enabled(const HttpResponse& response) {
    if (response.status == 409 || response.status == 429) return;  // already active; busy or locked
    const auto body = response.json();
    if (response.status != 200 || !body.contains(http_api::kFieldSecret)) return unexpected("enable", response);
    const std::lock_guard lock(mutex_);
    latest_secret_ = body[http_api::kFieldSecret].get<std::string>();
    if (body.contains(http_api::kFieldBackupCodes)) {
      preissued_[latest_secret_] = body[http_api::kFieldBackupCodes].get<std::vector<std::string>>();
    }
  }

  void confirmed(const std::string& secret, const std::string& code, const HttpResponse& response) {
    // Wrong state, a stale secret's code, busy or locked: refused, and nothing changed.
    if (response.status == 409 || response.status == 422 || response.status == 429) return;
    if (response.status != 200) return unexpected("confirm", response);
    const auto body = response.json();
    const std::lock_guard lock(mutex_);
    auto codes = body.contains(http_api::kFieldBackupCodes)
                     ? body[http_api::kFieldBackupCodes].get<std::vector<std::string>>()
                     : preissued_[secret];
    if (codes.size() != kBackupCodes || std::set(codes.begin(), codes.end()).size() != kBackupCodes) {
      problems_.push_back("confirm handed out " + std::to_string(codes.size()) + " codes: " + response.body);
    }
    ++accepted_["totp " + secret + " " + code];
    confirmed_.push_back(secret);
    backup_codes_[secret] = std::move(codes);
  }

  void disabled(const std::string& secret, const std::string& code, const HttpResponse& response) {
    if (response.status == 409 || response.status == 422 || response.status == 429) return;
    if (response.status != 200) return unexpected("disable", response);
    const std::lock_guard lock(mutex_);
    ++accepted_[code + " of " + secret];
    disabled_.insert(secret);
  }

  std::string latest_secret() {
    const std::lock_guard lock(mutex_);
    return latest_secret_;
  }
  // The secret of the latest confirm and a code of its to disable with: a backup
  // code or the next step's TOTP code.
  std::pair<std::string, std::string> disable_code(bool with_backup_code, int pick) {
    const std::lock_guard lock(mutex_);
    if (confirmed_.empty()) return {};
    const std::string& secret = confirmed_.back();
    const auto& codes = backup_codes_[secret];
    if (with_backup_code && !codes.empty()) return {secret, codes[static_cast<std::size_t>(pick) % codes.size()]};
    return {secret, totp_code(secret, 1)};
  }

  [[nodiscard]] std::vector<std::string> active_secrets() const {
    std::vector<std::string> active;
    for (const auto& secret : confirmed_) {
      if (!disabled_.contains(secret)) active.push_back(secret);
    }
    return active;
  }
  [[nodiscard]] const std::vector<std::string>& codes_of(const std::string& secret) { return backup_codes_[secret]; }
  [[nodiscard]] const std::map<std::string, int>& accepted() const { return accepted_; }
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }
  [[nodiscard]] std::size_t confirms() const { return confirmed_.size(); }

 private:
  void unexpected(const char* what, const HttpResponse& response) {
    const std::lock_guard lock(mutex_);
    problems_.push_back(std::string(what) + " answered " + std::to_string(response.status) + ": " + response.body);
  }

  std::mutex mutex_;
  std::string latest_secret_;
  std::map<std::string, std::vector<std::string>> preissued_;     // by secret: from a seed-004 setup
  std::map<std::string, std::vector<std::string>> backup_codes_;  // by secret: valid once confirmed
  std::vector<std::string> confirmed_;
  std::set<std::string> disabled_;
  std::map<std::string, int> accepted_;  // by code: how often otpd took it
  std::vector<std::string> problems_;
};

class EnrollmentRaceTest : public OtpdTest {
 protected:
  // Stale secrets' codes fail by the dozen; the default limit would lock the user
  // out after five and leave nothing to race.
  std::string config_text() const override { return "[policy]\nmax_failures = 100\n"; }

  HttpResponse post(std::string_view route, const nlohmann::json& body) {
    return http_post(socket(), std::string(route), body, kAsUser);
  }

  // Client `client`'s request number `turn`: enable (the canonical route or the
  // one that issues backup codes with the secret), confirm, or disable.
  void act(Ledger& ledger, int client, int turn) {
    switch ((client + turn) % 3) {
      case 0:
        ledger.enabled(
            post(client % 2 == 0 ? http_api::kEnableRoute : http_api::kSeed004SetupRoute, nlohmann::json::object()));
        return;
      case 1: {
        const std::string secret = ledger.latest_secret();
        if (secret.empty()) return;
        const std::string code = totp_code(secret);
        ledger.confirmed(secret, code, post(http_api::kConfirmRoute, {{http_api::kFieldCode, code}}));
        return;
      }
      default: {
        const auto [secret, code] = ledger.disable_code(client % 2 == 1, turn);
        if (secret.empty()) return;
        ledger.disabled(secret, code, post(http_api::kDisableRoute, {{http_api::kFieldCode, code}}));
        return;
      }
    }
  }

  void run_round(Ledger& ledger) {
    std::latch start(kClients);
    std::vector<std::thread> clients;
    for (int client = 0; client < kClients; ++client) {
      clients.emplace_back([&, client] {
        start.arrive_and_wait();
        for (int turn = 0; turn < kRequestsPerClient; ++turn) act(ledger, client, turn);
      });
    }
    for (auto& thread : clients) thread.join();
  }

  // The state after a round, as the bus and the database tell it, is a valid one.
  void expect_a_valid_state(Ledger& ledger, int round) {
    const auto status = bus_status(bus_address(), kUser);
    ASSERT_TRUE(status.ok()) << status.error_message;
    const bool enabled = status.status.at("enabled") == 1;
    const bool pending = status.status.at("pending") == 1;
    const auto left = status.status.at("backup_codes_left");
    const auto stored = stored_user(env().otpd.paths().database, kUser);
    const auto active = ledger.active_secrets();
    SCOPED_TRACE("round " + std::to_string(round) + ": stored " + stored.state.value_or("nothing") + " with " +
                 std::to_string(stored.backup_codes) + " backup codes");
    ASSERT_LE(active.size(), 1U) << "more confirms succeeded than disables ended";
    if (enabled) {
      ASSERT_EQ(active.size(), 1U) << "active, but no client saw the confirm that made it so";
      EXPECT_FALSE(pending);
      EXPECT_EQ(stored.state, "active");
      EXPECT_EQ(left, kBackupCodes);
      EXPECT_EQ(stored.backup_codes, static_cast<int>(kBackupCodes));
      expect_enrollment_works(active.front(), ledger.codes_of(active.front()));
    } else {
      EXPECT_TRUE(active.empty()) << "a confirmed enrollment vanished without a disable";
      EXPECT_EQ(left, 0U);
      EXPECT_EQ(stored.state, pending ? std::optional<std::string>("pending") : std::nullopt);
      // A pending seed-004 setup holds its codes already; a canonical one holds none.
      EXPECT_TRUE(stored.backup_codes == 0 || (pending && stored.backup_codes == static_cast<int>(kBackupCodes)))
          << stored.backup_codes;
    }
  }

  // The secret logs in, and the backup codes are exactly the ones handed out.
  void expect_enrollment_works(const std::string& secret, const std::vector<std::string>& codes) {
    EXPECT_EQ(bus_verify(bus_address(), kUser, totp_code(secret, 1)).outcome, "ok");
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const auto reply = bus_verify(bus_address(), kUser, codes[i]);
      EXPECT_EQ(reply.outcome, "ok_backup") << "code " << i;
      EXPECT_EQ(reply.backup_codes_left, kBackupCodes - 1 - i);
    }
  }
};

TEST_F(EnrollmentRaceTest, ConcurrentEnableConfirmDisableLeaveOnlyValidStates) {
  std::size_t confirms = 0;
  std::size_t accepted = 0;
  for (int round = 0; round < kRounds; ++round) {
    Ledger ledger;
    run_round(ledger);
    for (const auto& problem : ledger.problems()) ADD_FAILURE() << "round " << round << ": " << problem;
    for (const auto& [code, times] : ledger.accepted()) EXPECT_EQ(times, 1) << "accepted " << times << "x: " << code;
    expect_a_valid_state(ledger, round);
    confirms += ledger.confirms();
    accepted += ledger.accepted().size();
    ASSERT_TRUE(bus_reset(bus_address(), kUser).ok());
  }
  std::cout << kRounds << " rounds of " << kClients << " clients x " << kRequestsPerClient << " requests: " << confirms
            << " confirms and " << accepted << " codes accepted in all\n";
}

}  // namespace
}  // namespace otpd::test
