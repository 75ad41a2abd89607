#include "fake_http_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace otpd::cli::test_support {
namespace {

constexpr std::string_view kEndOfHead = "\r\n\r\n";

std::string reason_for(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    default: return "Status";
  }
}

std::size_t content_length(const std::string& head) {
  const std::string name = "content-length:";
  std::string lower = head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find(name);
  if (at == std::string::npos) return 0;
  return std::strtoul(head.c_str() + at + name.size(), nullptr, 10);
}

// Waits until `fd` is readable or `stop` is; true for `fd`.
bool wait_readable(int fd, int stop) {
  pollfd fds[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
  if (::poll(fds, 2, -1) <= 0) return false;
  return (fds[1].revents & POLLIN) == 0 && (fds[0].revents & (POLLIN | POLLHUP)) != 0;
}

ReceivedRequest read_request(int connection, int stop) {
  std::string data;
  char buffer[4096];
  while (data.find(kEndOfHead) == std::string::npos ||
         data.size() < data.find(kEndOfHead) + kEndOfHead.size() + content_length(data)) {
    if (!wait_readable(connection, stop)) break;
    const ssize_t got = ::read(connection, buffer, sizeof buffer);
    if (got <= 0) break;
    data.append(buffer, static_cast<std::size_t>(got));
  }
  const auto end = data.find(kEndOfHead);
  if (end == std::string::npos) return {data, {}};
  // The head keeps the CRLF of its last line, so every header ends in "\r\n".
  return {data.substr(0, end + 2), data.substr(end + kEndOfHead.size())};
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (wrote <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
}

int listen_on(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 8) != 0) {
    throw std::runtime_error("fake server cannot listen on " + path);
  }
  return fd;
}

}  // namespace

std::string http_response(int status, std::string_view body, std::string_view extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason_for(status) + "\r\n" +
         "Content-Type: application/json\r\n" + std::string(extra_headers) +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
}

FakeHttpServer::FakeHttpServer(std::vector<std::optional<std::string>> responses)
    : socket_path_((directory_ / "api.sock").string()), responses_(std::move(responses)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const int listener = listen_on(socket_path_);
  thread_ = std::thread([this, listener] { serve(listener); });
}

FakeHttpServer::~FakeHttpServer() {
  if (::write(stop_pipe_[1], "x", 1) != 1) std::abort();  // the thread would never end
  thread_.join();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

std::vector<ReceivedRequest> FakeHttpServer::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

void FakeHttpServer::serve(int listener) {
  for (const auto& response : responses_) {
    if (!wait_readable(listener, stop_pipe_[0])) break;
    const int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) break;
    answer(connection, response);
    ::close(connection);
  }
  ::close(listener);
}

void FakeHttpServer::answer(int connection, const std::optional<std::string>& response) {
  auto request = read_request(connection, stop_pipe_[0]);
  {
    const std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  if (response) {
    write_all(connection, *response);
  } else {
    (void)wait_readable(stop_pipe_[0], stop_pipe_[0]);
  }
}

}  // namespace otpd::cli::test_support
