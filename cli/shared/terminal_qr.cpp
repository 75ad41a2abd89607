#include "shared/terminal_qr.hpp"

#include <qrencode.h>

#include <string>

#include "shared/c_handles.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kUpperHalf = "\u2580";  // ▀
constexpr std::string_view kLowerHalf = "\u2584";  // ▄
constexpr std::string_view kFullBlock = "\u2588";  // █
constexpr std::string_view kBlank = " ";
constexpr std::string_view kWhiteOnBlack = "\x1b[97;40m";
constexpr std::string_view kResetColours = "\x1b[0m";

std::string_view half_block(bool upper_light, bool lower_light) {
  if (upper_light && lower_light) return kFullBlock;
  if (upper_light) return kUpperHalf;
  if (lower_light) return kLowerHalf;
  return kBlank;
}

// One text line: module rows `y` and `y + 1`, quiet zone included.
void append_line(std::string& out, const ModuleMatrix& matrix, int y) {
  const int last = matrix.width() + kQuietZoneModules;
  for (int x = -kQuietZoneModules; x < last; ++x) {
    out += half_block(!matrix.dark(x, y), !matrix.dark(x, y + 1));
  }
}

}  // namespace

std::optional<ModuleMatrix> encode_qr(std::string_view text) {
  const std::string terminated(text);
  const QrCodePtr code(QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, /*casesensitive=*/1));
  if (!code) return std::nullopt;
  const auto width = static_cast<std::size_t>(code->width);
  std::vector<bool> dark(width * width);
  for (std::size_t i = 0; i < dark.size(); ++i) dark[i] = (code->data[i] & 1U) != 0;
  return ModuleMatrix(code->width, std::move(dark));
}

std::string render_half_blocks(const ModuleMatrix& matrix, QrTextStyle style) {
  std::string out;
  // An odd row count leaves the last line's lower half to the quiet zone, which is light.
  const int last = matrix.width() + kQuietZoneModules;
  for (int y = -kQuietZoneModules; y < last; y += 2) {
    if (style.ansi_colors) out += kWhiteOnBlack;
    append_line(out, matrix, y);
    if (style.ansi_colors) out += kResetColours;
    out += '\n';
  }
  return out;
}

int rendered_columns(const ModuleMatrix& matrix) { return matrix.width() + 2 * kQuietZoneModules; }

}  // namespace otpd::cli
