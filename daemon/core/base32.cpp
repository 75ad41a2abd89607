#include "core/base32.hpp"

namespace otpd {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int decode_symbol(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// A final group of n symbols carries these many whole bytes; other lengths are
// impossible in RFC 4648.
bool is_valid_symbol_count(std::size_t count) {
  const std::size_t rest = count % 8;
  return rest != 1 && rest != 3 && rest != 6;
}

}  // namespace

SecureString base32_encode(std::span<const std::uint8_t> bytes) {
  SecureString out = SecureString::with_capacity((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      (void)out.append({&kAlphabet[(buffer >> bits) & 0x1F], 1});
    }
  }
  if (bits > 0) (void)out.append({&kAlphabet[(buffer << (5 - bits)) & 0x1F], 1});
  return out;
}

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (!is_valid_symbol_count(text.size())) return std::nullopt;

  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = decode_symbol(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
  }
  if ((buffer & ((1U << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace otpd
