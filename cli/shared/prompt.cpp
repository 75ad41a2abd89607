#include "shared/prompt.hpp"

#include <unistd.h>

#include <cerrno>
#include <ostream>

#include "protocol.hpp"
#include "shared/terminal.hpp"

namespace otpd::cli {
namespace {

// Room for a code typed with blanks in it ("123 456").
constexpr std::size_t kMaxLineBytes = 2 * protocol::kMaxCodeLength;

enum class ReadStep { byte, end, failed };

ReadStep read_byte(int fd, char& byte) {
  for (;;) {
    const ssize_t got = ::read(fd, &byte, 1);
    if (got == 1) return ReadStep::byte;
    if (got == 0) return ReadStep::end;
    if (errno != EINTR) return ReadStep::failed;
  }
}

}  // namespace

tl::expected<SecureString, PromptError> read_secret_line(int fd, std::size_t limit) {
  SecureString line = SecureString::with_capacity(limit);
  bool overflowed = false;
  bool read_any = false;
  char byte = 0;
  for (;;) {
    const ReadStep step = read_byte(fd, byte);
    if (step == ReadStep::failed) return tl::unexpected(PromptError::read_failed);
    if (step == ReadStep::end && !read_any) return tl::unexpected(PromptError::end_of_input);
    if (step == ReadStep::end || byte == '\n') break;
    read_any = true;
    // Past the limit keep reading to the end of the line, so the next prompt starts fresh.
    if (!overflowed && !line.append({&byte, 1})) overflowed = true;
  }
  byte = 0;
  if (overflowed) return tl::unexpected(PromptError::too_long);
  return line;
}

tl::expected<SecureString, PromptError> FdCodeReader::read_code(std::string_view prompt) {
  const EchoOff echo_off(fd_);  // does nothing unless fd_ is a terminal
  prompt_out_ << prompt << std::flush;
  return read_secret_line(fd_, kMaxLineBytes);
}

std::string_view describe(PromptError error) {
  switch (error) {
    case PromptError::end_of_input: return "no code entered (end of input)";
    case PromptError::too_long: return "that is too long for a code";
    case PromptError::read_failed: return "cannot read the code";
  }
  return "cannot read the code";
}

}  // namespace otpd::cli
