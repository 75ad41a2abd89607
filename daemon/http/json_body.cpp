#include "http/json_body.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <vector>

#include "http_api.hpp"
#include "protocol.hpp"

namespace otpd {
namespace {

// Matched without regard to case: "User" or "UID" claims no less than "user". The
// act-as header's name is here too: in a body it would be silently ignored, and a
// root client that put it there would change its own enrollment, not the user's.
constexpr std::array<std::string_view, 6> kIdentityFields = {"user",   "uid",     "username",
                                                             "userid", "user_id", "x-otp-user"};

bool claims_identity(std::string_view key) {
  return std::any_of(kIdentityFields.begin(), kIdentityFields.end(), [&](std::string_view field) {
    return key.size() == field.size() && std::equal(key.begin(), key.end(), field.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  });
}

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

Expected<nlohmann::json> parse_request_object(std::string_view body) {
  if (is_blank(body)) return nlohmann::json::object();

  std::vector<std::set<std::string>> keys_per_object;
  std::string duplicate;
  const auto track_keys = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) keys_per_object.emplace_back();
    if (event == Event::object_end && !keys_per_object.empty()) keys_per_object.pop_back();
    if (event == Event::key && !keys_per_object.empty() &&
        !keys_per_object.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  nlohmann::json parsed = nlohmann::json::parse(body.begin(), body.end(), track_keys, false);
  if (parsed.is_discarded()) return fail(ErrorKind::invalid_argument, "The body is not valid JSON");
  if (!duplicate.empty()) {
    return fail(ErrorKind::invalid_argument, "Duplicate key \"" + duplicate + "\" in the body");
  }
  if (!parsed.is_object()) return fail(ErrorKind::invalid_argument, "The body must be a JSON object");
  for (const auto& [key, value] : parsed.items()) {
    if (claims_identity(key)) {
      return fail(ErrorKind::invalid_argument,
                  "Field \"" + key + "\" is not accepted: the caller is identified by the connection");
    }
  }
  return parsed;
}

Expected<std::string_view> required_code(const nlohmann::json& body) {
  const auto found = body.find(http_api::kFieldCode);
  if (found == body.end() || found->is_null()) return fail(ErrorKind::invalid_argument, "Missing code");
  if (!found->is_string()) return fail(ErrorKind::invalid_argument, "code must be a string");
  const auto& code = found->get_ref<const std::string&>();
  if (code.empty()) return fail(ErrorKind::invalid_argument, "Missing code");
  if (code.size() > protocol::kMaxCodeLength) return fail(ErrorKind::invalid_argument, "code is too long");
  return code;
}

}  // namespace otpd
