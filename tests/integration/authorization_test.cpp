// Who may touch whose enrollment, and who may read otpd's files. A user reaches no
// one else's enrollment, neither with X-OTP-User nor with a name in the body. The
// identity of an API connection is the uid that opened it (SO_PEERCRED is taken at
// connect time), so a connection root opened and then handed to anyone acts as
// root: why otp-enroll must never be setuid. The database, its WAL and the key are
// root's alone; the socket is open to all, since the kernel tells otpd who calls.
#include <sys/socket.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "bus_client.hpp"
#include "database_probe.hpp"
#include "descriptor_passing.hpp"
#include "enrollment.hpp"
#include "http_api.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "run_as.hpp"

namespace otpd::test {
namespace {

using nlohmann::json;

constexpr const char* kVictim = "daemon";

struct Route {
  std::string_view method;
  std::string_view path;
  bool takes_code;
};
constexpr std::array<Route, 8> kRoutes{{
    {"POST", http_api::kEnableRoute, false},
    {"POST", http_api::kConfirmRoute, true},
    {"POST", http_api::kDisableRoute, true},
    {"POST", http_api::kBackupCodesRoute, true},
    {"GET", http_api::kStatusRoute, false},
    {"POST", http_api::kSeed003SetupRoute, false},
    {"POST", http_api::kSeed003EnableRoute, true},
    {"POST", http_api::kSeed004SetupRoute, false},
}};

// What otpd holds for a user, by both of its accounts.
std::string state_of(const std::string& bus_address, const std::filesystem::path& database, const std::string& user) {
  const auto status = bus_status(bus_address, user);
  const auto stored = stored_user(database, user);
  return serialize(status) + " stored " + stored.state.value_or("nothing") + " with " +
         std::to_string(stored.backup_codes) + " codes";
}

class AuthorizationTest : public OtpdTest {
 protected:
  void SetUp() override {
    OtpdTest::SetUp();
    if (IsSkipped()) return;
    victim_ = enroll_as_root(socket(), kVictim);
    before_ = victim_state();
  }
  std::string victim_state() { return state_of(bus_address(), env().otpd.paths().database, kVictim); }

  // As nobody: every route, with a code that would be right for the victim.
  std::vector<HttpResponse> as_nobody_on_every_route(const std::vector<std::pair<std::string, std::string>>& headers,
                                                     const json& extra_fields) {
    std::vector<HttpResponse> responses;
    for (const auto& route : kRoutes) {
      json body = extra_fields;
      if (route.takes_code) body[http_api::kFieldCode] = victim_.backup_codes[0];
      const HttpRequest request{std::string(route.method), std::string(route.path),
                                route.method == "GET" && body.empty() ? "" : body.dump(), headers};
      responses.push_back(deserialize(run_as(kNobodyUid, [&] { return serialize(http(socket(), request)); })));
    }
    return responses;
  }

  // The victim's enrollment is as it was, and the code offered was never used.
  void expect_victim_untouched() {
    EXPECT_EQ(victim_state(), before_);
    EXPECT_EQ(bus_verify(bus_address(), kVictim, victim_.backup_codes[0]).outcome, "ok_backup");
    EXPECT_EQ(http_get(socket(), std::string(http_api::kStatusRoute), {{"X-OTP-User", "nobody"}}).json(),
              (json{{"enabled", false}, {"pending", false}, {"backupCodesRemaining", 0}, {"lockedUntil", nullptr}}))
        << "nor did nobody's own enrollment change instead";
  }

  Enrolled victim_;
  std::string before_;
};

TEST_F(AuthorizationTest, ActingForAnotherUserWithTheHeaderIsUnauthorizedOnEveryRoute) {
  for (const char* header : {"X-OTP-User", "x-otp-user"}) {
    const auto responses = as_nobody_on_every_route({{header, kVictim}}, json::object());
    for (std::size_t i = 0; i < kRoutes.size(); ++i) {
      EXPECT_EQ(responses[i].status, 401) << header << " " << kRoutes[i].path << ": " << responses[i].body;
      EXPECT_EQ(responses[i].json(), (json{{"error", "Unauthorized"}})) << kRoutes[i].path;
    }
  }
  expect_victim_untouched();
}

TEST_F(AuthorizationTest, NamingAnotherUserInTheBodyIsABadRequestOnEveryRoute) {
  const json kClaims[] = {{{"user", kVictim}}, {{"uid", 1}},           {{"username", kVictim}},
                          {{"userId", 1}},     {{"user_id", kVictim}}, {{"X-OTP-User", kVictim}},
                          {{"User", kVictim}}, {{"UID", "1"}}};
  for (const auto& claim : kClaims) {
    const auto responses = as_nobody_on_every_route({}, claim);
    for (std::size_t i = 0; i < kRoutes.size(); ++i) {
      if (kRoutes[i].method == "GET") continue;  // status reads no body
      EXPECT_EQ(responses[i].status, 400) << claim.dump() << " " << kRoutes[i].path << ": " << responses[i].body;
      EXPECT_NE(responses[i].body.find("identified by the connection"), std::string::npos) << responses[i].body;
    }
  }
  expect_victim_untouched();
}

// A descriptor keeps the credentials of the process that connected it: the
// unprivileged process that got root's connection acts as root. This is the
// documented consequence of SO_PEERCRED, and why otp-enroll must never be setuid
// (a setuid client would connect as root for whoever ran it).
TEST_F(AuthorizationTest, AConnectionRootOpenedAndHandedOnStaysRoots) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  const UniqueFd ours(pair[0]);
  const UniqueFd theirs(pair[1]);
  {
    const UniqueFd roots = http_connect(socket());
    ASSERT_TRUE(roots.valid());
    send_descriptors(ours.get(), std::array{roots.get()});
  }  // root keeps no copy
  const auto response = deserialize(run_as(kNobodyUid, [&] {
    const auto received = receive_descriptors(theirs.get(), 1);
    const std::string body = json{{http_api::kFieldCode, victim_.backup_codes[1]}}.dump();
    const std::string request = "POST " + std::string(http_api::kDisableRoute) +
                                " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-OTP-User: daemon\r\n"
                                "Content-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)!::send(received[0].get(), request.data(), request.size(), MSG_NOSIGNAL);
    return serialize(http_read_response(received[0].get()));
  }));
  EXPECT_EQ(response.status, 200) << "served as root, who may act for daemon: " << response.body;
  EXPECT_EQ(bus_status(bus_address(), kVictim).status.at("enabled"), 0U) << "and root's request was done";
}

struct FileMode {
  mode_t mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
  bool operator==(const FileMode&) const = default;
};

FileMode mode_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  return {st.st_mode, st.st_uid, st.st_gid};
}

TEST_F(AuthorizationTest, TheDatabaseItsWalAndTheKeyAreRootsAloneAndTheSocketIsOpenToAll) {
  const auto& paths = env().otpd.paths();
  const std::string database = paths.database.string();
  const std::string key = (paths.database.parent_path() / "otpd.key").string();
  for (const auto& file : {database, database + "-wal", database + "-shm", key}) {
    EXPECT_EQ(mode_of(file), (FileMode{S_IFREG | 0600, 0, 0})) << file;
  }
  EXPECT_EQ(mode_of(paths.socket), (FileMode{S_IFSOCK | 0666, 0, 0}));
}

}  // namespace
}  // namespace otpd::test
