#include "store/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "unique_fd.hpp"

namespace otpd {
namespace {

// Migration N brings the schema from version N to N + 1. Never edit one that has
// shipped: append a new one.
constexpr std::array<const char*, kSchemaVersion> kMigrations{
    R"sql(
CREATE TABLE enrollments (
  user TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'active')),
  sealed_secret BLOB NOT NULL,
  algorithm TEXT NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
  digits INTEGER NOT NULL CHECK (digits BETWEEN 6 AND 8),
  period INTEGER NOT NULL CHECK (period > 0),
  expires_at INTEGER NOT NULL DEFAULT 0,
  last_step INTEGER,
  backup_codes_preissued INTEGER NOT NULL DEFAULT 0,
  backup_salt BLOB,
  backup_kdf_iterations INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE backup_codes (
  user TEXT NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (user, hash)
) STRICT, WITHOUT ROWID;
CREATE TABLE attempt_limits (
  user TEXT PRIMARY KEY NOT NULL,
  failures INTEGER NOT NULL,
  lockouts INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
) STRICT;
)sql",
};

constexpr char kEnrollmentColumns[] =
    "user, state, sealed_secret, algorithm, digits, period, expires_at, last_step, "
    "backup_codes_preissued, backup_salt, backup_kdf_iterations";

std::string_view state_name(EnrollmentState state) { return state == EnrollmentState::active ? "active" : "pending"; }

Expected<void> check_database_file(const std::filesystem::path& path, StoreCreation creation) {
  const int create = creation == StoreCreation::allowed ? O_CREAT : 0;
  UniqueFd fd(::open(path.c_str(), O_RDWR | create | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) {
    return fail(ErrorKind::storage, "cannot open database " + path.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return fail(ErrorKind::storage, "database " + path.string() + " is not a regular file");
  }
  if (st.st_uid != ::geteuid() || (st.st_mode & 0077) != 0) {
    return fail(ErrorKind::storage,
                "database " + path.string() + " must be owned by otpd's user with mode 0600; refusing it");
  }
  return {};
}

Expected<int> schema_version(sqlite3* db) {
  auto statement = Statement::prepare(db, "PRAGMA user_version");
  if (!statement) return tl::unexpected(statement.error());
  auto row = statement->step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<int>(statement->column_int(0));
}

Expected<void> migrate(sqlite3* db, const std::filesystem::path& path, StoreCreation creation) {
  auto version = schema_version(db);
  if (!version) return tl::unexpected(version.error());
  // Version 0 is a database no otpd has written to: an empty (or truncated) file.
  if (*version == 0 && creation == StoreCreation::refused) {
    return fail(ErrorKind::storage, "database " + path.string() + " is empty");
  }
  if (*version > kSchemaVersion) {
    return fail(ErrorKind::storage, "the database schema (version " + std::to_string(*version) +
                                        ") is newer than this otpd understands (" + std::to_string(kSchemaVersion) +
                                        ")");
  }
  for (int next = *version; next < kSchemaVersion; ++next) {
    const std::string sql = std::string("BEGIN IMMEDIATE;") + kMigrations[static_cast<std::size_t>(next)] +
                            "PRAGMA user_version = " + std::to_string(next + 1) + ";COMMIT;";
    if (auto ok = execute(db, sql.c_str()); !ok) {
      (void)execute(db, "ROLLBACK");
      return ok;
    }
  }
  return {};
}

Expected<void> configure(sqlite3* db) {
  // WAL + FULL: every commit is on disk before it returns. secure_delete overwrites
  // what a deleted row held (sealed secrets, code hashes).
  auto journal = Statement::prepare(db, "PRAGMA journal_mode = WAL");
  if (!journal) return tl::unexpected(journal.error());
  auto mode = journal->step();
  if (!mode) return tl::unexpected(mode.error());
  // SQLite keeps the old mode, silently, where WAL is impossible.
  if (!*mode || journal->column_text(0) != "wal") {
    return fail(ErrorKind::storage, "the database cannot use WAL journaling on this file system");
  }
  static constexpr const char* kPragmas[] = {
      "PRAGMA synchronous = FULL",   "PRAGMA secure_delete = ON",  "PRAGMA trusted_schema = OFF",
      "PRAGMA cell_size_check = ON", "PRAGMA busy_timeout = 5000",
  };
  for (const char* pragma : kPragmas) {
    if (auto ok = execute(db, pragma); !ok) return ok;
  }
  auto check = Statement::prepare(db, "PRAGMA quick_check");
  if (!check) return tl::unexpected(check.error());
  auto row = check->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row || check->column_text(0) != "ok") {
    return fail(ErrorKind::storage, "the database failed its integrity check: " + check->column_text(0));
  }
  return {};
}

}  // namespace

