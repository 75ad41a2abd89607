#include "shared/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <string_view>

namespace otpd::cli {
namespace {

constexpr std::array kRestoringSignals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Signal handlers can reach nothing else; written before the handlers go in.
int g_echo_fd = -1;
termios g_saved_mode{};
std::array<struct sigaction, kRestoringSignals.size()> g_previous_actions{};

extern "C" void restore_and_reraise(int signal_number) {
  // Nothing to do if these fail: the handler can only try.
  (void)::tcsetattr(g_echo_fd, TCSAFLUSH, &g_saved_mode);
  (void)::signal(signal_number, SIG_DFL);
  (void)::raise(signal_number);
}

void install_restoring_handlers() {
  struct sigaction action {};
  action.sa_handler = restore_and_reraise;
  ::sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < kRestoringSignals.size(); ++i) {
    ::sigaction(kRestoringSignals[i], &action, &g_previous_actions[i]);
  }
}

void remove_restoring_handlers() {
  for (std::size_t i = 0; i < kRestoringSignals.size(); ++i) {
    ::sigaction(kRestoringSignals[i], &g_previous_actions[i], nullptr);
  }
}

}  // namespace

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

std::optional<int> terminal_columns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return std::nullopt;
  return static_cast<int>(size.ws_col);
}

bool colours_wanted(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  if (term == nullptr || std::string_view(term) == "dumb") return false;
  return is_terminal(fd);
}

EchoOff::EchoOff(int fd) {
  termios mode{};
  if (::tcgetattr(fd, &mode) != 0) return;
  g_echo_fd = fd;
  g_saved_mode = mode;
  install_restoring_handlers();
  mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  mode.c_lflag |= ECHONL;  // the Enter key still moves to the next line
  if (::tcsetattr(fd, TCSAFLUSH, &mode) != 0) {
    remove_restoring_handlers();
    return;
  }
  active_ = true;
}

EchoOff::~EchoOff() {
  if (!active_) return;
  // TCSANOW: what the user typed after the code (an answer to the next prompt) stays.
  ::tcsetattr(g_echo_fd, TCSANOW, &g_saved_mode);
  remove_restoring_handlers();
}

}  // namespace otpd::cli
