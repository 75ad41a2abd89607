// forward_pass: one answer holds the password followed by the code. This splits it.
#pragma once

#include <optional>
#include <string_view>

#include "secure_bytes.hpp"

namespace otpd::pam {

struct PasswordAndCode {
  SecureString password;
  SecureString code;
};

// The code is taken from the end of the answer, by its shape:
//  1. a backup code typed with its dash: the last 9 characters are 4 letters or
//     digits, '-', 4 letters or digits ("hunter2abcd-2345");
//  2. otherwise a TOTP code: the last `digits` characters, which must all be digits
//     ("hunter2" + "123456"). Exactly `digits`, never "the trailing run of digits",
//     because passwords that end in digits are common ("Password1" + "123456" must
//     give the code "123456", not "1123456").
// The two shapes cannot both match: a TOTP suffix has a digit where a backup code
// has its dash. A backup code without its dash cannot be told apart from the end of
// a password, so with forward_pass it must be typed with the dash. The module does
// not know the daemon's digit count; `digits=` (default 6, as otpd's) tells it.
// nullopt when the answer does not end in either shape; the password may be empty.
[[nodiscard]] std::optional<PasswordAndCode> split_password_and_code(std::string_view answer, unsigned digits);

}  // namespace otpd::pam
