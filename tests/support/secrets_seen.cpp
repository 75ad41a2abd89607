#include "secrets_seen.hpp"

#include <nlohmann/json.hpp>

#include <mutex>
#include <set>

namespace otpd::test {
namespace {

struct Seen {
  std::mutex mutex;  // tests remember from several threads at once
  std::set<std::string, std::less<>> secrets;
  std::set<std::string, std::less<>> codes;
};

Seen& seen() {
  static Seen instance;
  return instance;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool holds_as_number(std::string_view log, std::string_view code) {
  for (auto at = log.find(code); at != std::string_view::npos; at = log.find(code, at + 1)) {
    const bool starts = at == 0 || !is_digit(log[at - 1]);
    const auto end = at + code.size();
    if (starts && (end == log.size() || !is_digit(log[end]))) return true;
  }
  return false;
}

}  // namespace

void remember_secret(std::string_view secret) {
  if (secret.empty()) return;
  const std::lock_guard lock(seen().mutex);
  seen().secrets.emplace(secret);
  if (const auto dash = secret.find('-'); dash != std::string_view::npos) {
    std::string undashed(secret);
    undashed.erase(dash, 1);
    seen().secrets.insert(std::move(undashed));
  }
}

void remember_code(std::string_view code) {
  if (code.empty()) return;
  const std::lock_guard lock(seen().mutex);
  seen().codes.emplace(code);
}

void remember_handed_out(std::string_view json_body) {
  const auto body = nlohmann::json::parse(json_body, nullptr, false);
  if (!body.is_object()) return;
  if (const auto secret = body.find("secret"); secret != body.end() && secret->is_string()) {
    remember_secret(secret->get<std::string>());
  }
  if (const auto codes = body.find("backupCodes"); codes != body.end() && codes->is_array()) {
    for (const auto& code : *codes) {
      if (code.is_string()) remember_secret(code.get<std::string>());
    }
  }
}

std::optional<std::string> leaked_secret(std::string_view log) {
  const std::lock_guard lock(seen().mutex);
  for (const auto& secret : seen().secrets) {
    if (log.find(secret) != std::string_view::npos) return secret;
  }
  for (const auto& code : seen().codes) {
    if (holds_as_number(log, code)) return code;
  }
  return std::nullopt;
}

}  // namespace otpd::test
