// devlog_sink: a /dev/log that reads and discards every datagram. Where a machine
// has no syslog daemon (a container), syslog(3) falls back to writing the console,
// which costs a login ~0.7 ms; a real host has a daemon there. Bounded: it exits
// after --max-seconds, or when SIGTERM arrives, and removes its socket.
//
//   devlog_sink --path /dev/log [--max-seconds S]
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

namespace {
volatile sig_atomic_t stopping = 0;
void stop(int) { stopping = 1; }
}  // namespace

int main(int argc, char** argv) {
  std::string path = "/dev/log";
  double max_seconds = 7200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--path")
      path = argv[i + 1];
    else if (flag == "--max-seconds")
      max_seconds = std::stod(argv[i + 1]);
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    std::perror("devlog_sink: bind");
    return 1;
  }
  ::chmod(path.c_str(), 0666);
  ::signal(SIGTERM, stop);
  ::signal(SIGINT, stop);
  std::printf("ready\n");
  std::fflush(stdout);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(max_seconds);
  char buffer[8192];
  while (stopping == 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 500) > 0) {
      while (::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT) > 0) {
      }
    }
  }
  ::unlink(path.c_str());
  return 0;
}
