// The HTTP API without the HTTP: a request (method, path, the kernel's word on who
// is calling, the identity header, the body) in, a status and a JSON body out.
// Serves the canonical /v2 routes and the seed-compatible ones (DESIGN.md).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event_log.hpp"
#include "otp_service.hpp"
#include "user_directory.hpp"

namespace otpd {

struct ApiRequest {
  std::string_view method;
  std::string_view path;                       // without the query string
  uid_t peer_uid = static_cast<uid_t>(-1);     // from SO_PEERCRED
  std::optional<std::string_view> act_as_user;  // the X-OTP-User header
  std::string_view body;
};

struct ApiResponse {
  unsigned status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::optional<std::int64_t> retry_after;  // seconds, for 429
  std::string allow;                        // for 405
};

class ApiRouter {
 public:
  ApiRouter(OtpService& service, const UserDirectory& users, EventLog& log)
      : service_(service), users_(users), log_(log) {}

  // Never throws: an internal failure is logged and answered with 500.
  [[nodiscard]] ApiResponse handle(const ApiRequest& request) noexcept;

  enum class Route {
    enable, confirm, disable, backup_codes, status,  // canonical
    seed003_setup, seed003_enable, seed004_setup,    // compatibility
  };

 private:
  struct Call {
    const ApiRequest& request;
    std::string user;
    nlohmann::json body;
  };

  [[nodiscard]] ApiResponse dispatch(const ApiRequest& request);
  [[nodiscard]] ApiResponse run(Route route, Call& call);
  [[nodiscard]] ApiResponse enable(Call& call, Route route);
  [[nodiscard]] ApiResponse confirm(Call& call, Route route);
  [[nodiscard]] ApiResponse disable(Call& call);
  [[nodiscard]] ApiResponse backup_codes(Call& call);
  [[nodiscard]] ApiResponse status(Call& call);
  [[nodiscard]] ApiResponse internal_error(const Error& error, std::string_view route);
  void log_event(std::string_view event, LogLevel level, const Call& call, std::vector<LogField> extra = {});
  void log_code_failure(std::string_view event, const Call& call, const AttemptReport& attempt);

  OtpService& service_;
  const UserDirectory& users_;
  EventLog& log_;
};

}  // namespace otpd
