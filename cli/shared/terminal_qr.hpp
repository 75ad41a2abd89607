// A QR code drawn with Unicode half blocks, two module rows a text line.
//
// Light modules are the glyphs and dark modules the blanks: on the common light-on-dark
// terminal that is dark-on-light, as scanners expect. With colours on, the lines carry
// an explicit white-on-black so a light-background terminal shows the same.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace otpd::cli {

inline constexpr int kQuietZoneModules = 2;

class ModuleMatrix {
 public:
  ModuleMatrix(int width, std::vector<bool> dark) : width_(width), dark_(std::move(dark)) {}

  [[nodiscard]] int width() const noexcept { return width_; }
  // Anything outside the symbol is light: the quiet zone.
  [[nodiscard]] bool dark(int x, int y) const noexcept {
    if (x < 0 || y < 0 || x >= width_ || y >= width_) return false;
    return dark_[static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)];
  }

 private:
  int width_;
  std::vector<bool> dark_;
};

struct QrTextStyle {
  bool ansi_colors = false;
};

// The symbol libqrencode makes for `text` at error-correction level M.
[[nodiscard]] std::optional<ModuleMatrix> encode_qr(std::string_view text);

// Pure: the matrix plus a quiet zone of kQuietZoneModules, as lines of half blocks.
[[nodiscard]] std::string render_half_blocks(const ModuleMatrix& matrix, QrTextStyle style);

// How many terminal columns render_half_blocks needs for `matrix`.
[[nodiscard]] int rendered_columns(const ModuleMatrix& matrix);

}  // namespace otpd::cli
