#include "service/otp_service.hpp"

#include <optional>

#include "core/base32.hpp"
#include "core/otpauth_uri.hpp"
#include "core/qr_png.hpp"
#include "crypto/random_source.hpp"

namespace otpd {

using protocol::Outcome;

std::string secret_associated_data(std::string_view user) { return "otpd/totp-secret/v1/" + std::string(user); }

Expected<CheckedCode> OtpService::check_totp_code(const EnrollmentRecord& record, std::string_view code,
                                                  bool confirming) const {
  auto secret = sealer_.open(record.sealed_secret, secret_associated_data(record.user));
  if (!secret) return tl::unexpected(secret.error());
  const CodeCheckRequest request{code, clock_.now(), policy_.window, !confirming, !confirming};
  return check_totp(secret->view(), record, request);
}

Expected<CheckedCode> OtpService::check_code(const EnrollmentRecord& record, std::string_view code, bool confirming) {
  auto checked = check_totp_code(record, code, confirming);
  if (!checked || checked->match != CodeMatch::none || confirming || record.backup_salt.empty()) return checked;
  const auto normalized = normalize_backup_code(code);
  if (!normalized) return checked;
  auto hash = BackupCodeHasher(record.backup_kdf_iterations).hash(record.backup_salt, normalized->view());
  if (!hash) return tl::unexpected(hash.error());
  return match_backup_code(record, *checked, *hash);
}

Expected<CheckedCode> OtpService::check_login_code(const EnrollmentRecord& record, const LoginAttempt& attempt) {
  auto checked = check_totp_code(record, attempt.code, false);
  const auto& digest = attempt.backup_digest;
  if (!checked || checked->match != CodeMatch::none || !digest) return checked;
  // A set replaced since the code was hashed: the code belongs to the old one.
  if (digest->salt != record.backup_salt || digest->iterations != record.backup_kdf_iterations) return checked;
  return match_backup_code(record, *checked, digest->hash);
}

Expected<CheckedCode> OtpService::match_backup_code(const EnrollmentRecord& record, CheckedCode checked,
                                                    const BackupCodeHash& hash) {
  auto stored = store_.backup_code_hashes(record.user);
  if (!stored) return tl::unexpected(stored.error());
  if (find_backup_code_hash(*stored, hash)) {
    checked.match = CodeMatch::backup;
    checked.backup_hash = hash;
  }
  return checked;
}

// Makes an accepted code used. false when a concurrent attempt used it first.
Expected<bool> OtpService::consume(const EnrollmentRecord& record, const CheckedCode& checked) {
  if (checked.match == CodeMatch::backup) return store_.consume_backup_code(record.user, checked.backup_hash);
  if (checked.match == CodeMatch::totp) return store_.advance_watermark(record.user, checked.step);
  return false;
}

AttemptReport OtpService::clock_behind(const EnrollmentRecord& record, const CheckedCode& checked) {
  const bool first = clock_skew_episodes_.first_report(record.user, record.last_step.value_or(0));
  return AttemptReport{0, false, true, checked.clock_behind_seconds, first};
}

Expected<AttemptReport> OtpService::count_failure(std::string_view user, const AttemptLimit& limit, bool replayed) {
  const FailureOutcome failure = record_failure(limit, clock_.now(), policy_.lockout);
  if (auto ok = store_.put_attempt_limit(user, failure.limit); !ok) return tl::unexpected(ok.error());
  return AttemptReport{failure.limit.locked_until, failure.lockout_started, replayed};
}

Expected<OtpService::IssuedCodes> OtpService::issue_backup_codes() const {
  IssuedCodes issued;
  auto codes = generate_backup_codes(policy_.backup_codes);
  if (!codes) return tl::unexpected(codes.error());
  issued.codes = std::move(*codes);
  issued.salt.resize(kBackupCodeSaltBytes);
  if (auto ok = fill_random(issued.salt); !ok) return tl::unexpected(ok.error());
  return issued;
}

BackupCodeBatch OtpService::batch_of(const IssuedCodes& issued) const {
  BackupCodeBatch batch{{}, issued.salt, hasher_.iterations()};
  batch.normalized_codes.reserve(issued.codes.size());
  for (const auto& code : issued.codes) {
    auto normalized = normalize_backup_code(code.view());
    batch.normalized_codes.push_back(normalized ? std::move(*normalized) : SecureString(code.view()));
  }
  return batch;
}

namespace {

template <class Result>
Result refusal(FlowStatus status) {
  Result result;
  result.status = status;
  return result;
}

// Runs an asynchronous flow with inline hashing and hands back what it answered.
template <class Result, class Start>
Expected<Result> run_inline(Start start) {
  InlineHashExecutor executor;
  std::optional<Expected<Result>> answer;
  start(executor, [&answer](Expected<Result> result) { answer.emplace(std::move(result)); });
  if (!answer) return fail(ErrorKind::system, "a flow ended without an answer");
  return std::move(*answer);
}

}  // namespace

// A prepared flow either has its answer already (a refusal, a wrong code) or waits
// for its new codes' hashes; with no codes to hash (a confirm of preissued codes,
// an enable without codes) it commits at once.
template <class Result>
void OtpService::finish(Prepared<Result> prepared, HashExecutor& executor, Commit<Result> commit,
                        std::function<void(Expected<Result>)> done) {
  if (!prepared) return done(tl::unexpected(prepared.error()));
  if (auto* answer = std::get_if<Result>(&*prepared)) return done(std::move(*answer));
  auto change = std::make_shared<PendingChange>(std::get<PendingChange>(std::move(*prepared)));
  if (change->issued.codes.empty()) return done((this->*commit)(*change, {}));
  BackupCodeBatch batch = batch_of(change->issued);
  const std::string owner = change->user;
  auto hashed = [this, change, commit, done](Expected<Hashes> hashes) {
    if (!hashes) return done(tl::unexpected(hashes.error()));
    done((this->*commit)(*change, *hashes));
  };
  switch (executor.submit(owner, std::move(batch), hashed)) {
    case HashAdmission::accepted: return;
    case HashAdmission::owner_busy: return done(refusal<Result>(FlowStatus::user_busy));
    case HashAdmission::all_busy: return done(refusal<Result>(FlowStatus::busy));
  }
}

Expected<std::optional<BackupCodeBatch>> OtpService::login_backup_code_batch(std::string_view user,
                                                                             std::string_view code) {
  auto normalized = normalize_backup_code(code);
  if (!normalized) return std::nullopt;
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  if (!*record || (*record)->state != EnrollmentState::active || (*record)->backup_salt.empty()) return std::nullopt;
  auto limit = store_.attempt_limit(user);
  if (!limit) return tl::unexpected(limit.error());
  if (is_locked(*limit, clock_.now())) return std::nullopt;
  // Some TOTP codes (eight digits, no 0 or 1) have a backup code's shape.
  auto checked = check_totp_code(**record, code, false);
  if (!checked) return tl::unexpected(checked.error());
  if (checked->match != CodeMatch::none) return std::nullopt;
  BackupCodeBatch batch{{}, (*record)->backup_salt, (*record)->backup_kdf_iterations};
  batch.normalized_codes.push_back(std::move(*normalized));
  return batch;
}

BackupCodeDigest backup_code_digest(const BackupCodeBatch& batch, const BackupCodeHash& hash) {
  return BackupCodeDigest{batch.salt, batch.iterations, hash};
}

Expected<LoginResult> OtpService::verify_login(std::string_view user, std::string_view code) {
  LoginAttempt attempt{std::string(user), std::string(code), std::nullopt};
  auto batch = login_backup_code_batch(user, code);
  if (!batch) return tl::unexpected(batch.error());
  if (*batch) {
    auto hashes = hash_backup_code_batch(**batch);
    if (!hashes) return tl::unexpected(hashes.error());
    attempt.backup_digest = backup_code_digest(**batch, hashes->front());
  }
  auto results = verify_logins({&attempt, 1});
  return std::move(results.front());
}

Expected<LoginResult> OtpService::verify_attempt(const LoginAttempt& attempt) {
  const std::string& user = attempt.user;
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  if (!*record || (*record)->state != EnrollmentState::active) {
    return LoginResult{Outcome::not_enrolled, 0, {}};
  }
  auto limit = store_.attempt_limit(user);
  if (!limit) return tl::unexpected(limit.error());
  if (is_locked(*limit, clock_.now())) return LoginResult{Outcome::locked, 0, {limit->locked_until}};

  auto checked = check_login_code(**record, attempt);
  if (!checked) return tl::unexpected(checked.error());
  if (checked->match == CodeMatch::totp_clock_behind) {
    return LoginResult{Outcome::replayed, 0, clock_behind(**record, *checked)};
  }
  auto won = consume(**record, *checked);
  if (!won) return tl::unexpected(won.error());

  LoginResult result;
  if (*won) {
    if (auto ok = store_.delete_attempt_limit(user); !ok) return tl::unexpected(ok.error());
    result.outcome = checked->match == CodeMatch::backup ? Outcome::ok_backup : Outcome::ok;
  } else {
    const bool replayed = checked->match == CodeMatch::totp_replayed || checked->match == CodeMatch::totp;
    auto report = count_failure(user, *limit, replayed);
    if (!report) return tl::unexpected(report.error());
    result.attempt = *report;
    result.outcome = replayed ? Outcome::replayed : Outcome::invalid;
  }
  auto left = store_.count_backup_codes(user);
  if (!left) return tl::unexpected(left.error());
  result.backup_codes_left = *left;
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return result;
}

std::vector<Expected<LoginResult>> OtpService::verify_logins(std::span<const LoginAttempt> attempts) {
  std::vector<Expected<LoginResult>> results;
  results.reserve(attempts.size());
  auto group = store_.begin();
  if (!group) {
    results.assign(attempts.size(), tl::unexpected(group.error()));
    return results;
  }
  for (const auto& attempt : attempts) results.push_back(verify_attempt(attempt));
  if (auto committed = group->commit(); !committed) {
    results.assign(attempts.size(), tl::unexpected(committed.error()));
  }
  return results;
}

Expected<EnableResult> OtpService::enable(std::string_view user, const EnableStyle& style) {
  return run_inline<EnableResult>(
      [&](HashExecutor& executor, EnableDone done) { enable(user, style, executor, std::move(done)); });
}

void OtpService::enable(std::string_view user, const EnableStyle& style, HashExecutor& executor, EnableDone done) {
  finish<EnableResult>(prepare_enable(user, style), executor, &OtpService::commit_enable, std::move(done));
}

// Writes nothing: the commit does, once the codes (if any) are hashed.
OtpService::Prepared<EnableResult> OtpService::prepare_enable(std::string_view user, const EnableStyle& style) {
  auto existing = store_.find_enrollment(user);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing && (*existing)->state == EnrollmentState::active) {
    return refusal<EnableResult>(FlowStatus::already_active);
  }