struct Store::Statements {
  Statement begin, commit, rollback, savepoint, release, rollback_to;
  Statement find_enrollment, put_enrollment, delete_enrollment, delete_backup_codes, advance_watermark;
  Statement backup_code_hashes, count_backup_codes, insert_backup_code, consume_backup_code;
  Statement attempt_limit, put_attempt_limit, delete_attempt_limit;

  static Expected<std::unique_ptr<Statements>> prepare(sqlite3* db);
};

Expected<std::unique_ptr<Store::Statements>> Store::Statements::prepare(sqlite3* db) {
  const std::string select_enrollment =
      std::string("SELECT ") + kEnrollmentColumns + " FROM enrollments WHERE user = ?1";
  const std::string put_enrollment = std::string("INSERT OR REPLACE INTO enrollments (") + kEnrollmentColumns +
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  // The replay watermark only moves forward: of two logins with one code, one wins.
  const std::string_view advance_watermark =
      "UPDATE enrollments SET last_step = ?2 WHERE user = ?1 AND state = 'active' "
      "AND (last_step IS NULL OR last_step < ?2)";
  const std::string_view sql[] = {
      "BEGIN IMMEDIATE",
      "COMMIT",
      "ROLLBACK",
      "SAVEPOINT nested",
      "RELEASE nested",
      "ROLLBACK TO nested",
      select_enrollment,
      put_enrollment,
      "DELETE FROM enrollments WHERE user = ?1",
      "DELETE FROM backup_codes WHERE user = ?1",
      advance_watermark,
      "SELECT hash FROM backup_codes WHERE user = ?1",
      "SELECT COUNT(*) FROM backup_codes WHERE user = ?1",
      "INSERT INTO backup_codes (user, hash) VALUES (?1, ?2)",
      "DELETE FROM backup_codes WHERE user = ?1 AND hash = ?2",
      "SELECT failures, lockouts, locked_until FROM attempt_limits WHERE user = ?1",
      "INSERT OR REPLACE INTO attempt_limits (user, failures, lockouts, locked_until) VALUES (?1, ?2, ?3, ?4)",
      "DELETE FROM attempt_limits WHERE user = ?1",
  };
  std::vector<Statement> prepared;
  for (const auto text : sql) {
    auto statement = Statement::prepare(db, text);
    if (!statement) return tl::unexpected(statement.error());
    prepared.push_back(std::move(*statement));
  }
  auto at = [&](std::size_t i) { return std::move(prepared[i]); };
  // An aggregate: make_unique would need C++20's parenthesised aggregate initialisation,
  // which clang 14 (and so clang-tidy here) lacks.
  // NOLINTNEXTLINE(modernize-make-unique)
  return std::unique_ptr<Statements>(new Statements{at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8),
                                                    at(9), at(10), at(11), at(12), at(13), at(14), at(15), at(16),
                                                    at(17)});
}

