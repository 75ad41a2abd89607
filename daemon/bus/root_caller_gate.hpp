// Lets a D-Bus method call through only once the bus daemon has said that its
// sender runs as uid 0. The question (GetConnectionUnixUser, answered from the
// credentials the kernel gave the bus daemon at connect time, never from /proc) is
// asked asynchronously, so otpd goes on serving other callers meanwhile instead of
// stalling on one round trip per login. No answer, an error, or any other uid is a
// denial.
#pragma once

#include <systemd/sd-bus.h>

#include <functional>
#include <list>

#include "sd_bus_handles.hpp"

namespace otpd {

class RootCallerGate {
 public:
  // Runs the method and either replies itself or returns a negative errno with
  // `error` set, as an sd-bus method handler does.
  using Method = std::function<int(sd_bus_message* call, sd_bus_error* error)>;

  explicit RootCallerGate(sd_bus* bus) : bus_(bus) {}
  RootCallerGate(const RootCallerGate&) = delete;
  RootCallerGate& operator=(const RootCallerGate&) = delete;
  ~RootCallerGate() = default;  // the slots cancel the questions still out

  // For an sd-bus method handler: 1 when the reply will follow, or a negative errno
  // with `error` set when the call is refused at once.
  int admit(sd_bus_message* call, sd_bus_error* error, Method method);

  [[nodiscard]] std::size_t waiting() const { return pending_.size(); }

 private:
  struct Pending {
    RootCallerGate* gate;
    SdBusMessage call;
    Method method;
    SdBusSlot question;
  };

  static int on_sender_uid(sd_bus_message* reply, void* userdata, sd_bus_error* ret_error) noexcept;
  static void answer(Pending& pending, sd_bus_message* reply);

  sd_bus* bus_;
  std::list<Pending> pending_;  // stable addresses: each is its question's userdata
};

}  // namespace otpd
