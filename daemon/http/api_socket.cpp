#include "http/api_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstring>

namespace otpd {
namespace {

std::string errno_text(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

Expected<UniqueFd> socket_from_systemd() {
  const int count = sd_listen_fds(1);
  if (count < 0) return fail(ErrorKind::system, std::string("bad LISTEN_FDS: ") + std::strerror(-count));
  if (count == 0) return UniqueFd();
  if (count > 1) return fail(ErrorKind::system, "systemd passed more than one socket; expected the API socket only");
  const int fd = SD_LISTEN_FDS_START;
  if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0) {
    return fail(ErrorKind::system, "the socket systemd passed is not a listening Unix stream socket");
  }
  if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
    return fail(ErrorKind::system, std::string("cannot make the API socket non-blocking: ") + std::strerror(errno));
  }
  return UniqueFd(fd);
}

Expected<sockaddr_un> unix_address(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof(address.sun_path)) {
    return fail(ErrorKind::config, "socket path " + path.string() + " is too long");
  }
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return address;
}

// Removes what a dead otpd left behind; refuses to touch a live socket or any
// other kind of file.
Expected<void> remove_stale_socket(const std::filesystem::path& path, const sockaddr_un& address) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return fail(ErrorKind::system, errno_text("cannot inspect", path));
  }
  if (!S_ISSOCK(st.st_mode)) return fail(ErrorKind::system, path.string() + " exists and is not a socket");
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe.valid() && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    return fail(ErrorKind::system, path.string() + " is in use: is another otpd running?");
  }
  if (::unlink(path.c_str()) != 0) return fail(ErrorKind::system, errno_text("cannot remove stale socket", path));
  return {};
}

Expected<UniqueFd> bind_socket(const std::filesystem::path& path) {
  auto address = unix_address(path);
  if (!address) return tl::unexpected(address.error());
  const auto directory = path.parent_path();
  if (::mkdir(directory.c_str(), 0755) == 0) {
    // otpd runs with umask 0077; the directory must stay traversable for users.
    if (::chmod(directory.c_str(), 0755) != 0) return fail(ErrorKind::system, errno_text("cannot chmod", directory));
  } else if (errno != EEXIST) {
    return fail(ErrorKind::system, errno_text("cannot create directory", directory));
  }
  if (auto ok = remove_stale_socket(path, *address); !ok) return tl::unexpected(ok.error());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return fail(ErrorKind::system, std::string("socket: ") + std::strerror(errno));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0) {
    return fail(ErrorKind::system, errno_text("cannot bind", path));
  }
  if (::chmod(path.c_str(), 0666) != 0 || ::listen(fd.get(), SOMAXCONN) != 0) {
    return fail(ErrorKind::system, errno_text("cannot listen on", path));
  }
  return fd;
}

}  // namespace

Expected<UniqueFd> open_api_socket(const std::filesystem::path& path) {
  auto inherited = socket_from_systemd();
  if (!inherited || inherited->valid()) return inherited;
  return bind_socket(path);
}

}  // namespace otpd
