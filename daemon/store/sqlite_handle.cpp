#include "store/sqlite_handle.hpp"

namespace otpd {

Error sqlite_error(sqlite3* db, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return Error{ErrorKind::storage, std::move(message)};
}

Expected<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(raw);
    return tl::unexpected(sqlite_error(db, "cannot prepare a statement"));
  }
  return Statement(raw);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (bind_status_ == SQLITE_OK) bind_status_ = sqlite3_bind_int64(statement_.get(), index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (bind_status_ == SQLITE_OK) {
    bind_status_ =
        sqlite3_bind_text(statement_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::bind(int index, std::span<const std::uint8_t> blob) {
  if (bind_status_ == SQLITE_OK) {
    bind_status_ =
        sqlite3_bind_blob(statement_.get(), index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (bind_status_ == SQLITE_OK) bind_status_ = sqlite3_bind_null(statement_.get(), index);
  return *this;
}

Expected<bool> Statement::step() {
  sqlite3* db = sqlite3_db_handle(statement_.get());
  if (bind_status_ != SQLITE_OK) return tl::unexpected(sqlite_error(db, "cannot bind a value"));
  const int status = sqlite3_step(statement_.get());
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  return tl::unexpected(sqlite_error(db, "a database statement failed"));
}

Expected<void> Statement::run() {
  auto stepped = step();
  reset();
  if (!stepped) return tl::unexpected(stepped.error());
  return {};
}

void Statement::reset() {
  sqlite3_reset(statement_.get());
  sqlite3_clear_bindings(statement_.get());
  bind_status_ = SQLITE_OK;
}

std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(statement_.get(), column); }

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_.get(), column);
  const int size = sqlite3_column_bytes(statement_.get(), column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

std::vector<std::uint8_t> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_.get(), column));
  const int size = sqlite3_column_bytes(statement_.get(), column);
  return data == nullptr ? std::vector<std::uint8_t>() : std::vector<std::uint8_t>(data, data + size);
}

Expected<void> execute(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return fail(ErrorKind::storage, "database error: " + text);
  }
  return {};
}

}  // namespace otpd
