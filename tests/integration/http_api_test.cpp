// Every route of the HTTP API, over the real socket of the real otpd, as root
// acting for a user and as unprivileged uids.
#include <gtest/gtest.h>

#include <ctime>
#include <string_view>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "http_client.hpp"
#include "otpd_environment.hpp"
#include "run_as.hpp"

namespace otpd::test {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kAsDaemonUser{{"X-OTP-User", "daemon"}};

// Every character of `text` is one of `alphabet` (and there is at least one).
bool only_of(std::string_view text, std::string_view alphabet) {
  return !text.empty() && text.find_first_not_of(alphabet) == std::string_view::npos;
}

// xxxx-xxxx over the alphabet without look-alikes (no 0/1/i/l/o).
bool is_backup_code(std::string_view code) {
  constexpr std::string_view kAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  return code.size() == 9 && code[4] == '-' && only_of(code.substr(0, 4), kAlphabet) &&
         only_of(code.substr(5), kAlphabet);
}

void expect_backup_codes(const json& codes) {
  ASSERT_TRUE(codes.is_array());
  EXPECT_EQ(codes.size(), 10U);
  for (const auto& code : codes) EXPECT_TRUE(is_backup_code(code.get<std::string>())) << code;
}

class HttpApiTest : public OtpdTest {};

TEST_F(HttpApiTest, EnableReturnsQrSecretUriAndExpiry) {
  const auto response = http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  const auto body = response.json();
  const std::string secret = body["secret"];
  EXPECT_EQ(secret.size(), 32U);
  EXPECT_TRUE(only_of(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")) << secret;
  EXPECT_EQ(body["qr"].get<std::string>().rfind("data:image/png;base64,iVBORw0KGgo", 0), 0U);
  const std::string uri = body["otpauthUri"];
  EXPECT_EQ(uri.rfind("otpauth://totp/", 0), 0U);
  EXPECT_NE(uri.find(":daemon?secret=" + body["secret"].get<std::string>()), std::string::npos);
  EXPECT_NE(uri.find("&algorithm=SHA1&digits=6&period=30"), std::string::npos);
  EXPECT_NEAR(body["expiresAt"].get<double>(), static_cast<double>(std::time(nullptr) + 600), 5);
}

TEST_F(HttpApiTest, EmptyBodyIsAcceptedForEnable) {
  const auto response = http(socket(), {"POST", "/v2/auth/otp/enable", "", kAsDaemonUser});
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST_F(HttpApiTest, ConfirmActivatesAndHandsOutTenBackupCodes) {
  const auto enabled = http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser).json();
  const auto confirmed =
      http_post(socket(), "/v2/auth/otp/confirm", {{"code", totp_code(enabled["secret"])}}, kAsDaemonUser);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json()["success"], true);
  expect_backup_codes(confirmed.json()["backupCodes"]);

  const auto status = http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json();
  EXPECT_EQ(status,
            (json{{"enabled", true}, {"pending", false}, {"backupCodesRemaining", 10}, {"lockedUntil", nullptr}}));
}

TEST_F(HttpApiTest, TheConfirmingCodeCannotLogIn) {
  const auto enabled = http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser).json();
  // The next step's code: it stays within the window for 60 s at least, and under a
  // checker the confirm's ten PBKDF2 runs alone take some 40 s. Only inside the window
  // is the answer "replayed" (the watermark) rather than "invalid" (too old).
  const std::string code = totp_code(enabled["secret"], 1);
  ASSERT_EQ(http_post(socket(), "/v2/auth/otp/confirm", {{"code", code}}, kAsDaemonUser).status, 200);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", code).outcome, "replayed");
}

TEST_F(HttpApiTest, EnableWhileActiveIsAConflict) {
  (void)enroll_as_root(socket(), "daemon");
  const auto response = http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.json()["error"], "2FA is already active");
}

TEST_F(HttpApiTest, ConfirmRefusesAWrongCodeWithoutActivating) {
  const auto enabled = http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser).json();
  const std::string wrong = totp_code(enabled["secret"]) == "000000" ? "111111" : "000000";
  const auto response = http_post(socket(), "/v2/auth/otp/confirm", {{"code", wrong}}, kAsDaemonUser);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.json(), (json{{"success", false}, {"error", "Invalid OTP code"}}));
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json()["pending"], true);
}

TEST_F(HttpApiTest, ConfirmWithoutEnableIsAConflict) {
  const auto response = http_post(socket(), "/v2/auth/otp/confirm", {{"code", "123456"}}, kAsDaemonUser);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.json()["success"], false);
}

TEST_F(HttpApiTest, CodeMustBeAPresentString) {
  (void)http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser);
  for (const json& body : {json::object(), json{{"code", 123456}}, json{{"code", ""}}, json{{"code", nullptr}},
                           json{{"code", std::string(65, '1')}}}) {
    const auto response = http_post(socket(), "/v2/auth/otp/confirm", body, kAsDaemonUser);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(response.json()["success"], false);
  }
}

