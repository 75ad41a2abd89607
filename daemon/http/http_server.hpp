// The HTTP/1.1 face of otpd on a Unix socket, through libmicrohttpd in external
// epoll mode inside otpd's sd-event loop. otpd accepts connections itself so that
// it reads the caller's uid (SO_PEERCRED) before a byte of the request, and so that
// it can bound connections in all and per uid; then it hands them to MHD.
#pragma once

#include <microhttpd.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "http/api_router.hpp"
#include "sd_bus_handles.hpp"
#include "service/event_log.hpp"
#include "service/log_budget.hpp"
#include "service/user_directory.hpp"
#include "unique_fd.hpp"

namespace otpd {

struct HttpLimits {
  std::size_t max_body_bytes = 4096;
  std::size_t connection_memory_bytes = std::size_t{16} * 1024;  // bounds request line + headers
  unsigned max_connections = 256;
  unsigned max_connections_per_uid = 32;
  // In all, for the uids the directory has no account for: a user may own thousands
  // (a subuid range), and per uid they would take every connection.
  unsigned max_connections_without_account = 32;
  unsigned idle_timeout_seconds = 30;
  // Each request's, from its start (the accept, or the end of the one before on the
  // connection): a trickle of bytes that keeps MHD's idle timeout running holds a
  // connection no longer than this.
  unsigned header_timeout_seconds = 10;   // until its headers are in
  unsigned request_timeout_seconds = 20;  // until its body is in
  // libmicrohttpd's own messages (one for each client that hangs up mid-request, for
  // instance): at most this many a minute, the rest counted in one line.
  unsigned library_log_lines_per_minute = 5;
};

class HttpServer {
 public:
  // `users` says which callers have an account, for the connection limits.
  [[nodiscard]] static Expected<std::unique_ptr<HttpServer>> start(sd_event* event, UniqueFd listen_socket,
                                                                   ApiRouter& router, const UserDirectory& users,
                                                                   EventLog& log, const HttpLimits& limits = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  [[nodiscard]] std::size_t open_connections() const { return peers_.size(); }

 private:
  // Where a connection's current request is: each phase but the last has a deadline.
  enum class Phase { headers, body, answering };
  struct Peer {
    int fd = -1;
    uid_t uid = static_cast<uid_t>(-1);
    bool without_account = false;  // counted in without_account_
    Phase phase = Phase::headers;
    std::uint64_t request_started_usec = 0;
  };
  struct Request;

  HttpServer(sd_event* event, UniqueFd listen_socket, ApiRouter& router, const UserDirectory& users, EventLog& log,
             const HttpLimits& limits);
  [[nodiscard]] Expected<void> start_mhd();
  [[nodiscard]] Expected<void> add_event_sources();

  void accept_connections();
  [[nodiscard]] bool over_limit(uid_t uid, bool without_account) const;
  void admit(UniqueFd connection, uid_t uid, bool without_account);
  void forget(const Peer& peer);
  [[nodiscard]] static Peer* peer_of(MHD_Connection* connection);
  void run_mhd();
  void arm_mhd_timer();
  void close_stalled_connections();
  void set_listening(bool enabled);
  // A source that cannot be (re)armed leaves a deadline or an answer waiting for some
  // other event: the log says so, as nothing else would.
  void check_event(int r, std::string_view what);
  void arm_timer(sd_event_source* timer, std::uint64_t at_usec);

  MHD_Result on_request(MHD_Connection* connection, const char* url, const char* method, const char* upload_data,
                        std::size_t* upload_data_size, void** request_context);
  static MHD_Result answer(MHD_Connection* connection, ApiResponse response);
  MHD_Result serve(MHD_Connection* connection, Request& request, const char* url, const char* method);
  [[nodiscard]] static std::optional<ApiRequest> api_request(MHD_Connection* connection, const Request& request,
                                                             const char* url, const char* method, ApiResponse& refusal);
  void deliver(std::uint64_t request_id, ApiResponse response);
  void on_connection_event(MHD_Connection* connection, void** socket_context, MHD_ConnectionNotificationCode code);

  static int on_listen_ready(sd_event_source*, int, std::uint32_t, void* self) noexcept;
  static int on_mhd_ready(sd_event_source*, int, std::uint32_t, void* self) noexcept;
  static int on_mhd_timer(sd_event_source*, std::uint64_t, void* self) noexcept;
  static int on_sweep_timer(sd_event_source*, std::uint64_t, void* self) noexcept;
  static int on_log_summary_timer(sd_event_source*, std::uint64_t, void* self) noexcept;
  void log_library_message(std::string_view text);
  static MHD_Result mhd_access(void* self, MHD_Connection* connection, const char* url, const char* method,
                               const char* version, const char* upload_data, std::size_t* upload_data_size,
                               void** request_context) noexcept;
  static void mhd_completed(void* self, MHD_Connection* connection, void** request_context,
                            MHD_RequestTerminationCode code) noexcept;
  static int on_resumed(sd_event_source*, void* self) noexcept;
  static void mhd_connection(void* self, MHD_Connection* connection, void** socket_context,
                             MHD_ConnectionNotificationCode code) noexcept;
  // printf-like: MHD hands over its format with the arguments.
  [[gnu::format(printf, 2, 0)]] static void mhd_log(void* self, const char* format, va_list args) noexcept;

  sd_event* event_;
  UniqueFd listen_socket_;
  ApiRouter& router_;
  const UserDirectory& users_;
  EventLog& log_;
  HttpLimits limits_;
  MHD_Daemon* daemon_ = nullptr;
  SdEventSource listen_source_;
  SdEventSource mhd_io_source_;
  SdEventSource mhd_timer_source_;
  SdEventSource sweep_source_;
  SdEventSource resumed_source_;      // runs MHD once a suspended request has its answer
  SdEventSource log_summary_source_;  // says how many of MHD's messages were dropped
  LogBudget library_log_;
  std::unordered_map<int, Peer> peers_;  // by descriptor; node-based, so pointers stay valid
  std::unordered_map<uid_t, unsigned> connections_per_uid_;
  unsigned without_account_ = 0;
  // Requests that went to the router and have no answer yet (suspended while the
  // executor hashes), by id: an answer for one that is gone finds nothing.
  struct InFlight {
    MHD_Connection* connection = nullptr;
    Request* request = nullptr;
  };
  std::unordered_map<std::uint64_t, InFlight> in_flight_;
  std::uint64_t next_request_id_ = 0;
};

}  // namespace otpd
