#include "ready_child.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

namespace otpd::pam::test {
namespace {

constexpr int kReadyTimeoutMs = 10000;

[[noreturn]] void exec_child(const std::vector<std::string>& argv, int stdout_fd, std::optional<uid_t> run_as) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no daemon behind
  dup2(stdout_fd, STDOUT_FILENO);
  umask(0);  // so a uid we drop to can reach the bus socket of a root dbus-daemon
  if (run_as && (setgroups(0, nullptr) != 0 || setgid(*run_as) != 0 || setuid(*run_as) != 0)) {
    _exit(126);
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

std::string read_line(int fd) {
  std::string line;
  char c = 0;
  pollfd pfd{fd, POLLIN, 0};
  while (poll(&pfd, 1, kReadyTimeoutMs) == 1 && read(fd, &c, 1) == 1 && c != '\n') line += c;
  if (c != '\n') throw std::runtime_error("child exited or hung before its ready line");
  return line;
}

}  // namespace

ReadyChild::ReadyChild(const std::vector<std::string>& argv, std::optional<uid_t> run_as) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  pid_ = fork();
  if (pid_ == 0) exec_child(argv, fds[1], run_as);
  close(fds[1]);
  stdout_fd_ = fds[0];
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  try {
    ready_line_ = read_line(stdout_fd_);
  } catch (...) {
    reap();
    throw;
  }
}

ReadyChild::~ReadyChild() { reap(); }

void ReadyChild::reap() noexcept {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

void ReadyChild::signal(int signal_number) const { kill(pid_, signal_number); }

}  // namespace otpd::pam::test
