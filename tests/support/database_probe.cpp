#include "database_probe.hpp"

#include <stdexcept>

#include "store/sqlite_handle.hpp"

namespace otpd::test {
namespace {

SqliteDatabase open_read_only(const std::filesystem::path& database) {
  sqlite3* raw = nullptr;
  const int status = sqlite3_open_v2(database.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  SqliteDatabase db(raw);
  if (status != SQLITE_OK) throw std::runtime_error("cannot open " + database.string() + " read-only");
  return db;
}

Statement prepared(sqlite3* db, std::string_view sql) {
  auto statement = Statement::prepare(db, sql);
  if (!statement) throw std::runtime_error(statement.error().message);
  return std::move(*statement);
}

}  // namespace

std::string database_integrity(const std::filesystem::path& database) {
  const SqliteDatabase db = open_read_only(database);
  auto check = Statement::prepare(db.get(), "PRAGMA integrity_check");
  if (!check) return check.error().message;
  std::string answer;
  for (auto row = check->step(); row && *row; row = check->step()) {
    answer += (answer.empty() ? "" : "\n") + check->column_text(0);
  }
  return answer.empty() ? "no answer" : answer;
}

StoredUser stored_user(const std::filesystem::path& database, const std::string& user) {
  const SqliteDatabase db = open_read_only(database);
  StoredUser stored;
  Statement state = prepared(db.get(), "SELECT state FROM enrollments WHERE user = ?1");
  state.bind(1, user);
  if (auto row = state.step(); row && *row) stored.state = state.column_text(0);
  Statement count = prepared(db.get(), "SELECT COUNT(*) FROM backup_codes WHERE user = ?1");
  count.bind(1, user);
  if (auto row = count.step(); !row || !*row) throw std::runtime_error("cannot count backup codes");
  stored.backup_codes = static_cast<int>(count.column_int(0));
  return stored;
}

void move_watermark_ahead(const std::filesystem::path& database, const std::string& user, int steps) {
  sqlite3* raw = nullptr;
  const int status = sqlite3_open_v2(database.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  const SqliteDatabase db(raw);
  if (status != SQLITE_OK) throw std::runtime_error("cannot open " + database.string());
  sqlite3_busy_timeout(db.get(), 10000);
  Statement move = prepared(db.get(), "UPDATE enrollments SET last_step = last_step + ?2 WHERE user = ?1");
  move.bind(1, user).bind(2, std::int64_t{steps});
  if (!move.run() || sqlite3_changes(db.get()) != 1) throw std::runtime_error("cannot move the watermark");
}

}  // namespace otpd::test
