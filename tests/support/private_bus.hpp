// A dbus-daemon of the test's own, configured like the system bus (its policy is
// derived from /usr/share/dbus-1/system.conf) plus otpd's own policy file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace otpd::test {

// The policy files found in the source tree.
[[nodiscard]] std::filesystem::path source_root();                  // $OTPD_SOURCE_ROOT
[[nodiscard]] std::filesystem::path otpd_policy_file();             // etc/dbus/org.otpd.Otpd1.conf
[[nodiscard]] std::filesystem::path permissive_test_policy_file();  // tests/dbus/permissive-otpd.conf

class PrivateBus {
 public:
  // `socket_path` empty: a socket in `dir`. `extra_policies` are included after otpd's.
  PrivateBus(const TempDir& dir, std::vector<std::filesystem::path> extra_policies = {},
             std::filesystem::path socket_path = {});
  ~PrivateBus();
  PrivateBus(const PrivateBus&) = delete;
  PrivateBus& operator=(const PrivateBus&) = delete;

  [[nodiscard]] const std::string& address() const { return address_; }
  [[nodiscard]] const std::filesystem::path& socket_path() const { return socket_path_; }

 private:
  std::filesystem::path socket_path_;
  std::string address_;
  ChildProcess daemon_;
};

// system.conf with its own listen address, without forking, user switching,
// pid file, syslog, service helper and include directories, plus `policies`.
[[nodiscard]] std::string derive_bus_config(const std::string& system_conf, const std::string& listen_address,
                                            const std::vector<std::filesystem::path>& policies);

}  // namespace otpd::test
