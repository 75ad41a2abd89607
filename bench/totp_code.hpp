// The bench's own TOTP (RFC 6238, HMAC-SHA1, 6 digits, 30 s), written apart from
// the daemon's so that a bug there shows up as failed logins here, not as agreement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace otpd::bench {

inline constexpr unsigned kPeriod = 30;

[[nodiscard]] std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// The 6-digit code of `key` for time step `step`.
[[nodiscard]] std::string totp_code(const std::vector<std::uint8_t>& key, std::uint64_t step);

[[nodiscard]] std::uint64_t current_step();

}  // namespace otpd::bench
