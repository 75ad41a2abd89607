// Helpers the unit test binaries share: a private temporary directory, a fixed
// sealing key, and byte/file conversions.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "secure_bytes.hpp"
#include "temp_dir.hpp"

namespace otpd::test {

// The value of a step a test cannot go on without; its failure throws, which
// GoogleTest reports as the test's failure with the error's message.
template <class T>
T must(Expected<T> result, std::string_view what = "") {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

inline std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// Codes the service handed out in wiped memory, as plain strings a test may copy.
inline std::vector<std::string> texts_of(const std::vector<SecureString>& codes) {
  std::vector<std::string> texts;
  for (const auto& code : codes) texts.emplace_back(code.view());
  return texts;
}

inline std::string text_of(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

// The fixed 32-byte sealing key the tests seal under: 0x00, 0x01, ..., 0x1f.
inline SecureBytes test_key(std::uint8_t first = 0) {
  SecureBytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(first + i);
  return key;
}

// Writes `contents` and sets `mode` (read_file and write_file come from temp_dir.hpp).
inline void write_file_with_mode(const std::filesystem::path& path, std::string_view contents, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    ASSERT_TRUE(out.good()) << "cannot write " << path;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

inline mode_t file_mode(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

}  // namespace otpd::test
