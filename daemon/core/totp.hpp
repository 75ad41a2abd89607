// HOTP (RFC 4226) and TOTP (RFC 6238).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol.hpp"

namespace otpd {

enum class HashAlgorithm { sha1, sha256, sha512 };

[[nodiscard]] std::string_view hash_algorithm_name(HashAlgorithm algorithm);  // "SHA1", ...
[[nodiscard]] std::optional<HashAlgorithm> hash_algorithm_from_name(std::string_view name);

using protocol::kMaxDigits;
using protocol::kMinDigits;

struct TotpParameters {
  HashAlgorithm algorithm = HashAlgorithm::sha1;
  unsigned digits = protocol::kDefaultDigits;  // kMinDigits to kMaxDigits
  unsigned period = 30;                        // seconds per time step
  bool operator==(const TotpParameters&) const = default;
};

// A code as the user types it: `digits` decimal characters, zero-padded.
struct OtpCode {
  char text[kMaxDigits] = {};
  unsigned length = 0;
  [[nodiscard]] std::string_view view() const { return {text, length}; }
};

// The HOTP value of `counter` under `key`; nullopt only if OpenSSL fails.
[[nodiscard]] std::optional<OtpCode> hotp(std::span<const std::uint8_t> key, std::uint64_t counter,
                                          HashAlgorithm algorithm, unsigned digits);

// The TOTP time step that contains `unix_time` (T0 = 0). Times before the epoch
// have no step.
[[nodiscard]] std::optional<std::uint64_t> totp_step(std::int64_t unix_time, unsigned period);

}  // namespace otpd
