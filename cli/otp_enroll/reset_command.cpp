// `otp-enroll --user NAME reset`: root removes a user's enrollment without a code (the
// lost-phone case). The HTTP API's disable needs a code, so this calls otpd's D-Bus
// Reset, which only uid 0 may call (bus policy and otpd's own check).
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>

#include "otp_enroll/command_support.hpp"
#include "otp_enroll/commands.hpp"
#include "protocol.hpp"
#include "sd_bus_handles.hpp"

namespace otpd::cli {
namespace {

class BusError {
 public:
  BusError() = default;
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { sd_bus_error_free(&error_); }

  sd_bus_error* get() noexcept { return &error_; }
  [[nodiscard]] bool named(std::string_view name) const {
    return sd_bus_error_has_name(&error_, std::string(name).c_str()) != 0;
  }
  [[nodiscard]] std::string text(int result) const {
    return error_.message != nullptr ? error_.message : std::strerror(-result);
  }

 private:
  sd_bus_error error_{};  // SD_BUS_ERROR_NULL without its C99 compound literal
};

ExitCode report_bus_error(Console& console, const BusError& error, int result) {
  if (error.named(SD_BUS_ERROR_SERVICE_UNKNOWN) || error.named(SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
    say(console,
        "otpd is not on the system bus (" + error.text(result) + "); start it with: systemctl start otpd.service");
    return ExitCode::unreachable;
  }
  if (error.named(SD_BUS_ERROR_ACCESS_DENIED) || error.named(protocol::bus_error::kAccessDenied)) {
    say(console, "otpd refused the reset: " + error.text(result));
    return ExitCode::refused;
  }
  say(console, "reset failed: " + error.text(result));
  return ExitCode::refused;
}

}  // namespace

ExitCode run_reset(const Invocation& invocation, Console& console) {
  if (::geteuid() != 0) {
    say(console, "only root may reset another user's enrollment");
    return ExitCode::refused;
  }
  sd_bus* raw_bus = nullptr;
  const int opened = sd_bus_open_system(&raw_bus);
  const SdBus bus(raw_bus);
  if (opened < 0) {
    say(console, std::string("cannot connect to the system bus: ") + std::strerror(-opened));
    return ExitCode::unreachable;
  }
  constexpr std::uint64_t kMicrosecondsPerSecond = 1'000'000;
  (void)sd_bus_set_method_call_timeout(bus.get(), kMicrosecondsPerSecond * invocation.timeout_seconds);
  BusError error;
  sd_bus_message* raw_reply = nullptr;
  const int called = sd_bus_call_method(bus.get(), protocol::kBusName.c_str(), protocol::kObjectPath.c_str(),
                                        protocol::kInterface.c_str(), protocol::kMethodReset.c_str(), error.get(),
                                        &raw_reply, "s", invocation.user.c_str());
  const SdBusMessage reply(raw_reply);
  if (called < 0) return report_bus_error(console, error, called);
  if (invocation.json) {
    console.out << R"({"success":true})" << '\n';
  } else {
    console.out << "Two-factor login for " << invocation.user << " is removed.\n";
  }
  return ExitCode::ok;
}

}  // namespace otpd::cli
