// Who a uid is: the passwd database, behind an interface so tests can supply users.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace otpd {

// Each lookup says one of three things: the entry, no such entry (nullopt), or that
// the directory could not answer (an ErrorKind::directory error: an NSS back end such
// as sssd or LDAP that is down or times out). The last is never taken for the second:
// "no such user" can make a login name its own, unenrolled, user, which `nullok` lets
// through. An implementation keeps no mutable state, so lookups may run on any
// thread, several at once (off the event loop, where a slow directory stalls nobody).
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  [[nodiscard]] virtual Expected<std::optional<std::string>> name_of(uid_t uid) const = 0;
  [[nodiscard]] virtual Expected<std::optional<uid_t>> uid_of(std::string_view name) const = 0;
  [[nodiscard]] Expected<bool> exists(std::string_view name) const {
    return uid_of(name).map([](const std::optional<uid_t>& uid) { return uid.has_value(); });
  }
};

// getpwuid_r / getpwnam_r: NSS, so LDAP and sssd users work too.
class PasswdDirectory final : public UserDirectory {
 public:
  [[nodiscard]] Expected<std::optional<std::string>> name_of(uid_t uid) const override;
  [[nodiscard]] Expected<std::optional<uid_t>> uid_of(std::string_view name) const override;
};

// The name an enrollment is stored under for a login name: the name of its uid, as
// the HTTP API sees the user. Without this, a login as an alias of the same uid
// (toor for root) or in another case (a case-insensitive directory such as sssd)
// would find no enrollment, and with nullok walk past the second factor. A name the
// directory does not know stays as it is; a directory that cannot answer is an error.
// A pure function of its arguments: it may run on a worker thread.
[[nodiscard]] Expected<std::string> canonical_user_name(const UserDirectory& users, std::string_view login_name);

// A user name we are willing to store and log: 1..256 bytes, printable, no '/', no
// ':' (it separates issuer and account in the otpauth label) and no leading '-'.
[[nodiscard]] bool is_acceptable_user_name(std::string_view name);

}  // namespace otpd
