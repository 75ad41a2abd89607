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

// The error's own words, or the errno's when it has none.
std::string text_of(const SdBusError& error, int result) {
  return error.message() != nullptr ? error.message() : std::strerror(-result);
}

ExitCode report_bus_error(Console& console, const SdBusError& error, int result) {
  if (error.has_name(SD_BUS_ERROR_SERVICE_UNKNOWN) || error.has_name(SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
    say(console,
        "otpd is not on the system bus (" + text_of(error, result) + "); start it with: systemctl start otpd.service");
    return ExitCode::unreachable;
  }
  if (error.has_name(SD_BUS_ERROR_ACCESS_DENIED) || error.has_name(protocol::bus_error::kAccessDenied.c_str())) {
    say(console, "otpd refused the reset: " + text_of(error, result));
    return ExitCode::refused;
  }
  say(console, "reset failed: " + text_of(error, result));
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
  SdBusError error;
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
