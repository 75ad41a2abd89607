// Typed reads of otpd's JSON answers that never throw: a field of the wrong type is
// the same as a missing one. Views point into the JSON, so no copy of a secret is made.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace otpd::cli {

[[nodiscard]] std::optional<std::string_view> string_field(const nlohmann::json& object, const char* key);
[[nodiscard]] std::optional<std::int64_t> integer_field(const nlohmann::json& object, const char* key);
[[nodiscard]] std::optional<bool> bool_field(const nlohmann::json& object, const char* key);
// nullopt unless the field is an array of strings.
[[nodiscard]] std::optional<std::vector<std::string_view>> string_array_field(const nlohmann::json& object,
                                                                              const char* key);

// The JSON on one line; the text is wiped once written (it may hold a secret).
void print_json(std::ostream& out, const nlohmann::json& value);

}  // namespace otpd::cli
