// Randomness from the OpenSSL CSPRNG, for secrets, salts, nonces and backup codes.
#pragma once

#include <cstdint>
#include <span>

#include "core/error.hpp"

namespace otpd {

[[nodiscard]] Expected<void> fill_random(std::span<std::uint8_t> out);

// A uniformly distributed index below `bound` (1..256), by rejection sampling so no
// value is more likely than another.
[[nodiscard]] Expected<unsigned> random_below(unsigned bound);

}  // namespace otpd
