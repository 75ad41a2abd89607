// base32 (RFC 4648, no padding out, padding tolerated in) both ways.
//
// Input: arbitrary bytes, used twice: as text to decode, and as bytes to encode.
// Asserted: decoding then encoding gives back the text upper-cased without its
// trailing '=' (decoding accepts only the canonical form); encoding gives
// ceil(8n/5) symbols of the alphabet and decodes back to the same bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base32.hpp"
#include "fuzz_core.hpp"

namespace otpd::fuzz {
namespace {

std::string canonical(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void check_decode(std::string_view text) {
  const auto bytes = base32_decode(text);
  if (!bytes) return;
  if (base32_encode(*bytes).view() != canonical(text)) die("decode/encode is not the identity on accepted text");
}

void check_encode(std::span<const std::uint8_t> bytes) {
  const std::string text(base32_encode(bytes).view());
  if (text.size() != (bytes.size() * 8 + 4) / 5) die("encoded length");
  if (text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != std::string::npos)
    die("symbol outside the alphabet");
  const auto back = base32_decode(text);
  if (!back || !std::equal(back->begin(), back->end(), bytes.begin(), bytes.end())) die("encode/decode round trip");
}

}  // namespace
}  // namespace otpd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  otpd::fuzz::check_decode({reinterpret_cast<const char*>(data), size});
  otpd::fuzz::check_encode({data, size});
  return 0;
}
