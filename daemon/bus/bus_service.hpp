// The D-Bus face of otpd: org.otpd.Otpd1 with Verify, Status and Reset, for root
// only. The bus policy says so, and every call's sender is checked again here
// (RootCallerGate) from the bus daemon's own record of its uid; a failed lookup is
// a denial.
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/batch_flush.hpp"
#include "bus/root_caller_gate.hpp"
#include "core/error.hpp"
#include "sd_bus_handles.hpp"
#include "service/event_log.hpp"
#include "service/hash_worker_pool.hpp"
#include "service/otp_service.hpp"
#include "service/user_directory.hpp"

namespace otpd {

// Logins are committed in groups (one flush to disk for all waiting Verify calls):
// at most this many together, and none waits longer than this for its group.
inline constexpr std::size_t kMaxBatch = 64;
inline constexpr std::chrono::microseconds kMaxBatchDelay{1000};
// Logins whose code must be hashed as a backup code wait for it on threads of their
// own, off the loop where every other login and request is answered: at most this
// many in all. For one user, at most max_failures: as many guesses as can be wrong
// before a lockout, which is what a flood of them would bring about anyway.
inline constexpr unsigned kMaxLoginsHashing = 64;

class BusService {
 public:
  // Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS when set), exports the
  // object, takes the name and attaches to `event`.
  [[nodiscard]] static Expected<std::unique_ptr<BusService>> start(sd_event* event, OtpService& service,
                                                                   const UserDirectory& users, EventLog& log);
  BusService(const BusService&) = delete;
  BusService& operator=(const BusService&) = delete;
  ~BusService();

 private:
  struct VerifyCall {
    SdBusMessage message;    // answered once the batch it joined is on disk
    std::string login_name;  // as PAM passed it
    std::string user;        // the name the enrollment is stored under
    std::string code;
    std::string service;
    std::string rhost;
    std::optional<BackupCodeDigest> backup_digest;
  };

  BusService(OtpService& service, const UserDirectory& users, EventLog& log)
      : service_(service), users_(users), log_(log) {}

  static const sd_bus_vtable* vtable();
  static int on_verify(sd_bus_message* message, void* userdata, sd_bus_error* error) noexcept;
  static int on_status(sd_bus_message* message, void* userdata, sd_bus_error* error) noexcept;
  static int on_reset(sd_bus_message* message, void* userdata, sd_bus_error* error) noexcept;

  int verify(sd_bus_message* message, sd_bus_error* error);
  int hash_then_queue(VerifyCall call, BackupCodeBatch batch, sd_bus_error* error);
  void queue(VerifyCall call);
  void drain();
  void answer_verify(const VerifyCall& call, const Expected<LoginResult>& result);
  int status(sd_bus_message* message, sd_bus_error* error);
  int reset(sd_bus_message* message, sd_bus_error* error);
  Expected<std::string> enrollment_name(const char* login_name);
  int internal_error(sd_bus_error* error, std::string_view what, const Error& cause);
  void log_login(const VerifyCall& call, const LoginResult& result);

  OtpService& service_;
  const UserDirectory& users_;
  EventLog& log_;
  SdBus bus_;
  std::unique_ptr<RootCallerGate> gate_;  // before the bus goes, its questions are cancelled
  SdBusSlot object_slot_;
  // Verify calls waiting for the next group commit; bounded by kMaxBatch.
  std::vector<VerifyCall> queued_;
  std::unique_ptr<BatchFlush> batch_flush_;
  // Last, so first to go: its threads are joined and the calls it holds dropped
  // (their callers get no answer) while the bus they came on is still there.
  std::unique_ptr<HashWorkerPool> login_hashing_;
};

// The sentence shown to the person logging in.
[[nodiscard]] std::string login_message(const LoginResult& result, std::int64_t now);

}  // namespace otpd
