#include "shared/exit_status.hpp"

#include "http_api.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kStartHint = "start it with: systemctl start otpd.socket";

std::string daemon_error_text(const ApiResponse& response) {
  if (!response.body.is_object()) return {};
  const auto field = response.body.find(http_api::kFieldError);
  if (field == response.body.end() || !field->is_string()) return {};
  return field->get<std::string>();
}

std::string locked_text(const ApiResponse& response) {
  if (!response.retry_after) return "too many wrong codes; locked out, try again later";
  return "too many wrong codes; locked for " + std::to_string(*response.retry_after) + " s";
}

std::string fallback_text(const ApiResponse& response) {
  const auto error = daemon_error_text(response);
  std::string text = "otpd answered HTTP " + std::to_string(response.status);
  return error.empty() ? text : text + ": " + error;
}

}  // namespace

ExitCode exit_code_for_status(long http_status) {
  if (http_status >= 200 && http_status < 300) return ExitCode::ok;
  if (http_status == 400 || http_status == 413) return ExitCode::usage;
  return ExitCode::refused;
}

std::string describe_refusal(const ApiResponse& response, const RefusalContext& context) {
  switch (response.status) {
    case 401:
      if (context.acting_for_other_user) return "only root may act for another user (--user)";
      break;
    case 409:
      if (!context.wrong_state.empty()) return std::string(context.wrong_state);
      break;
    case 410: return "the enrollment expired before it was confirmed; run otp-enroll again";
    case 422: return "wrong code";
    case 429:
      // otpd's hashing queue is full for this user: busy, not locked out.
      if (daemon_error_text(response) == http_api::kErrorHashingBusyForUser) break;
      return locked_text(response);
    default: break;
  }
  return fallback_text(response);
}

std::string describe_transport_error(const TransportError& error, std::string_view socket_path, int timeout_seconds) {
  const std::string where(socket_path);
  switch (error.kind) {
    case TransportErrorKind::socket_missing:
      return "otpd is not running (no socket at " + where + "); " + std::string(kStartHint);
    case TransportErrorKind::connection_refused:
      return "otpd is not running (nothing listens on " + where + "); " + std::string(kStartHint);
    case TransportErrorKind::permission_denied: return "not allowed to connect to " + where + " (permission denied)";
    case TransportErrorKind::timed_out:
      return "otpd did not answer within " + std::to_string(timeout_seconds) + " s on " + where +
             " (--timeout SECONDS waits longer)";
    case TransportErrorKind::response_too_large: return "otpd's answer on " + where + " is too large; refusing it";
    case TransportErrorKind::bad_response: return "no valid answer from otpd on " + where + ": " + error.detail;
    case TransportErrorKind::other: break;
  }
  return "cannot talk to otpd on " + where + ": " + error.detail;
}

}  // namespace otpd::cli
