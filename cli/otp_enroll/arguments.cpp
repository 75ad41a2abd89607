#include "otp_enroll/arguments.hpp"

#include <sys/un.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <initializer_list>
#include <ostream>
#include <string_view>

#include "protocol.hpp"
#include "shared/console.hpp"

#ifndef OTPD_VERSION
#define OTPD_VERSION "unknown"
#endif

namespace otpd::cli {
namespace {

constexpr std::string_view kProgram = kProgramName;
constexpr std::string_view kFooter =
    "Options may come before or after the subcommand (otp-enroll --help lists them).\n"
    "Exit status: 0 done, 1 refused (wrong code, wrong state, locked), 2 usage,\n"
    "3 otpd unreachable or silent for --timeout SECONDS.";
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path);

struct Subcommands {
  CLI::App* enable;
  CLI::App* confirm;
  CLI::App* status;
  CLI::App* disable;
  CLI::App* backup_codes;
  CLI::App* reset;
};

void add_global_options(CLI::App& app, Invocation& invocation) {
  app.add_option("--socket", invocation.socket_path, "otpd's API socket")->type_name("PATH")->capture_default_str();
  app.add_flag("--json", invocation.json, "print otpd's JSON answer; never prompt");
  app.add_option("--user", invocation.user, "act for user NAME (root only)")->type_name("NAME");
  app.add_option("--qr-png", invocation.qr_png, "enable: also write the QR code to FILE (0600)")->type_name("FILE");
  app.add_option("--timeout", invocation.timeout_seconds, "wait this long for otpd's answer (at most an hour)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, kMaxTimeoutSeconds).description(""))
      ->capture_default_str();
}

CLI::App* add_code_subcommand(CLI::App& app, const char* name, const char* help, std::string& code) {
  auto* sub = app.add_subcommand(name, help);
  sub->add_option("CODE", code, "a code from your app, or a backup code; asked for if left out");
  return sub;
}

Subcommands add_subcommands(CLI::App& app, std::string& code) {
  return {
      app.add_subcommand("enable",
                         "set up two-factor login: QR code, then the first code "
                         "(the default)"),
      add_code_subcommand(app, "confirm", "finish a pending set-up with a code", code),
      app.add_subcommand("status", "show whether two-factor login is on, and backup codes left"),
      add_code_subcommand(app, "disable", "turn two-factor login off (needs a code)", code),
      add_code_subcommand(app, "backup-codes", "replace the backup codes (needs a code)", code),
      app.add_subcommand("reset", "root: remove --user NAME's enrollment, no code (D-Bus)"),
  };
}

Command chosen_command(const Subcommands& subs) {
  if (subs.confirm->parsed()) return Command::confirm;
  if (subs.status->parsed()) return Command::status;
  if (subs.disable->parsed()) return Command::disable;
  if (subs.backup_codes->parsed()) return Command::backup_codes;
  if (subs.reset->parsed()) return Command::reset;
  return Command::enroll;
}

bool code_given(const Subcommands& subs) {
  return std::ranges::any_of(std::initializer_list<const CLI::App*>{subs.confirm, subs.disable, subs.backup_codes},
                             [](const CLI::App* sub) { return sub->parsed() && sub->count("CODE") > 0; });
}

bool takes_code(Command command) {
  return command == Command::confirm || command == Command::disable || command == Command::backup_codes;
}

// Printable, no blank: it goes into an HTTP header and a D-Bus string.
bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > protocol::kMaxUserNameLength) return false;
  return std::ranges::all_of(name, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7f;
  });
}

// What CLI11 cannot say: combinations. Empty when all is well.
std::string invocation_problem(const Invocation& invocation, bool user_given) {
  if (invocation.json && takes_code(invocation.command) && !invocation.code) {
    return "with --json, CODE is required (--json never prompts)";
  }
  if (user_given && !valid_user_name(invocation.user)) return "bad --user NAME";
  if (invocation.command == Command::reset && invocation.user.empty()) {
    return "reset needs --user NAME";
  }
  if (!invocation.qr_png.empty() && invocation.command != Command::enroll) {
    return "--qr-png goes with enable";
  }
  if (invocation.socket_path.empty() || invocation.socket_path.size() >= kMaxSocketPath) {
    return "bad --socket PATH";
  }
  return {};
}

}  // namespace

tl::expected<Invocation, ExitCode> parse_arguments(int argc, const char* const* argv, std::ostream& out,
                                                   std::ostream& err) {
  Invocation invocation;
  invocation.socket_path = std::string(protocol::kDefaultSocketPath);
  std::string code;
  CLI::App app("Two-factor (TOTP) login for your account: set it up, check it, turn it off.", std::string(kProgram));
  app.fallthrough();  // subcommands made after this inherit it: options go anywhere
  app.footer(std::string(kFooter));
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", OTPD_VERSION);
  add_global_options(app, invocation);
  const Subcommands subs = add_subcommands(app, code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error, out, err);
    return tl::unexpected(status == 0 ? ExitCode::ok : ExitCode::usage);
  }
  invocation.command = chosen_command(subs);
  if (code_given(subs)) invocation.code = std::move(code);
  if (const auto problem = invocation_problem(invocation, app.count("--user") > 0); !problem.empty()) {
    err << kProgram << ": " << problem << " (see " << kProgram << " --help)\n";
    return tl::unexpected(ExitCode::usage);
  }
  return invocation;
}

}  // namespace otpd::cli
