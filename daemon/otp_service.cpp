#include "otp_service.hpp"

#include "base32.hpp"
#include "otpauth_uri.hpp"
#include "qr_png.hpp"
#include "random_source.hpp"

namespace otpd {

using protocol::Outcome;

std::string secret_associated_data(std::string_view user) {
  return "otpd/totp-secret/v1/" + std::string(user);
}

Expected<CheckedCode> OtpService::check_code(const EnrollmentRecord& record, std::string_view code,
                                             bool confirming) {
  auto secret = sealer_.open(record.sealed_secret, secret_associated_data(record.user));
  if (!secret) return tl::unexpected(secret.error());
  const CodeCheckRequest request{code, clock_.now(), policy_.window, !confirming, !confirming};
  CheckedCode checked = check_totp(secret->view(), record, request);
  if (checked.match != CodeMatch::none || !request.allow_backup_code || record.backup_salt.empty()) {
    return checked;
  }
  const auto normalized = normalize_backup_code(code);
  if (!normalized) return checked;
  const BackupCodeHasher hasher(record.backup_kdf_iterations);
  auto hash = hasher.hash(record.backup_salt, normalized->str());
  if (!hash) return tl::unexpected(hash.error());
  auto stored = store_.backup_code_hashes(record.user);
  if (!stored) return tl::unexpected(stored.error());
  if (find_backup_code_hash(*stored, *hash)) {
    checked.match = CodeMatch::backup;
    checked.backup_hash = *hash;
  }
  return checked;
}

// Makes an accepted code used. false when a concurrent attempt used it first.
Expected<bool> OtpService::consume(const EnrollmentRecord& record, const CheckedCode& checked) {
  if (checked.match == CodeMatch::backup) return store_.consume_backup_code(record.user, checked.backup_hash);
  if (checked.match == CodeMatch::totp) return store_.advance_watermark(record.user, checked.step);
  return false;
}

Expected<AttemptReport> OtpService::count_failure(std::string_view user, const AttemptLimit& limit,
                                                  bool replayed) {
  const FailureOutcome failure = record_failure(limit, clock_.now(), policy_.lockout);
  if (auto ok = store_.put_attempt_limit(user, failure.limit); !ok) return tl::unexpected(ok.error());
  return AttemptReport{failure.limit.locked_until, failure.lockout_started, replayed};
}

Expected<OtpService::IssuedCodes> OtpService::issue_backup_codes() {
  IssuedCodes issued;
  auto codes = generate_backup_codes(policy_.backup_codes);
  if (!codes) return tl::unexpected(codes.error());
  issued.codes = std::move(*codes);
  issued.salt.resize(kBackupCodeSaltBytes);
  if (auto ok = fill_random(issued.salt); !ok) return tl::unexpected(ok.error());
  for (const auto& code : issued.codes) {
    const auto normalized = normalize_backup_code(code);
    auto hash = hasher_.hash(issued.salt, normalized ? normalized->str() : code);
    if (!hash) return tl::unexpected(hash.error());
    issued.hashes.push_back(*hash);
  }
  return issued;
}

Expected<LoginResult> OtpService::verify_login(std::string_view user, std::string_view code) {
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

  auto checked = check_code(**record, code, false);
  if (!checked) return tl::unexpected(checked.error());
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
  for (const auto& attempt : attempts) results.push_back(verify_login(attempt.user, attempt.code));
  if (auto committed = group->commit(); !committed) {
    results.assign(attempts.size(), tl::unexpected(committed.error()));
  }
  return results;
}

Expected<EnableResult> OtpService::enable(std::string_view user, const EnableStyle& style) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto existing = store_.find_enrollment(user);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing && (*existing)->state == EnrollmentState::active) {
    return EnableResult{FlowStatus::already_active, {}, {}, {}, 0, {}};
  }

  SecureBytes secret(kSecretBytes);
  if (auto ok = fill_random(secret.mutable_view()); !ok) return tl::unexpected(ok.error());
  auto sealed = sealer_.seal(secret.view(), secret_associated_data(user));
  if (!sealed) return tl::unexpected(sealed.error());

  EnableResult result;
  result.secret_base32 = base32_encode(secret.view());
  result.otpauth_uri = otpauth_uri(policy_.issuer, user, result.secret_base32, policy_.totp);
  result.expires_at = clock_.now() + policy_.enrollment_ttl;
  if (style.with_qr) {
    auto png = qr_png(result.otpauth_uri);
    if (!png) return tl::unexpected(png.error());
    result.qr_png = std::move(*png);
  }

  EnrollmentRecord record{std::string(user), EnrollmentState::pending, std::move(*sealed),
                          policy_.totp, result.expires_at, std::nullopt, false, {}, 0};
  std::vector<BackupCodeHash> hashes;
  if (style.issue_backup_codes) {
    auto issued = issue_backup_codes();
    if (!issued) return tl::unexpected(issued.error());
    record.backup_codes_preissued = true;
    record.backup_salt = std::move(issued->salt);
    record.backup_kdf_iterations = hasher_.iterations();
    hashes = std::move(issued->hashes);
    result.backup_codes = std::move(issued->codes);
  }
  if (auto ok = store_.put_enrollment(record); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.replace_backup_codes(user, hashes); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return result;
}

