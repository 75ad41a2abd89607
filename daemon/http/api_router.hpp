// The HTTP API without the HTTP: a request (method, path, the kernel's word on who
// is calling, the identity header, the body) in, a status and a JSON body out.
// Serves the canonical /v2 routes and the seed-compatible ones (DESIGN.md).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash_executor.hpp"
#include "service/event_log.hpp"
#include "service/otp_service.hpp"
#include "service/user_directory.hpp"
#include "wiped_json.hpp"

namespace otpd {

struct ApiRequest {
  std::string_view method;
  std::string_view path;                        // without the query string
  uid_t peer_uid = static_cast<uid_t>(-1);      // from SO_PEERCRED
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
  using Responder = std::function<void(ApiResponse)>;

  // `executor` hashes the backup codes of confirm, regenerate and the seed-004 setup
  // for the asynchronous handle(); without one they are hashed inline.
  ApiRouter(OtpService& service, const UserDirectory& users, EventLog& log, HashExecutor* executor = nullptr)
      : service_(service), users_(users), log_(log), executor_(executor) {}

  // Never throws: an internal failure is logged and answered with 500. Hashes
  // inline, so the answer is there when it returns. (If not even the 500 can be
  // allocated, terminating is the fail-closed answer.)
  [[nodiscard]] ApiResponse handle(const ApiRequest& request) noexcept;  // NOLINT(bugprone-exception-escape)
  // The same, answered through `respond` exactly once: before it returns, or later
  // from the executor on the event loop's thread (nothing of `request` is kept).
  void handle(const ApiRequest& request, Responder respond) noexcept;

  // The canonical routes, then the seeds' compatibility routes.
  enum class Route { enable, confirm, disable, backup_codes, status, seed003_setup, seed003_enable, seed004_setup };

 private:
  struct Call {
    uid_t peer_uid = static_cast<uid_t>(-1);
    std::string user;
    nlohmann::json body;
    // The body may hold a code: each copy (the flows' callbacks hold one) is wiped.
    ~Call() { wipe_json_strings(body); }
  };

  void serve(const ApiRequest& request, HashExecutor& executor, Responder respond) noexcept;
  void dispatch(const ApiRequest& request, HashExecutor& executor, const Responder& respond);
  void run(Route route, const Call& call, HashExecutor& executor, const Responder& respond);
  void answer_with(const Responder& respond, const std::function<ApiResponse()>& build) noexcept;
  void enable(const Call& call, Route route, HashExecutor& executor, const Responder& respond);
  [[nodiscard]] ApiResponse enabled(const Call& call, Route route, const Expected<EnableResult>& result);
  void confirm(const Call& call, Route route, HashExecutor& executor, const Responder& respond);
  [[nodiscard]] ApiResponse confirmed(const Call& call, Route route, const Expected<CodeFlowResult>& result);
  [[nodiscard]] ApiResponse disable(const Call& call);
  void backup_codes(const Call& call, HashExecutor& executor, const Responder& respond);
  [[nodiscard]] ApiResponse regenerated(const Call& call, const Expected<CodeFlowResult>& result);
  [[nodiscard]] ApiResponse status(const Call& call);
  [[nodiscard]] ApiResponse internal_error(const Error& error, std::string_view route);
  void log_event(std::string_view event, LogLevel level, const Call& call, std::vector<LogField> extra = {});
  void log_code_failure(std::string_view event, const Call& call, const AttemptReport& attempt);

  OtpService& service_;
  const UserDirectory& users_;
  EventLog& log_;
  HashExecutor* executor_;
};

}  // namespace otpd