  SecureBytes secret(kSecretBytes);
  if (auto ok = fill_random(secret.mutable_view()); !ok) return tl::unexpected(ok.error());
  auto sealed = sealer_.seal(secret.view(), secret_associated_data(user));
  if (!sealed) return tl::unexpected(sealed.error());

  PendingChange change{std::string(user), std::move(*sealed), {}, {}, {}};
  change.enabled.secret_base32 = base32_encode(secret.view());
  change.enabled.otpauth_uri = otpauth_uri(policy_.issuer, user, change.enabled.secret_base32.view(), policy_.totp);
  if (style.with_qr) {
    auto png = qr_png(change.enabled.otpauth_uri.view());
    if (!png) return tl::unexpected(png.error());
    change.enabled.qr_png = std::move(*png);
  }
  if (style.issue_backup_codes) {
    auto issued = issue_backup_codes();
    if (!issued) return tl::unexpected(issued.error());
    change.issued = std::move(*issued);
  }
  return change;
}

// Enabling again while pending replaces the pending enrollment, whoever made it; a
// confirm that activated one meanwhile wins.
Expected<EnableResult> OtpService::commit_enable(PendingChange& change, const Hashes& hashes) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto existing = store_.find_enrollment(change.user);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing && (*existing)->state == EnrollmentState::active) {
    return refusal<EnableResult>(FlowStatus::already_active);
  }
  EnableResult result = std::move(change.enabled);
  result.expires_at = clock_.now() + policy_.enrollment_ttl;
  EnrollmentRecord record{change.user,
                          EnrollmentState::pending,
                          change.sealed_secret,
                          policy_.totp,
                          result.expires_at,
                          std::nullopt,
                          false,
                          {},
                          0};
  if (!change.issued.codes.empty()) {
    record.backup_codes_preissued = true;
    record.backup_salt = change.issued.salt;
    record.backup_kdf_iterations = hasher_.iterations();
  }
  if (auto ok = store_.put_enrollment(record); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.replace_backup_codes(change.user, hashes); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  result.backup_codes = std::move(change.issued.codes);
  return result;
}

