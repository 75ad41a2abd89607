#include "shared/json_fields.hpp"

#include <openssl/crypto.h>

#include <ostream>
#include <string>

namespace otpd::cli {
namespace {

const nlohmann::json* find_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto field = object.find(key);
  return field == object.end() ? nullptr : &*field;
}

}  // namespace

std::optional<std::string_view> string_field(const nlohmann::json& object, const char* key) {
  const auto* field = find_field(object, key);
  if (field == nullptr || !field->is_string()) return std::nullopt;
  return std::string_view(field->get_ref<const std::string&>());
}

std::optional<std::int64_t> integer_field(const nlohmann::json& object, const char* key) {
  const auto* field = find_field(object, key);
  if (field == nullptr || !field->is_number_integer()) return std::nullopt;
  return field->get<std::int64_t>();
}

std::optional<bool> bool_field(const nlohmann::json& object, const char* key) {
  const auto* field = find_field(object, key);
  if (field == nullptr || !field->is_boolean()) return std::nullopt;
  return field->get<bool>();
}

std::optional<std::vector<std::string_view>> string_array_field(const nlohmann::json& object, const char* key) {
  const auto* field = find_field(object, key);
  if (field == nullptr || !field->is_array()) return std::nullopt;
  std::vector<std::string_view> strings;
  for (const auto& element : *field) {
    if (!element.is_string()) return std::nullopt;
    strings.emplace_back(element.get_ref<const std::string&>());
  }
  return strings;
}

void print_json(std::ostream& out, const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out << text << '\n';
  OPENSSL_cleanse(text.data(), text.size());
}

}  // namespace otpd::cli
