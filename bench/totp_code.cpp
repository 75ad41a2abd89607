#include "totp_code.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdio>
#include <ctime>

namespace otpd::bench {

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char raw : text) {
    if (raw == '=') break;
    const char c = (raw >= 'a' && raw <= 'z') ? static_cast<char>(raw - 'a' + 'A') : raw;
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= '2' && c <= '7') value = c - '2' + 26;
    if (value < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string totp_code(const std::vector<std::uint8_t>& key, std::uint64_t step) {
  std::array<std::uint8_t, 8> counter{};
  for (int i = 7; i >= 0; --i, step >>= 8) counter[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(step);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), counter.data(), counter.size(), mac.data(), &mac_size);
  const unsigned offset = mac[mac_size - 1] & 0x0F;
  const std::uint32_t binary =
      (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) | (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
      (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | static_cast<std::uint32_t>(mac[offset + 3]);
  char text[8];
  std::snprintf(text, sizeof(text), "%06u", binary % 1000000U);
  return text;
}

std::uint64_t current_step() { return static_cast<std::uint64_t>(std::time(nullptr)) / kPeriod; }

}  // namespace otpd::bench