Expected<CodeFlowResult> OtpService::confirm(std::string_view user, std::string_view code) {
  return run_inline<CodeFlowResult>(
      [&](HashExecutor& executor, FlowDone done) { confirm(user, code, executor, std::move(done)); });
}

void OtpService::confirm(std::string_view user, std::string_view code, HashExecutor& executor, FlowDone done) {
  finish<CodeFlowResult>(prepare_confirm(user, code), executor, &OtpService::commit_confirm, std::move(done));
}

// The state, the lock, the expiry and the code; a wrong code counts here. What a
// right code changes waits for the commit.
OtpService::Prepared<CodeFlowResult> OtpService::prepare_confirm(std::string_view user, std::string_view code) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  if (!*record) return CodeFlowResult{FlowStatus::no_pending, {}, {}, false};
  if ((*record)->state == EnrollmentState::active) return CodeFlowResult{FlowStatus::already_active, {}, {}, false};
  auto limit = store_.attempt_limit(user);
  if (!limit) return tl::unexpected(limit.error());
  if (is_locked(*limit, clock_.now())) return CodeFlowResult{FlowStatus::locked, {limit->locked_until}, {}, false};

  if ((*record)->expires_at <= clock_.now()) {
    if (auto ok = store_.delete_enrollment(user); !ok) return tl::unexpected(ok.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::expired, {}, {}, false};
  }

  auto checked = check_code(**record, code, true);
  if (!checked) return tl::unexpected(checked.error());
  if (checked->match != CodeMatch::totp) {
    auto report = count_failure(user, *limit, false);
    if (!report) return tl::unexpected(report.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::invalid_code, *report, {}, false};
  }
  PendingChange change{std::string(user), (*record)->sealed_secret, *checked, {}, {}};
  if (!(*record)->backup_codes_preissued) {
    auto issued = issue_backup_codes();
    if (!issued) return tl::unexpected(issued.error());
    change.issued = std::move(*issued);
  }
  return change;
}

