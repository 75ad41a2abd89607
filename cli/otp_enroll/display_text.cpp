#include "otp_enroll/display_text.hpp"

#include <array>
#include <optional>
#include <ostream>

#include "http_api.hpp"
#include "shared/json_fields.hpp"

namespace otpd::cli {
namespace {

constexpr std::size_t kGroupSize = 4;
constexpr std::int64_t kFewBackupCodes = 2;
constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 60 * kMinute;

std::optional<std::tm> local_time(std::time_t when) {
  std::tm local{};
  if (localtime_r(&when, &local) == nullptr) return std::nullopt;
  return local;
}

// "14:05:09", or "2026-11-23 14:05:09" when `when` is not on the day of `now`.
std::string local_time_text(std::time_t when, std::time_t now) {
  const auto local = local_time(when);
  const auto today = local_time(now);
  if (!local || !today) return "?";
  const bool same_day = local->tm_year == today->tm_year && local->tm_yday == today->tm_yday;
  std::array<char, 64> text{};
  const auto length = same_day ? std::strftime(text.data(), text.size(), "%H:%M:%S", &*local)
                               : std::strftime(text.data(), text.size(), "%F %H:%M:%S", &*local);
  return {text.data(), length};
}

}  // namespace

std::string group_in_fours(std::string_view secret) {
  std::string grouped;
  grouped.reserve(secret.size() + secret.size() / kGroupSize);
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (i != 0 && i % kGroupSize == 0) grouped += ' ';
    grouped += secret[i];
  }
  return grouped;
}

std::string describe_duration(std::int64_t seconds) {
  if (seconds < kMinute) return std::to_string(seconds < 0 ? 0 : seconds) + " s";
  // Rounded down: never promise more time than is left.
  if (seconds < kHour) return std::to_string(seconds / kMinute) + " min";
  const auto minutes = (seconds % kHour) / kMinute;
  auto text = std::to_string(seconds / kHour) + " h";
  if (minutes != 0) text += " " + std::to_string(minutes) + " min";
  return text;
}

std::string describe_deadline(std::int64_t unix_seconds, std::time_t now) {
  return local_time_text(static_cast<std::time_t>(unix_seconds), now) + " (in " +
         describe_duration(unix_seconds - now) + ")";
}

void print_backup_codes(std::ostream& out, const std::vector<std::string_view>& codes) {
  out << "Backup codes (each works once, in place of a code from your app):\n";
  for (std::size_t i = 0; i < codes.size(); ++i) {
    out << (i + 1 < 10 ? "   " : "  ") << i + 1 << ". " << codes[i] << '\n';
  }
  out << "Store them now somewhere safe: they are shown only this once.\n";
}

bool print_backup_codes_in(std::ostream& out, const nlohmann::json& answer) {
  const auto codes = string_array_field(answer, http_api::kFieldBackupCodes);
  if (!codes || codes->empty()) return false;
  print_backup_codes(out, *codes);
  return true;
}

std::string describe_status(const nlohmann::json& status, std::time_t now) {
  const bool enabled = bool_field(status, http_api::kFieldEnabled).value_or(false);
  const bool pending = bool_field(status, http_api::kFieldPending).value_or(false);
  std::string text = enabled ? "Two-factor login: on\n" : "Two-factor login: off\n";
  if (pending) text += "A set-up is pending: finish it with: otp-enroll confirm\n";
  const auto left = integer_field(status, http_api::kFieldBackupCodesRemaining);
  if (enabled && left) {
    text += "Backup codes left: " + std::to_string(*left) + "\n";
    if (*left <= kFewBackupCodes) text += "Make new ones with: otp-enroll backup-codes\n";
  }
  const auto locked_until = integer_field(status, http_api::kFieldLockedUntil);
  if (locked_until && *locked_until > now) {
    text += "Locked after too many wrong codes, until " + describe_deadline(*locked_until, now) + "\n";
  }
  return text;
}

}  // namespace otpd::cli
