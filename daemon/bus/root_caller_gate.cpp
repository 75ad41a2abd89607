#include "bus/root_caller_gate.hpp"

#include <string>

#include "protocol.hpp"

namespace otpd {
namespace {

using protocol::bus_error::kAccessDenied;
using protocol::bus_error::kInternal;

int deny(sd_bus_error* error) { return sd_bus_error_set(error, kAccessDenied.c_str(), "Only root may call otpd"); }

// The uid in a GetConnectionUnixUser reply; nothing for an error reply.
std::optional<uid_t> sender_uid(sd_bus_message* reply) {
  if (sd_bus_message_is_method_error(reply, nullptr)) return std::nullopt;
  std::uint32_t uid = 0;
  if (sd_bus_message_read(reply, "u", &uid) < 0) return std::nullopt;
  return static_cast<uid_t>(uid);
}

// Sends what a method handler would have returned: its own reply already went out
// when it returned >= 0.
void reply_with(sd_bus_message* call, int result, const sd_bus_error* error) {
  if (result >= 0) return;
  if (sd_bus_error_is_set(error)) {
    // A caller gone meanwhile misses its answer; there is nobody else to tell.
    (void)sd_bus_reply_method_error(call, error);
  } else {
    (void)sd_bus_reply_method_errno(call, result, nullptr);
  }
}

}  // namespace

int RootCallerGate::admit(sd_bus_message* call, sd_bus_error* error, Method method) {
  const char* sender = sd_bus_message_get_sender(call);
  if (sender == nullptr) return deny(error);  // not through a bus daemon: no one vouches for it
  auto& pending = pending_.emplace_back(Pending{this, SdBusMessage(sd_bus_message_ref(call)), std::move(method), {}});
  sd_bus_slot* slot = nullptr;
  namespace driver = protocol::bus_driver;
  const int r =
      sd_bus_call_method_async(bus_, &slot, driver::kName.c_str(), driver::kPath.c_str(), driver::kInterface.c_str(),
                               driver::kGetConnectionUnixUser.c_str(), &on_sender_uid, &pending, "s", sender);
  if (r < 0) {
    pending_.pop_back();
    return deny(error);
  }
  pending.question.reset(slot);
  return 1;
}

int RootCallerGate::on_sender_uid(sd_bus_message* reply, void* userdata, sd_bus_error*) noexcept {
  auto* pending = static_cast<Pending*>(userdata);
  RootCallerGate* gate = pending->gate;
  answer(*pending, reply);
  // sd-bus holds its own reference to the slot while this callback runs.
  gate->pending_.remove_if([pending](const Pending& p) { return &p == pending; });
  return 0;
}

void RootCallerGate::answer(Pending& pending, sd_bus_message* reply) {
  SdBusError error;
  int result = 0;
  try {
    const auto uid = sender_uid(reply);
    result = uid == 0 ? pending.method(pending.call.get(), error.get()) : deny(error.get());
  } catch (...) {
    result = sd_bus_error_set(error.get(), kInternal.c_str(), "Internal error");
  }
  reply_with(pending.call.get(), result, error.get());
}

}  // namespace otpd
