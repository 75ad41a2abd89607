// Reading otpd's replies to Status and Verify. A reply that does not have the shape
// common/protocol.hpp promises is malformed, and a malformed reply is a failure.
#pragma once

#include <systemd/sd-bus.h>

#include <tl/expected.hpp>

#include "bus_client.hpp"

namespace otpd::pam {

// Status(user) -> a{sv}: the value of "enabled". The other keys are skipped, so otpd
// may add keys; a missing "enabled", or one that is not a boolean, is malformed.
[[nodiscard]] tl::expected<bool, BusError> read_status_enabled(sd_bus_message* reply);

// Verify(...) -> (s outcome, s message, u backup_codes_left), exactly that signature.
[[nodiscard]] tl::expected<VerifyReply, BusError> read_verify_reply(sd_bus_message* reply);

}  // namespace otpd::pam
