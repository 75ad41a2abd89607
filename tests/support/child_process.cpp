#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace otpd::test {
namespace {

std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string item(*entry);
    const std::string key = item.substr(0, item.find('='));
    if (!extra.contains(key)) env.push_back(item);
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_child(const SpawnOptions& options, std::vector<std::string> args, std::vector<std::string> env) {
  if (options.output) {
    const int out = ::open(options.output->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
  }
  if (options.pass_fd >= 0) ::dup2(options.pass_fd, 3);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  auto argv = pointers(args);
  auto envp = pointers(env);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

}  // namespace

// Far above the descriptors a child is handed (pass_fd goes to 3).
constexpr int kExitPipeDescriptor = 100;

ChildProcess::ChildProcess(const SpawnOptions& options) {
  auto env = environment_with(options.extra_env);
  // Where pidfd_open is missing (valgrind 3.19 does not know the system call), the
  // exit is seen as the end of a pipe whose other end only the child holds.
  int exit_pipe[2] = {-1, -1};
  if (::pipe2(exit_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::fcntl(exit_pipe[1], F_DUPFD, kExitPipeDescriptor);  // without O_CLOEXEC: it lives as long as the child
    exec_child(options, options.argv, env);
  }
  ::close(exit_pipe[1]);
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd_ >= 0) {
    ::close(exit_pipe[0]);
  } else if (errno == ENOSYS) {
    pidfd_ = exit_pipe[0];
  } else {
    ::close(exit_pipe[0]);
    throw std::runtime_error("pidfd_open failed");
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    signal(SIGKILL);
    wait();
  }
  if (pidfd_ >= 0) ::close(pidfd_);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::exchange(other.pidfd_, -1)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    this->~ChildProcess();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
  }
  return *this;
}

void ChildProcess::signal(int signal_number) const {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  pollfd exited{pidfd_, POLLIN, 0};
  if (::poll(&exited, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_) return std::nullopt;
  pid_ = -1;
  return status;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  signal(SIGCONT);
  signal(SIGTERM);
  if (auto status = wait(grace)) return *status;
  signal(SIGKILL);
  return wait().value_or(-1);
}

}  // namespace otpd::test
