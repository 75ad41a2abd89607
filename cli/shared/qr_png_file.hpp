// --qr-png FILE: the PNG otpd already made (the `qr` data URI of the enable answer),
// decoded and written readable by the owner only, since it carries the secret. Using
// the daemon's image keeps one QR encoder for every route and needs no libpng here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "secure_bytes.hpp"

namespace otpd::cli {

// The PNG bytes of a "data:image/png;base64,..." URI; nullopt unless it is one and the
// bytes start with the PNG signature.
[[nodiscard]] std::optional<SecureString> decode_png_data_uri(std::string_view uri);

// Writes `bytes` to `path` with mode 0600: a new file beside it, then a rename, so a
// link at `path` is replaced rather than followed and no reader sees half a file.
// The error is a short reason ("Permission denied").
[[nodiscard]] tl::expected<void, std::string> write_private_file(const std::string& path, std::string_view bytes);

}  // namespace otpd::cli
