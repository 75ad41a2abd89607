// Strict reading of request bodies: a JSON object, no duplicate keys (a client and
// a proxy must never disagree on which "code" counted), no field that claims an
// identity (identity comes from the kernel).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace otpd {

// An empty body reads as {}. Errors are ErrorKind::invalid_argument with a message
// fit for the client.
[[nodiscard]] Expected<nlohmann::json> parse_request_object(std::string_view body);

// The "code" field: a string of 1..64 bytes, seen in `body` (no copy of the code).
[[nodiscard]] Expected<std::string_view> required_code(const nlohmann::json& body);

}  // namespace otpd
