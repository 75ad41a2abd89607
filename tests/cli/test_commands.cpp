// The subcommands end to end against a fake otpd: what they ask, what they send, what
// they say, and the exit code. (The real daemon's turn is in the pexpect tests.)
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "fake_http_server.hpp"
#include "otp_enroll/commands.hpp"
#include "scripted_codes.hpp"

namespace otpd::cli {
namespace {

using otpd::test::TempDir;
using test_support::FakeHttpServer;
using test_support::http_response;
using test_support::ReceivedRequest;
using test_support::ScriptedCodes;

constexpr std::string_view kSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr std::string_view kCode = "975310";
const std::string kPng("\x89PNG\r\n\x1a\nIHDR-ish bytes", 22);

std::string png_data_uri() {
  std::string text(4 * ((kPng.size() + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                      reinterpret_cast<const unsigned char*>(kPng.data()), static_cast<int>(kPng.size()));
  text.resize(static_cast<std::size_t>(length));
  return "data:image/png;base64," + text;
}

std::string enable_answer() {
  nlohmann::json body{{"qr", png_data_uri()},
                      {"secret", kSecret},
                      {"otpauthUri", "otpauth://totp/host.example:alice?secret=" + std::string(kSecret) +
                                         "&issuer=host.example&algorithm=SHA1&digits=6&period=30"},
                      {"expiresAt", std::time(nullptr) + 600}};
  return http_response(200, body.dump());
}

const std::vector<std::string> kBackupCodes{"abcd-efgh", "jkmn-pqrs", "tuvw-xyz2", "3456-789a", "bcde-fghj",
                                            "kmnp-qrst", "uvwx-yz23", "4567-89ab", "cdef-ghjk", "mnpq-rstu"};

std::string confirm_answer() {
  return http_response(200, nlohmann::json{{"success", true}, {"backupCodes", kBackupCodes}}.dump());
}

std::string error_answer(int status, std::string_view error, std::string_view headers = {}) {
  return http_response(status, nlohmann::json{{"error", error}, {"success", false}}.dump(), headers);
}

struct Run {
  ExitCode exit_code;
  std::string out;
  std::string err;
  std::vector<ReceivedRequest> requests;
  std::vector<std::string> prompts;
};

struct Setup {
  Invocation invocation;
  std::vector<std::optional<std::string>> answers;
  std::vector<std::string> typed;
  std::optional<int> columns;
};

Run run(Setup setup) {
  FakeHttpServer server(std::move(setup.answers));
  if (setup.invocation.socket_path.empty()) setup.invocation.socket_path = server.socket_path();
  std::ostringstream out, err;
  ScriptedCodes codes(std::move(setup.typed));
  Console console{.out = out, .err = err, .codes = codes, .colours = false, .columns = setup.columns};
  const ExitCode exit_code = run_command(setup.invocation, console);
  return {exit_code, out.str(), err.str(), server.requests(), codes.prompts()};
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(InteractiveEnable, ShowsTheSetUpTakesACodeAndShowsTheBackupCodes) {
  const auto result = run({.answers = {enable_answer(), confirm_answer()}, .typed = {"975 310"}});
  EXPECT_EQ(result.exit_code, ExitCode::ok) << result.err;
  EXPECT_TRUE(contains(result.out, "\u2588")) << "a QR drawing";
  EXPECT_TRUE(contains(result.out, "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"));
  EXPECT_TRUE(contains(result.out, "Issuer:   host.example\n"));
  EXPECT_TRUE(contains(result.out, "Account:  alice\n"));
  EXPECT_TRUE(contains(result.out, "(in 10 min)") || contains(result.out, "(in 9 min)"));
  for (const auto& code : kBackupCodes) EXPECT_TRUE(contains(result.out, code)) << code;
  EXPECT_TRUE(contains(result.out, "Store them now"));
  EXPECT_FALSE(contains(result.out + result.err, kCode)) << "the typed code is never shown";
  EXPECT_TRUE(result.err.empty()) << result.err;
  ASSERT_EQ(result.requests.size(), 2U);
  EXPECT_TRUE(result.requests[0].head.starts_with("POST /v2/auth/otp/enable "));
  EXPECT_EQ(result.requests[0].body, "{}");
  EXPECT_TRUE(result.requests[1].head.starts_with("POST /v2/auth/otp/confirm "));
  EXPECT_EQ(result.requests[1].body, R"({"code":"975310"})");
}

TEST(InteractiveEnable, AWrongCodeGetsAnotherTry) {
  const auto result = run({.answers = {enable_answer(), error_answer(422, "Invalid OTP code"), confirm_answer()},
                           .typed = {"111111", "975310"}});
  EXPECT_EQ(result.exit_code, ExitCode::ok);
  EXPECT_TRUE(contains(result.err, "wrong code; try again"));
  EXPECT_EQ(result.prompts.size(), 2U);
}

TEST(InteractiveEnable, ThreeWrongCodesLeaveTheSetUpPending) {
  const auto wrong = error_answer(422, "Invalid OTP code");
  const auto result =
      run({.answers = {enable_answer(), wrong, wrong, wrong}, .typed = {"111111", "222222", "333333", "444444"}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_EQ(result.prompts.size(), 3U);
  EXPECT_TRUE(contains(result.err, "otp-enroll: wrong code\n"));
  EXPECT_TRUE(contains(result.err, "stays pending until"));
  EXPECT_FALSE(contains(result.out, "Store them now"));
}

TEST(InteractiveEnable, AnExpiredSetUpSaysToRunAgain) {
  const auto result = run({.answers = {enable_answer(), error_answer(410, "OTP code expired")}, .typed = {"975310"}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.err, "expired"));
  EXPECT_TRUE(contains(result.err, "run otp-enroll again"));
}

TEST(InteractiveEnable, ALockoutSaysForHowLong) {
  const auto result = run({.answers = {enable_answer(), error_answer(429, "Too many attempts", "Retry-After: 60\r\n")},
                           .typed = {"975310"}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.err, "locked for 60 s"));
  EXPECT_EQ(result.prompts.size(), 1U) << "no further tries while locked";
}

TEST(InteractiveEnable, AlreadyOnSaysHowToStartOver) {
  const auto result = run({.answers = {error_answer(409, "2FA is already active")}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.err, "already on"));
  EXPECT_TRUE(contains(result.err, "otp-enroll disable"));
  EXPECT_TRUE(result.prompts.empty());
}

TEST(InteractiveEnable, ATypoIsNotSentAndTheEndOfInputStops) {
  const auto result = run({.answers = {enable_answer(), confirm_answer()}, .typed = {"12a!56"}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.err, "a code is 6 digits"));
  EXPECT_TRUE(contains(result.err, "no code entered"));
  EXPECT_EQ(result.requests.size(), 1U) << "only enable; nothing was worth sending";
}

TEST(InteractiveEnable, ANarrowTerminalGetsAHintInsteadOfABrokenQr) {
  const auto result = run({.answers = {enable_answer(), confirm_answer()}, .typed = {"975310"}, .columns = 30});
  EXPECT_EQ(result.exit_code, ExitCode::ok);
  EXPECT_TRUE(contains(result.out, "too narrow for the QR code"));
  EXPECT_FALSE(contains(result.out, "\u2588"));
  EXPECT_TRUE(contains(result.out, "JBSW Y3DP"));
}

TEST(InteractiveEnable, WritesTheQrPngOwnerOnly) {
  const TempDir directory;
  const std::string path = (directory / "qr.png").string();
  const auto result =
      run({.invocation = {.qr_png = path}, .answers = {enable_answer(), confirm_answer()}, .typed = {"975310"}});
  EXPECT_EQ(result.exit_code, ExitCode::ok) << result.err;
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(written, kPng);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
}

TEST(JsonEnable, PrintsTheApiAnswerAndNeverPrompts) {
  const auto result = run({.invocation = {.json = true}, .answers = {enable_answer()}});
  EXPECT_EQ(result.exit_code, ExitCode::ok);
  EXPECT_TRUE(result.prompts.empty());
  const auto printed = nlohmann::json::parse(result.out);
  EXPECT_EQ(printed["secret"], kSecret);
  EXPECT_TRUE(printed.contains("otpauthUri"));
  EXPECT_EQ(result.requests.size(), 1U);
}

TEST(Confirm, WithJsonPrintsTheAnswerOrTheErrorJson) {
  const auto ok =
      run({.invocation = {.command = Command::confirm, .json = true, .code = "975310"}, .answers = {confirm_answer()}});
  EXPECT_EQ(ok.exit_code, ExitCode::ok);
  EXPECT_EQ(nlohmann::json::parse(ok.out)["backupCodes"].size(), 10U);

  const auto wrong = run({.invocation = {.command = Command::confirm, .json = true, .code = "975310"},
                          .answers = {error_answer(422, "Invalid OTP code")}});
  EXPECT_EQ(wrong.exit_code, ExitCode::refused);
  EXPECT_EQ(nlohmann::json::parse(wrong.out)["error"], "Invalid OTP code");
  EXPECT_EQ(wrong.requests.size(), 1U) << "a code from the command line is sent once";
}

TEST(Confirm, NothingPendingIsAWrongState) {
  const auto result = run({.invocation = {.command = Command::confirm, .code = "975310"},
                           .answers = {error_answer(409, "no pending enrollment")}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.err, "no set-up to confirm"));
}

TEST(Confirm, AMalformedCommandLineCodeIsAUsageErrorAndNotSent) {
  const auto result =
      run({.invocation = {.command = Command::confirm, .code = "12;56"}, .answers = {confirm_answer()}});
  EXPECT_EQ(result.exit_code, ExitCode::usage);
  EXPECT_TRUE(result.requests.empty());
}

TEST(Status, ReadsOutTheState) {
  const std::string body = R"({"enabled":true,"pending":false,"backupCodesRemaining":8,"lockedUntil":null})";
  const auto human = run({.invocation = {.command = Command::status}, .answers = {http_response(200, body)}});
  EXPECT_EQ(human.exit_code, ExitCode::ok);
  EXPECT_EQ(human.out, "Two-factor login: on\nBackup codes left: 8\n");
  EXPECT_TRUE(human.requests.at(0).head.starts_with("GET /v2/auth/otp/status "));

  const auto json =
      run({.invocation = {.command = Command::status, .json = true}, .answers = {http_response(200, body)}});
  EXPECT_EQ(nlohmann::json::parse(json.out), nlohmann::json::parse(body));
}

TEST(Status, AnAbsentDaemonIsExitThreeWithTheFix) {
  const TempDir directory;
  const auto result =
      run({.invocation = {.command = Command::status, .socket_path = (directory / "none.sock").string()}});
  EXPECT_EQ(result.exit_code, ExitCode::unreachable);
  EXPECT_TRUE(contains(result.err, "otpd is not running"));
  EXPECT_TRUE(contains(result.err, "systemctl start otpd.socket"));
}

TEST(Status, ASilentDaemonIsExitThreeAfterTimeoutSeconds) {
  const auto result =
      run({.invocation = {.command = Command::status, .timeout_seconds = 1}, .answers = {std::nullopt}});
  EXPECT_EQ(result.exit_code, ExitCode::unreachable);
  EXPECT_TRUE(contains(result.err, "otpd did not answer within 1 s")) << result.err;
  EXPECT_EQ(result.requests.size(), 1U);
}

TEST(Disable, PromptsForACodeAndSaysItIsOff) {
  const auto result = run({.invocation = {.command = Command::disable},
                           .answers = {http_response(200, R"({"success":true})")},
                           .typed = {"abcd-efgh"}});
  EXPECT_EQ(result.exit_code, ExitCode::ok);
  EXPECT_EQ(result.prompts.size(), 1U);
  EXPECT_TRUE(contains(result.out, "now off"));
  EXPECT_EQ(result.requests.at(0).body, R"({"code":"abcd-efgh"})");
}

TEST(Disable, ForAnotherUserSendsTheHeaderAndExplainsA401) {
  const auto result = run({.invocation = {.command = Command::disable, .user = "alice", .code = "975310"},
                           .answers = {error_answer(401, "Unauthorized")}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.requests.at(0).head, "\r\nX-OTP-User: alice\r\n"));
  EXPECT_TRUE(contains(result.err, "only root may act for another user"));
}

TEST(Disable, NotOnIsAWrongState) {
  const auto result = run({.invocation = {.command = Command::disable, .code = "975310"},
                           .answers = {error_answer(409, "2FA is not enabled for this account")}});
  EXPECT_EQ(result.exit_code, ExitCode::refused);
  EXPECT_TRUE(contains(result.err, "not on for this account"));
}

TEST(BackupCodes, PrintsTheNewSet) {
  const auto result = run({.invocation = {.command = Command::backup_codes},
                           .answers = {http_response(200, nlohmann::json{{"backupCodes", kBackupCodes}}.dump())},
                           .typed = {"975310"}});
  EXPECT_EQ(result.exit_code, ExitCode::ok);
  for (const auto& code : kBackupCodes) EXPECT_TRUE(contains(result.out, code)) << code;
  EXPECT_TRUE(contains(result.out, "old backup codes no longer work"));
}

}  // namespace
}  // namespace otpd::cli
