// The listening Unix socket of the HTTP API: from systemd (socket activation) when
// it passed one, else bound here.
#pragma once

#include <filesystem>

#include "core/error.hpp"
#include "unique_fd.hpp"

namespace otpd {

// Takes the first socket systemd passed (LISTEN_FDS), or binds `path`: its
// directory is created (0755) if missing, a stale socket left by a dead otpd is
// removed (a live one, or anything that is not a socket, is an error), and the
// socket gets mode 0666: who may do what is decided per request, by uid.
[[nodiscard]] Expected<UniqueFd> open_api_socket(const std::filesystem::path& path);

}  // namespace otpd
