#include "otp_enroll/commands.hpp"

#include <algorithm>
#include <ctime>
#include <ostream>

#include "http_api.hpp"
#include "otp_enroll/display_text.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kAppCodePrompt = "Code from your authenticator app: ";
constexpr std::string_view kAnyCodePrompt = "Code from your authenticator app, or a backup code: ";
constexpr std::string_view kNothingToConfirm =
    "there is no set-up to confirm (none started, or it expired); start one with: otp-enroll";
constexpr std::string_view kNotOn = "two-factor login is not on for this account; set it up with: otp-enroll";

ExitCode show_now_on(const CommandContext& context, const nlohmann::json& answer) {
  context.console.out << "Two-factor login is now on.\n";
  (void)print_backup_codes_in(context.console.out, answer);
  return ExitCode::ok;
}

ExitCode show_now_off(const CommandContext& context, const nlohmann::json& /*answer*/) {
  context.console.out << "Two-factor login is now off; its secret and backup codes are gone.\n";
  return ExitCode::ok;
}

ExitCode show_new_backup_codes(const CommandContext& context, const nlohmann::json& answer) {
  if (!print_backup_codes_in(context.console.out, answer)) {
    say(context, "otpd's answer carries no backup codes");
    return ExitCode::unreachable;
  }
  context.console.out << "The old backup codes no longer work.\n";
  return ExitCode::ok;
}

ExitCode show_status(const CommandContext& context, const nlohmann::json& answer) {
  context.console.out << describe_status(answer, std::time(nullptr));
  return ExitCode::ok;
}

ApiClientOptions client_options(const Invocation& invocation) {
  const long total_ms = 1'000L * invocation.timeout_seconds;
  return {.socket_path = invocation.socket_path,
          .act_as_user = invocation.user,
          .connect_timeout_ms = std::min(kConnectTimeoutMs, total_ms),
          .total_timeout_ms = total_ms};
}

}  // namespace

ExitCode run_command(const Invocation& invocation, Console& console) {
  if (invocation.command == Command::reset) return run_reset(invocation, console);
  const ApiClient client(client_options(invocation));
  const CommandContext context{invocation, console, client};
  switch (invocation.command) {
    case Command::enroll: return run_enable(context);
    case Command::confirm: return run_confirm(context);
    case Command::status: return run_status(context);
    case Command::disable: return run_disable(context);
    case Command::backup_codes: return run_backup_codes(context);
    case Command::reset: break;
  }
  return ExitCode::usage;
}

ExitCode run_confirm(const CommandContext& context) {
  const auto response = submit_code(context, {.route = http_api::kConfirmRoute,
                                              .prompt = kAppCodePrompt,
                                              .wrong_state = kNothingToConfirm,
                                              .after_wrong_code = {}});
  return response ? present(context, response->body, show_now_on) : response.error();
}

ExitCode run_status(const CommandContext& context) {
  const auto result = context.client.get(http_api::kStatusRoute);
  if (!result || !result->ok()) return report_failure(context, result, {});
  return present(context, result->body, show_status);
}

ExitCode run_disable(const CommandContext& context) {
  const auto response = submit_code(
      context,
      {.route = http_api::kDisableRoute, .prompt = kAnyCodePrompt, .wrong_state = kNotOn, .after_wrong_code = {}});
  return response ? present(context, response->body, show_now_off) : response.error();
}

ExitCode run_backup_codes(const CommandContext& context) {
  const auto response = submit_code(
      context,
      {.route = http_api::kBackupCodesRoute, .prompt = kAnyCodePrompt, .wrong_state = kNotOn, .after_wrong_code = {}});
  return response ? present(context, response->body, show_new_backup_codes) : response.error();
}

}  // namespace otpd::cli
