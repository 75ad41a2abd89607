// Looks into otpd's database from the outside, read-only, while otpd is stopped:
// what a crash or a full disk left behind.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace otpd::test {

// PRAGMA integrity_check's answer: "ok", or what is wrong (or why it could not run).
[[nodiscard]] std::string database_integrity(const std::filesystem::path& database);

struct StoredUser {
  std::optional<std::string> state;  // "pending", "active"; nullopt: no enrollment row
  int backup_codes = 0;
};
[[nodiscard]] StoredUser stored_user(const std::filesystem::path& database, const std::string& user);

// Moves the user's replay watermark `steps` ahead, as a login at a clock that much
// later would have left it: what otpd finds once its clock is stepped back. The one
// write of this file; SQLite's locking makes it safe while otpd runs.
void move_watermark_ahead(const std::filesystem::path& database, const std::string& user, int steps);

}  // namespace otpd::test
