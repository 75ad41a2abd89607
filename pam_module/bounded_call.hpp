// One method call whose every wait, the connection's own set-up included, ends at a
// deadline of ours.
#pragma once

#include <systemd/sd-bus.h>

#include <chrono>
#include <tl/expected.hpp>

#include "sd_bus_handles.hpp"

namespace otpd::pam {

// Sends `request` and waits at most `timeout` for its reply. The reply may be an error
// reply; the error is a negative errno, -ETIMEDOUT when the deadline passed.
//
// Not sd_bus_call(): on a connection that is still being set up it first waits for the
// authentication with sd-bus's fixed 90 s limit and for the Hello with 25 s, so a hung
// bus daemon would hold sshd's or sudo's login that long whatever our timeout says.
[[nodiscard]] tl::expected<SdBusMessage, int> call_with_deadline(sd_bus* bus, const SdBusMessage& request,
                                                                 std::chrono::milliseconds timeout);

}  // namespace otpd::pam
