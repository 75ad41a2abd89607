// A one-time code as the user typed it, made ready for the daemon: blanks dropped
// ("123 456" is how authenticator apps show it), the characters checked, and the
// JSON body that carries it built without a copy that outlives it.
#pragma once

#include <string_view>
#include <tl/expected.hpp>

#include "secure_bytes.hpp"

namespace otpd::cli {

enum class CodeError { empty, too_long, bad_character };

// A TOTP code is digits, a backup code is letters, digits and a dash; anything else
// is refused here, which is also why the JSON body needs no escaping.
[[nodiscard]] tl::expected<SecureString, CodeError> normalize_code(std::string_view typed);

// {"code":"<code>"} for a code that normalize_code accepted.
[[nodiscard]] SecureString code_request_body(const SecureString& code);

[[nodiscard]] std::string_view describe(CodeError error);

}  // namespace otpd::cli