// The pending enrollment that was checked must still be there, unlocked and not
// expired; anything else is answered as it now stands, and nothing is written for it.
Expected<CodeFlowResult> OtpService::commit_confirm(PendingChange& change, const Hashes& hashes) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto record = store_.find_enrollment(change.user);
  if (!record) return tl::unexpected(record.error());
  if (!*record) return CodeFlowResult{FlowStatus::no_pending, {}, {}, false};
  EnrollmentRecord& active = **record;
  if (active.state == EnrollmentState::active) return CodeFlowResult{FlowStatus::already_active, {}, {}, false};
  if (active.sealed_secret != change.sealed_secret || active.backup_codes_preissued == !change.issued.codes.empty()) {
    return CodeFlowResult{FlowStatus::changed, {}, {}, false};
  }
  auto limit = store_.attempt_limit(change.user);
  if (!limit) return tl::unexpected(limit.error());
  if (is_locked(*limit, clock_.now())) return CodeFlowResult{FlowStatus::locked, {limit->locked_until}, {}, false};
  if (active.expires_at <= clock_.now()) {
    if (auto ok = store_.delete_enrollment(change.user); !ok) return tl::unexpected(ok.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::expired, {}, {}, false};
  }

  active.state = EnrollmentState::active;
  active.expires_at = 0;
  active.last_step = change.checked.step;  // the confirming code is used
  if (!active.backup_codes_preissued) {
    active.backup_salt = change.issued.salt;
    active.backup_kdf_iterations = hasher_.iterations();
    if (auto ok = store_.replace_backup_codes(change.user, hashes); !ok) return tl::unexpected(ok.error());
  }
  active.backup_codes_preissued = false;
  if (auto ok = store_.put_enrollment(active); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.delete_attempt_limit(change.user); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return CodeFlowResult{FlowStatus::done, {}, std::move(change.issued.codes), false};
}

Expected<std::variant<OtpService::ActiveUser, CodeFlowResult>> OtpService::active_user(std::string_view user) {
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  if (!*record || (*record)->state != EnrollmentState::active) {
    return CodeFlowResult{FlowStatus::not_enabled, {}, {}, false};
  }
  auto limit = store_.attempt_limit(user);
  if (!limit) return tl::unexpected(limit.error());
  if (is_locked(*limit, clock_.now())) return CodeFlowResult{FlowStatus::locked, {limit->locked_until}, {}, false};
  return ActiveUser{std::move(**record), *limit};
}

// disable: an active enrollment, an accepted code (TOTP or backup), then the change,
// all in one transaction.
Expected<CodeFlowResult> OtpService::disable(std::string_view user, std::string_view code) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto found = active_user(user);
  if (!found) return tl::unexpected(found.error());
  if (auto* answer = std::get_if<CodeFlowResult>(&*found)) return std::move(*answer);
  const auto& [record, limit] = std::get<ActiveUser>(*found);

  auto checked = check_code(record, code, false);
  if (!checked) return tl::unexpected(checked.error());
  if (checked->match == CodeMatch::totp_clock_behind) {
    return CodeFlowResult{FlowStatus::invalid_code, clock_behind(record, *checked), {}, false};
  }
  auto won = consume(record, *checked);
  if (!won) return tl::unexpected(won.error());
  if (!*won) {
    const bool replayed = checked->match == CodeMatch::totp_replayed || checked->match == CodeMatch::totp;
    auto report = count_failure(user, limit, replayed);
    if (!report) return tl::unexpected(report.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::invalid_code, *report, {}, false};
  }
  if (auto ok = store_.delete_enrollment(user); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.delete_attempt_limit(user); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return CodeFlowResult{FlowStatus::done, {}, {}, checked->match == CodeMatch::backup};
}