Store::Store(SqliteDatabase db, std::unique_ptr<Statements> statements, std::filesystem::path path)
    : db_(std::move(db)), path_(std::move(path)), statements_(std::move(statements)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() {
  statements_.reset();  // statements die before the connection they belong to
}

Expected<Store> Store::open(const std::filesystem::path& path, StoreCreation creation) {
  if (auto ok = check_database_file(path, creation); !ok) return tl::unexpected(ok.error());
  sqlite3* raw = nullptr;
  const int status = sqlite3_open_v2(path.c_str(), &raw,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE, nullptr);
  SqliteDatabase db(raw);
  if (status != SQLITE_OK) return tl::unexpected(sqlite_error(raw, "cannot open database " + path.string()));
  if (auto ok = configure(db.get()); !ok) return tl::unexpected(ok.error());
  if (auto ok = migrate(db.get(), path, creation); !ok) return tl::unexpected(ok.error());
  auto statements = Statements::prepare(db.get());
  if (!statements) return tl::unexpected(statements.error());
  return Store(std::move(db), std::move(*statements), path);
}

Store::Transaction::Transaction(Transaction&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)), nested_(other.nested_) {}

Store::Transaction::~Transaction() {
  Store* store = std::exchange(store_, nullptr);
  if (store == nullptr) return;
  --store->open_transactions_;
  if (!nested_) {
    (void)store->statements_->rollback.run();
    return;
  }
  // ROLLBACK TO undoes the work and keeps the savepoint open; RELEASE ends it.
  (void)store->statements_->rollback_to.run();
  (void)store->statements_->release.run();
}

Expected<void> Store::Transaction::commit() {
  Store* store = std::exchange(store_, nullptr);
  if (store == nullptr) return fail(ErrorKind::storage, "the transaction has already ended");
  --store->open_transactions_;
  if (nested_) {
    // Durable only when the enclosing transaction commits.
    auto released = store->statements_->release.run();
    if (!released) (void)store->statements_->rollback_to.run();
    return released;
  }
  auto committed = store->statements_->commit.run();
  if (!committed) (void)store->statements_->rollback.run();
  return committed;
}

Expected<Store::Transaction> Store::begin() {
  const bool nested = open_transactions_ > 0;
  if (!nested) {
    int moved = 0;
    if (sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || moved != 0) {
      return fail(ErrorKind::storage,
                  "database " + path_.string() + " was deleted or replaced while otpd ran; restart otpd");
    }
    if (auto ok = statements_->begin.run(); !ok) return tl::unexpected(ok.error());
  } else {
    // SQLite rolls a whole transaction back by itself on some errors (a full disk,
    // an I/O error). A savepoint then would start a transaction of its own and its
    // release would commit this work alone, outside the group it belongs to.
    if (sqlite3_get_autocommit(db_.get()) != 0) {
      return fail(ErrorKind::storage, "the enclosing transaction was rolled back");
    }
    if (auto ok = statements_->savepoint.run(); !ok) return tl::unexpected(ok.error());
  }
  ++open_transactions_;
  return Transaction(this, nested);
}

Expected<std::optional<EnrollmentRecord>> Store::find_enrollment(std::string_view user) {
  Statement& s = statements_->find_enrollment;
  s.bind(1, user);
  auto row = s.step();
  if (!row) {
    s.reset();
    return tl::unexpected(row.error());
  }
  if (!*row) {
    s.reset();
    return std::optional<EnrollmentRecord>();
  }
  EnrollmentRecord record;
  record.user = s.column_text(0);
  record.state = s.column_text(1) == "active" ? EnrollmentState::active : EnrollmentState::pending;
  record.sealed_secret = s.column_blob(2);
  record.params.algorithm = hash_algorithm_from_name(s.column_text(3)).value_or(HashAlgorithm::sha1);
  record.params.digits = static_cast<unsigned>(s.column_int(4));
  record.params.period = static_cast<unsigned>(s.column_int(5));
  record.expires_at = s.column_int(6);
  if (!s.column_is_null(7)) record.last_step = static_cast<std::uint64_t>(s.column_int(7));
  record.backup_codes_preissued = s.column_int(8) != 0;
  record.backup_salt = s.column_blob(9);
  record.backup_kdf_iterations = static_cast<unsigned>(s.column_int(10));
  s.reset();
  return std::optional<EnrollmentRecord>(std::move(record));
}

