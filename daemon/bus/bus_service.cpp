#include "bus/bus_service.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "protocol.hpp"
#include "service/user_directory.hpp"

namespace otpd {

namespace proto = protocol;
using proto::Outcome;

namespace {

using proto::kBusName;
using proto::kInterface;
using proto::kObjectPath;
using proto::bus_error::kBusy;
using proto::bus_error::kInternal;
using proto::bus_error::kInvalidArgument;

int invalid_argument(sd_bus_error* error, const char* what) {
  return sd_bus_error_set(error, kInvalidArgument.c_str(), what);
}

bool within(const char* text, std::size_t limit) { return std::string_view(text).size() <= limit; }

// Every method waits at the gate until the bus daemon has vouched for a root caller.
template <int (BusService::*Method)(sd_bus_message*, sd_bus_error*)>
int guarded(BusService* self, RootCallerGate& gate, sd_bus_message* message, sd_bus_error* error) noexcept {
  try {
    return gate.admit(message, error, [self](sd_bus_message* call, sd_bus_error* call_error) {
      return (self->*Method)(call, call_error);
    });
  } catch (...) {
    return sd_bus_error_set(error, kInternal.c_str(), "Internal error");
  }
}

}  // namespace

BusService::~BusService() = default;

std::string login_message(const LoginResult& result, std::int64_t now) {
  const std::string wait = std::to_string(std::max<std::int64_t>(result.attempt.retry_after(now), 1));
  switch (result.outcome) {
    case Outcome::ok: return "Verification code accepted.";
    case Outcome::ok_backup:
      if (result.backup_codes_left == 0) {
        return "Backup code accepted; none left. Run otp-enroll backup-codes now.";
      }
      return "Backup code accepted; " + std::to_string(result.backup_codes_left) + " left.";
    case Outcome::invalid:
      if (result.attempt.lockout_started) {
        return "Invalid verification code. Too many failed attempts; try again in " + wait + " s.";
      }
      return "Invalid verification code.";
    case Outcome::replayed:
      if (result.attempt.clock_behind > 0) {
        return "The server's clock is behind the last code used; use a backup code, or ask an administrator to "
               "check the time.";
      }
      return "This code was already used; wait for the next one.";
    case Outcome::locked: return "Too many failed attempts; try again in " + wait + " s.";
    case Outcome::not_enrolled: return "Two-factor authentication is not set up for this account.";
  }
  return "Invalid verification code.";
}

int BusService::on_verify(sd_bus_message* message, void* userdata, sd_bus_error* error) noexcept {
  auto* self = static_cast<BusService*>(userdata);
  return guarded<&BusService::verify>(self, *self->gate_, message, error);
}
int BusService::on_status(sd_bus_message* message, void* userdata, sd_bus_error* error) noexcept {
  auto* self = static_cast<BusService*>(userdata);
  return guarded<&BusService::status>(self, *self->gate_, message, error);
}
int BusService::on_reset(sd_bus_message* message, void* userdata, sd_bus_error* error) noexcept {
  auto* self = static_cast<BusService*>(userdata);
  return guarded<&BusService::reset>(self, *self->gate_, message, error);
}

// Parses and checks the call, then queues it for the next group commit (drain),
// once its code is hashed if it may be a backup code.
int BusService::verify(sd_bus_message* message, sd_bus_error* error) {
  const char* login_name = nullptr;
  const char* code = nullptr;
  const char* service = nullptr;
  const char* rhost = nullptr;
  if (int r = sd_bus_message_read(message, "ssss", &login_name, &code, &service, &rhost); r < 0) return r;
  if (!is_acceptable_user_name(login_name) || !within(code, proto::kMaxCodeLength) ||
      !within(service, proto::kMaxServiceLength) || !within(rhost, proto::kMaxRhostLength)) {
    return invalid_argument(error, "Verify: an argument is malformed or too long");
  }
  auto user = enrollment_name(login_name);
  if (!user) return internal_error(error, "Verify", user.error());
  VerifyCall call{
      SdBusMessage(sd_bus_message_ref(message)), login_name, std::move(*user), code, service, rhost, std::nullopt};
  auto batch = service_.login_backup_code_batch(call.user, call.code);
  if (!batch) return internal_error(error, "Verify", batch.error());
  if (*batch) return hash_then_queue(std::move(call), std::move(**batch), error);
  queue(std::move(call));
  return 1;
}

int BusService::hash_then_queue(VerifyCall call, BackupCodeBatch batch, sd_bus_error* error) {
  auto waiting = std::make_shared<VerifyCall>(std::move(call));
  auto hashed = [this, waiting, salt = batch.salt,
                 iterations = batch.iterations](Expected<std::vector<BackupCodeHash>> hashes) {
    if (!hashes) return answer_verify(*waiting, tl::unexpected(hashes.error()));
    waiting->backup_digest = BackupCodeDigest{salt, iterations, hashes->front()};
    queue(std::move(*waiting));
  };
  const std::string owner = waiting->user;
  switch (login_hashing_->submit(owner, std::move(batch), hashed)) {
    case HashAdmission::accepted: return 1;
    case HashAdmission::owner_busy:
    case HashAdmission::all_busy: break;
  }
  log_.security(
      {"login_busy", LogLevel::warning, {{"user", owner}, {"service", waiting->service}, {"rhost", waiting->rhost}}});
  return sd_bus_error_set(error, kBusy.c_str(), "otpd is checking as many backup codes as it takes; try again");
}

// Joins the next group commit; a full group goes at once.
void BusService::queue(VerifyCall call) {
  if (auto armed = batch_flush_->request(); !armed) return answer_verify(call, tl::unexpected(armed.error()));
  queued_.push_back(std::move(call));
  if (queued_.size() >= kMaxBatch) drain();
}

// The group commit: every queued Verify in one transaction, then the answers. A
// login is logged as a success and answered "ok" only after its commit.
void BusService::drain() {
  if (queued_.empty()) return;  // a full batch went early
  std::vector<VerifyCall> batch;
  batch.swap(queued_);
  std::vector<LoginAttempt> attempts;
  attempts.reserve(batch.size());
  for (const auto& call : batch) attempts.push_back(LoginAttempt{call.user, call.code, call.backup_digest});
  const auto results = service_.verify_logins(attempts);
  for (std::size_t i = 0; i < batch.size(); ++i) answer_verify(batch[i], results[i]);
}

void BusService::answer_verify(const VerifyCall& call, const Expected<LoginResult>& result) {
  if (!result) {
    SdBusError error;
    internal_error(error.get(), "Verify", result.error());
    (void)sd_bus_reply_method_error(call.message.get(), error.get());
    return;
  }
  log_login(call, *result);
  const std::string outcome(proto::outcome_name(result->outcome));
  const std::string text = login_message(*result, service_.now());
  // A caller that went away meanwhile misses its answer; its attempt counted all the same.
  (void)sd_bus_reply_method_return(call.message.get(), "ssu", outcome.c_str(), text.c_str(), result->backup_codes_left);
}

int BusService::status(sd_bus_message* message, sd_bus_error* error) {
  const char* user = nullptr;
  if (int r = sd_bus_message_read(message, "s", &user); r < 0) return r;
  if (!is_acceptable_user_name(user)) return invalid_argument(error, "Status: malformed user name");
  const auto name = enrollment_name(user);
  if (!name) return internal_error(error, "Status", name.error());
  auto result = service_.status(*name);
  if (!result) return internal_error(error, "Status", result.error());

  sd_bus_message* raw = nullptr;
  if (int r = sd_bus_message_new_method_return(message, &raw); r < 0) return r;
  SdBusMessage reply(raw);
  // One key, its type and its value a line.
  // clang-format off
  const int r = sd_bus_message_append(
      reply.get(), "a{sv}", 5,
      proto::kStatusKeyEnabled.c_str(), "b", int{result->enabled},
      proto::kStatusKeyPending.c_str(), "b", int{result->pending},
      proto::kStatusKeyBackupCodesLeft.c_str(), "u", result->backup_codes_left,
      proto::kStatusKeyLockedUntil.c_str(), "t", static_cast<std::uint64_t>(result->locked_until),
      proto::kStatusKeyClockSkew.c_str(), "x", static_cast<std::int64_t>(result->clock_behind));
  // clang-format on
  if (r < 0) return r;
  return sd_bus_send(nullptr, reply.get(), nullptr);
}

int BusService::reset(sd_bus_message* message, sd_bus_error* error) {
  const char* user = nullptr;
  if (int r = sd_bus_message_read(message, "s", &user); r < 0) return r;
  if (!is_acceptable_user_name(user)) return invalid_argument(error, "Reset: malformed user name");
  const auto found = enrollment_name(user);
  if (!found) return internal_error(error, "Reset", found.error());
  const std::string& name = *found;
  auto removed = service_.reset(name);
  if (!removed) return internal_error(error, "Reset", removed.error());
  log_.security({"reset", LogLevel::notice, {{"user", name}, {"had_enrollment", *removed ? "yes" : "no"}}});
  return sd_bus_reply_method_return(message, "");
}

// Enrollments are stored under the uid's name (canonical_user_name). A login name
// that has one is such a name: no directory lookup on the login path, where a slow
// or large directory would stall every login. Only a name without one is resolved,
// so that an alias or a case variant finds its uid's enrollment; a directory that
// cannot answer is an error, never "not enrolled".
Expected<std::string> BusService::enrollment_name(const char* login_name) {
  const auto stored = service_.has_enrollment(login_name);
  if (stored && *stored) return std::string(login_name);
  return canonical_user_name(users_, login_name);
}

int BusService::internal_error(sd_bus_error* error, std::string_view what, const Error& cause) {
  log_.message(LogLevel::error, std::string(what) + " failed: " + cause.message);
  return sd_bus_error_set(error, kInternal.c_str(), "otpd could not complete the request; see its log");
}

void BusService::log_login(const VerifyCall& call, const LoginResult& result) {
  // The right code, refused because otpd's clock went back: no failure (fail2ban must
  // not ban the user for it), one line an episode.
  if (result.attempt.clock_behind > 0) {
    if (!result.attempt.clock_skew_started) return;
    log_.security({"clock_skew",
                   LogLevel::warning,
                   {{"user", call.user},
                    {"service", call.service},
                    {"rhost", call.rhost},
                    {"behind_seconds", std::to_string(result.attempt.clock_behind)}}});
    return;
  }
  const bool accepted = proto::outcome_accepts(result.outcome);
  std::string_view event = accepted ? "login_success" : "login_failure";
  if (result.outcome == Outcome::locked) event = "login_locked";
  if (result.outcome == Outcome::not_enrolled) event = "login_not_enrolled";
  SecurityEvent entry{event,
                      accepted ? LogLevel::info : LogLevel::warning,
                      {{"user", call.user},
                       {"service", call.service},
                       {"rhost", call.rhost},
                       {"outcome", std::string(proto::outcome_name(result.outcome))}}};
  if (call.user != call.login_name) entry.fields.push_back({"login_name", call.login_name});
  if (result.outcome == Outcome::ok_backup) {
    entry.fields.push_back({"backup_codes_left", std::to_string(result.backup_codes_left)});
  }
  log_.security(entry);
  if (result.attempt.lockout_started) {
    log_.security({"lockout",
                   LogLevel::warning,
                   {{"user", call.user},
                    {"service", call.service},
                    {"rhost", call.rhost},
                    {"locked_until", std::to_string(result.attempt.locked_until)}}});
  }
}

// The vtable must outlive the object registration: static storage.
const sd_bus_vtable* BusService::vtable() {
  static const sd_bus_vtable table[] = {
      SD_BUS_VTABLE_START(0),
      // The arguments in, then the results.
      // clang-format off
      SD_BUS_METHOD_WITH_NAMES("Verify", "ssss",
                               SD_BUS_PARAM(user) SD_BUS_PARAM(code) SD_BUS_PARAM(service) SD_BUS_PARAM(rhost),
                               "ssu", SD_BUS_PARAM(outcome) SD_BUS_PARAM(message) SD_BUS_PARAM(backup_codes_left),
                               &BusService::on_verify, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("Status", "s", SD_BUS_PARAM(user), "a{sv}", SD_BUS_PARAM(status),
                               &BusService::on_status, SD_BUS_VTABLE_UNPRIVILEGED),
      // clang-format on
      SD_BUS_METHOD_WITH_NAMES("Reset", "s", SD_BUS_PARAM(user), "", , &BusService::on_reset,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_VTABLE_END,
  };
  return table;
}

Expected<std::unique_ptr<BusService>> BusService::start(sd_event* event, OtpService& service,
                                                        const UserDirectory& users, EventLog& log) {
  std::unique_ptr<BusService> self(new BusService(service, users, log));
  sd_bus* raw = nullptr;
  if (int r = sd_bus_open_system(&raw); r < 0) {
    return fail(ErrorKind::system, std::string("cannot connect to the system bus: ") + std::strerror(-r));
  }
  self->bus_.reset(raw);
  self->gate_ = std::make_unique<RootCallerGate>(raw);
  auto flush = BatchFlush::create(event, kMaxBatchDelay, [service = self.get()] { service->drain(); });
  if (!flush) return tl::unexpected(flush.error());
  self->batch_flush_ = std::move(*flush);
  const HashPoolLimits login_limits{2, kMaxLoginsHashing, std::max(1U, service.policy().lockout.max_failures)};
  auto login_hashing = HashWorkerPool::start(event, login_limits);
  if (!login_hashing) return tl::unexpected(login_hashing.error());
  self->login_hashing_ = std::move(*login_hashing);
  sd_bus_slot* slot = nullptr;
  if (int r = sd_bus_add_object_vtable(self->bus_.get(), &slot, kObjectPath.c_str(), kInterface.c_str(), vtable(),
                                       self.get());
      r < 0) {
    return fail(ErrorKind::system, std::string("cannot export the bus object: ") + std::strerror(-r));
  }
  self->object_slot_.reset(slot);
  if (int r = sd_bus_request_name(self->bus_.get(), kBusName.c_str(), 0); r < 0) {
    return fail(ErrorKind::system, "cannot own " + std::string(kBusName) + " on the system bus: " + std::strerror(-r) +
                                       (r == -EEXIST ? " (is another otpd running?)" : ""));
  }
  if (int r = sd_bus_attach_event(self->bus_.get(), event, SD_EVENT_PRIORITY_NORMAL); r < 0) {
    return fail(ErrorKind::system, std::string("cannot attach the bus to the event loop: ") + std::strerror(-r));
  }
  return self;
}

}  // namespace otpd
