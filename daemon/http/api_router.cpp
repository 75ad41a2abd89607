#include "http/api_router.hpp"

#include <array>
#include <memory>
#include <utility>

#include "core/qr_png.hpp"
#include "http/json_body.hpp"
#include "http_api.hpp"

namespace otpd {
namespace {

using Route = ApiRouter::Route;
using nlohmann::json;

struct RouteEntry {
  std::string_view path;
  std::string_view method;
  Route route;
};

constexpr std::array<RouteEntry, 8> kRoutes{{
    {http_api::kEnableRoute, "POST", Route::enable},
    {http_api::kConfirmRoute, "POST", Route::confirm},
    {http_api::kDisableRoute, "POST", Route::disable},
    {http_api::kBackupCodesRoute, "POST", Route::backup_codes},
    {http_api::kStatusRoute, "GET", Route::status},
    {http_api::kSeed003SetupRoute, "POST", Route::seed003_setup},
    {http_api::kSeed003EnableRoute, "POST", Route::seed003_enable},
    {http_api::kSeed004SetupRoute, "POST", Route::seed004_setup},
}};

const RouteEntry* find_route(std::string_view path) {
  for (const auto& entry : kRoutes) {
    if (entry.path == path) return &entry;
  }
  return nullptr;
}

ApiResponse error_response(unsigned status, std::string_view message) {
  return ApiResponse{status, json{{http_api::kFieldError, message}}, std::nullopt, {}};
}

// The routes that check a code say "success": false on every failure (seeds 000-002).
ApiResponse code_error(unsigned status, std::string_view message) {
  ApiResponse response = error_response(status, message);
  response.body[http_api::kFieldSuccess] = false;
  return response;
}

ApiResponse locked_response(const AttemptReport& attempt, std::int64_t now) {
  const std::int64_t retry_after = std::max<std::int64_t>(attempt.retry_after(now), 1);
  ApiResponse response =
      code_error(429, "Too many failed attempts; try again in " + std::to_string(retry_after) + " s");
  response.body[http_api::kFieldRetryAfter] = retry_after;
  response.retry_after = retry_after;
  return response;
}

// The backup-code hashing queue is full: for this user (429, the caller's own doing)
// or for otpd (503). Nothing was changed and no code was used: the same request
// may be sent again.
ApiResponse busy_response(FlowStatus status, bool code_route) {
  const bool user = status == FlowStatus::user_busy;
  ApiResponse response =
      error_response(user ? 429 : 503, user ? http_api::kErrorHashingBusyForUser : http_api::kErrorHashingBusy);
  if (code_route) response.body[http_api::kFieldSuccess] = false;
  response.body[http_api::kFieldRetryAfter] = 1;
  response.retry_after = 1;
  return response;
}

ApiResponse flow_failure(FlowStatus status, const AttemptReport& attempt, std::int64_t now) {
  switch (status) {
    case FlowStatus::already_active: return code_error(409, "2FA is already active");
    case FlowStatus::not_enabled: return code_error(409, "2FA is not enabled for this account");
    case FlowStatus::no_pending: return code_error(409, "No pending enrollment; call enable first");
    case FlowStatus::expired: return code_error(410, "OTP code expired");
    case FlowStatus::invalid_code:
      if (attempt.clock_behind > 0) {
        return code_error(422, "otpd's clock is behind the last code used; use a backup code or try again later");
      }
      return code_error(422, "Invalid OTP code");
    case FlowStatus::locked: return locked_response(attempt, now);
    case FlowStatus::changed: return code_error(409, "The enrollment changed meanwhile; try again");
    case FlowStatus::user_busy:
    case FlowStatus::busy: return busy_response(status, true);
    case FlowStatus::done: break;
  }
  return code_error(500, "Internal error");
}

// The codes as the answer's array: the answer is wiped once it is sent.
json codes_json(const std::vector<SecureString>& codes) {
  json array = json::array();
  for (const auto& code : codes) array.push_back(code.view());
  return array;
}

ApiResponse no_such_user() { return error_response(400, "X-OTP-User names no user of this host"); }

std::string_view route_name(Route route) {
  for (const auto& entry : kRoutes) {
    if (entry.route == route) return entry.path;
  }
  return "?";
}

}  // namespace

ApiResponse ApiRouter::handle(const ApiRequest& request) noexcept {  // NOLINT(bugprone-exception-escape): see .hpp
  InlineHashExecutor executor;
  std::optional<ApiResponse> answer;
  serve(request, executor, [&answer](ApiResponse response) { answer.emplace(std::move(response)); });
  return answer ? std::move(*answer) : error_response(500, "Internal error");
}

void ApiRouter::handle(const ApiRequest& request, Responder respond) noexcept {
  InlineHashExecutor inline_executor;
  serve(request, executor_ != nullptr ? *executor_ : inline_executor, std::move(respond));
}

void ApiRouter::serve(const ApiRequest& request, HashExecutor& executor, Responder respond) noexcept {
  Responder once;
  try {
    // Once: an exception after the answer went out must not answer again.
    auto answered = std::make_shared<bool>(false);
    once = [answered, respond = std::move(respond)](ApiResponse response) {
      if (std::exchange(*answered, true)) return;
      respond(std::move(response));
    };
    dispatch(request, executor, once);
    return;
  } catch (const std::exception& e) {
    log_.message(LogLevel::error, std::string("API request failed: ") + e.what());
  } catch (...) {
    log_.message(LogLevel::error, "API request failed with an unknown exception");
  }
  try {
    if (once) once(error_response(500, "Internal error"));
  } catch (...) {
  }
}

// For the answers built later, from the executor: the same guarantee as handle().
void ApiRouter::answer_with(const Responder& respond, const std::function<ApiResponse()>& build) noexcept {
  try {
    respond(build());
    return;
  } catch (const std::exception& e) {
    log_.message(LogLevel::error, std::string("API request failed: ") + e.what());
  } catch (...) {
    log_.message(LogLevel::error, "API request failed with an unknown exception");
  }
  try {
    respond(error_response(500, "Internal error"));
  } catch (...) {
  }
}

void ApiRouter::dispatch(const ApiRequest& request, HashExecutor& executor, const Responder& respond) {
  const RouteEntry* entry = find_route(request.path);
  if (entry == nullptr) return respond(error_response(404, "Not found"));
  if (request.method != entry->method) {
    ApiResponse response = error_response(405, "Method not allowed");
    response.allow = entry->method;
    return respond(std::move(response));
  }

  Call call{request.peer_uid, {}, json::object()};
  if (request.act_as_user) {
    if (request.peer_uid != 0) return respond(error_response(401, "Unauthorized"));
    if (!is_acceptable_user_name(*request.act_as_user)) return respond(no_such_user());
    const auto exists = users_.exists(*request.act_as_user);
    if (!exists) return respond(internal_error(exists.error(), entry->path));
    if (!*exists) return respond(no_such_user());
    auto name = canonical_user_name(users_, *request.act_as_user);
    if (!name) return respond(internal_error(name.error(), entry->path));
    call.user = std::move(*name);
  } else {
    auto name = users_.name_of(request.peer_uid);
    if (!name) return respond(internal_error(name.error(), entry->path));
    if (!*name || !is_acceptable_user_name(**name)) return respond(error_response(401, "Unauthorized"));
    call.user = std::move(**name);
  }

  if (entry->method == "POST") {
    auto body = parse_request_object(request.body);
    if (!body) return respond(error_response(400, body.error().message));
    call.body = std::move(*body);
  }
  run(entry->route, call, executor, respond);
}

void ApiRouter::run(Route route, const Call& call, HashExecutor& executor, const Responder& respond) {
  switch (route) {
    case Route::enable:
    case Route::seed003_setup:
    case Route::seed004_setup: return enable(call, route, executor, respond);
    case Route::confirm:
    case Route::seed003_enable: return confirm(call, route, executor, respond);
    case Route::disable: return respond(disable(call));
    case Route::backup_codes: return backup_codes(call, executor, respond);
    case Route::status: return respond(status(call));
  }
  respond(error_response(404, "Not found"));
}

void ApiRouter::enable(const Call& call, Route route, HashExecutor& executor, const Responder& respond) {
  const EnableStyle style{route != Route::seed004_setup, route == Route::seed004_setup};
  service_.enable(call.user, style, executor, [this, call, route, respond](Expected<EnableResult> result) {
    answer_with(respond, [&] { return enabled(call, route, result); });
  });
}

ApiResponse ApiRouter::enabled(const Call& call, Route route, const Expected<EnableResult>& result) {
  if (!result) return internal_error(result.error(), route_name(route));
  if (result->status == FlowStatus::user_busy || result->status == FlowStatus::busy) {
    return busy_response(result->status, false);
  }
  if (result->status != FlowStatus::done) return error_response(409, "2FA is already active");

  log_event("enroll", LogLevel::info, call, {{"expires_at", std::to_string(result->expires_at)}});
  json body;
  body[http_api::kFieldSecret] = result->secret_base32.view();
  if (route == Route::enable) {
    body[http_api::kFieldQr] = png_data_uri(result->qr_png);
    body[http_api::kFieldOtpauthUri] = result->otpauth_uri.view();
    body[http_api::kFieldExpiresAt] = result->expires_at;
  } else {
    body[http_api::kFieldQrCodeUri] = result->otpauth_uri.view();
    if (route == Route::seed003_setup) body[http_api::kFieldQr] = png_data_uri(result->qr_png);
    if (route == Route::seed004_setup) body[http_api::kFieldBackupCodes] = codes_json(result->backup_codes);
  }
  return ApiResponse{200, std::move(body), std::nullopt, {}};
}

void ApiRouter::confirm(const Call& call, Route route, HashExecutor& executor, const Responder& respond) {
  auto code = required_code(call.body);
  if (!code) return respond(code_error(400, code.error().message));
  service_.confirm(call.user, *code, executor, [this, call, route, respond](Expected<CodeFlowResult> result) {
    answer_with(respond, [&] { return confirmed(call, route, result); });
  });
}

ApiResponse ApiRouter::confirmed(const Call& call, Route route, const Expected<CodeFlowResult>& result) {
  if (!result) return internal_error(result.error(), route_name(route));
  if (result->status != FlowStatus::done) {
    if (result->status == FlowStatus::invalid_code) log_code_failure("enroll_failure", call, result->attempt);
    return flow_failure(result->status, result->attempt, service_.now());
  }
  log_event("enroll_confirmed", LogLevel::notice, call);
  json body;
  if (route == Route::seed003_enable) {
    body[http_api::kFieldEnabled] = true;
  } else {
    body[http_api::kFieldSuccess] = true;
  }
  if (!result->backup_codes.empty()) body[http_api::kFieldBackupCodes] = codes_json(result->backup_codes);
  return ApiResponse{200, std::move(body), std::nullopt, {}};
}

ApiResponse ApiRouter::disable(const Call& call) {
  auto code = required_code(call.body);
  if (!code) return code_error(400, code.error().message);
  auto result = service_.disable(call.user, *code);
  if (!result) return internal_error(result.error(), "disable");
  if (result->status != FlowStatus::done) {
    if (result->status == FlowStatus::invalid_code) log_code_failure("disable_failure", call, result->attempt);
    return flow_failure(result->status, result->attempt, service_.now());
  }
  log_event("disable", LogLevel::notice, call, {{"with", result->used_backup_code ? "backup_code" : "totp"}});
  return ApiResponse{200, json{{http_api::kFieldSuccess, true}}, std::nullopt, {}};
}

void ApiRouter::backup_codes(const Call& call, HashExecutor& executor, const Responder& respond) {
  auto code = required_code(call.body);
  if (!code) return respond(code_error(400, code.error().message));
  service_.regenerate_backup_codes(call.user, *code, executor, [this, call, respond](Expected<CodeFlowResult> result) {
    answer_with(respond, [&] { return regenerated(call, result); });
  });
}

ApiResponse ApiRouter::regenerated(const Call& call, const Expected<CodeFlowResult>& result) {
  if (!result) return internal_error(result.error(), "backup-codes");
  if (result->status != FlowStatus::done) {
    if (result->status == FlowStatus::invalid_code) {
      log_code_failure("backup_codes_failure", call, result->attempt);
    }
    return flow_failure(result->status, result->attempt, service_.now());
  }
  log_event("backup_codes_regenerated", LogLevel::notice, call);
  return ApiResponse{200, json{{http_api::kFieldBackupCodes, codes_json(result->backup_codes)}}, std::nullopt, {}};
}

ApiResponse ApiRouter::status(const Call& call) {
  auto result = service_.status(call.user);
  if (!result) return internal_error(result.error(), "status");
  json body{{http_api::kFieldEnabled, result->enabled},
            {http_api::kFieldPending, result->pending},
            {http_api::kFieldBackupCodesRemaining, result->backup_codes_left},
            {http_api::kFieldLockedUntil, nullptr}};
  if (result->locked_until != 0) body[http_api::kFieldLockedUntil] = result->locked_until;
  return ApiResponse{200, std::move(body), std::nullopt, {}};
}

ApiResponse ApiRouter::internal_error(const Error& error, std::string_view route) {
  log_.message(LogLevel::error, std::string("API ") + std::string(route) + " failed: " + error.message);
  // A full disk, a database that went away or a user directory that cannot answer
  // is a passing state, not a bug: say so without the detail, which is in the log.
  if (error.kind == ErrorKind::storage) {
    return error_response(503, "otpd cannot use its database right now; try again later");
  }
  if (error.kind == ErrorKind::directory) {
    return error_response(503, "otpd cannot read the user directory right now; try again later");
  }
  return error_response(500, "Internal error");
}

void ApiRouter::log_event(std::string_view event, LogLevel level, const Call& call, std::vector<LogField> extra) {
  SecurityEvent entry{
      event, level, {{"user", call.user}, {"caller_uid", std::to_string(call.peer_uid)}, {"service", "otpd-api"}}};
  for (auto& field : extra) entry.fields.push_back(std::move(field));
  log_.security(entry);
}

void ApiRouter::log_code_failure(std::string_view event, const Call& call, const AttemptReport& attempt) {
  if (attempt.clock_behind > 0) {  // no failure: said once an episode (as for logins)
    if (attempt.clock_skew_started) {
      log_event("clock_skew", LogLevel::warning, call, {{"behind_seconds", std::to_string(attempt.clock_behind)}});
    }
    return;
  }
  log_event(event, LogLevel::warning, call, {{"outcome", attempt.replayed ? "replayed" : "invalid"}});
  if (attempt.lockout_started) {
    log_event("lockout", LogLevel::warning, call, {{"locked_until", std::to_string(attempt.locked_until)}});
  }
}

}  // namespace otpd
