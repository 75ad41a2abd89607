// The SQLite store on disk: how it opens, what it refuses, and that each record
// and transaction behaves as the service relies on.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_handle.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using test::file_mode;
using test::must;
using test::TempDir;

// A second, raw connection to the same file, as another process would have.
class Probe {
 public:
  explicit Probe(const std::filesystem::path& path, bool create = false) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    const int status = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    db_.reset(raw);
    if (status != SQLITE_OK) throw std::runtime_error("probe cannot open " + path.string());
  }
  // The first column of the first row of `sql`, as text.
  std::string text(const char* sql) {
    auto statement = must(Statement::prepare(db_.get(), sql), sql);
    if (!must(statement.step(), sql)) return "<no row>";
    return statement.column_text(0);
  }
  void run(const char* sql) { must(execute(db_.get(), sql), sql); }

 private:
  SqliteDatabase db_;
};

EnrollmentRecord full_record(std::string user) {
  EnrollmentRecord record;
  record.user = std::move(user);
  record.state = EnrollmentState::active;
  record.sealed_secret = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0xFF};
  record.params = TotpParameters{HashAlgorithm::sha512, 8, 60};
  record.expires_at = 1'700'000'600;
  record.last_step = 0x1'0000'0005ULL;  // beyond 32 bits
  record.backup_codes_preissued = true;
  record.backup_salt = std::vector<std::uint8_t>(kBackupCodeSaltBytes, 0x5A);
  record.backup_kdf_iterations = 123'456;
  return record;
}

EnrollmentRecord pending_record(std::string user) {
  EnrollmentRecord record;
  record.user = std::move(user);
  record.sealed_secret = {9, 9, 9};
  record.expires_at = 1'700'000'600;
  return record;
}

void expect_same(const EnrollmentRecord& actual, const EnrollmentRecord& expected) {
  EXPECT_EQ(actual.user, expected.user);
  EXPECT_EQ(actual.state, expected.state);
  EXPECT_EQ(actual.sealed_secret, expected.sealed_secret);
  EXPECT_EQ(actual.params, expected.params);
  EXPECT_EQ(actual.expires_at, expected.expires_at);
  EXPECT_EQ(actual.last_step, expected.last_step);
  EXPECT_EQ(actual.backup_codes_preissued, expected.backup_codes_preissued);
  EXPECT_EQ(actual.backup_salt, expected.backup_salt);
  EXPECT_EQ(actual.backup_kdf_iterations, expected.backup_kdf_iterations);
}

// `store` holds `expected` under its user, field for field.
void expect_stored(Store& store, const EnrollmentRecord& expected) {
  const auto record = must(store.find_enrollment(expected.user));
  ASSERT_TRUE(record) << expected.user;
  expect_same(*record, expected);
}

BackupCodeHash hash_filled(std::uint8_t value) {
  BackupCodeHash hash;
  hash.fill(value);
  return hash;
}

class StoreTest : public ::testing::Test {
 protected:
  Store open_store() { return must(Store::open(db_path), "Store::open"); }

  void expect_refused(const std::string& why) {
    const auto store = Store::open(db_path);
    ASSERT_FALSE(store) << why;
    EXPECT_EQ(store.error().kind, ErrorKind::storage) << why;
  }

  TempDir dir;
  std::filesystem::path db_path = dir / "otpd.db";
};

