// RFC 4648 base32, the alphabet authenticator apps expect for TOTP secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "secure_bytes.hpp"

namespace otpd {

// Upper case, no padding.
[[nodiscard]] SecureString base32_encode(std::span<const std::uint8_t> bytes);

// Case-insensitive; '=' padding is tolerated at the end only. Returns nullopt for a
// character outside the alphabet, an impossible length, or non-zero trailing bits.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

}  // namespace otpd
