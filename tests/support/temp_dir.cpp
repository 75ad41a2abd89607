#include "temp_dir.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "patience.hpp"

namespace otpd::test {

TempDir::TempDir(const std::string& prefix, const std::filesystem::path& base) {
  std::string pattern = (base / (prefix + "-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buffer.data();
  ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

bool wait_for(const std::filesystem::path& directory, const std::function<bool()>& done, int timeout_ms) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return false;
  ::inotify_add_watch(fd, directory.c_str(), IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE);
  const auto deadline = std::chrono::steady_clock::now() + patient(std::chrono::milliseconds(timeout_ms));
  bool finished = done();  // checked after the watch is set: nothing slips between
  while (!finished && std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd event{fd, POLLIN, 0};
    if (::poll(&event, 1, static_cast<int>(left.count()) + 1) > 0) {
      char buffer[4096];
      while (::read(fd, buffer, sizeof(buffer)) > 0) {
      }
    }
    finished = done();
  }
  ::close(fd);
  return finished;
}

bool wait_for_path(const std::filesystem::path& path, int timeout_ms) {
  return wait_for(
      path.parent_path(), [&] { return std::filesystem::exists(path); }, timeout_ms);
}

}  // namespace otpd::test
