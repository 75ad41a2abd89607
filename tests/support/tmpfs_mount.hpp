// A small tmpfs of the test's own, for a disk that fills up. It is mounted in a
// mount namespace private to the test process (and the otpd it starts), so the host
// never sees it and a test that dies leaves no mount behind.
#pragma once

#include <cstddef>
#include <filesystem>

namespace otpd::test {

// Moves the calling process into a mount namespace of its own (once; later calls do
// nothing). Needs root. Throws std::runtime_error when the kernel refuses.
void enter_private_mount_namespace();

class TmpfsMount {
 public:
  // Mounts a tmpfs of `bytes` (mode 0700) on the existing or new directory `where`.
  TmpfsMount(std::filesystem::path where, std::size_t bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  // Takes every free byte with a filler file; make_room() deletes it again.
  void fill() const;
  void make_room() const;

 private:
  std::filesystem::path where_;
};

}  // namespace otpd::test
