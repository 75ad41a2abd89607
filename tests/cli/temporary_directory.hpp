// A fresh directory under $TMPDIR for one test, removed with its contents afterwards.
#pragma once

#include <string>

namespace otpd::cli::test_support {

class TemporaryDirectory {
 public:
  TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace otpd::cli::test_support
