#include "permissive_bus.hpp"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace otpd::pam::test {
namespace {

// Anybody may own and call anything: the module's own owner check is under test,
// not the bus policy.
std::string config(const std::filesystem::path& dir) {
  return R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=)" +
         (dir / "bus").string() + R"(</listen>
  <auth>EXTERNAL</auth>
  <servicedir>)" +
         (dir / "services").string() + R"(</servicedir>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_requested_reply="true"/>
    <allow receive_requested_reply="true"/>
  </policy>
</busconfig>
)";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out{path};
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

PermissiveBus::PermissiveBus(const std::map<std::string, std::string>& activatable) {
  std::filesystem::create_directory(dir_.path() / "services");
  for (const auto& [name, exec] : activatable) {
    write_file(dir_.path() / "services" / (name + ".service"),
               "[D-BUS Service]\nName=" + name + "\nExec=" + exec + "\n");
  }
  write_file(dir_.path() / "bus.conf", config(dir_.path()));
  daemon_ = std::make_unique<ReadyChild>(
      std::vector<std::string>{path_from_env("DBUS_DAEMON"), "--config-file=" + (dir_.path() / "bus.conf").string(),
                               "--nofork", "--nopidfile", "--print-address=1"});
  address_ = daemon_->ready_line();
}

SystemBusAddress::SystemBusAddress(const std::string& address) {
  setenv("DBUS_SYSTEM_BUS_ADDRESS", address.c_str(), 1);
}

SystemBusAddress::~SystemBusAddress() { unsetenv("DBUS_SYSTEM_BUS_ADDRESS"); }

std::string path_from_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string{name} + " is not set; run the test with meson test");
  }
  return value;
}

}  // namespace otpd::pam::test
