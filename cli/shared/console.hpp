// Where a command talks to the person: two streams, a source of codes, and what the
// terminal can show. main() fills it from the real terminal; tests from strings.
#pragma once

#include <iosfwd>
#include <optional>
#include <string_view>

#include "shared/prompt.hpp"

namespace otpd::cli {

inline constexpr std::string_view kProgramName = "otp-enroll";

struct Console {
  std::ostream& out;
  std::ostream& err;
  CodeReader& codes;
  bool colours = false;        // ANSI colours around the terminal QR
  std::optional<int> columns;  // terminal width, when known
};

}  // namespace otpd::cli
