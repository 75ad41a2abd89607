// A JSON value that held a secret (an enrollment's secret, backup codes, a code) is
// wiped before it goes: every string in it overwritten with zeros. For otpd's answers
// and otp-enroll's copies of them; the PAM module has no JSON.
#pragma once

#include <string.h>  // explicit_bzero

#include <nlohmann/json.hpp>

namespace otpd {

// Overwrites every string value in `value` with zeros (object keys are not secret).
// Recursive, as deep as the value nests: no deeper than nlohmann's parser or the code
// that built it went already. get_ptr never throws (a wrong type is a null pointer).
inline void wipe_json_strings(nlohmann::json& value) noexcept {  // NOLINT(misc-no-recursion)
  if (auto* text = value.get_ptr<nlohmann::json::string_t*>()) {
    explicit_bzero(text->data(), text->size());
  } else if (auto* array = value.get_ptr<nlohmann::json::array_t*>()) {
    for (auto& element : *array) wipe_json_strings(element);
  } else if (auto* object = value.get_ptr<nlohmann::json::object_t*>()) {
    for (auto& [key, element] : *object) wipe_json_strings(element);
  }
}

}  // namespace otpd
