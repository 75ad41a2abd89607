// Runs a piece of the test as another uid: fork, drop to the uid (and its group),
// run, and hand a string back through a pipe.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace otpd::test {

inline constexpr uid_t kNobodyUid = 65534;
inline constexpr uid_t kDaemonUid = 1;           // user "daemon" on Debian
inline constexpr uid_t kUidWithoutUser = 54321;  // no passwd entry

[[nodiscard]] std::string run_as(uid_t uid, const std::function<std::string()>& body);

}  // namespace otpd::test
