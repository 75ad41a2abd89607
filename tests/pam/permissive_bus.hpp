// A dbus-daemon of the test's own, standing in for the system bus: the module and
// the fake otpd find it through DBUS_SYSTEM_BUS_ADDRESS.
#pragma once

#include <map>
#include <string>

#include "child_process.hpp"
#include "scratch_dir.hpp"

namespace otpd::pam::test {

class PrivateBus {
 public:
  // `activatable`: bus name -> command line the bus runs to start it on demand.
  explicit PrivateBus(const std::map<std::string, std::string>& activatable = {});

  [[nodiscard]] const std::string& address() const { return address_; }
  // SIGSTOP / SIGCONT the bus daemon itself.
  void signal(int signal_number) const { daemon_->signal(signal_number); }

 private:
  ScratchDir dir_;
  std::string address_;
  std::unique_ptr<ChildProcess> daemon_;
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
