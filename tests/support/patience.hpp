// How long a test waits before it calls a program hung.
#pragma once

#include <chrono>

namespace otpd::test {

// `bound` (far above what the answer takes natively) times OTPD_TEST_PATIENCE, a
// whole number that a checked setup sets because its checker slows every process
// down: memcheck runs otpd tens of times slower, and a confirm's ten PBKDF2 runs
// then take minutes. Unset or invalid means 1. Bounds that are what a test proves
// (pam_otp.so's timeout=, otpd's own timeouts) are not scaled.
[[nodiscard]] std::chrono::milliseconds patient(std::chrono::milliseconds bound);

}  // namespace otpd::test