Expected<void> Store::put_enrollment(const EnrollmentRecord& record) {
  Statement& s = statements_->put_enrollment;
  s.bind(1, record.user)
      .bind(2, state_name(record.state))
      .bind(3, record.sealed_secret)
      .bind(4, hash_algorithm_name(record.params.algorithm))
      .bind(5, std::int64_t{record.params.digits})
      .bind(6, std::int64_t{record.params.period})
      .bind(7, record.expires_at);
  if (record.last_step) {
    s.bind(8, static_cast<std::int64_t>(*record.last_step));
  } else {
    s.bind_null(8);
  }
  s.bind(9, std::int64_t{record.backup_codes_preissued ? 1 : 0})
      .bind(10, record.backup_salt)
      .bind(11, std::int64_t{record.backup_kdf_iterations});
  return s.run();
}

Expected<void> Store::delete_enrollment(std::string_view user) {
  if (auto ok = statements_->delete_enrollment.bind(1, user).run(); !ok) return ok;
  return statements_->delete_backup_codes.bind(1, user).run();
}

Expected<bool> Store::advance_watermark(std::string_view user, std::uint64_t step) {
  auto ok = statements_->advance_watermark.bind(1, user).bind(2, static_cast<std::int64_t>(step)).run();
  if (!ok) return tl::unexpected(ok.error());
  return sqlite3_changes(db_.get()) == 1;
}

Expected<std::vector<BackupCodeHash>> Store::backup_code_hashes(std::string_view user) {
  Statement& s = statements_->backup_code_hashes;
  s.bind(1, user);
  std::vector<BackupCodeHash> hashes;
  for (;;) {
    auto row = s.step();
    if (!row) {
      s.reset();
      return tl::unexpected(row.error());
    }
    if (!*row) break;
    const auto blob = s.column_blob(0);
    BackupCodeHash hash{};
    if (blob.size() == hash.size()) {
      std::copy(blob.begin(), blob.end(), hash.begin());
      hashes.push_back(hash);
    }
  }
  s.reset();
  return hashes;
}

Expected<std::uint32_t> Store::count_backup_codes(std::string_view user) {
  Statement& s = statements_->count_backup_codes;
  s.bind(1, user);
  auto row = s.step();
  const auto count = row && *row ? static_cast<std::uint32_t>(s.column_int(0)) : 0U;
  s.reset();
  if (!row) return tl::unexpected(row.error());
  return count;
}

Expected<void> Store::replace_backup_codes(std::string_view user, const std::vector<BackupCodeHash>& hashes) {
  if (auto ok = statements_->delete_backup_codes.bind(1, user).run(); !ok) return ok;
  for (const auto& hash : hashes) {
    if (auto ok = statements_->insert_backup_code.bind(1, user).bind(2, hash).run(); !ok) return ok;
  }
  return {};
}

Expected<bool> Store::consume_backup_code(std::string_view user, const BackupCodeHash& hash) {
  auto ok = statements_->consume_backup_code.bind(1, user).bind(2, hash).run();
  if (!ok) return tl::unexpected(ok.error());
  return sqlite3_changes(db_.get()) == 1;
}

Expected<AttemptLimit> Store::attempt_limit(std::string_view user) {
  Statement& s = statements_->attempt_limit;
  s.bind(1, user);
  auto row = s.step();
  AttemptLimit limit;
  if (row && *row) {
    limit.failures = static_cast<std::uint32_t>(s.column_int(0));
    limit.lockouts = static_cast<std::uint32_t>(s.column_int(1));
    limit.locked_until = s.column_int(2);
  }
  s.reset();
  if (!row) return tl::unexpected(row.error());
  return limit;
}

Expected<void> Store::put_attempt_limit(std::string_view user, const AttemptLimit& limit) {
  return statements_->put_attempt_limit.bind(1, user)
      .bind(2, std::int64_t{limit.failures})
      .bind(3, std::int64_t{limit.lockouts})
      .bind(4, limit.locked_until)
      .run();
}

Expected<void> Store::delete_attempt_limit(std::string_view user) {
  return statements_->delete_attempt_limit.bind(1, user).run();
}

}  // namespace otpd
