#include "pam_result.hpp"

#include <security/_pam_types.h>

namespace otpd::pam {

using protocol::Outcome;

PamResult result_for_outcome(std::string_view outcome, bool nullok) {
  return result_for_outcome(protocol::outcome_from_name(outcome), nullok);
}

PamResult result_for_outcome(std::optional<Outcome> outcome, bool nullok) {
  if (!outcome) return {PAM_AUTH_ERR};
  switch (*outcome) {
    case Outcome::ok: return {PAM_SUCCESS};
    case Outcome::ok_backup:  // "Backup code accepted; 9 left."
      return {PAM_SUCCESS, Notice::info};
    case Outcome::invalid:  // the attempt that starts a lockout says so
    case Outcome::replayed: return {PAM_AUTH_ERR, Notice::error};
    case Outcome::locked:  // "Too many failed attempts; try again in 60 s."
      return {PAM_MAXTRIES, Notice::error};
    case Outcome::not_enrolled:  // no notice: it would tell a stranger who is enrolled
      return {nullok ? PAM_IGNORE : PAM_AUTH_ERR};
  }
  return {PAM_AUTH_ERR};
}

int result_for_bus_failure(BusFailure /*failure*/) { return PAM_AUTHINFO_UNAVAIL; }

int result_for_input_failure(InputFailure failure) {
  switch (failure) {
    case InputFailure::conversation: return PAM_CONV_ERR;
    case InputFailure::set_authtok: return PAM_AUTHINFO_UNAVAIL;
    case InputFailure::no_authtok:
    case InputFailure::empty:
    case InputFailure::malformed:
    case InputFailure::no_code: return PAM_AUTH_ERR;
  }
  return PAM_AUTH_ERR;
}

}  // namespace otpd::pam
