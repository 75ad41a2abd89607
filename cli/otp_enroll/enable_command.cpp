// `otp-enroll` / `otp-enroll enable`: start a set-up, show it (QR, key, issuer and
// account, deadline), take the first code, show the backup codes once.
#include <ctime>
#include <ostream>
#include <string>

#include "http_api.hpp"
#include "otp_enroll/commands.hpp"
#include "otp_enroll/display_text.hpp"
#include "shared/json_fields.hpp"
#include "shared/otpauth_details.hpp"
#include "shared/qr_png_file.hpp"
#include "shared/terminal_qr.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kAlreadyOn =
    "two-factor login is already on for this account; to start over, first run: "
    "otp-enroll disable";
constexpr std::string_view kNoLongerPending =
    "the set-up is no longer pending (finished or replaced meanwhile); see: otp-enroll status";

// The parts of the enable answer the set-up shows; views into the answer's JSON.
struct Enrollment {
  std::string_view secret;
  std::string_view otpauth_uri;
  std::int64_t expires_at = 0;
};

std::optional<Enrollment> read_enrollment(const nlohmann::json& body) {
  const auto secret = string_field(body, http_api::kFieldSecret);
  const auto uri = string_field(body, http_api::kFieldOtpauthUri);
  const auto expires_at = integer_field(body, http_api::kFieldExpiresAt);
  if (!secret || !uri || !expires_at) return std::nullopt;
  return Enrollment{*secret, *uri, *expires_at};
}

ExitCode save_qr_png(const CommandContext& context, const nlohmann::json& body) {
  const auto& path = context.invocation.qr_png;
  const auto uri = string_field(body, http_api::kFieldQr);
  const auto png = uri ? decode_png_data_uri(*uri) : std::nullopt;
  if (!png) {
    say(context, "otpd's answer carries no PNG QR code");
    return ExitCode::unreachable;
  }
  if (const auto written = write_private_file(path, png->view()); !written) {
    say(context, "cannot write " + path + ": " + written.error());
    return ExitCode::refused;
  }
  if (!context.invocation.json) context.console.out << "QR code written to " << path << "\n";
  return ExitCode::ok;
}

void show_qr(const CommandContext& context, std::string_view otpauth_uri) {
  const auto matrix = encode_qr(otpauth_uri);
  if (!matrix) {
    context.console.out << "(cannot draw the QR code here; enter the key by hand)\n";
    return;
  }
  const auto columns = context.console.columns;
  if (columns && *columns < rendered_columns(*matrix)) {
    context.console.out << "(the terminal is too narrow for the QR code: widen it to " << rendered_columns(*matrix)
                        << " columns and run again, or use "
                        << "--qr-png FILE)\n";
    return;
  }
  context.console.out << "Scan this QR code with your authenticator app:\n\n"
                      << render_half_blocks(*matrix, {.ansi_colors = context.console.colours}) << "\n";
}

std::string describe_parameters(const OtpauthDetails& details) {
  const auto or_default = [](const std::string& value, const char* fallback) {
    return value.empty() ? std::string(fallback) : value;
  };
  return "time-based, " + or_default(details.algorithm, "SHA1") + ", " + or_default(details.digits, "6") +
         " digits, every " + or_default(details.period, "30") + " s";
}

void show_enrollment(const CommandContext& context, const Enrollment& enrollment) {
  auto& out = context.console.out;
  show_qr(context, enrollment.otpauth_uri);
  out << "Or enter this key by hand:  " << group_in_fours(enrollment.secret) << "\n";
  if (const auto details = parse_otpauth_uri(enrollment.otpauth_uri)) {
    out << "  Issuer:   " << details->issuer << "\n"
        << "  Account:  " << details->account << "\n"
        << "  Type:     " << describe_parameters(*details) << "\n";
  }
  out << "This set-up expires at " << describe_deadline(enrollment.expires_at, std::time(nullptr)) << ".\n\n";
}

ExitCode confirm_first_code(const CommandContext& context, const Enrollment& enrollment) {
  const std::string still_pending = "the set-up stays pending until " +
                                    describe_deadline(enrollment.expires_at, std::time(nullptr)) +
                                    "; finish it with: otp-enroll confirm, or start over with: otp-enroll";
  const auto response = submit_code(context, {.route = http_api::kConfirmRoute,
                                              .prompt = "Code your app shows now: ",
                                              .wrong_state = kNoLongerPending,
                                              .after_wrong_code = still_pending});
  if (!response) return response.error();
  context.console.out << "\nTwo-factor login is now on.\n";
  (void)print_backup_codes_in(context.console.out, response->body);
  return ExitCode::ok;
}

ExitCode set_up_interactively(const CommandContext& context, const nlohmann::json& answer) {
  const auto enrollment = read_enrollment(answer);
  if (!enrollment) {
    say(context, "otpd's enable answer lacks the secret, the otpauth URI or the deadline");
    return ExitCode::unreachable;
  }
  show_enrollment(context, *enrollment);
  return confirm_first_code(context, *enrollment);
}

}  // namespace

ExitCode run_enable(const CommandContext& context) {
  const auto result = context.client.post(http_api::kEnableRoute, http_api::kEmptyBody);
  if (!result || !result->ok()) return report_failure(context, result, kAlreadyOn);
  if (!context.invocation.qr_png.empty()) {
    if (const auto saved = save_qr_png(context, result->body); saved != ExitCode::ok) return saved;
  }
  return present(context, result->body, set_up_interactively);
}

}  // namespace otpd::cli
