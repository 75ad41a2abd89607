#include "private_bus.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace otpd::test {

std::filesystem::path source_root() {
  const char* root = std::getenv("OTPD_SOURCE_ROOT");
  if (root == nullptr) throw std::runtime_error("OTPD_SOURCE_ROOT is not set (run the tests with meson test)");
  return root;
}

std::filesystem::path otpd_policy_file() { return source_root() / "etc/dbus/org.otpd.Otpd1.conf"; }

std::filesystem::path permissive_test_policy_file() { return source_root() / "tests/dbus/permissive-otpd.conf"; }

namespace {

// Removes every element that starts with `open` and ends with the next `close`.
// (Plain string edits: GCC 12 warns falsely inside <regex> under -O2 -Werror.)
void remove_elements(std::string& text, std::string_view open, std::string_view close) {
  for (auto start = text.find(open); start != std::string::npos; start = text.find(open, start)) {
    const auto end = text.find(close, start + open.size());
    if (end == std::string::npos) throw std::runtime_error("system.conf: unterminated " + std::string(open));
    text.erase(start, end + close.size() - start);
  }
}

}  // namespace

std::string derive_bus_config(const std::string& system_conf, const std::string& listen_address,
                              const std::vector<std::filesystem::path>& policies) {
  // What only the real system bus may do: drop privileges, fork, log, activate
  // through the setuid helper, read the host's policy directories.
  std::string config = system_conf;
  remove_elements(config, "<user>", "</user>");
  remove_elements(config, "<fork/>", "");
  remove_elements(config, "<pidfile>", "</pidfile>");
  remove_elements(config, "<syslog/>", "");
  remove_elements(config, "<servicehelper>", "</servicehelper>");
  remove_elements(config, "<standard_system_servicedirs/>", "");
  remove_elements(config, "<includedir>", "</includedir>");
  remove_elements(config, "<include ", "</include>");
  remove_elements(config, "<listen>", "</listen>");
  std::string additions = "  <listen>" + listen_address + "</listen>\n";
  for (const auto& policy : policies) additions += "  <include>" + policy.string() + "</include>\n";
  const auto end = config.rfind("</busconfig>");
  if (end == std::string::npos) throw std::runtime_error("system.conf has no </busconfig>");
  return config.insert(end, additions);
}

PrivateBus::PrivateBus(const TempDir& dir, std::vector<std::filesystem::path> extra_policies,
                       std::filesystem::path socket_path)
    : socket_path_(socket_path.empty() ? dir / "system_bus_socket" : std::move(socket_path)) {
  std::vector<std::filesystem::path> policies{otpd_policy_file()};
  policies.insert(policies.end(), extra_policies.begin(), extra_policies.end());
  const auto config_path = dir / "bus.conf";
  write_file(config_path, derive_bus_config(read_file("/usr/share/dbus-1/system.conf"),
                                            "unix:path=" + socket_path_.string(), policies));
  int address_pipe[2];
  if (::pipe2(address_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  daemon_ = ChildProcess(
      SpawnOptions{{"/usr/bin/dbus-daemon", "--config-file=" + config_path.string(), "--nofork", "--print-address=3"},
                   {},
                   dir / "dbus-daemon.log",
                   address_pipe[1]});
  ::close(address_pipe[1]);
  pollfd ready{address_pipe[0], POLLIN, 0};
  char buffer[512] = {};
  const ssize_t got = ::poll(&ready, 1, 10000) == 1 ? ::read(address_pipe[0], buffer, sizeof(buffer) - 1) : -1;
  ::close(address_pipe[0]);
  if (got <= 0) throw std::runtime_error("dbus-daemon did not start; see " + (dir / "dbus-daemon.log").string());
  address_ = std::string(buffer, static_cast<std::size_t>(got));
  while (!address_.empty() && address_.back() == '\n') address_.pop_back();
}

PrivateBus::~PrivateBus() { daemon_.stop(); }

}  // namespace otpd::test
