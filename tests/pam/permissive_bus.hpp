// A dbus-daemon of the test's own, standing in for the system bus, whose policy lets
// anybody own and call anything, and which can start services by bus activation:
// the module's own owner check is what is under test. The module and the fake otpd
// find it through DBUS_SYSTEM_BUS_ADDRESS. (tests/support's PrivateBus has the real
// system bus policy; it is what the tests against the real otpd use.)
#pragma once

#include <map>
#include <string>

#include "ready_child.hpp"
#include "temp_dir.hpp"

namespace otpd::pam::test {

class PermissiveBus {
 public:
  // `activatable`: bus name -> command line the bus runs to start it on demand.
  explicit PermissiveBus(const std::map<std::string, std::string>& activatable = {});

  [[nodiscard]] const std::string& address() const { return address_; }
  // SIGSTOP / SIGCONT the bus daemon itself.
  void signal(int signal_number) const { daemon_->signal(signal_number); }

 private:
  otpd::test::TempDir dir_{"otpd-pam"};
  std::string address_;
  std::unique_ptr<ReadyChild> daemon_;
};

// Points DBUS_SYSTEM_BUS_ADDRESS at `address` for the life of this object.
class SystemBusAddress {
 public:
  explicit SystemBusAddress(const std::string& address);
  ~SystemBusAddress();
  SystemBusAddress(const SystemBusAddress&) = delete;
  SystemBusAddress& operator=(const SystemBusAddress&) = delete;
};

// The path in environment variable `name`, set by meson test; throws when unset.
[[nodiscard]] std::string path_from_env(const char* name);

}  // namespace otpd::pam::test
