// Every secret and code a test has come across: what no line of otpd's log may hold.
// The helpers that meet them remember them (the HTTP client for the secrets and
// backup codes otpd hands out, totp_code for the codes it computes), and OtpdDaemon
// reads its otpd's whole log against them when it is done. So the rule "no secret or
// code in a log line" holds for every test that runs the real otpd, not just the
// ones written to check it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace otpd::test {

// A base32 secret or a backup code: found anywhere in a line, it is a leak. A
// backup code is remembered with and without its dash.
void remember_secret(std::string_view secret);
// A TOTP code: a leak only as a number of its own (not inside a longer one, such as
// a unix time).
void remember_code(std::string_view code);
// Everything the body of an API answer hands out ("secret", "backupCodes").
void remember_handed_out(std::string_view json_body);

// The first remembered secret or code that `log` holds, if any.
[[nodiscard]] std::optional<std::string> leaked_secret(std::string_view log);

}  // namespace otpd::test
