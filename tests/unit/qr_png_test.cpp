// The enrollment QR code: a well-formed 1-bit PNG that a real decoder (zbarimg)
// reads back to the same otpauth URI; and base64 for the data URI.
#include "core/qr_png.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "core/otpauth_uri.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using test::bytes_of;

std::uint32_t big_endian_32(const std::vector<std::uint8_t>& bytes, std::size_t at) {
  return std::uint32_t{bytes.at(at)} << 24 | std::uint32_t{bytes.at(at + 1)} << 16 |
         std::uint32_t{bytes.at(at + 2)} << 8 | std::uint32_t{bytes.at(at + 3)};
}

std::vector<std::uint8_t> png_of(std::string_view text, const QrPngStyle& style = {}) {
  auto png = qr_png(text, style);
  EXPECT_TRUE(png) << (png ? "" : png.error().message);
  return png ? *png : std::vector<std::uint8_t>();
}

// $ZBARIMG (set by meson when it found the program), else zbarimg on $PATH.
std::optional<std::filesystem::path> find_zbarimg() {
  if (const char* configured = std::getenv("ZBARIMG"); configured != nullptr && *configured != '\0') {
    return std::filesystem::path(configured);
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "zbarimg";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// What zbarimg reads from the PNG file, without the newline it appends; nullopt
// when it finds no symbol or fails. The paths come from mkdtemp and the program
// search, so single quotes are enough for the shell.
std::optional<std::string> zbar_decode(const std::filesystem::path& zbarimg, const std::filesystem::path& png) {
  const std::string command = "'" + zbarimg.string() + "' --raw -q '" + png.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  std::array<char, 4096> buffer{};
  for (std::size_t got; (got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    output.append(buffer.data(), got);
  }
  if (::pclose(pipe) != 0) return std::nullopt;
  if (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

void expect_zbar_round_trip(std::string_view text) {
  const auto zbarimg = find_zbarimg();
  if (!zbarimg) GTEST_SKIP() << "zbarimg not found (apt-get install zbar-tools): QR round trip not checked";
  const test::TempDir dir;
  const auto file = dir / "qr.png";
  const auto png = png_of(text);
  test::write_file_with_mode(file, test::text_of(png));
  EXPECT_EQ(zbar_decode(*zbarimg, file), std::string(text));
}

TEST(QrPng, IsAOneBitGrayscalePng) {
  const auto png = png_of("otpauth://totp/otpd:alice?secret=MZXW6");
  ASSERT_GT(png.size(), 33U);
  const std::vector<std::uint8_t> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  EXPECT_TRUE(std::equal(signature.begin(), signature.end(), png.begin()));
  EXPECT_EQ(big_endian_32(png, 8), 13U);  // IHDR is the first chunk, 13 bytes
  EXPECT_EQ(std::string(png.begin() + 12, png.begin() + 16), "IHDR");
  EXPECT_EQ(png[24], 1) << "bit depth";
  EXPECT_EQ(png[25], 0) << "color type: grayscale";
  EXPECT_EQ(png[28], 0) << "not interlaced";
  const std::string tail(png.end() - 8, png.end() - 4);
  EXPECT_EQ(tail, "IEND");
}

TEST(QrPng, IsASquareOfWholeModulesWithAQuietZone) {
  const auto png = png_of("otpauth://totp/otpd:alice?secret=MZXW6");
  const std::uint32_t width = big_endian_32(png, 16);
  const std::uint32_t height = big_endian_32(png, 20);
  EXPECT_EQ(width, height);
  const QrPngStyle style;
  ASSERT_EQ(width % style.pixels_per_module, 0U);
  const std::uint32_t symbol_modules = width / style.pixels_per_module - 2 * style.quiet_zone_modules;
  EXPECT_GE(symbol_modules, 21U);
  EXPECT_EQ((symbol_modules - 21) % 4, 0U) << "QR symbols are 21 + 4k modules wide";
}

TEST(QrPng, StyleScalesTheImage) {
  const std::string text = "otpauth://totp/otpd:alice?secret=MZXW6";
  const auto small = png_of(text, QrPngStyle{2, 4});
  const auto large = png_of(text, QrPngStyle{4, 4});
  EXPECT_EQ(2 * big_endian_32(small, 16), big_endian_32(large, 16));
}

TEST(QrPng, ZeroPixelsPerModuleFailsCleanly) {
  const auto png = qr_png("otpauth://totp/x", QrPngStyle{0, 4});
  EXPECT_FALSE(png);
}

TEST(QrPng, TextTooLongForAnyQrCodeFailsCleanly) {
  const auto png = qr_png(std::string(8000, 'x'));
  ASSERT_FALSE(png);
  EXPECT_EQ(png.error().kind, ErrorKind::system);
}

TEST(QrPng, ZbarReadsBackAShortOtpauthUri) {
  expect_zbar_round_trip(
      std::string(otpauth_uri("otpd", "alice", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", TotpParameters{}).view()));
}

TEST(QrPng, ZbarReadsBackALongOtpauthUri) {
  const std::string issuer = "Build farm 7 / eu-west (ACME Infrastructure & Operations)";
  const std::string account = "maximilian.mustermann-longname@infrastructure.example.org";
  const std::string uri(
      otpauth_uri(issuer, account, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", TotpParameters{HashAlgorithm::sha512, 8, 60})
          .view());
  ASSERT_GT(uri.size(), 250U);
  expect_zbar_round_trip(uri);
}

struct Base64Vector {
  std::string_view plain;
  std::string_view encoded;
};

TEST(Base64, EncodesRfc4648Vectors) {
  constexpr std::array<Base64Vector, 7> kVectors{{
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  }};
  for (const auto& vector : kVectors) {
    EXPECT_EQ(base64_encode(bytes_of(vector.plain)), vector.encoded) << vector.plain;
  }
}

TEST(Base64, UsesTheStandardAlphabetWithoutLineBreaks) {
  const std::vector<std::uint8_t> high{0xFB, 0xFF, 0xBF};
  EXPECT_EQ(base64_encode(high), "+/+/");
  const std::vector<std::uint8_t> long_input(300, 0);
  const std::string encoded = base64_encode(long_input);
  EXPECT_EQ(encoded.size(), 400U);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
}

TEST(PngDataUri, IsThePrefixAndTheBase64OfThePng) {
  const auto png = png_of("otpauth://totp/otpd:alice?secret=MZXW6");
  const std::string uri = png_data_uri(png);
  constexpr std::string_view kPrefix = "data:image/png;base64,";
  ASSERT_EQ(uri.substr(0, kPrefix.size()), kPrefix);
  EXPECT_EQ(uri.substr(kPrefix.size()), base64_encode(png));
  EXPECT_EQ(uri.substr(kPrefix.size(), 4), "iVBO");  // base64 of the PNG signature's start
}

}  // namespace
}  // namespace otpd

namespace otpd {
namespace {

TEST(QrPngStyle, OutOfRangeStylesAreRefusedQuietly) {
  EXPECT_FALSE(qr_png("otpauth://totp/x", QrPngStyle{0, 4}));
  EXPECT_FALSE(qr_png("otpauth://totp/x", QrPngStyle{33, 4}));
  EXPECT_FALSE(qr_png("otpauth://totp/x", QrPngStyle{4, 17}));
  EXPECT_TRUE(qr_png("otpauth://totp/x", QrPngStyle{1, 0}));
}

}  // namespace
}  // namespace otpd