Expected<CodeFlowResult> OtpService::regenerate_backup_codes(std::string_view user, std::string_view code) {
  return run_inline<CodeFlowResult>(
      [&](HashExecutor& executor, FlowDone done) { regenerate_backup_codes(user, code, executor, std::move(done)); });
}

void OtpService::regenerate_backup_codes(std::string_view user, std::string_view code, HashExecutor& executor,
                                         FlowDone done) {
  finish<CodeFlowResult>(prepare_regenerate(user, code), executor, &OtpService::commit_regenerate, std::move(done));
}

// A wrong or replayed code counts here, before anything is hashed; a right one is
// used only by the commit, together with the new set.
OtpService::Prepared<CodeFlowResult> OtpService::prepare_regenerate(std::string_view user, std::string_view code) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto found = active_user(user);
  if (!found) return tl::unexpected(found.error());
  if (auto* answer = std::get_if<CodeFlowResult>(&*found)) return std::move(*answer);
  const auto& [record, limit] = std::get<ActiveUser>(*found);

  auto checked = check_code(record, code, false);
  if (!checked) return tl::unexpected(checked.error());
  if (checked->match == CodeMatch::totp_clock_behind) {
    return CodeFlowResult{FlowStatus::invalid_code, clock_behind(record, *checked), {}, false};
  }
  if (checked->match == CodeMatch::none || checked->match == CodeMatch::totp_replayed) {
    auto report = count_failure(user, limit, checked->match == CodeMatch::totp_replayed);
    if (!report) return tl::unexpected(report.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::invalid_code, *report, {}, false};
  }
  auto issued = issue_backup_codes();
  if (!issued) return tl::unexpected(issued.error());
  return PendingChange{std::string(user), record.sealed_secret, *checked, std::move(*issued), {}};
}

// The same active enrollment, unlocked, and the code still unused (a login may have
// used it meanwhile: then it is a replay, as if it had come second).
Expected<CodeFlowResult> OtpService::commit_regenerate(PendingChange& change, const Hashes& hashes) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto found = active_user(change.user);
  if (!found) return tl::unexpected(found.error());
  if (auto* answer = std::get_if<CodeFlowResult>(&*found)) return std::move(*answer);
  const auto& [record, limit] = std::get<ActiveUser>(*found);
  if (record.sealed_secret != change.sealed_secret) return CodeFlowResult{FlowStatus::changed, {}, {}, false};

  const CheckedCode& checked = change.checked;
  auto won = consume(record, checked);
  if (!won) return tl::unexpected(won.error());
  if (!*won) {
    auto report = count_failure(change.user, limit, checked.match == CodeMatch::totp);
    if (!report) return tl::unexpected(report.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::invalid_code, *report, {}, false};
  }
  EnrollmentRecord updated = record;
  if (checked.match == CodeMatch::totp) updated.last_step = checked.step;
  updated.backup_salt = change.issued.salt;
  updated.backup_kdf_iterations = hasher_.iterations();
  if (auto ok = store_.put_enrollment(updated); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.replace_backup_codes(change.user, hashes); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.delete_attempt_limit(change.user); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return CodeFlowResult{FlowStatus::done, {}, std::move(change.issued.codes), checked.match == CodeMatch::backup};
}

Expected<UserStatus> OtpService::status(std::string_view user) {
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  auto limit = store_.attempt_limit(user);
  if (!limit) return tl::unexpected(limit.error());
  UserStatus status;
  const std::int64_t now = clock_.now();
  if (*record) {
    status.enabled = (*record)->state == EnrollmentState::active;
    status.pending = (*record)->state == EnrollmentState::pending && (*record)->expires_at > now;
  }
  if (status.enabled) {
    auto left = store_.count_backup_codes(user);
    if (!left) return tl::unexpected(left.error());
    status.backup_codes_left = *left;
    status.clock_behind = watermark_lead(**record, now, policy_.window);
  }
  status.locked_until = is_locked(*limit, now) ? limit->locked_until : 0;
  return status;
}

Expected<bool> OtpService::has_enrollment(std::string_view user) {
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  return record->has_value();
}

Expected<bool> OtpService::reset(std::string_view user) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  if (auto ok = store_.delete_enrollment(user); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.delete_attempt_limit(user); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return record->has_value();
}

}  // namespace otpd
