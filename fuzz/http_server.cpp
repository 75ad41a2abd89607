// Raw bytes through otpd's real HTTP stack: HttpServer (libmicrohttpd in external
// epoll mode inside an sd-event loop) on a real listening Unix socket, over the same
// core as the api_router target.
//
// Input: the bytes a client writes on one connection (one request, several
// pipelined ones, or garbage). The peer is this process, so uid 0: X-OTP-User is
// honoured, which is the path with the most to get wrong. The harness writes the
// input, runs the loop until otpd is idle, half-closes, and runs it until otpd has
// closed the connection. Before each input every user is forgotten.
// Asserted: no crash, leak or hang (otpd closes the connection within 2 s of the
// client's half-close and holds no connection afterwards); the first reply, if
// any (after a 100 Continue), is an HTTP/1.1 status line with a status from otpd's
// documented set or one that libmicrohttpd itself answers a malformed request with.
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-event.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_core.hpp"
#include "http/api_socket.hpp"
#include "http/http_server.hpp"
#include "sd_bus_handles.hpp"

namespace otpd::fuzz {
namespace {

constexpr int kMaxIdleRounds = 2000;   // of 1 ms each, once the client has half-closed
constexpr int kMaxBusyRounds = 10000;  // of sd_event_run(0) while work is pending

class HttpHarness {
 public:
  HttpHarness() {
    sd_event* raw = nullptr;
    if (sd_event_new(&raw) < 0) die("sd_event_new");
    event_.reset(raw);
    socket_path_ = core_.dir.path() / "api.sock";
    auto listen_socket = open_api_socket(socket_path_);
    if (!listen_socket) die("cannot open the API socket: " + listen_socket.error().message);
    auto server = HttpServer::start(event_.get(), std::move(*listen_socket), core_.router, core_.users, core_.log);
    if (!server) die("cannot start the HTTP server: " + server.error().message);
    server_ = std::move(*server);
  }

  // What otpd answered on one connection that sent `input`.
  std::string exchange(std::string_view input) {
    core_.reset();
    UniqueFd client = connect_client();
    std::string reply;
    while (!input.empty()) {
      const ssize_t sent = ::send(client.get(), input.data(), input.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && errno != EAGAIN && errno != EINTR) break;  // otpd hung up: fine
      if (sent > 0) input.remove_prefix(static_cast<std::size_t>(sent));
      run_until_idle(client.get(), reply);
    }
    run_until_idle(client.get(), reply);
    ::shutdown(client.get(), SHUT_WR);
    bool closed = false;
    for (int round = 0; round < kMaxIdleRounds && !closed; ++round) {
      closed = drain(client.get(), reply);
      if (!closed) sd_event_run(event_.get(), 1000);
    }
    if (!closed) die("otpd kept the connection open after the client's half-close");
    client.reset();
    for (int round = 0; round < kMaxIdleRounds && server_->open_connections() != 0; ++round) {
      sd_event_run(event_.get(), 1000);
    }
    if (server_->open_connections() != 0) die("otpd still holds a closed connection");
    return reply;
  }

 private:
  UniqueFd connect_client() const {
    UniqueFd client(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path_.c_str(), sizeof(address.sun_path) - 1);
    if (!client.valid() || ::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      die(std::string("cannot connect: ") + std::strerror(errno));
    }
    return client;
  }

  // Reads what is there; true once otpd has closed its side.
  static bool drain(int fd, std::string& reply) {
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
      if (got > 0) {
        reply.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (got == 0) return true;
      return errno != EAGAIN && errno != EINTR;  // ECONNRESET and the like: closed too
    }
  }

  void run_until_idle(int fd, std::string& reply) {
    for (int round = 0; round < kMaxBusyRounds; ++round) {
      (void)drain(fd, reply);
      if (sd_event_run(event_.get(), 0) <= 0) return;
    }
    die("otpd's event loop never went idle");
  }

  Core core_;
  SdEvent event_;
  std::filesystem::path socket_path_;
  std::unique_ptr<HttpServer> server_;
};

void check_reply(std::string_view reply) {
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";  // for Expect: 100-continue
  if (reply.starts_with(kContinue)) reply.remove_prefix(kContinue.size());
  if (reply.empty()) return;  // otpd may hang up on garbage without a word
  // otpd's own statuses, and those libmicrohttpd answers malformed requests with.
  static const std::set<std::string_view> kStatuses{"200", "400", "401", "404", "405", "409", "410", "413",
                                                    "414", "417", "422", "429", "431", "501", "505"};
  if (!reply.starts_with("HTTP/1.1 ") || reply.size() < 12 || !kStatuses.contains(reply.substr(9, 3))) {
    die("reply does not start with an expected status line: " + std::string(reply.substr(0, 64)));
  }
}

}  // namespace
}  // namespace otpd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Built on first use and torn down only at exit, so each input costs a connection.
  static otpd::fuzz::HttpHarness harness;
  otpd::fuzz::check_reply(harness.exchange({reinterpret_cast<const char*>(data), size}));
  return 0;
}
