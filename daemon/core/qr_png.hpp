// The enrollment QR code as a PNG in memory, and as the data URI the API returns.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace otpd {

struct QrPngStyle {
  unsigned pixels_per_module = 6;
  unsigned quiet_zone_modules = 4;  // ISO/IEC 18004 asks for four
};

// A 1-bit grayscale PNG of `text` as a QR code (error correction level M).
[[nodiscard]] Expected<std::vector<std::uint8_t>> qr_png(std::string_view text, const QrPngStyle& style = {});

[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> bytes);

// "data:image/png;base64,..."
[[nodiscard]] std::string png_data_uri(std::span<const std::uint8_t> png);

}  // namespace otpd
