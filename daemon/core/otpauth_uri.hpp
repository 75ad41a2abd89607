// The otpauth:// URI that authenticator apps read from the QR code
// (Google Authenticator's "Key Uri Format").
#pragma once

#include <string>
#include <string_view>

#include "core/totp.hpp"
#include "secure_bytes.hpp"

namespace otpd {

// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=...&digits=...&period=...
// Issuer and account are percent-encoded (RFC 3986 unreserved characters stay).
[[nodiscard]] SecureString otpauth_uri(std::string_view issuer, std::string_view account,
                                       std::string_view base32_secret, const TotpParameters& params);

[[nodiscard]] std::string percent_encode(std::string_view text);

}  // namespace otpd
