#include "code_input.hpp"

#include <security/pam_ext.h>

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "answer_split.hpp"
#include "protocol.hpp"

namespace otpd::pam {
namespace {

// Wipes and frees a string that the PAM conversation malloc()ed for us.
struct FreeWipedCString {
  void operator()(char* text) const noexcept {
    if (text == nullptr) return;
    explicit_bzero(text, std::strlen(text));
    std::free(text);  // NOLINT(cppcoreguidelines-no-malloc): the conversation malloc()ed it
  }
};
using ConversationAnswer = std::unique_ptr<char, FreeWipedCString>;

std::optional<SecureString> read_authtok(pam_handle_t* pamh) {
  const void* item = nullptr;
  if (pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == nullptr) {
    return std::nullopt;
  }
  const std::string_view text{static_cast<const char*>(item)};
  if (text.empty()) return std::nullopt;
  return SecureString{text};
}

tl::expected<SecureString, InputFailure> ask(pam_handle_t* pamh, const ModuleOptions& options) {
  const std::string prompt{options.prompt_text()};
  char* raw = nullptr;
  const int style = options.echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF;
  const int r = pam_prompt(pamh, style, &raw, "%s", prompt.c_str());
  const ConversationAnswer answer{raw};
  if (r != PAM_SUCCESS || answer == nullptr) return tl::unexpected{InputFailure::conversation};
  return SecureString{answer.get()};
}

tl::expected<SecureString, InputFailure> read_answer(pam_handle_t* pamh, const ModuleOptions& options) {
  if (options.source != CodeSource::prompt) {
    if (auto authtok = read_authtok(pamh)) return std::move(*authtok);
    if (options.source == CodeSource::use_first_pass) {
      return tl::unexpected{InputFailure::no_authtok};
    }
  }
  return ask(pamh, options);
}

// Printable ASCII only: codes are digits or letters and a dash; anything else cannot
// be a code, and otpd need not see it (nor could D-Bus carry invalid UTF-8).
bool is_printable_ascii(char c) { return c >= ' ' && c <= '~'; }

tl::expected<SecureString, InputFailure> checked(SecureString code) {
  if (code.empty()) return tl::unexpected{InputFailure::empty};
  if (code.view().size() > protocol::kMaxCodeLength || !std::ranges::all_of(code.view(), is_printable_ascii)) {
    return tl::unexpected{InputFailure::malformed};
  }
  return code;
}

tl::expected<SecureString, InputFailure> forward_password(pam_handle_t* pamh, const SecureString& answer,
                                                          unsigned digits) {
  auto parts = split_password_and_code(answer.view(), digits);
  if (!parts) return tl::unexpected{InputFailure::no_code};
  if (pam_set_item(pamh, PAM_AUTHTOK, parts->password.c_str()) != PAM_SUCCESS) {
    return tl::unexpected{InputFailure::set_authtok};
  }
  return checked(std::move(parts->code));
}

}  // namespace

std::string_view describe(InputFailure failure) {
  switch (failure) {
    case InputFailure::conversation: return "the conversation with the application failed";
    case InputFailure::no_authtok: return "use_first_pass, but no earlier module set a password to take the code from";
    case InputFailure::empty: return "the code is empty";
    case InputFailure::malformed: return "the answer is too long for a code or has characters no code has";
    case InputFailure::no_code: return "forward_pass, but the answer does not end in a verification code";
    case InputFailure::set_authtok: return "forward_pass, but the password could not be handed to the next module";
  }
  return "unknown input failure";
}

tl::expected<SecureString, InputFailure> obtain_code(pam_handle_t* pamh, const ModuleOptions& options) {
  auto answer = read_answer(pamh, options);
  if (!answer) return answer;
  if (answer->empty()) return tl::unexpected{InputFailure::empty};
  if (!options.forward_pass) return checked(std::move(*answer));
  return forward_password(pamh, *answer, options.digits);
}

}  // namespace otpd::pam
