// The durable state: enrollments (pending and active, secrets sealed), backup-code
// hashes, and the failure counters. One SQLite file in WAL mode with
// synchronous=FULL, so an acknowledged change survives a power cut.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backup_codes.hpp"
#include "core/error.hpp"
#include "core/totp.hpp"
#include "store/sqlite_handle.hpp"

namespace otpd {

enum class EnrollmentState { pending, active };

struct EnrollmentRecord {
  std::string user;
  EnrollmentState state = EnrollmentState::pending;
  std::vector<std::uint8_t> sealed_secret;
  TotpParameters params;
  std::int64_t expires_at = 0;             // pending only
  std::optional<std::uint64_t> last_step;  // the replay watermark: last accepted time step
  bool backup_codes_preissued = false;     // codes were handed out at setup (seed 004)
  std::vector<std::uint8_t> backup_salt;
  unsigned backup_kdf_iterations = 0;
};

struct AttemptLimit {
  std::uint32_t failures = 0;  // failed attempts since the last success or lockout
  std::uint32_t lockouts = 0;  // lockouts since the last success; doubles the back-off
  std::int64_t locked_until = 0;
  bool operator==(const AttemptLimit&) const = default;
};

inline constexpr int kSchemaVersion = 1;

// Whether Store::open may start a new, empty database. `refused` is for a host
// where otpd has run before: there a missing or empty database is a lost one, and
// starting afresh would treat every enrolled user as not enrolled.
enum class StoreCreation { allowed, refused };

class Store {
 public:
  // Opens (creating if allowed and needed, mode 0600) and migrates the database.
  [[nodiscard]] static Expected<Store> open(const std::filesystem::path& path,
                                            StoreCreation creation = StoreCreation::allowed);

  // A write transaction (BEGIN IMMEDIATE); rolled back unless committed. Begun
  // inside another, it is a savepoint: its work can be undone alone, and it is
  // durable only once the outer one commits (group commit: many logins, one flush).
  // Transactions end in the reverse order of their beginning.
  class Transaction {
   public:
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();
    [[nodiscard]] Expected<void> commit();

   private:
    friend class Store;
    Transaction(Store* store, bool nested) : store_(store), nested_(nested) {}
    Store* store_;
    bool nested_;
  };
  // Refused when the database file was deleted or replaced since it was opened:
  // a write to the old inode would be acknowledged and then lost.
  [[nodiscard]] Expected<Transaction> begin();

  [[nodiscard]] Expected<std::optional<EnrollmentRecord>> find_enrollment(std::string_view user);
  [[nodiscard]] Expected<void> put_enrollment(const EnrollmentRecord& record);
  // Removes the enrollment and its backup codes; the failure counter stays.
  [[nodiscard]] Expected<void> delete_enrollment(std::string_view user);
  // Moves the replay watermark to `step` only if it is later than the stored one;
  // false when another attempt got there first.
  [[nodiscard]] Expected<bool> advance_watermark(std::string_view user, std::uint64_t step);

  [[nodiscard]] Expected<std::vector<BackupCodeHash>> backup_code_hashes(std::string_view user);
  [[nodiscard]] Expected<std::uint32_t> count_backup_codes(std::string_view user);
  [[nodiscard]] Expected<void> replace_backup_codes(std::string_view user, const std::vector<BackupCodeHash>& hashes);
  // Deletes one code; false when it was already used.
  [[nodiscard]] Expected<bool> consume_backup_code(std::string_view user, const BackupCodeHash& hash);

  [[nodiscard]] Expected<AttemptLimit> attempt_limit(std::string_view user);
  [[nodiscard]] Expected<void> put_attempt_limit(std::string_view user, const AttemptLimit& limit);
  [[nodiscard]] Expected<void> delete_attempt_limit(std::string_view user);

 private:
  struct Statements;
  Store(SqliteDatabase db, std::unique_ptr<Statements> statements, std::filesystem::path path);

  SqliteDatabase db_;
  std::filesystem::path path_;
  std::unique_ptr<Statements> statements_;
  int open_transactions_ = 0;

 public:
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();
};

}  // namespace otpd
