#include "otpd_daemon.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <gtest/gtest.h>

#include "patience.hpp"
#include "secrets_seen.hpp"

namespace otpd::test {
namespace {

const int kReadyBound = static_cast<int>(patient(std::chrono::seconds(10)).count());

class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    ::unlink(path.c_str());
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error("cannot bind the notify socket");
    }
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // true once READY=1 arrives; false if `exit_fd` fires or 10 s (patiently) pass first.
  bool wait_ready(int exit_fd) const {
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {exit_fd, POLLIN, 0}};
      if (::poll(fds, 2, kReadyBound) <= 0 || (fds[1].revents & (POLLIN | POLLHUP)) != 0) return false;
      char buffer[1024] = {};
      const ssize_t got = ::recv(fd_, buffer, sizeof(buffer) - 1, 0);
      if (got > 0 && std::strstr(buffer, "READY=1") != nullptr) return true;
    }
  }

 private:
  int fd_ = -1;
};

}  // namespace

std::filesystem::path otpd_binary() {
  const char* path = std::getenv("OTPD_BINARY");
  if (path == nullptr) throw std::runtime_error("OTPD_BINARY is not set (run the tests with meson test)");
  return path;
}

OtpdDaemon::OtpdDaemon(const TempDir& dir, std::string bus_address, const std::string& config_text)
    : bus_address_(std::move(bus_address)),
      paths_{dir / "otpd.conf", dir / "state/otpd.db", dir / "run/api.sock", dir / "otpd.log"},
      notify_socket_(dir / "notify.sock") {
  write_file(paths_.config, config_text);
  start();
}

OtpdDaemon::~OtpdDaemon() {
  if (process_.running()) stop();
}

void OtpdDaemon::start() {
  const NotifySocket notify(notify_socket_);
  process_ =
      ChildProcess(SpawnOptions{{otpd_binary().string(), "--config", paths_.config.string(), "--database",
                                 paths_.database.string(), "--socket", paths_.socket.string()},
                                {{"DBUS_SYSTEM_BUS_ADDRESS", bus_address_}, {"NOTIFY_SOCKET", notify_socket_.string()}},
                                paths_.log});
  if (!notify.wait_ready(process_.exit_fd())) {
    throw std::runtime_error("otpd did not become ready; its log says:\n" + log_text());
  }
}

// Every otpd a test runs has its whole log read against what the test has seen.
int OtpdDaemon::stop() {
  const int status = process_.stop();
  if (const auto leaked = leaked_secret(log_text())) {
    ADD_FAILURE() << "otpd's log holds a secret or code the test was given: " << *leaked << "\n" << log_text();
  }
  return status;
}

std::string OtpdDaemon::log_text() const { return read_file(paths_.log); }

OtpdRun run_otpd_to_exit(const TempDir& dir, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  const auto output = dir / "otpd-run.log";
  std::filesystem::remove(output);
  std::vector<std::string> argv{otpd_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess process(SpawnOptions{argv, env, output});
  OtpdRun run;
  run.status = process.wait(patient(std::chrono::seconds(20))).value_or(-1);
  run.output = read_file(output);
  return run;
}

}  // namespace otpd::test
