#include "answer_split.hpp"

#include <algorithm>

namespace otpd::pam {
namespace {

constexpr std::size_t kBackupCodeHalf = 4;
constexpr std::size_t kDashedBackupCodeLength = 2 * kBackupCodeHalf + 1;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool all_alnum(std::string_view text) { return std::ranges::all_of(text, is_alnum); }

bool is_dashed_backup_code(std::string_view text) {
  return text.size() == kDashedBackupCodeLength && text[kBackupCodeHalf] == '-' &&
         all_alnum(text.substr(0, kBackupCodeHalf)) && all_alnum(text.substr(kBackupCodeHalf + 1));
}

std::size_t code_length(std::string_view answer, unsigned digits) {
  if (answer.size() >= kDashedBackupCodeLength &&
      is_dashed_backup_code(answer.substr(answer.size() - kDashedBackupCodeLength))) {
    return kDashedBackupCodeLength;
  }
  if (answer.size() >= digits && std::ranges::all_of(answer.substr(answer.size() - digits), is_digit)) {
    return digits;
  }
  return 0;
}

}  // namespace

std::optional<PasswordAndCode> split_password_and_code(std::string_view answer, unsigned digits) {
  const std::size_t length = digits == 0 ? 0 : code_length(answer, digits);
  if (length == 0) return std::nullopt;
  const std::size_t split_at = answer.size() - length;
  return PasswordAndCode{SecureString{answer.substr(0, split_at)}, SecureString{answer.substr(split_at)}};
}

}  // namespace otpd::pam
