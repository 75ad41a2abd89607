// The arguments of `auth required pam_otp.so [options]`, parsed into a value.
// Parsing does not log: it hands back what it ignored, and the entry point logs it.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "protocol.hpp"

namespace otpd::pam {

// Where the module takes the code from.
enum class CodeSource {
  prompt,          // always ask through the conversation
  use_first_pass,  // PAM_AUTHTOK only; never ask
  try_first_pass,  // PAM_AUTHTOK when a module before us set it, else ask
};

inline constexpr std::chrono::milliseconds kDefaultTimeout{5000};
// A login that waits longer than this for the daemon is worse than one that fails.
inline constexpr std::chrono::milliseconds kMaxTimeout{120000};
// forward_pass splits off this many trailing digits unless `digits=` says otherwise:
// otpd's default [totp] digits; `digits=` takes the protocol's range.
using protocol::kDefaultDigits;
using protocol::kMaxDigits;
using protocol::kMinDigits;
inline constexpr std::string_view kDefaultPrompt = "Verification code: ";
inline constexpr std::string_view kDefaultForwardPassPrompt = "Password & verification code: ";

struct ModuleOptions {
  bool nullok = false;
  bool echo = false;
  bool forward_pass = false;
  bool debug = false;
  CodeSource source = CodeSource::prompt;
  std::string prompt;  // empty: the default for the mode (see prompt_text)
  std::chrono::milliseconds timeout = kDefaultTimeout;
  unsigned digits = kDefaultDigits;

  [[nodiscard]] std::string_view prompt_text() const;
};

struct ParsedOptions {
  ModuleOptions options;
  // Each argument that was not understood, with the reason, e.g.
  // "unknown option 'nulok'" or "timeout=abc: not a number of milliseconds".
  std::vector<std::string> ignored;
};

// Unknown options and bad values are ignored (and reported in `ignored`), never
// fatal. Every option that is not set leaves the module at its strictest: the one
// option that lets a user through without a code (`nullok`) must be spelled right,
// a bad `timeout=` keeps 5 s, a misspelled `echo` keeps the code hidden. Failing
// the module instead would turn one typo in /etc/pam.d into every login on the host
// failing, root's sudo included: an outage that buys no security.
[[nodiscard]] ParsedOptions parse_module_options(std::span<const char* const> args);

}  // namespace otpd::pam
