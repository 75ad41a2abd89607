// otp-enroll: the user's CLI for otpd. Parses the command line, wires the real
// terminal to the commands, and keeps every exception inside main.
#include <unistd.h>

#include <exception>
#include <iostream>

#include "otp_enroll/arguments.hpp"
#include "otp_enroll/commands.hpp"
#include "shared/console.hpp"
#include "shared/prompt.hpp"
#include "shared/terminal.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace otpd::cli;
  const auto invocation = parse_arguments(argc, argv, std::cout, std::cerr);
  if (!invocation) return to_int(invocation.error());
  FdCodeReader codes(STDIN_FILENO, std::cerr);
  Console console{.out = std::cout,
                  .err = std::cerr,
                  .codes = codes,
                  .colours = colours_wanted(STDOUT_FILENO),
                  .columns = terminal_columns(STDOUT_FILENO)};
  const ExitCode exit_code = run_command(*invocation, console);
  // A secret or backup codes that did not reach stdout must not look like success.
  if (!(std::cout << std::flush)) {
    say(console, "cannot write to standard output");
    return to_int(exit_code == ExitCode::ok ? ExitCode::refused : exit_code);
  }
  return to_int(exit_code);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "otp-enroll: " << error.what() << '\n';
  } catch (...) {
    std::cerr << "otp-enroll: unexpected failure\n";
  }
  return to_int(otpd::cli::ExitCode::refused);
}
