// One test's world: a temp dir, a private system bus, and the real otpd on both.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "otpd_daemon.hpp"
#include "private_bus.hpp"
#include "temp_dir.hpp"

namespace otpd::test {

struct OtpdEnvironment {
  explicit OtpdEnvironment(const std::string& config_text = "", std::vector<std::filesystem::path> policies = {})
      : bus(dir, std::move(policies)), otpd(dir, bus.address(), config_text) {}

  [[nodiscard]] const std::filesystem::path& socket() const { return otpd.paths().socket; }
  [[nodiscard]] const std::string& bus_address() const { return bus.address(); }

  TempDir dir;
  PrivateBus bus;
  OtpdDaemon otpd;
};

// The integration tests act as root and as other uids; as anyone else they skip.
class OtpdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "integration tests need root (setuid to test users, bus policy)";
    env_ = std::make_unique<OtpdEnvironment>(config_text(), policies());
  }
  [[nodiscard]] virtual std::string config_text() const { return ""; }
  [[nodiscard]] virtual std::vector<std::filesystem::path> policies() const { return {}; }

  OtpdEnvironment& env() { return *env_; }
  const std::filesystem::path& socket() { return env_->socket(); }
  const std::string& bus_address() { return env_->bus_address(); }

  std::unique_ptr<OtpdEnvironment> env_;
};

}  // namespace otpd::test
