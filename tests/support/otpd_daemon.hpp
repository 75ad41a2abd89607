// The real otpd binary on temp paths and a private bus, started the way systemd
// would (it reports READY=1 on $NOTIFY_SOCKET before a test talks to it).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace otpd::test {

[[nodiscard]] std::filesystem::path otpd_binary();  // $OTPD_BINARY

struct OtpdPaths {
  std::filesystem::path config;
  std::filesystem::path database;
  std::filesystem::path socket;
  std::filesystem::path log;  // otpd's stderr (there is no journal in the tests)
};

class OtpdDaemon {
 public:
  // Writes a config file with `config_text` (INI; may be empty) into `dir`.
  OtpdDaemon(const TempDir& dir, std::string bus_address, const std::string& config_text = "");
  ~OtpdDaemon();
  OtpdDaemon(const OtpdDaemon&) = delete;
  OtpdDaemon& operator=(const OtpdDaemon&) = delete;

  void start();  // throws if otpd exits or is not ready within 10 s
  int stop();    // SIGTERM; returns the wait status
  void restart() {
    stop();
    start();
  }
  [[nodiscard]] ChildProcess& process() { return process_; }
  [[nodiscard]] const OtpdPaths& paths() const { return paths_; }
  [[nodiscard]] std::string log_text() const;

 private:
  std::string bus_address_;
  OtpdPaths paths_;
  std::filesystem::path notify_socket_;
  ChildProcess process_;
};

// Starts otpd with these arguments (no readiness wait) and returns its exit status
// and output: for start-up failures.
struct OtpdRun {
  int status = -1;
  std::string output;
};
[[nodiscard]] OtpdRun run_otpd_to_exit(const TempDir& dir, const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& env = {});

}  // namespace otpd::test
