// How otp-enroll words what otpd answered, for a person to read. No clock of its own
// (the caller passes "now") and no terminal (the caller passes the stream), so every
// line is unit-testable.
#pragma once

#include <cstdint>
#include <ctime>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace otpd::cli {

// "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type from a screen.
[[nodiscard]] std::string group_in_fours(std::string_view secret);

// "14:05:09 (in 10 min)"; local time, with the date only when it is not today.
[[nodiscard]] std::string describe_deadline(std::int64_t unix_seconds, std::time_t now);

// "10 min", "45 s", "1 h 5 min".
[[nodiscard]] std::string describe_duration(std::int64_t seconds);

// The new backup codes, one a line and numbered, and the line that says to store them
// now. Written straight to `out`, so no copy of a code is left in a string of ours.
void print_backup_codes(std::ostream& out, const std::vector<std::string_view>& codes);
// The same for the "backupCodes" of an answer; false when it carries none.
bool print_backup_codes_in(std::ostream& out, const nlohmann::json& answer);

// `otp-enroll status` for a person: on or off, backup codes left, a lockout.
[[nodiscard]] std::string describe_status(const nlohmann::json& status, std::time_t now);

}  // namespace otpd::cli
