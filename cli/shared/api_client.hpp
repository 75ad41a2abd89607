// HTTP/1.1 over otpd's Unix socket with libcurl. One request, one typed answer: an
// HTTP status with its JSON body, or a transport error (no usable answer at all).
// The client sends no credentials: the daemon takes the caller's identity from the
// kernel (SO_PEERCRED).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "wiped_json.hpp"

namespace otpd::cli {

inline constexpr std::size_t kMaxResponseBytes = std::size_t{64} * 1024;
inline constexpr long kConnectTimeoutMs = 5'000;
// How long to wait for otpd's answer unless told otherwise (otp-enroll --timeout). A
// confirm hashes ten new backup codes: well under a second natively, far longer on a
// slow or checked host.
inline constexpr int kDefaultTimeoutSeconds = 30;

struct ApiClientOptions {
  std::string socket_path;
  std::string act_as_user;  // sent as X-OTP-User when not empty; already validated
  long connect_timeout_ms = kConnectTimeoutMs;
  long total_timeout_ms = 1'000L * kDefaultTimeoutSeconds;
  std::size_t max_response_bytes = kMaxResponseBytes;
};

// An HTTP answer. Its JSON may hold a secret or backup codes, so every string in it
// is wiped when the answer goes.
struct ApiResponse {
  long status = 0;
  nlohmann::json body;  // null when an error answer's body was not JSON
  std::optional<std::int64_t> retry_after;

  // A null json allocates nothing; the checker sees the branches for the other types.
  ApiResponse() = default;  // NOLINT(bugprone-exception-escape)
  ApiResponse(const ApiResponse&) = delete;
  ApiResponse& operator=(const ApiResponse&) = delete;
  ApiResponse(ApiResponse&&) noexcept = default;
  ApiResponse& operator=(ApiResponse&&) noexcept = default;
  ~ApiResponse();

  [[nodiscard]] bool ok() const noexcept { return status >= 200 && status < 300; }
};

enum class TransportErrorKind {
  socket_missing,      // no such file: otpd (or its socket unit) is not running
  connection_refused,  // a socket file with nobody listening
  permission_denied,
  timed_out,
  response_too_large,
  bad_response,  // not HTTP, cut short, or a success without a JSON object
  other,
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::other;
  std::string detail;  // libcurl's own words, for the one-line message
};

using ApiResult = tl::expected<ApiResponse, TransportError>;

class ApiClient {
 public:
  explicit ApiClient(ApiClientOptions options) : options_(std::move(options)) {}

  [[nodiscard]] ApiResult get(std::string_view route) const;
  [[nodiscard]] ApiResult post(std::string_view route, std::string_view json_body) const;

  [[nodiscard]] const ApiClientOptions& options() const noexcept { return options_; }

 private:
  [[nodiscard]] ApiResult perform(std::string_view route, std::optional<std::string_view> post_body) const;

  ApiClientOptions options_;
};

}  // namespace otpd::cli
