#include "crypto/random_source.hpp"

#include <openssl/rand.h>

namespace otpd {

Expected<void> fill_random(std::span<std::uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return fail(ErrorKind::crypto, "the random number generator failed");
  }
  return {};
}

Expected<unsigned> random_below(unsigned bound) {
  if (bound == 0 || bound > 256) return fail(ErrorKind::invalid_argument, "bad random bound");
  // Accept only bytes below the largest multiple of `bound`, so that `% bound` is even.
  const unsigned limit = 256 - 256 % bound;
  for (;;) {
    std::uint8_t byte = 0;
    if (auto ok = fill_random({&byte, 1}); !ok) return tl::unexpected(ok.error());
    if (byte < limit) return byte % bound;
  }
}

}  // namespace otpd
