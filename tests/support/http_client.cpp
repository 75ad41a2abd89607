#include "http_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "descriptor_passing.hpp"
#include "patience.hpp"
#include "run_as.hpp"
#include "secrets_seen.hpp"

namespace otpd::test {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

HttpResponse parse_response(const std::string& raw) {
  HttpResponse response;
  const auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return response;
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  response.status = std::atoi(line.substr(9, 3).c_str());
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[lower(line.substr(0, colon))] = value;
  }
  response.body = raw.substr(head_end + 4);
  remember_handed_out(response.body);
  return response;
}

}  // namespace

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body, nullptr, false); }

UniqueFd http_connect(const std::filesystem::path& socket_path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return {};
  return fd;
}

namespace {

// A server that never answers fails the test instead of hanging it.
void bound_receives(int fd) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(patient(std::chrono::seconds(60)));
  const timeval bound{static_cast<time_t>(seconds.count()), 0};
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
}

}  // namespace

HttpResponse http_read_response(int fd) {
  bound_receives(fd);
  std::string answer;
  char buffer[8192];
  for (ssize_t got; (got = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;)
    answer.append(buffer, static_cast<std::size_t>(got));
  return parse_response(answer);
}

HttpResponse http_read_one_response(int fd) {
  bound_receives(fd);
  std::string answer;
  char buffer[8192];
  for (;;) {
    const auto head_end = answer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const HttpResponse head = parse_response(answer.substr(0, head_end + 4));
      const auto length = head.headers.find("content-length");
      const std::size_t body = length == head.headers.end() ? 0 : std::stoul(length->second);
      if (answer.size() >= head_end + 4 + body) return parse_response(answer.substr(0, head_end + 4 + body));
    }
    const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
    if (got <= 0) return {};
    answer.append(buffer, static_cast<std::size_t>(got));
  }
}

bool http_closed_by_server(int fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd readable{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&readable, 1, static_cast<int>(left)) <= 0) return false;
    char buffer[512];
    if (::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT) <= 0) return true;
  }
}

std::vector<UniqueFd> http_connect_as(uid_t uid, const std::filesystem::path& socket, std::size_t count) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) throw std::runtime_error("socketpair");
  const UniqueFd ours(pair[0]);
  const UniqueFd theirs(pair[1]);
  const std::string done = run_as(uid, [&] {
    std::vector<UniqueFd> opened;
    std::vector<int> raw;
    for (std::size_t i = 0; i < count; ++i) {
      opened.push_back(http_connect(socket));
      if (!opened.back().valid()) return std::string("connect failed");
      raw.push_back(opened.back().get());
    }
    send_descriptors(theirs.get(), raw);
    return std::string("ok");
  });
  if (done != "ok") throw std::runtime_error("http_connect_as: " + done);
  return receive_descriptors(ours.get(), count);
}

HttpResponse http_raw(const std::filesystem::path& socket, const std::string& raw) {
  const UniqueFd fd = http_connect(socket);
  if (!fd.valid()) return {};
  (void)!::send(fd.get(), raw.data(), raw.size(), MSG_NOSIGNAL);
  return http_read_response(fd.get());
}

namespace {

std::string request_bytes(const HttpRequest& request) {
  std::string raw = request.method + " " + request.path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  for (const auto& [name, value] : request.headers) raw += name + ": " + value + "\r\n";
  if (request.method != "GET" || !request.body.empty()) {
    raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  return raw + "\r\n" + request.body;
}

}  // namespace

HttpResponse http(const std::filesystem::path& socket, const HttpRequest& request) {
  return http_raw(socket, request_bytes(request));
}

void http_send_and_hang_up(const std::filesystem::path& socket, const HttpRequest& request) {
  const UniqueFd fd = http_connect(socket);
  if (!fd.valid()) throw std::runtime_error("cannot connect to " + socket.string());
  const std::string raw = request_bytes(request);
  (void)!::send(fd.get(), raw.data(), raw.size(), MSG_NOSIGNAL);
}

HttpResponse http_post(const std::filesystem::path& socket, const std::string& path, const nlohmann::json& body,
                       std::vector<std::pair<std::string, std::string>> headers) {
  return http(socket, HttpRequest{"POST", path, body.dump(), std::move(headers)});
}

HttpResponse http_get(const std::filesystem::path& socket, const std::string& path,
                      std::vector<std::pair<std::string, std::string>> headers) {
  return http(socket, HttpRequest{"GET", path, "", std::move(headers)});
}

std::string serialize(const HttpResponse& response) {
  nlohmann::json text{{"status", response.status}, {"headers", response.headers}, {"body", response.body}};
  return text.dump();
}

HttpResponse deserialize(const std::string& text) {
  const auto parsed = nlohmann::json::parse(text);
  return HttpResponse{parsed["status"].get<int>(), parsed["headers"].get<std::map<std::string, std::string>>(),
                      parsed["body"].get<std::string>()};
}

}  // namespace otpd::test
