// Owners for the sd-bus handles the module holds, so no path leaks one.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

namespace otpd::pam {

struct BusCloser {
  // Close, not just unref: the module runs inside sshd or sudo and must leave no
  // descriptor behind when pam_sm_authenticate returns. No flush: every call waited
  // for its reply, so nothing is left to send, and sd_bus_flush() on a connection that
  // is still authenticating waits up to sd-bus's own 90 s for a hung bus daemon.
  void operator()(sd_bus* bus) const noexcept { sd_bus_close_unref(bus); }
};
using BusPtr = std::unique_ptr<sd_bus, BusCloser>;

struct MessageUnref {
  void operator()(sd_bus_message* message) const noexcept { sd_bus_message_unref(message); }
};
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;

struct SlotUnref {
  void operator()(sd_bus_slot* slot) const noexcept { sd_bus_slot_unref(slot); }
};
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotUnref>;

}  // namespace otpd::pam
