// A deliberately small HTTP/1.1 client over a Unix socket: it writes exactly the
// bytes a test asks for, so tests can also send what no well-behaved client would.
#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace otpd::test {

struct HttpResponse {
  int status = 0;                              // 0: no answer (connection cut)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  [[nodiscard]] nlohmann::json json() const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

[[nodiscard]] HttpResponse http(const std::filesystem::path& socket, const HttpRequest& request);
// Sends `raw` bytes as they are and reads the answer until the server closes.
[[nodiscard]] HttpResponse http_raw(const std::filesystem::path& socket, const std::string& raw);

// The pieces, for a connection the test holds itself: a connected socket (invalid
// if the connect failed), and the answer read from one until the server closes it
// (status 0 if nothing parseable came before the close, or for 60 s).
[[nodiscard]] UniqueFd http_connect(const std::filesystem::path& socket);
[[nodiscard]] HttpResponse http_read_response(int fd);
// One answer on a connection that stays open (keep-alive): read up to the end of the
// body its Content-Length announces. Status 0 if the server closed first.
[[nodiscard]] HttpResponse http_read_one_response(int fd);
// True once the server has closed `fd` (end of file or reset), false if it is still
// open at `deadline`. What arrives before the close is dropped.
[[nodiscard]] bool http_closed_by_server(int fd, std::chrono::steady_clock::time_point deadline);

// `count` connections to the API opened by `uid` (in a child that runs as it) and
// handed back: the kernel keeps them that uid's whoever holds them.
[[nodiscard]] std::vector<UniqueFd> http_connect_as(uid_t uid, const std::filesystem::path& socket, std::size_t count);

// Sends the request and closes the connection at once, without reading the answer:
// a client that hangs up mid-request.
void http_send_and_hang_up(const std::filesystem::path& socket, const HttpRequest& request);

[[nodiscard]] HttpResponse http_post(const std::filesystem::path& socket, const std::string& path,
                                     const nlohmann::json& body,
                                     std::vector<std::pair<std::string, std::string>> headers = {});
[[nodiscard]] HttpResponse http_get(const std::filesystem::path& socket, const std::string& path,
                                    std::vector<std::pair<std::string, std::string>> headers = {});

// The same across a process boundary (run_as): a response as text and back.
[[nodiscard]] std::string serialize(const HttpResponse& response);
[[nodiscard]] HttpResponse deserialize(const std::string& text);

}  // namespace otpd::test
