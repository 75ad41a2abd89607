// What otpd does for its callers: verify a login, and run the enable -> confirm ->
// disable flow with backup codes. Each operation is one transaction on the store.
// It neither logs nor knows about D-Bus or HTTP: it returns what happened, and the
// layer above tells the caller and the journal.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/backup_codes.hpp"
#include "core/clock.hpp"
#include "core/clock_skew_episodes.hpp"
#include "core/code_checker.hpp"
#include "core/error.hpp"
#include "core/hash_executor.hpp"
#include "core/lockout_policy.hpp"
#include "core/totp.hpp"
#include "crypto/secret_sealer.hpp"
#include "protocol.hpp"
#include "store/store.hpp"

namespace otpd {

struct ServicePolicy {
  std::string issuer = "otpd";
  TotpParameters totp;
  unsigned window = 1;
  std::int64_t enrollment_ttl = 600;
  LockoutPolicy lockout;
  unsigned backup_codes = 10;
};

inline constexpr std::size_t kSecretBytes = 20;  // 160 bits, RFC 4226's recommendation

// Why a flow step did not happen; `done` when it did.
enum class FlowStatus {
  done,
  already_active,  // enable/confirm when 2FA is on
  not_enabled,     // disable/backup-codes without active 2FA
  no_pending,      // confirm without an enrollment to confirm
  expired,         // confirm after enrollment_ttl
  invalid_code,    // a wrong or replayed code (counted as a failure)
  locked,          // locked out: the code was not even looked at
  changed,         // the enrollment was replaced while its backup codes were hashed
  user_busy,       // the user has as many backup-code sets being hashed as allowed
  busy,            // otpd has as many backup-code sets being hashed as it takes
};

// Failure bookkeeping every code-checking answer carries.
struct AttemptReport {
  std::int64_t locked_until = 0;  // when locked, or when this failure locked the user
  bool lockout_started = false;
  bool replayed = false;
  // A right code refused because otpd's clock is this many seconds behind the
  // watermark (CodeMatch::totp_clock_behind): no failure was counted.
  std::int64_t clock_behind = 0;
  bool clock_skew_started = false;  // the first such answer of this episode: log it
  [[nodiscard]] std::int64_t retry_after(std::int64_t now) const { return locked_until > now ? locked_until - now : 0; }
};

struct LoginResult {
  protocol::Outcome outcome = protocol::Outcome::invalid;
  std::uint32_t backup_codes_left = 0;
  AttemptReport attempt;
};

// A login's code hashed as a backup code ahead of its check, with the salt and
// cost it was hashed under: the check compares it only against the set it was
// hashed for, never one that replaced it meanwhile.
struct BackupCodeDigest {
  std::vector<std::uint8_t> salt;
  unsigned iterations = 0;
  BackupCodeHash hash{};
};

// The digest of a login's code: its batch and the one hash the batch yielded.
[[nodiscard]] BackupCodeDigest backup_code_digest(const BackupCodeBatch& batch, const BackupCodeHash& hash);

struct LoginAttempt {
  std::string user;
  std::string code;
  // Set when login_backup_code_batch asked for the code to be hashed; a login's
  // check never hashes, it only compares.
  std::optional<BackupCodeDigest> backup_digest;
};

struct EnableStyle {
  bool with_qr = true;              // canonical and seed 003
  bool issue_backup_codes = false;  // seed 004: codes handed out now, valid on confirm
};

struct EnableResult {
  FlowStatus status = FlowStatus::done;
  SecureString secret_base32;
  SecureString otpauth_uri;
  std::vector<std::uint8_t> qr_png;  // empty unless EnableStyle::with_qr
  std::int64_t expires_at = 0;
  std::vector<SecureString> backup_codes;
};

struct CodeFlowResult {
  FlowStatus status = FlowStatus::done;
  AttemptReport attempt;
  std::vector<SecureString> backup_codes;  // new codes (confirm, regenerate)
  bool used_backup_code = false;
};

struct UserStatus {
  bool enabled = false;
  bool pending = false;
  std::uint32_t backup_codes_left = 0;
  std::int64_t locked_until = 0;  // 0 when not locked
  std::int64_t clock_behind = 0;  // seconds otpd's clock is behind the watermark (watermark_lead)
};

using FlowDone = std::function<void(Expected<CodeFlowResult>)>;
using EnableDone = std::function<void(Expected<EnableResult>)>;

// The flows that hand out backup codes (confirm, regenerate, the seed-004 setup)
// run in two steps: "check + prepare" (state, lock, code; a wrong code counts as a
// failure right there, before any hashing) and, once the executor has hashed the new
// codes, "commit", which looks at the state again in its own transaction and answers
// as it then stands. The synchronous overloads hash inline.
class OtpService {
 public:
  OtpService(Store& store, const SecretSealer& sealer, const Clock& clock, ServicePolicy policy,
             BackupCodeHasher hasher = BackupCodeHasher())
      : store_(store), sealer_(sealer), clock_(clock), policy_(std::move(policy)), hasher_(hasher) {}

