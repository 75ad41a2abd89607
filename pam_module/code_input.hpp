// Getting the code from the person: the conversation, or PAM_AUTHTOK from a module
// before us; with forward_pass, splitting off the password and handing it on.
#pragma once

#include <security/pam_modules.h>

#include <string_view>
#include <tl/expected.hpp>

#include "module_options.hpp"
#include "secure_bytes.hpp"

namespace otpd::pam {

enum class InputFailure {
  conversation,  // the application's conversation failed or gave no answer
  no_authtok,    // use_first_pass, and no module before us set PAM_AUTHTOK
  empty,         // an empty answer
  malformed,     // longer than a code may be, or with characters no code has
  no_code,       // forward_pass, and the answer does not end in a code
  set_authtok,   // forward_pass, and libpam would not take the password
};

// For the log line: what went wrong, without the answer itself.
[[nodiscard]] std::string_view describe(InputFailure failure);

// The code to check, from the source the options name. With forward_pass, sets
// PAM_AUTHTOK to the password part of the answer for the next module, before the
// code is checked, so the password module runs the same whether the code is good
// or not. Never puts the code itself into PAM_AUTHTOK.
[[nodiscard]] tl::expected<SecureString, InputFailure> obtain_code(pam_handle_t* pamh, const ModuleOptions& options);

}  // namespace otpd::pam
