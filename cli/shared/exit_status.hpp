// What an answer from otpd means for the person at the terminal: the exit code (the
// contract in DESIGN.md, "otp-enroll") and the one line that explains it.
#pragma once

#include <string>
#include <string_view>

#include "shared/api_client.hpp"

namespace otpd::cli {

enum class ExitCode : int {
  ok = 0,
  refused = 1,      // wrong code, wrong state, locked, not allowed
  usage = 2,        // bad arguments, or a request otpd calls malformed
  unreachable = 3,  // no usable answer from otpd
};

[[nodiscard]] constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

[[nodiscard]] ExitCode exit_code_for_status(long http_status);

// The words for an answer that depend on what was asked.
struct RefusalContext {
  std::string_view wrong_state;  // said for 409, e.g. "two-factor login is not enabled"
  bool acting_for_other_user = false;
};

[[nodiscard]] std::string describe_refusal(const ApiResponse& response, const RefusalContext& context);

// `timeout_seconds` is how long otp-enroll waited (--timeout), said when that ran out.
[[nodiscard]] std::string describe_transport_error(const TransportError& error, std::string_view socket_path,
                                                   int timeout_seconds);

}  // namespace otpd::cli
