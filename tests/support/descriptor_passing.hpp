// Descriptors handed from one process to another over a Unix socket (SCM_RIGHTS).
// The kernel notes a Unix socket's peer credentials when it connects, so a
// connection keeps the identity of the process that opened it, whoever writes to
// it later: how the tests hold connections of many uids from one process, and how
// they show why a setuid client of otpd's API would give root away.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "unique_fd.hpp"

namespace otpd::test {

// Both throw std::runtime_error on failure; `receive_descriptors` waits for `count`.
void send_descriptors(int channel, std::span<const int> descriptors);
[[nodiscard]] std::vector<UniqueFd> receive_descriptors(int channel, std::size_t count);

}  // namespace otpd::test