TEST_F(HttpApiTest, DisableWithATotpCodeTurnsItOff) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const auto response =
      http_post(socket(), "/v2/auth/otp/disable", {{"code", totp_code(enrolled.secret)}}, kAsDaemonUser);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json(), (json{{"success", true}}));
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json()["enabled"], false);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", totp_code(enrolled.secret, 1)).outcome, "not_enrolled");

  const auto again = http_post(socket(), "/v2/auth/otp/disable", {{"code", "123456"}}, kAsDaemonUser);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json(), (json{{"success", false}, {"error", "2FA is not enabled for this account"}}));
}

TEST_F(HttpApiTest, DisableAcceptsABackupCodeInAnyCase) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  std::string code = enrolled.backup_codes[3];
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  code.erase(4, 1);  // no dash
  const auto response = http_post(socket(), "/v2/auth/otp/disable", {{"code", code}}, kAsDaemonUser);
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST_F(HttpApiTest, DisableRefusesAWrongCode) {
  (void)enroll_as_root(socket(), "daemon");
  const auto response = http_post(socket(), "/v2/auth/otp/disable", {{"code", "abcd-efgh"}}, kAsDaemonUser);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json()["enabled"], true);
}

TEST_F(HttpApiTest, NewBackupCodesReplaceTheOldSet) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  const auto response =
      http_post(socket(), "/v2/auth/otp/backup-codes", {{"code", totp_code(enrolled.secret)}}, kAsDaemonUser);
  ASSERT_EQ(response.status, 200) << response.body;
  expect_backup_codes(response.json()["backupCodes"]);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", enrolled.backup_codes[0]).outcome, "invalid");
  EXPECT_EQ(bus_verify(bus_address(), "daemon", response.json()["backupCodes"][0]).outcome, "ok_backup");
}

TEST_F(HttpApiTest, BackupCodesNeedActive2fa) {
  const auto response = http_post(socket(), "/v2/auth/otp/backup-codes", {{"code", "123456"}}, kAsDaemonUser);
  EXPECT_EQ(response.status, 409);
}

TEST_F(HttpApiTest, StatusOfAnUnenrolledUser) {
  const auto response = http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.json(),
            (json{{"enabled", false}, {"pending", false}, {"backupCodesRemaining", 0}, {"lockedUntil", nullptr}}));
}

TEST_F(HttpApiTest, WrongCodesLockTheUserOutWithRetryAfter) {
  const auto enrolled = enroll_as_root(socket(), "daemon");
  for (int attempt = 1; attempt <= 5; ++attempt) {
    EXPECT_EQ(http_post(socket(), "/v2/auth/otp/disable", {{"code", "zzzz-zzzz"}}, kAsDaemonUser).status, 422);
  }
  const auto locked =
      http_post(socket(), "/v2/auth/otp/disable", {{"code", totp_code(enrolled.secret)}}, kAsDaemonUser);
  ASSERT_EQ(locked.status, 429);
  const int retry_after = locked.json()["retryAfter"];
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 30);
  EXPECT_EQ(locked.headers.at("retry-after"), std::to_string(retry_after));
  EXPECT_EQ(locked.json()["success"], false);
  EXPECT_TRUE(http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json()["lockedUntil"].is_number());
}

TEST_F(HttpApiTest, Seed003SetupAndEnable) {
  const auto setup = http_post(socket(), "/api/v1/me/mfa/totp/setup", json::object(), kAsDaemonUser);
  ASSERT_EQ(setup.status, 200) << setup.body;
  const auto body = setup.json();
  EXPECT_TRUE(body.contains("secret") && body.contains("qrCodeUri") && body.contains("qr"));
  EXPECT_EQ(body["qrCodeUri"].get<std::string>().rfind("otpauth://totp/", 0), 0U);

  EXPECT_EQ(http_post(socket(), "/api/v1/me/mfa/totp/enable", json::object(), kAsDaemonUser).status, 400);
  const auto enabled =
      http_post(socket(), "/api/v1/me/mfa/totp/enable", {{"code", totp_code(body["secret"])}}, kAsDaemonUser);
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.json()["enabled"], true);
  expect_backup_codes(enabled.json()["backupCodes"]);
  EXPECT_EQ(http_post(socket(), "/api/v1/me/mfa/totp/enable", {{"code", "123456"}}, kAsDaemonUser).status, 409);
  EXPECT_EQ(http_post(socket(), "/api/v1/me/mfa/totp/setup", json::object(), kAsDaemonUser).status, 409);
}

