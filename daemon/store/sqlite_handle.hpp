// Owners for SQLite handles, and a prepared statement with checked binds and steps.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace otpd {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDatabase = std::unique_ptr<sqlite3, SqliteCloser>;

class Statement {
 public:
  static Expected<Statement> prepare(sqlite3* db, std::string_view sql);

  // Bind by 1-based index; the statement is reset and its binds cleared first by
  // reset(). Blobs and text are copied (SQLITE_TRANSIENT) so callers may free them.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::span<const std::uint8_t> blob);
  Statement& bind_null(int index);

  // true while a row is available; false when done.
  [[nodiscard]] Expected<bool> step();
  // Runs a statement that returns no rows.
  [[nodiscard]] Expected<void> run();
  void reset();

  [[nodiscard]] std::int64_t column_int(int column) const;
  [[nodiscard]] bool column_is_null(int column) const;
  [[nodiscard]] std::string column_text(int column) const;
  [[nodiscard]] std::vector<std::uint8_t> column_blob(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
  int bind_status_ = SQLITE_OK;
};

// Runs SQL without results (pragmas, DDL, BEGIN/COMMIT).
[[nodiscard]] Expected<void> execute(sqlite3* db, const char* sql);

[[nodiscard]] Error sqlite_error(sqlite3* db, std::string_view what);

}  // namespace otpd
