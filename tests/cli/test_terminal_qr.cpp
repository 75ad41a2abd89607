// The terminal QR is checked by reading it back: half blocks -> module matrix, which
// must be libqrencode's own matrix inside a light quiet zone.
#include <gtest/gtest.h>
#include <qrencode.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "shared/terminal_qr.hpp"
#include "temp_dir.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kUri =
    "otpauth://totp/host.example:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&issuer=host.example&algorithm=SHA1&digits=6&period=30";

// Light-module rows read back from the text; each text line gives two rows.
using LightRows = std::vector<std::vector<bool>>;

std::string without_ansi_escapes(const std::string& text) {
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\x1b') {
      plain += text[i];
      continue;
    }
    i = text.find('m', i);  // CSI ... m
    if (i == std::string::npos) break;
  }
  return plain;
}

// Each glyph is (upper light, lower light).
std::pair<bool, bool> read_glyph(std::string_view line, std::size_t& at) {
  for (const auto& [glyph, halves] : {std::pair{std::string_view("\u2588"), std::pair{true, true}},
                                      std::pair{std::string_view("\u2580"), std::pair{true, false}},
                                      std::pair{std::string_view("\u2584"), std::pair{false, true}},
                                      std::pair{std::string_view(" "), std::pair{false, false}}}) {
    if (line.substr(at).starts_with(glyph)) {
      at += glyph.size();
      return halves;
    }
  }
  ADD_FAILURE() << "unexpected byte in QR text at " << at;
  at = line.size();
  return {false, false};
}

LightRows read_back(const std::string& text) {
  LightRows rows;
  std::istringstream lines(without_ansi_escapes(text));
  for (std::string line; std::getline(lines, line);) {
    std::vector<bool> upper, lower;
    for (std::size_t at = 0; at < line.size();) {
      const auto [up, down] = read_glyph(line, at);
      upper.push_back(up);
      lower.push_back(down);
    }
    rows.push_back(upper);
    rows.push_back(lower);
  }
  return rows;
}

// A binary PGM, `scale` pixels a module, light as white.
void write_pgm(const std::string& path, const LightRows& rows, int scale) {
  std::ofstream out(path, std::ios::binary);
  const auto width = rows.at(0).size() * static_cast<std::size_t>(scale);
  out << "P5\n" << width << ' ' << rows.size() * static_cast<std::size_t>(scale) << "\n255\n";
  for (const auto& row : rows) {
    std::string pixels;
    for (const bool light : row) pixels.append(static_cast<std::size_t>(scale), light ? '\xff' : '\0');
    for (int i = 0; i < scale; ++i) out << pixels;
  }
}

struct QrCodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

TEST(TerminalQr, ReadsBackAsLibqrencodesMatrixInAQuietZone) {
  const std::unique_ptr<QRcode, QrCodeFree> reference(
      QRcode_encodeString(std::string(kUri).c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  ASSERT_TRUE(reference);
  const auto matrix = encode_qr(kUri);
  ASSERT_TRUE(matrix);
  ASSERT_EQ(matrix->width(), reference->width);

  const LightRows rows = read_back(render_half_blocks(*matrix, {}));
  const int side = reference->width + 2 * kQuietZoneModules;
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(side + 1));  // odd: one half row of padding
  for (int y = 0; y < side + 1; ++y) {
    ASSERT_EQ(rows[y].size(), static_cast<std::size_t>(side)) << "row " << y;
    for (int x = 0; x < side; ++x) {
      const int mx = x - kQuietZoneModules;
      const int my = y - kQuietZoneModules;
      const bool inside = mx >= 0 && my >= 0 && mx < reference->width && my < reference->width;
      const bool dark = inside && (reference->data[my * reference->width + mx] & 1) != 0;
      EXPECT_EQ(rows[y][x], !dark) << "module " << x << "," << y;
    }
  }
}

TEST(TerminalQr, ColoursWrapEachLineAndDrawTheSameModules) {
  const auto matrix = encode_qr(kUri);
  ASSERT_TRUE(matrix);
  const std::string plain = render_half_blocks(*matrix, {.ansi_colors = false});
  const std::string coloured = render_half_blocks(*matrix, {.ansi_colors = true});
  EXPECT_EQ(without_ansi_escapes(coloured), plain);
  std::istringstream lines(coloured);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.starts_with("\x1b[97;40m"));
    EXPECT_TRUE(line.ends_with("\x1b[0m"));
  }
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
}

TEST(TerminalQr, TwoModuleRowsATextLine) {
  const auto matrix = encode_qr(kUri);
  ASSERT_TRUE(matrix);
  const std::string text = render_half_blocks(*matrix, {});
  const auto lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_EQ(lines, (matrix->width() + 2 * kQuietZoneModules + 1) / 2);
  EXPECT_EQ(rendered_columns(*matrix), matrix->width() + 2 * kQuietZoneModules);
}

TEST(TerminalQr, AHandMadeMatrixRendersExactly) {
  // One dark module: 5x5 with the quiet zone, so three lines, the last padded light.
  const ModuleMatrix one(1, {true});
  EXPECT_EQ(render_half_blocks(one, {}),
            "\u2588\u2588\u2588\u2588\u2588\n"
            "\u2588\u2588\u2584\u2588\u2588\n"
            "\u2588\u2588\u2588\u2588\u2588\n");
}

// The proof that matters: a real decoder reads the drawing (as a dark-on-light image).
TEST(TerminalQr, ZbarimgReadsTheDrawing) {
  const char* zbarimg = std::getenv("ZBARIMG");
  if (zbarimg == nullptr || *zbarimg == '\0') GTEST_SKIP() << "zbarimg not found at build time";
  const auto matrix = encode_qr(kUri);
  ASSERT_TRUE(matrix);
  const LightRows rows = read_back(render_half_blocks(*matrix, {.ansi_colors = true}));
  const otpd::test::TempDir directory;
  const std::string image = (directory / "qr.pgm").string();
  write_pgm(image, rows, 4);
  const std::string command = std::string(zbarimg) + " --raw -q " + image;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  ASSERT_TRUE(pipe);
  std::string decoded;
  for (int c; (c = std::fgetc(pipe.get())) != EOF;) decoded += static_cast<char>(c);
  EXPECT_EQ(decoded, std::string(kUri) + "\n");
}

}  // namespace
}  // namespace otpd::cli