TEST_F(HttpApiTest, Seed004SetupIssuesCodesThatWorkOnlyAfterConfirm) {
  const auto setup = http_post(socket(), "/api/v1/auth/2fa/setup", json::object(), kAsDaemonUser);
  ASSERT_EQ(setup.status, 200) << setup.body;
  const auto body = setup.json();
  EXPECT_TRUE(body.contains("secret") && body.contains("qrCodeUri"));
  expect_backup_codes(body["backupCodes"]);
  EXPECT_EQ(bus_verify(bus_address(), "daemon", body["backupCodes"][0]).outcome, "not_enrolled");

  const auto confirmed =
      http_post(socket(), "/v2/auth/otp/confirm", {{"code", totp_code(body["secret"])}}, kAsDaemonUser);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json(), (json{{"success", true}}));
  EXPECT_EQ(bus_verify(bus_address(), "daemon", body["backupCodes"][0]).outcome, "ok_backup");
  EXPECT_EQ(http_post(socket(), "/api/v1/auth/2fa/setup", json::object(), kAsDaemonUser).status, 409);
}

TEST_F(HttpApiTest, UnknownRouteAndWrongMethod) {
  const auto missing = http_get(socket(), "/v2/auth/otp/nothing", kAsDaemonUser);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json(), (json{{"error", "Not found"}}));
  const auto wrong = http_get(socket(), "/v2/auth/otp/enable", kAsDaemonUser);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.at("allow"), "POST");
  EXPECT_EQ(http_post(socket(), "/v2/auth/otp/status", json::object(), kAsDaemonUser).status, 405);
}

TEST_F(HttpApiTest, MalformedBodiesAreRefused) {
  const auto refuse = [&](const std::string& body) {
    const auto response = http(socket(), {"POST", "/v2/auth/otp/enable", body, kAsDaemonUser});
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_TRUE(response.json().contains("error")) << response.body;
    return response.json()["error"].get<std::string>();
  };
  EXPECT_EQ(refuse("{"), "The body is not valid JSON");
  EXPECT_EQ(refuse("[1,2]"), "The body must be a JSON object");
  EXPECT_NE(refuse(R"({"code":"1","code":"2"})").find("Duplicate key"), std::string::npos);
  EXPECT_NE(refuse(R"({"user":"root"})").find("identified by the connection"), std::string::npos);
  EXPECT_NE(refuse(R"({"uid":0})").find("identified by the connection"), std::string::npos);
}

TEST_F(HttpApiTest, ABodyOverFourKibibytesIsRefusedBeforeItIsRead) {
  const std::string big(5000, ' ');
  const auto response = http(socket(), {"POST", "/v2/auth/otp/enable", big, kAsDaemonUser});
  EXPECT_EQ(response.status, 413);
  const auto chunked = http_raw(socket(),
                                "POST /v2/auth/otp/enable HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "X-OTP-User: daemon\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" +
                                    std::string(5000, ' ') + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.status, 413);
}

TEST_F(HttpApiTest, OversizeHeadersAreRefused) {
  const auto response = http(socket(), {"GET", "/v2/auth/otp/status", "", {{"X-Filler", std::string(20000, 'a')}}});
  EXPECT_TRUE(response.status == 431 || response.status == 413) << response.status;
}

TEST_F(HttpApiTest, AnUnprivilegedUserEnrollsThemself) {
  const auto response = deserialize(
      run_as(kNobodyUid, [&] { return serialize(http_post(socket(), "/v2/auth/otp/enable", json::object())); }));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.json()["otpauthUri"].get<std::string>().find(":nobody?"), std::string::npos);
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "nobody"}}).json()["pending"], true);
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json()["pending"], false);
}

TEST_F(HttpApiTest, OnlyRootMayActForAnotherUser) {
  const auto response = deserialize(run_as(kNobodyUid, [&] {
    return serialize(http_post(socket(), "/v2/auth/otp/enable", json::object(), kAsDaemonUser));
  }));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json(), (json{{"error", "Unauthorized"}}));
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", kAsDaemonUser).json()["pending"], false);
}

TEST_F(HttpApiTest, AnAuthorizationHeaderIsIgnored) {
  const auto response = deserialize(run_as(kNobodyUid, [&] {
    return serialize(http_get(socket(), "/v2/auth/otp/status", {{"Authorization", "Bearer root"}}));
  }));
  EXPECT_EQ(response.status, 200);
}

TEST_F(HttpApiTest, AUidWithoutAPasswdEntryIsUnauthorized) {
  const auto response =
      deserialize(run_as(kUidWithoutUser, [&] { return serialize(http_get(socket(), "/v2/auth/otp/status")); }));
  EXPECT_EQ(response.status, 401);
}

TEST_F(HttpApiTest, RootNamingAnUnknownUserIsABadRequest) {
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "no-such-user-here"}}).status, 400);
  EXPECT_EQ(http_get(socket(), "/v2/auth/otp/status", {{"X-OTP-User", "daemon"}, {"X-OTP-User", "root"}}).status, 400);
}

}  // namespace
}  // namespace otpd::test
