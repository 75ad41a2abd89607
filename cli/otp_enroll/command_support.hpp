// What the subcommands share: reporting a failed request once, in the words of
// exit_status.hpp, and sending a code (typed on the command line, or asked for with
// a few tries) to one of the code-checking routes.
#pragma once

#include <string_view>
#include <tl/expected.hpp>

#include "otp_enroll/arguments.hpp"
#include "shared/api_client.hpp"
#include "shared/console.hpp"
#include "shared/exit_status.hpp"

namespace otpd::cli {

struct CommandContext {
  const Invocation& invocation;
  Console& console;
  const ApiClient& client;
};

inline constexpr int kPromptedTries = 3;

// One line on stderr, "otp-enroll: <message>".
void say(Console& console, std::string_view message);
void say(const CommandContext& context, std::string_view message);

// Says why `result` is not a success (with --json the daemon's JSON also goes to
// stdout) and returns the exit code for it. `wrong_state` is said for a 409.
[[nodiscard]] ExitCode report_failure(const CommandContext& context, const ApiResult& result,
                                      std::string_view wrong_state);

// How a subcommand shows a successful answer to a person.
using ShowAnswer = ExitCode (*)(const CommandContext& context, const nlohmann::json& answer);

// With --json, otpd's answer as it came; else `show` it.
[[nodiscard]] ExitCode present(const CommandContext& context, const nlohmann::json& answer, ShowAnswer show);

struct CodeRequest {
  std::string_view route;
  std::string_view prompt;
  std::string_view wrong_state;
  std::string_view after_wrong_code;  // said after the last wrong code, when not empty
};

// POSTs {"code": ...} to `request.route`. A code from the command line is sent once;
// a prompted one gets kPromptedTries tries at wrong codes. The 2xx answer, or the exit
// code after the failure has been reported.
[[nodiscard]] tl::expected<ApiResponse, ExitCode> submit_code(const CommandContext& context,
                                                              const CodeRequest& request);

}  // namespace otpd::cli
