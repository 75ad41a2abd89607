// Who a uid is: the passwd database, behind an interface so tests can supply users.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace otpd {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  [[nodiscard]] virtual std::optional<std::string> name_of(uid_t uid) const = 0;
  [[nodiscard]] virtual std::optional<uid_t> uid_of(std::string_view name) const = 0;
  [[nodiscard]] bool exists(std::string_view name) const { return uid_of(name).has_value(); }
};

// getpwuid_r / getpwnam_r: NSS, so LDAP and sssd users work too.
class PasswdDirectory final : public UserDirectory {
 public:
  [[nodiscard]] std::optional<std::string> name_of(uid_t uid) const override;
  [[nodiscard]] std::optional<uid_t> uid_of(std::string_view name) const override;
};

// The name an enrollment is stored under for a login name: the name of its uid, as
// the HTTP API sees the user. Without this, a login as an alias of the same uid
// (toor for root) or in another case (a case-insensitive directory such as sssd)
// would find no enrollment, and with nullok walk past the second factor. A name the
// directory does not know stays as it is.
[[nodiscard]] std::string canonical_user_name(const UserDirectory& users, std::string_view login_name);

// A user name we are willing to store and log: 1..256 bytes, printable, no '/', no
// ':' (it separates issuer and account in the otpauth label) and no leading '-'.
[[nodiscard]] bool is_acceptable_user_name(std::string_view name);

}  // namespace otpd
