// A user directory the test controls, behind `files`, as sssd or LDAP sit behind it
// on a real host: in the test's own mount namespace /etc/nsswitch.conf says
// "passwd: files otpdtest", and every program the test then starts (otpd, which
// inherits the environment) finds libnss_otpdtest.so.2 (tests/nss) and its state.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "temp_dir.hpp"

namespace otpd::test {

class NssTestDirectory {
 public:
  // `users`: the names the module answers (aliases, case variants) and their uids.
  explicit NssTestDirectory(std::map<std::string, uid_t> users);
  ~NssTestDirectory();
  NssTestDirectory(const NssTestDirectory&) = delete;
  NssTestDirectory& operator=(const NssTestDirectory&) = delete;

  // From now on every lookup that reaches the module fails (EIO), or answers again.
  void set_failing(bool failing);

 private:
  TempDir dir_;
  std::map<std::string, uid_t> users_;
};

}  // namespace otpd::test
