#include "core/qr_png.hpp"

#include <openssl/evp.h>
#include <png.h>
#include <qrencode.h>

#include <csetjmp>
#include <memory>

namespace otpd {
namespace {

struct QrCodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrCodePtr = std::unique_ptr<QRcode, QrCodeDeleter>;

// A square 1-bit image: one row of packed bits per pixel row, 1 = white.
struct BitImage {
  unsigned side = 0;
  std::size_t stride = 0;
  std::vector<png_byte> bits;
};

BitImage rasterize(const QRcode& code, const QrPngStyle& style) {
  const unsigned modules = static_cast<unsigned>(code.width) + 2 * style.quiet_zone_modules;
  BitImage image;
  image.side = modules * style.pixels_per_module;
  image.stride = (image.side + 7) / 8;
  image.bits.assign(image.stride * image.side, 0xFF);
  for (unsigned y = 0; y < image.side; ++y) {
    const unsigned my = y / style.pixels_per_module;
    for (unsigned x = 0; x < image.side; ++x) {
      const unsigned mx = x / style.pixels_per_module;
      if (mx < style.quiet_zone_modules || my < style.quiet_zone_modules) continue;
      const unsigned qx = mx - style.quiet_zone_modules;
      const unsigned qy = my - style.quiet_zone_modules;
      if (qx >= static_cast<unsigned>(code.width) || qy >= static_cast<unsigned>(code.width)) continue;
      const bool dark = code.data[qy * static_cast<unsigned>(code.width) + qx] & 1;
      if (dark) image.bits[y * image.stride + x / 8] &= static_cast<png_byte>(~(0x80U >> (x % 8)));
    }
  }
  return image;
}

void append_to_vector(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

void flush_nothing(png_structp) {}

// libpng would print to stderr; a library stays quiet and reports by its result.
[[noreturn]] void on_png_error(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void on_png_warning(png_structp, png_const_charp) {}

// libpng reports errors by longjmp, so this function holds no object with a
// destructor between setjmp and the libpng calls: the vectors live in the caller.
bool encode_png(const BitImage& image, std::vector<png_bytep>& rows, std::vector<std::uint8_t>& out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, on_png_error, on_png_warning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {  // NOLINT(cert-err52-cpp): libpng's way to report an error
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, &out, append_to_vector, flush_nothing);
  png_set_IHDR(png, info, image.side, image.side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

Expected<std::vector<std::uint8_t>> qr_png(std::string_view text, const QrPngStyle& style) {
  if (style.pixels_per_module < 1 || style.pixels_per_module > 32 || style.quiet_zone_modules > 16) {
    return fail(ErrorKind::invalid_argument, "QR style out of range");
  }
  const std::string terminated(text);
  QrCodePtr code(QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return fail(ErrorKind::system, "QR encoding failed");

  BitImage image = rasterize(*code, style);
  std::vector<png_bytep> rows(image.side);
  for (unsigned y = 0; y < image.side; ++y) rows[y] = &image.bits[y * image.stride];
  std::vector<std::uint8_t> out;
  out.reserve(2048);
  if (!encode_png(image, rows, out)) return fail(ErrorKind::system, "PNG encoding failed");
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string png_data_uri(std::span<const std::uint8_t> png) { return "data:image/png;base64," + base64_encode(png); }

}  // namespace otpd
