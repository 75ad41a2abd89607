// The HTTP API's request path without the HTTP: the real ApiRouter over the real
// OtpService and Store (SQLite in a scratch directory), one input a conversation.
//
// Input: up to 16 requests separated by a line "---". Each request is
//
//   METHOD SP PATH LF
//   Name: value LF ...     peer: root | alice | bob | badname | ghost | <uid>
//                          x-otp-user: VALUE   (the header, sent as is; may be empty)
//                          advance: SECONDS    (the clock moves first, 0..100000)
//   LF
//   BODY
//
// The default peer is alice (uid 1000). In the body, $TOTP and $TOTP_PREV become the
// TOTP code of now and of the step before for the secret last enrolled for the
// request's user, and $BACKUP the next of the backup codes last issued to them, so
// that the fuzzer reaches confirm, disable, regeneration, replay and lockout.
// Before each input every user is forgotten and the clock set back.
//
// Asserted for each response: the status is one of DESIGN.md's (500 and 503 count as
// findings: this store and key are healthy); every non-200 body has a non-empty
// "error"; 409/410/422/429 from the routes that check a code say "success": false; a 429 has Retry-After >= 1 equal to
// "retryAfter"; a 405 names the allowed method; a non-root peer that sends X-OTP-User
// to a known route gets 401; a 200 from enable has a 32-character base32 secret of
// 20 bytes inside its otpauth URI; issued backup codes are well formed.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/backup_codes.hpp"
#include "core/base32.hpp"
#include "core/totp.hpp"
#include "fuzz_core.hpp"
#include "http_api.hpp"

namespace otpd::fuzz {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRequests = 16;
constexpr std::int64_t kMaxAdvance = 100'000;

struct FuzzRequest {
  std::string method;
  std::string path;
  uid_t peer = 1000;
  std::optional<std::string> act_as;
  std::int64_t advance = 0;
  std::string body;
};

// What the conversation handed out so far, by user.
struct Issued {
  std::vector<std::uint8_t> secret;
  std::vector<std::string> backup_codes;
  std::size_t next_backup = 0;
};

std::string_view take_line(std::string_view& text) {
  const auto end = text.find('\n');
  const std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

uid_t peer_of(std::string_view value) {
  if (value == "root") return 0;
  if (value == "alice") return 1000;
  if (value == "bob") return 1001;
  if (value == "badname") return 1002;
  if (value == "ghost") return 4242;
  uid_t uid = 0;
  for (const char c : value.substr(0, 9)) {
    if (c < '0' || c > '9') return 4242;
    uid = uid * 10 + static_cast<uid_t>(c - '0');
  }
  return uid;
}

FuzzRequest parse_request(std::string_view text) {
  FuzzRequest request;
  const std::string_view first = take_line(text);
  const auto space = first.find(' ');
  request.method = first.substr(0, space);
  if (space != std::string_view::npos) request.path = first.substr(space + 1);
  while (!text.empty()) {
    const std::string_view line = take_line(text);
    if (line.empty()) break;
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 2);
    if (name == "peer") request.peer = peer_of(value);
    if (name == "x-otp-user") request.act_as = std::string(value);
    if (name == "advance") {
      std::int64_t seconds = 0;
      for (const char c : value.substr(0, 6)) {
        if (c >= '0' && c <= '9') seconds = seconds * 10 + (c - '0');
      }
      request.advance = std::min(seconds, kMaxAdvance);
    }
  }
  request.body = text;
  return request;
}

std::vector<FuzzRequest> parse_input(std::string_view input) {
  std::vector<FuzzRequest> requests;
  while (!input.empty() && requests.size() < kMaxRequests) {
    const auto end = input.find("\n---\n");
    requests.push_back(parse_request(input.substr(0, end)));
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 5);
  }
  return requests;
}

// The user the router will act for, as far as the harness needs to know it.
std::string subject_of(const FuzzRequest& request, const UserDirectory& users) {
  if (request.act_as) return canonical_user_name(users, *request.act_as).value_or("");
  return users.name_of(request.peer).value_or(std::nullopt).value_or("");
}

