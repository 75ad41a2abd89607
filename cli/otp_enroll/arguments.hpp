// The command line (CLI11): what to do, where otpd is, and how to talk. Options go
// before or after the subcommand. Usage errors are found here, before any request.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <tl/expected.hpp>

#include "shared/exit_status.hpp"

namespace otpd::cli {

// The longest --timeout (its default is the API client's, kDefaultTimeoutSeconds).
inline constexpr int kMaxTimeoutSeconds = 3600;

enum class Command { enroll, confirm, status, disable, backup_codes, reset };

struct Invocation {
  Command command = Command::enroll;
  std::string socket_path;
  bool json = false;
  std::string user;                 // --user: act for this user (root only); empty for oneself
  std::string qr_png;               // --qr-png: where to write the QR as PNG; empty for none
  std::optional<std::string> code;  // CODE as given on the command line
  int timeout_seconds = kDefaultTimeoutSeconds;
};

// The invocation, or the exit code to stop with at once: ok after --help or
// --version, usage after a mistake (with CLI11's or our message on `err`).
[[nodiscard]] tl::expected<Invocation, ExitCode> parse_arguments(int argc, const char* const* argv, std::ostream& out,
                                                                 std::ostream& err);

}  // namespace otpd::cli