  // Logins take two steps, so that their one slow part, hashing a backup code (one
  // PBKDF2 run, 30-45 ms), can run off the event loop: login_backup_code_batch
  // says what the code must be hashed as, the caller hashes it where it likes and
  // puts the digest in the attempt, and verify_logins checks and commits. nullopt
  // when nothing needs hashing: no active enrollment or set, a lockout, a TOTP code,
  // or a code that cannot be a backup code. It only reads: the check looks again.
  [[nodiscard]] Expected<std::optional<BackupCodeBatch>> login_backup_code_batch(std::string_view user,
                                                                                 std::string_view code);
  // Both steps, hashing inline.
  [[nodiscard]] Expected<LoginResult> verify_login(std::string_view user, std::string_view code);
  // Verifies several logins in one transaction: one flush to disk for all of them
  // (group commit). Each runs in a savepoint of its own, so a store error fails that
  // attempt alone. If the commit fails, every attempt fails with it: a result is
  // only given out once it is on disk.
  [[nodiscard]] std::vector<Expected<LoginResult>> verify_logins(std::span<const LoginAttempt> attempts);
  [[nodiscard]] Expected<EnableResult> enable(std::string_view user, const EnableStyle& style);
  [[nodiscard]] Expected<CodeFlowResult> confirm(std::string_view user, std::string_view code);
  [[nodiscard]] Expected<CodeFlowResult> disable(std::string_view user, std::string_view code);
  [[nodiscard]] Expected<CodeFlowResult> regenerate_backup_codes(std::string_view user, std::string_view code);
  // The same with the hashing on `executor`: `done` is called exactly once, now or
  // from the executor (unless the executor is torn down first, with nothing written).
  void enable(std::string_view user, const EnableStyle& style, HashExecutor& executor, EnableDone done);
  void confirm(std::string_view user, std::string_view code, HashExecutor& executor, FlowDone done);
  void regenerate_backup_codes(std::string_view user, std::string_view code, HashExecutor& executor, FlowDone done);
  [[nodiscard]] Expected<UserStatus> status(std::string_view user);
  // Whether an enrollment (pending or active) is stored under this exact name.
  [[nodiscard]] Expected<bool> has_enrollment(std::string_view user);
  // Admin: forget the user's enrollment, backup codes and failure count.
  [[nodiscard]] Expected<bool> reset(std::string_view user);

  [[nodiscard]] std::int64_t now() const { return clock_.now(); }
  [[nodiscard]] const ServicePolicy& policy() const { return policy_; }

 private:
  struct IssuedCodes {
    std::vector<SecureString> codes;
    std::vector<std::uint8_t> salt;
  };
  // What "check + prepare" found, for "commit" to hold the state against.
  struct PendingChange {
    std::string user;
    std::vector<std::uint8_t> sealed_secret;  // the enrollment checked (enable: the new one)
    CheckedCode checked;                      // the accepted code (confirm, regenerate)
    IssuedCodes issued;                       // empty for a confirm of preissued codes
    EnableResult enabled;                     // enable only
  };
  using Hashes = std::vector<BackupCodeHash>;
  template <class Result>
  using Prepared = Expected<std::variant<Result, PendingChange>>;
  // An active enrollment and its user's failure bookkeeping, for disable and
  // regenerate to check a code against.
  struct ActiveUser {
    EnrollmentRecord record;
    AttemptLimit limit;
  };
  // The answer instead when the user has no active enrollment or is locked out.
  [[nodiscard]] Expected<std::variant<ActiveUser, CodeFlowResult>> active_user(std::string_view user);

  [[nodiscard]] Expected<LoginResult> verify_attempt(const LoginAttempt& attempt);
  [[nodiscard]] Expected<CheckedCode> check_totp_code(const EnrollmentRecord& record, std::string_view code,
                                                      bool confirming) const;
  // TOTP first, then the code as a backup code, hashed here (the flows).
  [[nodiscard]] Expected<CheckedCode> check_code(const EnrollmentRecord& record, std::string_view code,
                                                 bool confirming);
  // TOTP first, then the attempt's digest, if any (logins).
  [[nodiscard]] Expected<CheckedCode> check_login_code(const EnrollmentRecord& record, const LoginAttempt& attempt);
  [[nodiscard]] Expected<CheckedCode> match_backup_code(const EnrollmentRecord& record, CheckedCode checked,
                                                        const BackupCodeHash& hash);
  [[nodiscard]] Expected<bool> consume(const EnrollmentRecord& record, const CheckedCode& checked);
  // The report for a right code refused because the clock is behind the watermark.
  [[nodiscard]] AttemptReport clock_behind(const EnrollmentRecord& record, const CheckedCode& checked);
  [[nodiscard]] Expected<AttemptReport> count_failure(std::string_view user, const AttemptLimit& limit, bool replayed);
  [[nodiscard]] Expected<IssuedCodes> issue_backup_codes() const;
  [[nodiscard]] BackupCodeBatch batch_of(const IssuedCodes& issued) const;
  template <class Result>
  using Commit = Expected<Result> (OtpService::*)(PendingChange&, const Hashes&);
  template <class Result>
  void finish(Prepared<Result> prepared, HashExecutor& executor, Commit<Result> commit,
              std::function<void(Expected<Result>)> done);

  [[nodiscard]] Prepared<EnableResult> prepare_enable(std::string_view user, const EnableStyle& style);
  [[nodiscard]] Expected<EnableResult> commit_enable(PendingChange& change, const Hashes& hashes);
  [[nodiscard]] Prepared<CodeFlowResult> prepare_confirm(std::string_view user, std::string_view code);
  [[nodiscard]] Expected<CodeFlowResult> commit_confirm(PendingChange& change, const Hashes& hashes);
  [[nodiscard]] Prepared<CodeFlowResult> prepare_regenerate(std::string_view user, std::string_view code);
  [[nodiscard]] Expected<CodeFlowResult> commit_regenerate(PendingChange& change, const Hashes& hashes);

  Store& store_;
  const SecretSealer& sealer_;
  const Clock& clock_;
  ServicePolicy policy_;
  BackupCodeHasher hasher_;
  ClockSkewEpisodes clock_skew_episodes_;
};

// What the sealed secret of `user` is bound to.
[[nodiscard]] std::string secret_associated_data(std::string_view user);

}  // namespace otpd