std::string totp_now(const Issued& issued, const Core& core, std::int64_t steps_back) {
  const auto& params = core.service.policy().totp;
  const auto step = totp_step(core.clock.now(), params.period);
  if (issued.secret.empty() || !step) return "000000";
  const auto code =
      hotp(issued.secret, *step - static_cast<std::uint64_t>(steps_back), params.algorithm, params.digits);
  return code ? std::string(code->view()) : "000000";
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

void fill_placeholders(std::string& body, Issued& issued, const Core& core) {
  replace_all(body, "$TOTP_PREV", totp_now(issued, core, 1));
  replace_all(body, "$TOTP", totp_now(issued, core, 0));
  while (body.find("$BACKUP") != std::string::npos) {
    std::string code = "aaaa-aaaa";
    if (!issued.backup_codes.empty()) {
      code = issued.backup_codes[issued.next_backup++ % issued.backup_codes.size()];
    }
    body.replace(body.find("$BACKUP"), 7, code);
  }
}

bool is_known_route(std::string_view path) {
  for (const auto route : {http_api::kEnableRoute, http_api::kConfirmRoute, http_api::kDisableRoute,
                           http_api::kBackupCodesRoute, http_api::kStatusRoute, http_api::kSeed003SetupRoute,
                           http_api::kSeed003EnableRoute, http_api::kSeed004SetupRoute}) {
    if (route == path) return true;
  }
  return false;
}

std::string_view method_of(std::string_view path) { return path == http_api::kStatusRoute ? "GET" : "POST"; }

void check_backup_codes(const json& codes, const Core& core) {
  if (!codes.is_array() || codes.size() != core.service.policy().backup_codes) die("backupCodes: wrong count");
  for (const auto& code : codes) {
    if (!code.is_string()) die("backupCodes: not a string");
    const auto& text = code.get_ref<const std::string&>();
    if (text.size() != 9 || text[4] != '-' || !normalize_backup_code(text)) die("backupCodes: malformed " + text);
  }
}

bool checks_a_code(std::string_view path) {
  return path == http_api::kConfirmRoute || path == http_api::kDisableRoute || path == http_api::kBackupCodesRoute ||
         path == http_api::kSeed003EnableRoute;
}

void check_error(const FuzzRequest& request, const ApiResponse& response) {
  static const std::set<unsigned> kStatuses{400, 401, 404, 405, 409, 410, 422, 429};
  if (!kStatuses.contains(response.status))
    die("status " + std::to_string(response.status) + ": " + response.body.dump());
  const auto error = response.body.find(http_api::kFieldError);
  if (error == response.body.end() || !error->is_string() || error->get_ref<const std::string&>().empty()) {
    die("error body without \"error\": " + response.body.dump());
  }
  if (response.status == 405 && response.allow != "GET" && response.allow != "POST") die("405 without Allow");
  if (checks_a_code(request.path) && response.status >= 409 &&
      response.body.value(http_api::kFieldSuccess, true) != false) {
    die("code failure without \"success\": false: " + response.body.dump());
  }
  if (response.status == 429) {
    if (!response.retry_after || *response.retry_after < 1 ||
        response.body.value(http_api::kFieldRetryAfter, std::int64_t{0}) != *response.retry_after) {
      die("429 without a matching Retry-After");
    }
  }
}

void check_success(const FuzzRequest& request, const ApiResponse& response, Issued& issued, const Core& core) {
  if (!response.body.is_object()) die("200 body is not an object");
  if (const auto secret = response.body.find(http_api::kFieldSecret); secret != response.body.end()) {
    const auto& text = secret->get_ref<const std::string&>();
    const auto bytes = base32_decode(text);
    if (text.size() != 32 || !bytes || bytes->size() != kSecretBytes) die("enable: bad secret " + text);
    const auto uri =
        response.body.value(http_api::kFieldOtpauthUri, response.body.value(http_api::kFieldQrCodeUri, ""));
    if (!uri.starts_with("otpauth://totp/") || uri.find("?secret=" + text + "&") == std::string::npos) {
      die("enable: bad otpauth URI " + uri);
    }
    issued = Issued{*bytes, {}, 0};
  }
  if (const auto codes = response.body.find(http_api::kFieldBackupCodes); codes != response.body.end()) {
    check_backup_codes(*codes, core);
    issued.backup_codes = codes->get<std::vector<std::string>>();
    issued.next_backup = 0;
  }
  if (request.path == http_api::kStatusRoute && !response.body.contains(http_api::kFieldEnabled)) {
    die("status without \"enabled\"");
  }
}

void run(const FuzzRequest& request, std::map<std::string, Issued>& issued, Core& core) {
  core.clock.advance(request.advance);
  const std::string subject = subject_of(request, core.users);
  Issued& mine = issued[subject];
  std::string body = request.body;
  fill_placeholders(body, mine, core);

  std::optional<std::string_view> act_as;
  if (request.act_as) act_as = *request.act_as;
  const ApiResponse response = core.router.handle(ApiRequest{request.method, request.path, request.peer, act_as, body});
  (void)response.body.dump(-1, ' ', false, json::error_handler_t::replace);  // what HttpServer sends

  if (response.status == 200) {
    check_success(request, response, mine, core);
  } else {
    check_error(request, response);
  }
  if (request.peer != 0 && request.act_as && is_known_route(request.path) &&
      request.method == method_of(request.path) && response.status != 401) {
    die("a non-root peer acted for " + *request.act_as);
  }
}

}  // namespace
}  // namespace otpd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otpd::fuzz;
  static Core core;
  core.reset();
  std::map<std::string, Issued> issued;
  for (const auto& request : parse_input({reinterpret_cast<const char*>(data), size})) run(request, issued, core);
  return 0;
}
