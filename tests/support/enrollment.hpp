// Test helpers around a user's enrollment: codes from a secret, and a full
// enable + confirm through the real HTTP API.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "core/totp.hpp"

namespace otpd::test {

// The code for the step `steps_from_now` away from the current one.
[[nodiscard]] std::string totp_code(const std::string& base32_secret, int steps_from_now = 0,
                                    const TotpParameters& params = {});
[[nodiscard]] std::string totp_code_at(const std::string& base32_secret, std::int64_t unix_time,
                                       const TotpParameters& params = {});

// A code of `digits` digits that matches none of the steps -3..+3 around now: a
// wrong code that no clock drift turns into a right one.
[[nodiscard]] std::string wrong_totp_code(const std::string& base32_secret, const TotpParameters& params = {});

struct Enrolled {
  std::string user;
  std::string secret;
  std::vector<std::string> backup_codes;
};

// As root, for `user` (X-OTP-User): enable, then confirm with the PREVIOUS step's
// code, so that the current and the next step's codes are still free to log in with.
// Should a step boundary pass during the confirm, it goes again with the code before
// the new step: one refused confirm, cleared by the one that succeeds.
[[nodiscard]] Enrolled enroll_as_root(const std::filesystem::path& socket, const std::string& user);

}  // namespace otpd::test
