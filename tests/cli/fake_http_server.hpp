// A tiny HTTP server on a Unix socket for the CLI's tests: a thread that answers each
// connection, in order, with the next canned response and records what it was asked.
// It stands in for otpd where otpd itself is not the subject (transport errors,
// limits, the commands' wording); the end-to-end tests use the real daemon.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace otpd::cli::test_support {

// A whole HTTP/1.1 response with Content-Length and Connection: close.
[[nodiscard]] std::string http_response(int status, std::string_view body, std::string_view extra_headers = {});

struct ReceivedRequest {
  std::string head;  // request line and headers, each line ending in CRLF
  std::string body;
};

class FakeHttpServer {
 public:
  // nullopt as a response: read the request, then answer nothing until shut down.
  explicit FakeHttpServer(std::vector<std::optional<std::string>> responses);
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;
  ~FakeHttpServer();

  [[nodiscard]] const std::string& socket_path() const { return socket_path_; }
  [[nodiscard]] std::vector<ReceivedRequest> requests() const;

 private:
  void serve(int listener);
  void answer(int connection, const std::optional<std::string>& response);

  otpd::test::TempDir directory_;
  std::string socket_path_;
  std::vector<std::optional<std::string>> responses_;
  int stop_pipe_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace otpd::cli::test_support
