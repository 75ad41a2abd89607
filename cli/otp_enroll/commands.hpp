// One function per subcommand, and the dispatch from the command line to them.
#pragma once

#include "otp_enroll/arguments.hpp"
#include "otp_enroll/command_support.hpp"
#include "shared/console.hpp"
#include "shared/exit_status.hpp"

namespace otpd::cli {

[[nodiscard]] ExitCode run_command(const Invocation& invocation, Console& console);

// `otp-enroll` and `otp-enroll enable`: with --json the enable answer, else the
// interactive set-up (enable_command.cpp).
[[nodiscard]] ExitCode run_enable(const CommandContext& context);
[[nodiscard]] ExitCode run_confirm(const CommandContext& context);
[[nodiscard]] ExitCode run_status(const CommandContext& context);
[[nodiscard]] ExitCode run_disable(const CommandContext& context);
[[nodiscard]] ExitCode run_backup_codes(const CommandContext& context);
// Root only, over D-Bus rather than the HTTP API (reset_command.cpp).
[[nodiscard]] ExitCode run_reset(const Invocation& invocation, Console& console);

}  // namespace otpd::cli
