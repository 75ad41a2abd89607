// Decides what a typed code is for one enrollment: a TOTP code inside the window
// (and whether its step is past the replay watermark), a backup code, or nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/backup_codes.hpp"
#include "core/error.hpp"
#include "secure_bytes.hpp"
#include "store/store.hpp"

namespace otpd {

// totp_clock_behind: a code of the window for a step at or before the watermark,
// while the watermark is further ahead of the clock than the window reaches: no code
// could have moved it there but with a clock that was later then than it is now. The
// clock was stepped back; the code is refused (it may not be used twice), but it is
// the right code, and its user is no guesser.
enum class CodeMatch { none, totp, totp_replayed, totp_clock_behind, backup };

struct CheckedCode {
  CodeMatch match = CodeMatch::none;
  std::uint64_t step = 0;                 // with totp / totp_replayed / totp_clock_behind
  std::int64_t clock_behind_seconds = 0;  // with totp_clock_behind: watermark_lead()
  BackupCodeHash backup_hash{};           // with backup
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

// How far, in seconds, the record's watermark is ahead of the clock beyond the
// window (the time from now to the watermark's step): 0 unless the clock is behind.
[[nodiscard]] std::int64_t watermark_lead(const EnrollmentRecord& record, std::int64_t now, unsigned window);

// True when `code` has the shape of a TOTP code for these parameters.
[[nodiscard]] bool looks_like_totp(std::string_view code, unsigned digits);

}  // namespace otpd
