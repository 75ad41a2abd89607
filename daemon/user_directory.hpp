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
  [[nodiscard]] virtual bool exists(std::string_view name) const = 0;
};

// getpwuid_r / getpwnam_r: NSS, so LDAP and sssd users work too.
class PasswdDirectory final : public UserDirectory {
 public:
  [[nodiscard]] std::optional<std::string> name_of(uid_t uid) const override;
  [[nodiscard]] bool exists(std::string_view name) const override;
};

// A user name we are willing to store and log: 1..256 bytes, printable, no '/', no
// ':' (it separates issuer and account in the otpauth label) and no leading '-'.
[[nodiscard]] bool is_acceptable_user_name(std::string_view name);

}  // namespace otpd
