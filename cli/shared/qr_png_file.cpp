#include "shared/qr_png_file.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "shared/c_handles.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kPngDataPrefix = "data:image/png;base64,";
constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";
constexpr std::size_t kChunkChars = std::size_t{4} * 256;  // whole base64 quads: 768 bytes out

std::size_t padding_of(std::string_view chunk) {
  std::size_t padding = 0;
  while (padding < 2 && padding < chunk.size() && chunk[chunk.size() - 1 - padding] == '=') {
    ++padding;
  }
  return padding;
}

// Decodes whole quads; EVP_DecodeBlock counts '=' padding as zero bytes, so drop those.
bool decode_chunk(std::string_view chunk, SecureString& out) {
  std::array<unsigned char, kChunkChars / 4 * 3> bytes{};
  const int decoded = EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(chunk.data()),
                                      static_cast<int>(chunk.size()));
  bool ok = decoded >= 0 && static_cast<std::size_t>(decoded) >= padding_of(chunk);
  if (ok) {
    const auto length = static_cast<std::size_t>(decoded) - padding_of(chunk);
    ok = out.append({reinterpret_cast<const char*>(bytes.data()), length});
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return ok;
}

std::string errno_text(int error) { return std::strerror(error); }

tl::expected<void, std::string> write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return tl::unexpected(errno_text(errno));
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
  if (::fsync(fd) != 0) return tl::unexpected(errno_text(errno));
  return {};
}

}  // namespace

std::optional<SecureString> decode_png_data_uri(std::string_view uri) {
  if (!uri.starts_with(kPngDataPrefix)) return std::nullopt;
  const auto base64 = uri.substr(kPngDataPrefix.size());
  if (base64.empty() || base64.size() % 4 != 0) return std::nullopt;
  SecureString png = SecureString::with_capacity(base64.size() / 4 * 3);
  for (std::size_t at = 0; at < base64.size(); at += kChunkChars) {
    if (!decode_chunk(base64.substr(at, kChunkChars), png)) return std::nullopt;
  }
  if (!png.view().starts_with(kPngSignature)) return std::nullopt;
  return png;
}

tl::expected<void, std::string> write_private_file(const std::string& path, std::string_view bytes) {
  std::string temporary = path + ".XXXXXX";
  const UniqueFd fd(::mkstemp(temporary.data()));  // mkstemp creates it 0600
  if (!fd.valid()) return tl::unexpected(errno_text(errno));
  auto written = write_all(fd.get(), bytes);
  if (written && ::rename(temporary.c_str(), path.c_str()) != 0) {
    written = tl::unexpected(errno_text(errno));
  }
  if (!written) ::unlink(temporary.c_str());
  return written;
}

}  // namespace otpd::cli
