// The outcome -> PAM code table, and the failures that must all fail closed.
#include "pam_result.hpp"

#include <gtest/gtest.h>
#include <security/_pam_types.h>

namespace otpd::pam {
namespace {

TEST(PamResult, AcceptedCodes) {
  EXPECT_EQ(result_for_outcome("ok", false), (PamResult{PAM_SUCCESS, Notice::none}));
  EXPECT_EQ(result_for_outcome("ok_backup", false), (PamResult{PAM_SUCCESS, Notice::info}));
  EXPECT_EQ(result_for_outcome("ok", true), (PamResult{PAM_SUCCESS, Notice::none}));
}

TEST(PamResult, RejectedCodes) {
  EXPECT_EQ(result_for_outcome("invalid", false), (PamResult{PAM_AUTH_ERR, Notice::error}));
  EXPECT_EQ(result_for_outcome("replayed", false), (PamResult{PAM_AUTH_ERR, Notice::error}));
  EXPECT_EQ(result_for_outcome("locked", false), (PamResult{PAM_MAXTRIES, Notice::error}));
  EXPECT_EQ(result_for_outcome("invalid", true).code, PAM_AUTH_ERR);
  EXPECT_EQ(result_for_outcome("locked", true).code, PAM_MAXTRIES);
}

TEST(PamResult, NotEnrolledIsIgnoredOnlyWithNullok) {
  EXPECT_EQ(result_for_outcome("not_enrolled", true), (PamResult{PAM_IGNORE, Notice::none}));
  EXPECT_EQ(result_for_outcome("not_enrolled", false), (PamResult{PAM_AUTH_ERR, Notice::none}));
}

TEST(PamResult, UnknownOutcomesAreDenied) {
  for (const char* outcome : {"", "OK", "ok ", "success", "accepted", "ok_backup\n", "ignore"}) {
    for (const bool nullok : {false, true}) {
      EXPECT_EQ(result_for_outcome(outcome, nullok), (PamResult{PAM_AUTH_ERR, Notice::none}))
          << '"' << outcome << "\" nullok=" << nullok;
    }
  }
}

TEST(PamResult, OnlyAcceptingOutcomesSucceed) {
  for (const auto& [outcome, name] : protocol::kOutcomeNames) {
    for (const bool nullok : {false, true}) {
      const int code = result_for_outcome(outcome, nullok).code;
      EXPECT_EQ(code == PAM_SUCCESS, protocol::outcome_accepts(outcome)) << name;
    }
  }
}

TEST(PamResult, EveryBusFailureFailsClosed) {
  for (const BusFailure failure :
       {BusFailure::connect, BusFailure::not_running, BusFailure::owner_lookup, BusFailure::owner_not_root,
        BusFailure::timeout, BusFailure::busy, BusFailure::call_failed, BusFailure::malformed_reply}) {
    EXPECT_EQ(result_for_bus_failure(failure), PAM_AUTHINFO_UNAVAIL);
  }
}

TEST(PamResult, InputFailuresNeverSucceedOrStepAside) {
  EXPECT_EQ(result_for_input_failure(InputFailure::conversation), PAM_CONV_ERR);
  EXPECT_EQ(result_for_input_failure(InputFailure::no_authtok), PAM_AUTH_ERR);
  EXPECT_EQ(result_for_input_failure(InputFailure::empty), PAM_AUTH_ERR);
  EXPECT_EQ(result_for_input_failure(InputFailure::malformed), PAM_AUTH_ERR);
  EXPECT_EQ(result_for_input_failure(InputFailure::no_code), PAM_AUTH_ERR);
  EXPECT_EQ(result_for_input_failure(InputFailure::set_authtok), PAM_AUTHINFO_UNAVAIL);
}

}  // namespace
}  // namespace otpd::pam
