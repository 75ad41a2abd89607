#include "otp_enroll/command_support.hpp"

#include <ostream>

#include "shared/code_input.hpp"
#include "shared/json_fields.hpp"

namespace otpd::cli {
namespace {

constexpr long kWrongCodeStatus = 422;

enum class Retry { no, yes };

// Asks for a code and checks its shape; a typo is worth another try, an end of input
// is not.
tl::expected<SecureString, Retry> ask_code(const CommandContext& context, std::string_view prompt) {
  context.console.out.flush();  // what was said before the prompt shows first
  auto line = context.console.codes.read_code(prompt);
  if (!line) {
    say(context, describe(line.error()));
    return tl::unexpected(line.error() == PromptError::too_long ? Retry::yes : Retry::no);
  }
  auto code = normalize_code(line->view());
  if (!code) {
    say(context, describe(code.error()));
    return tl::unexpected(Retry::yes);
  }
  return std::move(*code);
}

ApiResult send_code(const CommandContext& context, std::string_view route, const SecureString& code) {
  const SecureString body = code_request_body(code);
  return context.client.post(route, body.view());
}

tl::expected<ApiResponse, ExitCode> settle(const CommandContext& context, ApiResult result,
                                           const CodeRequest& request) {
  if (result && result->ok()) return std::move(*result);
  const ExitCode exit_code = report_failure(context, result, request.wrong_state);
  if (result && result->status == kWrongCodeStatus && !request.after_wrong_code.empty()) {
    say(context, request.after_wrong_code);
  }
  return tl::unexpected(exit_code);
}

tl::expected<ApiResponse, ExitCode> submit_given_code(const CommandContext& context, const CodeRequest& request) {
  const auto code = normalize_code(*context.invocation.code);
  if (!code) {
    say(context, describe(code.error()));
    return tl::unexpected(ExitCode::usage);
  }
  return settle(context, send_code(context, request.route, *code), request);
}

}  // namespace

void say(Console& console, std::string_view message) { console.err << kProgramName << ": " << message << '\n'; }

void say(const CommandContext& context, std::string_view message) { say(context.console, message); }

ExitCode report_failure(const CommandContext& context, const ApiResult& result, std::string_view wrong_state) {
  if (!result) {
    say(context,
        describe_transport_error(result.error(), context.invocation.socket_path, context.invocation.timeout_seconds));
    return ExitCode::unreachable;
  }
  if (context.invocation.json && !result->body.is_null()) {
    print_json(context.console.out, result->body);
  }
  say(context, describe_refusal(*result, {wrong_state, !context.invocation.user.empty()}));
  return exit_code_for_status(result->status);
}

ExitCode present(const CommandContext& context, const nlohmann::json& answer, ShowAnswer show) {
  if (!context.invocation.json) return show(context, answer);
  print_json(context.console.out, answer);
  return ExitCode::ok;
}

tl::expected<ApiResponse, ExitCode> submit_code(const CommandContext& context, const CodeRequest& request) {
  if (context.invocation.code) return submit_given_code(context, request);
  for (int attempt = 1;; ++attempt) {
    const bool last = attempt == kPromptedTries;
    auto code = ask_code(context, request.prompt);
    if (!code && (code.error() == Retry::no || last)) return tl::unexpected(ExitCode::refused);
    if (!code) continue;
    auto result = send_code(context, request.route, *code);
    if (!last && result && result->status == kWrongCodeStatus) {
      say(context, "wrong code; try again");
      continue;
    }
    return settle(context, std::move(result), request);
  }
}

}  // namespace otpd::cli
