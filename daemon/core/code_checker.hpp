// Decides what a typed code is for one enrollment: a TOTP code inside the window
// (and whether its step is past the replay watermark), a backup code, or nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/backup_codes.hpp"
#include "core/error.hpp"
#include "crypto/secure_bytes.hpp"
#include "store/store.hpp"

namespace otpd {

enum class CodeMatch { none, totp, totp_replayed, backup };

struct CheckedCode {
  CodeMatch match = CodeMatch::none;
  std::uint64_t step = 0;        // with totp / totp_replayed
  BackupCodeHash backup_hash{};  // with backup
};

struct CodeCheckRequest {
  std::string_view code;
  std::int64_t now = 0;
  unsigned window = 1;            // steps accepted either side of now
  bool enforce_watermark = true;  // false only for the confirming code
  bool allow_backup_code = true;  // false while confirming: no set is valid yet
};

// Scans every step of the window with constant-time comparisons and no early exit;
// when several steps match, the latest counts. `secret` is the opened TOTP secret.
[[nodiscard]] CheckedCode check_totp(std::span<const std::uint8_t> secret, const EnrollmentRecord& record,
                                     const CodeCheckRequest& request);

// True when `code` has the shape of a TOTP code for these parameters.
[[nodiscard]] bool looks_like_totp(std::string_view code, unsigned digits);

}  // namespace otpd
