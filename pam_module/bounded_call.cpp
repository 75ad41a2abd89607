#include "bounded_call.hpp"

#include <cerrno>
#include <cstdint>

namespace otpd::pam {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t usec(Clock::duration duration) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(duration).count());
}

int keep_reply(sd_bus_message* reply, void* userdata, sd_bus_error* /*error*/) {
  static_cast<SdBusMessage*>(userdata)->reset(sd_bus_message_ref(reply));
  return 0;
}

// Processes what the connection has, or waits for more until the deadline. < 0 on
// failure, -ETIMEDOUT when the deadline has passed.
int step(sd_bus* bus, Clock::time_point deadline) {
  const int r = sd_bus_process(bus, nullptr);
  if (r != 0) return r < 0 ? r : 0;
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return -ETIMEDOUT;
  const int waited = sd_bus_wait(bus, usec(left));
  return waited < 0 ? waited : 0;
}

}  // namespace

tl::expected<SdBusMessage, int> call_with_deadline(sd_bus* bus, const SdBusMessage& request,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  SdBusMessage reply;
  sd_bus_slot* raw_slot = nullptr;
  int r = sd_bus_call_async(bus, &raw_slot, request.get(), keep_reply, &reply, usec(timeout));
  // Declared after `reply`, so the callback is gone before `reply` is.
  const SdBusSlot slot{raw_slot};
  while (r >= 0 && !reply) r = step(bus, deadline);
  if (r < 0) return tl::unexpected{r};
  return reply;
}

}  // namespace otpd::pam
