#include "tmpfs_mount.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace otpd::test {
namespace {

constexpr const char* kFillerName = "filler";

[[noreturn]] void fail_with_errno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

void enter_private_mount_namespace() {
  static bool entered = false;
  if (entered) return;
  if (::unshare(CLONE_NEWNS) != 0) fail_with_errno("unshare(CLONE_NEWNS)");
  // Without this, mounts would still propagate to the host's namespace. The kernel
  // ignores source and type here; "none" rather than NULL, which memcheck reports.
  if (::mount("none", "/", "none", MS_REC | MS_PRIVATE, nullptr) != 0) fail_with_errno("making / private");
  entered = true;
}

TmpfsMount::TmpfsMount(std::filesystem::path where, std::size_t bytes) : where_(std::move(where)) {
  enter_private_mount_namespace();
  std::filesystem::create_directories(where_);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("tmpfs", where_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    fail_with_errno("mounting a tmpfs on " + where_.string());
  }
}

TmpfsMount::~TmpfsMount() { ::umount2(where_.c_str(), MNT_DETACH); }

void TmpfsMount::fill() const {
  const auto path = where_ / kFillerName;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) fail_with_errno("creating " + path.string());
  const std::vector<char> block(4096, 'f');
  // Block by block, then byte by byte: not even a partial page is left free.
  for (std::size_t size : {block.size(), std::size_t{1}}) {
    while (::write(fd.get(), block.data(), size) > 0) {
    }
    if (errno != ENOSPC) fail_with_errno("filling " + where_.string());
  }
}

void TmpfsMount::make_room() const { std::filesystem::remove(where_ / kFillerName); }

}  // namespace otpd::test