Expected<CodeFlowResult> OtpService::confirm(std::string_view user, std::string_view code) {
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
  CodeFlowResult result;
  if (checked->match != CodeMatch::totp) {
    auto report = count_failure(user, *limit, false);
    if (!report) return tl::unexpected(report.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::invalid_code, *report, {}, false};
  }

  EnrollmentRecord& active = **record;
  active.state = EnrollmentState::active;
  active.expires_at = 0;
  active.last_step = checked->step;  // the confirming code is used
  if (!active.backup_codes_preissued) {
    auto issued = issue_backup_codes();
    if (!issued) return tl::unexpected(issued.error());
    active.backup_salt = std::move(issued->salt);
    active.backup_kdf_iterations = hasher_.iterations();
    if (auto ok = store_.replace_backup_codes(user, issued->hashes); !ok) return tl::unexpected(ok.error());
    result.backup_codes = std::move(issued->codes);
  }
  active.backup_codes_preissued = false;
  if (auto ok = store_.put_enrollment(active); !ok) return tl::unexpected(ok.error());
  if (auto ok = store_.delete_attempt_limit(user); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return result;
}

// disable and regenerate: an active enrollment, an accepted code (TOTP or backup),
// then the change, all in one transaction.
Expected<CodeFlowResult> OtpService::run_code_flow(std::string_view user, std::string_view code,
                                                   bool disabling) {
  auto transaction = store_.begin();
  if (!transaction) return tl::unexpected(transaction.error());
  auto record = store_.find_enrollment(user);
  if (!record) return tl::unexpected(record.error());
  if (!*record || (*record)->state != EnrollmentState::active) {
    return CodeFlowResult{FlowStatus::not_enabled, {}, {}, false};
  }
  auto limit = store_.attempt_limit(user);
  if (!limit) return tl::unexpected(limit.error());
  if (is_locked(*limit, clock_.now())) return CodeFlowResult{FlowStatus::locked, {limit->locked_until}, {}, false};

  auto checked = check_code(**record, code, false);
  if (!checked) return tl::unexpected(checked.error());
  auto won = consume(**record, *checked);
  if (!won) return tl::unexpected(won.error());
  if (!*won) {
    const bool replayed = checked->match == CodeMatch::totp_replayed || checked->match == CodeMatch::totp;
    auto report = count_failure(user, *limit, replayed);
    if (!report) return tl::unexpected(report.error());
    if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
    return CodeFlowResult{FlowStatus::invalid_code, *report, {}, false};
  }

  CodeFlowResult result;
  result.used_backup_code = checked->match == CodeMatch::backup;
  if (disabling) {
    if (auto ok = store_.delete_enrollment(user); !ok) return tl::unexpected(ok.error());
  } else {
    auto issued = issue_backup_codes();
    if (!issued) return tl::unexpected(issued.error());
    EnrollmentRecord updated = **record;
    if (checked->match == CodeMatch::totp) updated.last_step = checked->step;
    updated.backup_salt = std::move(issued->salt);
    updated.backup_kdf_iterations = hasher_.iterations();
    if (auto ok = store_.put_enrollment(updated); !ok) return tl::unexpected(ok.error());
    if (auto ok = store_.replace_backup_codes(user, issued->hashes); !ok) return tl::unexpected(ok.error());
    result.backup_codes = std::move(issued->codes);
  }
  if (auto ok = store_.delete_attempt_limit(user); !ok) return tl::unexpected(ok.error());
  if (auto ok = transaction->commit(); !ok) return tl::unexpected(ok.error());
  return result;
}

Expected<CodeFlowResult> OtpService::disable(std::string_view user, std::string_view code) {
  return run_code_flow(user, code, true);
}

Expected<CodeFlowResult> OtpService::regenerate_backup_codes(std::string_view user, std::string_view code) {
  return run_code_flow(user, code, false);
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
