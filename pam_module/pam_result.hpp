// Every PAM return code the module can give, decided in one place, so that the rule
// "PAM_SUCCESS for an accepted code and for nothing else" can be read and tested.
#pragma once

#include <security/_pam_types.h>

#include <optional>
#include <string_view>

#include "bus_client.hpp"
#include "code_input.hpp"
#include "protocol.hpp"

namespace otpd::pam {

// How to show otpd's message to the person logging in.
enum class Notice { none, info, error };

struct PamResult {
  int code = PAM_AUTH_ERR;  // never PAM_SUCCESS (0) by default
  Notice notice = Notice::none;

  friend bool operator==(const PamResult&, const PamResult&) = default;
};

// `outcome` as otpd sent it; a string this module does not know is a denial.
[[nodiscard]] PamResult result_for_outcome(std::string_view outcome, bool nullok);
[[nodiscard]] PamResult result_for_outcome(std::optional<protocol::Outcome> outcome, bool nullok);

// Whatever went wrong on the bus, the module fails closed.
[[nodiscard]] int result_for_bus_failure(BusFailure failure);

[[nodiscard]] int result_for_input_failure(InputFailure failure);

}  // namespace otpd::pam
