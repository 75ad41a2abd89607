#include "answer_split.hpp"

#include <algorithm>

#include "protocol.hpp"

namespace otpd::pam {
namespace {

using protocol::kBackupCodeGroup;
using protocol::kDashedBackupCodeLength;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Groups of kBackupCodeGroup letters or digits with a dash between each two.
bool is_dashed_backup_code(std::string_view text) {
  if (text.size() != kDashedBackupCodeLength) return false;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const bool dash_here = (at + 1) % (kBackupCodeGroup + 1) == 0;
    if (dash_here ? text[at] != '-' : !is_alnum(text[at])) return false;
  }
  return true;
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
  // Each block stays owned by its SecureString's unique_ptr; the analyzer loses it in
  // the moves into the aggregate and the optional.
}  // NOLINT(clang-analyzer-cplusplus.NewDeleteLeaks)

}  // namespace otpd::pam
