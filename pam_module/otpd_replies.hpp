// Reading otpd's replies to Status and Verify. A reply that does not have the shape
// common/protocol.hpp promises is malformed, and a malformed reply is a failure: its
// error is what is wrong with it, a sentence for the log. This knows messages, not
// the connection they came on (bus_client.hpp, which uses it).
#pragma once

#include <systemd/sd-bus.h>

#include <cstdint>
#include <string>
#include <tl/expected.hpp>

namespace otpd::pam {

struct VerifyReply {
  std::string outcome;  // as sent; an outcome this module does not know is a denial
  std::string message;  // for the person logging in
  std::uint32_t backup_codes_left = 0;
};

// Status(user) -> a{sv}: the value of "enabled". The other keys are skipped, so otpd
// may add keys; a missing "enabled", or one that is not a boolean, is malformed.
[[nodiscard]] tl::expected<bool, std::string> read_status_enabled(sd_bus_message* reply);

// Verify(...) -> (s outcome, s message, u backup_codes_left), exactly that signature.
[[nodiscard]] tl::expected<VerifyReply, std::string> read_verify_reply(sd_bus_message* reply);

}  // namespace otpd::pam
