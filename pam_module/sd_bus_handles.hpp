// Owners for the sd-bus handles the module holds, so no path leaks one.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

namespace otpd::pam {

struct BusCloser {
  // Flush and close, not just unref: the module runs inside sshd or sudo and must
  // leave no descriptor behind when pam_sm_authenticate returns.
  void operator()(sd_bus* bus) const noexcept { sd_bus_flush_close_unref(bus); }
};
using BusPtr = std::unique_ptr<sd_bus, BusCloser>;

struct MessageUnref {
  void operator()(sd_bus_message* message) const noexcept { sd_bus_message_unref(message); }
};
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;

class BusErrorHolder {
 public:
  BusErrorHolder() = default;
  ~BusErrorHolder() { sd_bus_error_free(&error_); }
  BusErrorHolder(const BusErrorHolder&) = delete;
  BusErrorHolder& operator=(const BusErrorHolder&) = delete;

  [[nodiscard]] sd_bus_error* get() { return &error_; }
  [[nodiscard]] const sd_bus_error* get() const { return &error_; }

 private:
  sd_bus_error error_ = SD_BUS_ERROR_NULL;
};

}  // namespace otpd::pam
