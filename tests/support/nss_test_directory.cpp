#include "nss_test_directory.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "tmpfs_mount.hpp"

namespace otpd::test {
namespace {

constexpr const char* kNsswitch = "/etc/nsswitch.conf";

std::string module_directory() {
  const char* directory = std::getenv("OTPD_TEST_NSS_DIR");
  if (directory == nullptr) throw std::runtime_error("OTPD_TEST_NSS_DIR is not set (run the tests with meson test)");
  return directory;
}

}  // namespace

NssTestDirectory::NssTestDirectory(std::map<std::string, uid_t> users) : dir_("otpd-nss"), users_(std::move(users)) {
  set_failing(false);
  write_file(dir_ / "nsswitch.conf", "passwd: files otpdtest\ngroup: files\nshadow: files\n");
  enter_private_mount_namespace();
  const std::string source = (dir_ / "nsswitch.conf").string();
  if (::mount(source.c_str(), kNsswitch, nullptr, MS_BIND, nullptr) != 0) {
    throw std::runtime_error(std::string("cannot bind a test nsswitch.conf: ") + std::strerror(errno));
  }
  ::setenv("LD_LIBRARY_PATH", module_directory().c_str(), 1);
  ::setenv("OTPD_TEST_NSS_STATE", (dir_ / "state").c_str(), 1);
}

NssTestDirectory::~NssTestDirectory() {
  ::unsetenv("LD_LIBRARY_PATH");
  ::unsetenv("OTPD_TEST_NSS_STATE");
  ::umount2(kNsswitch, MNT_DETACH);
}

void NssTestDirectory::set_failing(bool failing) {
  std::string state = failing ? "fail\n" : "ok\n";
  for (const auto& [name, uid] : users_) state += name + " " + std::to_string(uid) + "\n";
  // A new file renamed over the old: the module never reads half of it.
  write_file(dir_ / "state.new", state);
  std::filesystem::rename(dir_ / "state.new", dir_ / "state");
}

}  // namespace otpd::test