TEST_F(StoreTest, OpenCreatesAPrivateWalDatabaseAtTheCurrentSchema) {
  const Store store = open_store();
  EXPECT_EQ(file_mode(db_path), 0600U);
  Probe probe(db_path);
  EXPECT_EQ(probe.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(probe.text("PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(file_mode(dir / "otpd.db-wal"), 0600U);
}

TEST_F(StoreTest, AnExistingEmptyFileIsInitialised) {
  test::write_file_with_mode(db_path, "", 0600);
  Store store = open_store();
  EXPECT_TRUE(must(store.find_enrollment("alice")) == std::nullopt);
  EXPECT_EQ(Probe(db_path).text("PRAGMA user_version"), std::to_string(kSchemaVersion));
}

TEST_F(StoreTest, WhereCreationIsRefusedAMissingOrEmptyDatabaseIsAnError) {
  const auto missing = Store::open(db_path, StoreCreation::refused);
  ASSERT_FALSE(missing);
  EXPECT_FALSE(std::filesystem::exists(db_path)) << "not created";
  test::write_file_with_mode(db_path, "", 0600);
  const auto empty = Store::open(db_path, StoreCreation::refused);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos) << empty.error().message;
  { const Store store = open_store(); }
  EXPECT_TRUE(Store::open(db_path, StoreCreation::refused)) << "an existing database opens";
}

TEST_F(StoreTest, NoWriteGoesToADatabaseFileThatWasDeletedOrReplaced) {
  Store store = open_store();
  {
    auto transaction = must(store.begin());
    ASSERT_TRUE(transaction.commit());
  }
  std::filesystem::remove(db_path);
  const auto deleted = store.begin();
  ASSERT_FALSE(deleted);
  EXPECT_NE(deleted.error().message.find("was deleted or replaced while otpd ran"), std::string::npos)
      << deleted.error().message;
}

TEST_F(StoreTest, ReopeningKeepsTheData) {
  {
    Store store = open_store();
    must(store.put_enrollment(full_record("alice")));
    must(store.replace_backup_codes("alice", {hash_filled(1)}));
    must(store.put_attempt_limit("alice", AttemptLimit{3, 1, 42}));
  }
  Store store = open_store();
  expect_stored(store, full_record("alice"));
  EXPECT_EQ(must(store.backup_code_hashes("alice")), std::vector<BackupCodeHash>{hash_filled(1)});
  EXPECT_EQ(must(store.attempt_limit("alice")), (AttemptLimit{3, 1, 42}));
}

TEST_F(StoreTest, RefusesADatabaseFromANewerOtpd) {
  {
    Probe probe(db_path, true);
    probe.run(("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1)).c_str());
  }
  ASSERT_EQ(::chmod(db_path.c_str(), 0600), 0);
  const auto store = Store::open(db_path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::storage);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

TEST_F(StoreTest, RefusesADatabaseOthersCanRead) {
  { const Store store = open_store(); }
  ASSERT_EQ(::chmod(db_path.c_str(), 0644), 0);
  expect_refused("mode 0644");
  EXPECT_EQ(file_mode(db_path), 0644U) << "refused, never repaired";
}

TEST_F(StoreTest, RefusesAFileThatIsNotADatabase) {
  test::write_file_with_mode(db_path, std::string(4096, 'x') + "this is not an SQLite database", 0600);
  expect_refused("garbage");
}

TEST_F(StoreTest, RefusesASymlink) {
  { const Store store = open_store(); }
  const auto link = dir / "link.db";
  std::filesystem::create_symlink(db_path, link);
  const auto store = Store::open(link);
  EXPECT_FALSE(store);
}

TEST_F(StoreTest, RefusesADirectory) {
  ASSERT_TRUE(std::filesystem::create_directory(db_path));
  expect_refused("a directory");
}

TEST_F(StoreTest, EnrollmentRoundTripsEveryField) {
  Store store = open_store();
  must(store.put_enrollment(full_record("alice")));
  expect_stored(store, full_record("alice"));
}

TEST_F(StoreTest, PendingEnrollmentRoundTripsWithoutOptionalFields) {
  Store store = open_store();
  must(store.put_enrollment(pending_record("bob")));
  expect_stored(store, pending_record("bob"));
}

TEST_F(StoreTest, UnknownUserHasNoEnrollment) {
  Store store = open_store();
  must(store.put_enrollment(full_record("alice")));
  EXPECT_EQ(must(store.find_enrollment("alicE")), std::nullopt);
  EXPECT_EQ(must(store.find_enrollment("bob")), std::nullopt);
}

TEST_F(StoreTest, PutEnrollmentReplacesTheUsersRecord) {
  Store store = open_store();
  must(store.put_enrollment(pending_record("alice")));
  must(store.put_enrollment(full_record("alice")));
  expect_stored(store, full_record("alice"));
}

TEST_F(StoreTest, DeleteRemovesTheBackupCodesButNotTheAttemptLimit) {
  Store store = open_store();
  must(store.put_enrollment(full_record("alice")));
  must(store.replace_backup_codes("alice", {hash_filled(1), hash_filled(2)}));
  must(store.put_attempt_limit("alice", AttemptLimit{2, 1, 99}));
  must(store.put_enrollment(full_record("bob")));
  must(store.replace_backup_codes("bob", {hash_filled(3)}));

  must(store.delete_enrollment("alice"));
  EXPECT_EQ(must(store.find_enrollment("alice")), std::nullopt);
  EXPECT_TRUE(must(store.backup_code_hashes("alice")).empty());
  EXPECT_EQ(must(store.attempt_limit("alice")), (AttemptLimit{2, 1, 99}));
  EXPECT_TRUE(must(store.find_enrollment("bob")));
  EXPECT_EQ(must(store.backup_code_hashes("bob")).size(), 1U);
}

TEST_F(StoreTest, AdvanceWatermarkOnlyMovesForward) {
  Store store = open_store();
  EnrollmentRecord record = full_record("alice");
  record.last_step = std::nullopt;
  must(store.put_enrollment(record));

  EXPECT_TRUE(must(store.advance_watermark("alice", 100)));
  EXPECT_FALSE(must(store.advance_watermark("alice", 100))) << "equal";
  EXPECT_FALSE(must(store.advance_watermark("alice", 99))) << "lower";
  EXPECT_TRUE(must(store.advance_watermark("alice", 101)));
  EXPECT_EQ(must(store.find_enrollment("alice"))->last_step, 101U);
  EXPECT_TRUE(must(store.advance_watermark("alice", 0x1'0000'0000ULL)));
  EXPECT_FALSE(must(store.advance_watermark("alice", 0xFFFF'FFFFULL)));
  EXPECT_EQ(must(store.find_enrollment("alice"))->last_step, 0x1'0000'0000ULL);
}

TEST_F(StoreTest, AdvanceWatermarkRefusesAPendingEnrollmentAndAnUnknownUser) {
  Store store = open_store();
  must(store.put_enrollment(pending_record("alice")));
  EXPECT_FALSE(must(store.advance_watermark("alice", 100)));
  EXPECT_EQ(must(store.find_enrollment("alice"))->last_step, std::nullopt);
  EXPECT_FALSE(must(store.advance_watermark("nobody", 100)));
}

TEST_F(StoreTest, BackupCodesAreReplacedAndConsumedOnce) {
  Store store = open_store();
  must(store.replace_backup_codes("alice", {hash_filled(1), hash_filled(2), hash_filled(3)}));
  EXPECT_EQ(must(store.backup_code_hashes("alice")).size(), 3U);

  EXPECT_TRUE(must(store.consume_backup_code("alice", hash_filled(2))));
  EXPECT_FALSE(must(store.consume_backup_code("alice", hash_filled(2)))) << "second use";
  EXPECT_FALSE(must(store.consume_backup_code("alice", hash_filled(9)))) << "never issued";
  const auto left = must(store.backup_code_hashes("alice"));
  EXPECT_EQ(left.size(), 2U);
  EXPECT_EQ(must(store.count_backup_codes("alice")), 2U);
  EXPECT_EQ(must(store.count_backup_codes("bob")), 0U);
  EXPECT_FALSE(find_backup_code_hash(left, hash_filled(2)));

  must(store.replace_backup_codes("alice", {hash_filled(7)}));
  EXPECT_EQ(must(store.backup_code_hashes("alice")), std::vector<BackupCodeHash>{hash_filled(7)});
  EXPECT_FALSE(must(store.consume_backup_code("alice", hash_filled(1)))) << "the old set is gone";
}

TEST_F(StoreTest, BackupCodesBelongToOneUser) {
  Store store = open_store();
  must(store.replace_backup_codes("alice", {hash_filled(1)}));
  must(store.replace_backup_codes("bob", {hash_filled(1), hash_filled(2)}));
  EXPECT_FALSE(must(store.consume_backup_code("carol", hash_filled(1))));
  EXPECT_TRUE(must(store.consume_backup_code("bob", hash_filled(1))));
  EXPECT_EQ(must(store.backup_code_hashes("alice")).size(), 1U);
  must(store.replace_backup_codes("bob", {}));
  EXPECT_TRUE(must(store.backup_code_hashes("bob")).empty());
  EXPECT_EQ(must(store.backup_code_hashes("alice")).size(), 1U);
}

TEST_F(StoreTest, AttemptLimitDefaultsToZeroAndRoundTrips) {
  Store store = open_store();
  EXPECT_EQ(must(store.attempt_limit("alice")), AttemptLimit{});
  must(store.put_attempt_limit("alice", AttemptLimit{4, 7, 1'700'000'900}));
  EXPECT_EQ(must(store.attempt_limit("alice")), (AttemptLimit{4, 7, 1'700'000'900}));
  EXPECT_EQ(must(store.attempt_limit("bob")), AttemptLimit{});
  must(store.put_attempt_limit("alice", AttemptLimit{1, 0, 0}));
  EXPECT_EQ(must(store.attempt_limit("alice")), (AttemptLimit{1, 0, 0}));
  must(store.delete_attempt_limit("alice"));
  EXPECT_EQ(must(store.attempt_limit("alice")), AttemptLimit{});
}

TEST_F(StoreTest, ATransactionThatIsNotCommittedRollsBack) {
  Store store = open_store();
  must(store.put_attempt_limit("alice", AttemptLimit{1, 0, 0}));
  {
    auto transaction = must(store.begin());
    must(store.put_enrollment(full_record("alice")));
    must(store.replace_backup_codes("alice", {hash_filled(1)}));
    must(store.put_attempt_limit("alice", AttemptLimit{2, 0, 0}));
    EXPECT_TRUE(must(store.find_enrollment("alice"))) << "visible inside the transaction";
  }
  EXPECT_EQ(must(store.find_enrollment("alice")), std::nullopt);
  EXPECT_TRUE(must(store.backup_code_hashes("alice")).empty());
  EXPECT_EQ(must(store.attempt_limit("alice")), (AttemptLimit{1, 0, 0}));
  // The store is usable again: the rollback ended the transaction.
  auto next = must(store.begin());
  must(next.commit());
}

TEST_F(StoreTest, CommitMakesChangesVisibleToAnotherConnection) {
  Store writer = open_store();
  Store reader = open_store();
  auto transaction = must(writer.begin());
  must(writer.put_enrollment(full_record("alice")));
  EXPECT_EQ(must(reader.find_enrollment("alice")), std::nullopt) << "not before the commit";
  must(transaction.commit());
  expect_stored(reader, full_record("alice"));
  EXPECT_EQ(Probe(db_path).text("SELECT count(*) FROM enrollments"), "1");
}

TEST_F(StoreTest, ANestedTransactionIsDurableOnlyWithTheOuterOne) {
  Store writer = open_store();
  Store reader = open_store();
  auto group = must(writer.begin());
  {
    auto kept = must(writer.begin());
    must(writer.put_enrollment(full_record("alice")));
    must(kept.commit());
  }
  EXPECT_EQ(must(reader.find_enrollment("alice")), std::nullopt) << "not before the outer commit";
  must(group.commit());
  expect_stored(reader, full_record("alice"));
}

TEST_F(StoreTest, ANestedTransactionRollsBackAloneAndTheOuterOneGoesOn) {
  Store store = open_store();
  auto group = must(store.begin());
  {
    auto kept = must(store.begin());
    must(store.put_enrollment(full_record("alice")));
    must(kept.commit());
  }
  {
    auto dropped = must(store.begin());
    must(store.put_enrollment(full_record("bob")));
    must(store.put_attempt_limit("alice", AttemptLimit{4, 0, 0}));
  }  // not committed: rolled back to where it began
  must(group.commit());
  expect_stored(store, full_record("alice"));
  EXPECT_EQ(must(store.find_enrollment("bob")), std::nullopt);
  EXPECT_EQ(must(store.attempt_limit("alice")), AttemptLimit{});
}

TEST_F(StoreTest, NestedWorkDiesWithAnOuterRollback) {
  Store store = open_store();
  {
    auto group = must(store.begin());
    auto nested = must(store.begin());
    must(store.put_enrollment(full_record("alice")));
    must(nested.commit());
  }
  EXPECT_EQ(must(store.find_enrollment("alice")), std::nullopt);
  auto next = must(store.begin());  // and the store is usable again
  must(next.commit());
}

}  // namespace
}  // namespace otpd
