// How many descriptors this process holds: the module must not leave one behind in
// the sshd or sudo it runs in.
#pragma once

#include <dirent.h>

#include <cstddef>

namespace otpd::pam::test {

inline std::size_t open_descriptors() {
  std::size_t count = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (dir != nullptr && readdir(dir) != nullptr) ++count;
  if (dir != nullptr) closedir(dir);
  return count;
}

}  // namespace otpd::pam::test
