// Asking the person for a code. The code is never echoed: with echo off on a terminal,
// and read a byte at a time otherwise, so nothing past the line is consumed and no
// stdio buffer keeps a copy.
#pragma once

#include <iosfwd>
#include <string_view>
#include <tl/expected.hpp>

#include "secure_bytes.hpp"

namespace otpd::cli {

enum class PromptError { end_of_input, too_long, read_failed };

// Where codes come from; commands ask this and nothing else, so tests can script it.
class CodeReader {
 public:
  virtual ~CodeReader() = default;
  [[nodiscard]] virtual tl::expected<SecureString, PromptError> read_code(std::string_view prompt) = 0;
};

// Reads from a file descriptor (stdin), writing the prompt to `prompt_out`.
class FdCodeReader final : public CodeReader {
 public:
  FdCodeReader(int fd, std::ostream& prompt_out) : fd_(fd), prompt_out_(prompt_out) {}
  [[nodiscard]] tl::expected<SecureString, PromptError> read_code(std::string_view prompt) override;

 private:
  int fd_;
  std::ostream& prompt_out_;
};

// One line from `fd` without its newline; at most `limit` bytes are kept.
[[nodiscard]] tl::expected<SecureString, PromptError> read_secret_line(int fd, std::size_t limit);

[[nodiscard]] std::string_view describe(PromptError error);

}  // namespace otpd::cli
