// Owners for the sd-bus and sd-event handles every part of otpd holds: each freed by
// its own function, exactly once, on every path.
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <memory>

namespace otpd {

struct SdBusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
// Close without flushing, for a connection whose every call already waited for its
// reply: nothing is left to send, and flushing a connection that is still
// authenticating waits up to sd-bus's own 90 s for a hung bus daemon. The PAM module
// uses it so no descriptor outlives pam_sm_authenticate and nothing blocks it.
struct SdBusUnflushedDeleter {
  void operator()(sd_bus* bus) const { sd_bus_close_unref(bus); }
};
struct SdBusSlotDeleter {
  void operator()(sd_bus_slot* slot) const { sd_bus_slot_unref(slot); }
};
struct SdBusCredsDeleter {
  void operator()(sd_bus_creds* creds) const { sd_bus_creds_unref(creds); }
};
struct SdBusMessageDeleter {
  void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};
struct SdEventDeleter {
  void operator()(sd_event* event) const { sd_event_unref(event); }
};
struct SdEventSourceDeleter {
  void operator()(sd_event_source* source) const { sd_event_source_disable_unref(source); }
};

using SdBus = std::unique_ptr<sd_bus, SdBusDeleter>;
using SdBusUnflushed = std::unique_ptr<sd_bus, SdBusUnflushedDeleter>;
using SdBusSlot = std::unique_ptr<sd_bus_slot, SdBusSlotDeleter>;
using SdBusCreds = std::unique_ptr<sd_bus_creds, SdBusCredsDeleter>;
using SdBusMessage = std::unique_ptr<sd_bus_message, SdBusMessageDeleter>;
using SdEvent = std::unique_ptr<sd_event, SdEventDeleter>;
using SdEventSource = std::unique_ptr<sd_event_source, SdEventSourceDeleter>;

// sd_bus_error cleans itself only when asked.
class SdBusError {
 public:
  SdBusError() = default;
  ~SdBusError() { sd_bus_error_free(&error_); }
  SdBusError(const SdBusError&) = delete;
  SdBusError& operator=(const SdBusError&) = delete;
  sd_bus_error* get() { return &error_; }
  [[nodiscard]] const char* name() const { return error_.name; }
  [[nodiscard]] const char* message() const { return error_.message; }
  [[nodiscard]] bool has_name(const char* name) const { return sd_bus_error_has_name(&error_, name) != 0; }

 private:
  sd_bus_error error_{};  // SD_BUS_ERROR_NULL without its C99 compound literal
};

}  // namespace otpd
