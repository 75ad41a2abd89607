// A directory under /tmp that exists for one test and is removed after it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace otpd::test {

class TempDir {
 public:
  // Mode 0755 so that unprivileged test clients can reach sockets inside; under /tmp,
  // which every uid a test runs as can reach (a fuzz target asks for $TMPDIR).
  explicit TempDir(const std::string& prefix = "otpd-test", const std::filesystem::path& base = "/tmp");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

[[nodiscard]] std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace otpd::test

namespace otpd::test {
// Waits, with inotify on `directory`, until `done()` holds; false after `timeout_ms`
// (times the patience: patience.hpp).
[[nodiscard]] bool wait_for(const std::filesystem::path& directory, const std::function<bool()>& done,
                            int timeout_ms = 10000);
// Waits, with inotify on its directory, until `path` exists; false after `timeout_ms`.
[[nodiscard]] bool wait_for_path(const std::filesystem::path& path, int timeout_ms = 10000);
}  // namespace otpd::test
