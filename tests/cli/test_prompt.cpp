// Reading codes: a line at a time from a pipe (no more than the line is consumed), and
// with echo off on a pseudo-terminal.
#include <gtest/gtest.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "shared/c_handles.hpp"
#include "shared/prompt.hpp"

namespace otpd::cli {
namespace {

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  void write(std::string_view text) const {
    ASSERT_EQ(::write(write_end.get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  UniqueFd read_end;
  UniqueFd write_end;
};

TEST(ReadSecretLine, ReadsOneLineAtATime) {
  Pipe pipe;
  pipe.write("123456\nabcd-efgh\nlast");
  pipe.write_end.reset();
  EXPECT_EQ(read_secret_line(pipe.read_end.get(), 64)->view(), "123456");
  EXPECT_EQ(read_secret_line(pipe.read_end.get(), 64)->view(), "abcd-efgh");
  EXPECT_EQ(read_secret_line(pipe.read_end.get(), 64)->view(), "last");
  EXPECT_EQ(read_secret_line(pipe.read_end.get(), 64).error(), PromptError::end_of_input);
}

TEST(ReadSecretLine, AnEmptyLineIsNotTheEndOfInput) {
  Pipe pipe;
  pipe.write("\n");
  pipe.write_end.reset();
  const auto line = read_secret_line(pipe.read_end.get(), 64);
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->empty());
}

TEST(ReadSecretLine, ATooLongLineIsDroppedWholeAndTheNextOneReads) {
  Pipe pipe;
  pipe.write(std::string(100, '7') + "\n123456\n");
  pipe.write_end.reset();
  EXPECT_EQ(read_secret_line(pipe.read_end.get(), 16).error(), PromptError::too_long);
  EXPECT_EQ(read_secret_line(pipe.read_end.get(), 16)->view(), "123456");
}

TEST(FdCodeReader, WritesThePromptAndReadsFromAPipe) {
  Pipe pipe;
  pipe.write("975310\n");
  std::ostringstream prompts;
  FdCodeReader reader(pipe.read_end.get(), prompts);
  const auto code = reader.read_code("Code: ");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->view(), "975310");
  EXPECT_EQ(prompts.str(), "Code: ");
}

bool echo_is_on(int fd) {
  termios mode{};
  EXPECT_EQ(::tcgetattr(fd, &mode), 0);
  return (mode.c_lflag & ECHO) != 0;
}

// Types `text` into the terminal once echo is off, as a person would after the prompt.
void type_when_echo_is_off(int master, int slave, std::string text) {
  for (int i = 0; i < 500 && echo_is_on(slave); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(::write(master, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

TEST(FdCodeReader, TurnsEchoOffOnATerminalAndBackOn) {
  int master_fd = -1;
  int slave_fd = -1;
  ASSERT_EQ(::openpty(&master_fd, &slave_fd, nullptr, nullptr, nullptr), 0);
  const UniqueFd master(master_fd);
  const UniqueFd slave(slave_fd);
  ASSERT_TRUE(echo_is_on(slave.get()));

  std::thread typist(type_when_echo_is_off, master.get(), slave.get(), "975310\n");
  std::ostringstream prompts;
  FdCodeReader reader(slave.get(), prompts);
  const auto code = reader.read_code("Code: ");
  typist.join();
  ASSERT_TRUE(code);
  EXPECT_EQ(code->view(), "975310");
  EXPECT_TRUE(echo_is_on(slave.get()));

  // What the terminal showed: the newline (ECHONL), never the code.
  std::string shown(256, '\0');
  const ssize_t got = ::read(master.get(), shown.data(), shown.size());
  shown.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  EXPECT_EQ(shown.find("975310"), std::string::npos) << shown;
}

}  // namespace
}  // namespace otpd::cli
