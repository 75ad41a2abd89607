#include "http/http_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "http/json_text.hpp"
#include "http_api.hpp"
#include "protocol.hpp"
#include "wiped_json.hpp"

namespace otpd {

struct HttpServer::Request {
  // At its final size from the start: no reallocation leaves a copy of a code behind.
  explicit Request(std::size_t max_body) : body(SecureBytes::with_capacity(max_body)) {}
  SecureBytes body;
  bool too_large = false;
  std::size_t discarded = 0;
  std::uint64_t id = 0;                 // in in_flight_ while the router has it
  bool suspended = false;               // waits for the router's answer
  std::optional<ApiResponse> response;  // the router's answer, once there
};

namespace {

constexpr std::uint64_t kUsecPerSecond = 1'000'000;
constexpr std::string_view kBodyTooLarge = "Request body too large";
// A body over the limit without a Content-Length (chunked) is read and dropped up to
// this many times the limit, so the client still gets its 413; past that the
// connection is cut.
constexpr std::size_t kDiscardFactor = 16;

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * kUsecPerSecond + static_cast<std::uint64_t>(now.tv_nsec) / 1000;
}

std::optional<std::size_t> declared_length(MHD_Connection* connection) {
  const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (value == nullptr) return std::nullopt;
  std::size_t length = 0;
  const std::string_view text(value);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (ec != std::errc() || end != text.data() + text.size()) return SIZE_MAX;
  return length;
}

struct HeaderCount {
  std::string_view name;
  unsigned count = 0;
  const char* value = nullptr;
};

MHD_Result count_header(void* context, MHD_ValueKind, const char* key, const char* value) {
  auto* wanted = static_cast<HeaderCount*>(context);
  if (key != nullptr && ::strcasecmp(key, std::string(wanted->name).c_str()) == 0) {
    ++wanted->count;
    wanted->value = value;
  }
  return MHD_YES;
}

// A whole answer with an error body, for a socket MHD does not (or no longer) write to.
std::string raw_error_answer(std::string_view status_line, std::string_view message) {
  const std::string body = nlohmann::json{{http_api::kFieldError, message}}.dump() + "\n";
  return std::string(status_line) +
         "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// A short refusal written straight to a connection MHD never sees.
void refuse_connection(int fd) {
  static const std::string kTooMany = raw_error_answer("HTTP/1.1 429 Too Many Requests", "Too many open connections");
  (void)!::send(fd, kTooMany.data(), kTooMany.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// A body that goes on past what is worth draining is cut. MHD cannot queue an
// answer while a body is still coming, so the 413 goes straight to the socket
// (nothing else is being sent on it then) before MHD closes the connection.
MHD_Result cut_endless_body(MHD_Connection* connection) {
  static const std::string kTooLarge = raw_error_answer("HTTP/1.1 413 Content Too Large", kBodyTooLarge);
  const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (info != nullptr) {
    (void)!::send(info->connect_fd, kTooLarge.data(), kTooLarge.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  return MHD_NO;
}

}  // namespace

HttpServer::HttpServer(sd_event* event, UniqueFd listen_socket, ApiRouter& router, const UserDirectory& users,
                       EventLog& log, const HttpLimits& limits)
    : event_(event),
      listen_socket_(std::move(listen_socket)),
      router_(router),
      users_(users),
      log_(log),
      limits_(limits),
      library_log_(limits.library_log_lines_per_minute, 60 * kUsecPerSecond) {}

HttpServer::~HttpServer() {
  listen_source_.reset();
  mhd_io_source_.reset();
  mhd_timer_source_.reset();
  sweep_source_.reset();
  resumed_source_.reset();
  log_summary_source_.reset();
  // MHD may not be stopped with a suspended connection: resume them unanswered,
  // and stopping closes them. Their answers, if any come, find nothing.
  for (auto& [id, flight] : in_flight_) {
    if (flight.request->suspended) MHD_resume_connection(flight.connection);
    flight.request->suspended = false;
  }
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

Expected<std::unique_ptr<HttpServer>> HttpServer::start(sd_event* event, UniqueFd listen_socket, ApiRouter& router,
                                                        const UserDirectory& users, EventLog& log,
                                                        const HttpLimits& limits) {
  std::unique_ptr<HttpServer> server(new HttpServer(event, std::move(listen_socket), router, users, log, limits));
  if (auto ok = server->start_mhd(); !ok) return tl::unexpected(ok.error());
  if (auto ok = server->add_event_sources(); !ok) return tl::unexpected(ok.error());
  return server;
}

Expected<void> HttpServer::start_mhd() {
  const unsigned flags = MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
  // One option and its values a line.
  // clang-format off
  daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &HttpServer::mhd_access, this,
      MHD_OPTION_EXTERNAL_LOGGER, &HttpServer::mhd_log, this,  // first, or MHD logs to stderr itself
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(limits_.max_connections),
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned>(limits_.idle_timeout_seconds),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<std::size_t>(limits_.connection_memory_bytes),
      MHD_OPTION_STRICT_FOR_CLIENT, 1,
      MHD_OPTION_NOTIFY_COMPLETED, &HttpServer::mhd_completed, this,
      MHD_OPTION_NOTIFY_CONNECTION, &HttpServer::mhd_connection, this,
      MHD_OPTION_END);
  // clang-format on
  if (daemon_ == nullptr) return fail(ErrorKind::system, "libmicrohttpd did not start");
  return {};
}

Expected<void> HttpServer::add_event_sources() {
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD);
  if (info == nullptr) return fail(ErrorKind::system, "libmicrohttpd has no epoll descriptor");
  sd_event_source* raw = nullptr;
  if (int r = sd_event_add_io(event_, &raw, listen_socket_.get(), EPOLLIN, &HttpServer::on_listen_ready, this); r < 0) {
    return fail(ErrorKind::system, std::string("cannot watch the API socket: ") + std::strerror(-r));
  }
  listen_source_.reset(raw);
  if (int r = sd_event_add_io(event_, &raw, info->epoll_fd, EPOLLIN, &HttpServer::on_mhd_ready, this); r < 0) {
    return fail(ErrorKind::system, std::string("cannot watch libmicrohttpd: ") + std::strerror(-r));
  }
  mhd_io_source_.reset(raw);
  // libmicrohttpd's timeouts need a precise timer: sd-event's default accuracy of
  // 250 ms would leave MHD's work undone for that long.
  for (auto [source, callback] : {std::pair{&mhd_timer_source_, &HttpServer::on_mhd_timer},
                                  std::pair{&sweep_source_, &HttpServer::on_sweep_timer},
                                  std::pair{&log_summary_source_, &HttpServer::on_log_summary_timer}}) {
    if (int r = sd_event_add_time(event_, &raw, CLOCK_MONOTONIC, UINT64_MAX, 1, callback, this); r < 0) {
      return fail(ErrorKind::system, std::string("cannot create a timer: ") + std::strerror(-r));
    }
    source->reset(raw);
    if (int r = sd_event_source_set_enabled(raw, SD_EVENT_OFF); r < 0) {
      return fail(ErrorKind::system, std::string("cannot set up a timer: ") + std::strerror(-r));
    }
  }
  if (int r = sd_event_add_defer(event_, &raw, &HttpServer::on_resumed, this); r < 0) {
    return fail(ErrorKind::system, std::string("cannot create a defer source: ") + std::strerror(-r));
  }
  resumed_source_.reset(raw);
  if (int r = sd_event_source_set_enabled(raw, SD_EVENT_OFF); r < 0) {
    return fail(ErrorKind::system, std::string("cannot set up the defer source: ") + std::strerror(-r));
  }
  return {};
}

void HttpServer::check_event(int r, std::string_view what) {
  if (r < 0) log_.message(LogLevel::error, "http: cannot " + std::string(what) + ": " + std::strerror(-r));
}

void HttpServer::arm_timer(sd_event_source* timer, std::uint64_t at_usec) {
  int r = sd_event_source_set_time(timer, at_usec);
  if (r >= 0) r = sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
  check_event(r, "arm a timer");
}

void HttpServer::set_listening(bool enabled) {
  check_event(sd_event_source_set_enabled(listen_source_.get(), enabled ? SD_EVENT_ON : SD_EVENT_OFF),
              enabled ? "listen on the API socket again" : "stop listening on the API socket");
}

void HttpServer::accept_connections() {
  while (peers_.size() < limits_.max_connections) {
    UniqueFd connection(::accept4(listen_socket_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!connection.valid()) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
      log_.message(LogLevel::error, std::string("accept on the API socket failed: ") + std::strerror(errno));
      return;
    }
    ucred peer{};
    socklen_t length = sizeof(peer);
    if (::getsockopt(connection.get(), SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 || length != sizeof(peer)) {
      continue;  // no identity, no service
    }
    // Whether the request will be refused for want of an account is the router's
    // business; here it only decides which limit the connection counts against.
    // A directory that cannot answer gains the caller nothing: no account.
    const auto name = users_.name_of(peer.uid);
    const bool without_account = !name || !name->has_value();
    if (over_limit(peer.uid, without_account)) {
      // Some of these connections may have closed while they waited to be
      // accepted: let MHD reap those before saying no.
      MHD_run(daemon_);
    }
    if (over_limit(peer.uid, without_account)) {
      refuse_connection(connection.get());
      continue;
    }
    admit(std::move(connection), peer.uid, without_account);
  }
  // At the limit: leave further clients in the kernel's backlog until one closes.
  set_listening(false);
}

bool HttpServer::over_limit(uid_t uid, bool without_account) const {
  if (without_account && without_account_ >= limits_.max_connections_without_account) return true;
  const auto found = connections_per_uid_.find(uid);
  return found != connections_per_uid_.end() && found->second >= limits_.max_connections_per_uid;
}

void HttpServer::admit(UniqueFd connection, uid_t uid, bool without_account) {
  const int fd = connection.get();
  const Peer& peer = peers_[fd] = Peer{fd, uid, without_account, Phase::headers, monotonic_usec()};
  ++connections_per_uid_[uid];
  if (without_account) ++without_account_;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // MHD owns (and on failure closes) the descriptor from here on.
  if (MHD_add_connection(daemon_, connection.release(), reinterpret_cast<const sockaddr*>(&address),
                         sizeof(sa_family_t)) != MHD_YES) {
    forget(peer);
    return;
  }
  if (sd_event_source_get_enabled(sweep_source_.get(), nullptr) == 0) {
    arm_timer(sweep_source_.get(), monotonic_usec() + kUsecPerSecond);
  }
}

void HttpServer::run_mhd() {
  // Twice: the first run may free a slot that a queued connection then gets.
  MHD_run(daemon_);
  MHD_run(daemon_);
  arm_mhd_timer();
}

void HttpServer::arm_mhd_timer() {
  MHD_UNSIGNED_LONG_LONG timeout_ms = 0;
  if (MHD_get_timeout(daemon_, &timeout_ms) != MHD_YES) {
    check_event(sd_event_source_set_enabled(mhd_timer_source_.get(), SD_EVENT_OFF), "stop libmicrohttpd's timer");
    return;
  }
  arm_timer(mhd_timer_source_.get(), monotonic_usec() + timeout_ms * 1000);
}

void HttpServer::forget(const Peer& peer) {
  const uid_t uid = peer.uid;
  if (peer.without_account) --without_account_;
  peers_.erase(peer.fd);
  if (--connections_per_uid_[uid] == 0) connections_per_uid_.erase(uid);
}

HttpServer::Peer* HttpServer::peer_of(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info != nullptr ? static_cast<Peer*>(info->socket_context) : nullptr;
}

// A request whose headers, or whose body, have not arrived within their time from
// its start is cut, whatever trickle keeps the connection from being idle.
void HttpServer::close_stalled_connections() {
  const std::uint64_t header_time = limits_.header_timeout_seconds * kUsecPerSecond;
  const std::uint64_t request_time = limits_.request_timeout_seconds * kUsecPerSecond;
  const std::uint64_t now = monotonic_usec();
  for (const auto& [fd, peer] : peers_) {
    const std::uint64_t taken = now - peer.request_started_usec;
    if ((peer.phase == Phase::headers && taken > header_time) || (peer.phase == Phase::body && taken > request_time)) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }
  if (!peers_.empty()) {
    arm_timer(sweep_source_.get(), now + kUsecPerSecond);
  }
  run_mhd();
}

void HttpServer::on_connection_event(MHD_Connection* connection, void** socket_context,
                                     MHD_ConnectionNotificationCode code) {
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    const auto found = info != nullptr ? peers_.find(info->connect_fd) : peers_.end();
    *socket_context = found != peers_.end() ? &found->second : nullptr;
    return;
  }
  const auto* peer = static_cast<Peer*>(*socket_context);
  if (peer == nullptr) return;
  forget(*peer);
  set_listening(true);
}

MHD_Result HttpServer::on_request(MHD_Connection* connection, const char* url, const char* method,
                                  const char* upload_data, std::size_t* upload_data_size, void** request_context) {
  auto* request = static_cast<Request*>(*request_context);
  Peer* peer = peer_of(connection);
  if (request == nullptr) {  // the headers are complete; no body has been read yet
    if (peer != nullptr) peer->phase = Phase::body;
    // libmicrohttpd holds it; mhd_completed deletes it.
    *request_context = new Request(limits_.max_body_bytes);
    const auto length = declared_length(connection);
    if (length && *length > limits_.max_body_bytes) {
      if (peer != nullptr) peer->phase = Phase::answering;
      return answer(connection, ApiResponse{413, {{http_api::kFieldError, kBodyTooLarge}}, std::nullopt, {}});
    }
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (request->too_large || request->body.size() + *upload_data_size > limits_.max_body_bytes) {
      request->too_large = true;
      request->discarded += *upload_data_size;
      if (request->discarded > kDiscardFactor * limits_.max_body_bytes) return cut_endless_body(connection);
    } else {
      (void)request->body.append(std::string_view(upload_data, *upload_data_size));  // fits: checked above
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (peer != nullptr) peer->phase = Phase::answering;  // the whole request is in
  if (request->too_large) {
    return answer(connection, ApiResponse{413, {{http_api::kFieldError, kBodyTooLarge}}, std::nullopt, {}});
  }
  if (request->response) return answer(connection, std::move(*request->response));  // resumed with its answer
  if (request->id != 0) return MHD_YES;  // still waiting (MHD should not ask while suspended)
  return serve(connection, *request, url, method);
}

// The router answers at once or, while it hashes backup codes, later: then the
// connection is suspended (MHD neither reads it nor times it out) until deliver().
MHD_Result HttpServer::serve(MHD_Connection* connection, Request& request, const char* url, const char* method) {
  ApiResponse refusal;
  const auto api = api_request(connection, request, url, method, refusal);
  if (!api) return answer(connection, refusal);
  const std::uint64_t id = ++next_request_id_;
  request.id = id;
  in_flight_.emplace(id, InFlight{connection, &request});
  router_.handle(*api, [this, id](ApiResponse response) { deliver(id, std::move(response)); });
  if (request.response) {
    in_flight_.erase(id);
    return answer(connection, std::move(*request.response));
  }
  MHD_suspend_connection(connection);
  request.suspended = true;
  return MHD_YES;
}

void HttpServer::deliver(std::uint64_t request_id, ApiResponse response) {
  const auto found = in_flight_.find(request_id);
  if (found == in_flight_.end()) return;  // the connection is gone
  Request& request = *found->second.request;
  request.response = std::move(response);
  if (!request.suspended) return;  // answered before serve() returned
  request.suspended = false;
  MHD_resume_connection(found->second.connection);
  in_flight_.erase(found);
  // Not MHD_run here: this may be called from anywhere on the loop.
  check_event(sd_event_source_set_enabled(resumed_source_.get(), SD_EVENT_ONESHOT), "run a resumed request");
}

std::optional<ApiRequest> HttpServer::api_request(MHD_Connection* connection, const Request& request, const char* url,
                                                  const char* method, ApiResponse& refusal) {
  const Peer* peer = peer_of(connection);
  if (peer == nullptr) {
    refusal = ApiResponse{401, {{http_api::kFieldError, "Unauthorized"}}, std::nullopt, {}};
    return std::nullopt;
  }
  HeaderCount act_as{protocol::kActAsUserHeader};
  MHD_get_connection_values(connection, MHD_HEADER_KIND, count_header, &act_as);
  if (act_as.count > 1) {
    refusal = ApiResponse{400, {{http_api::kFieldError, "X-OTP-User may be given only once"}}, std::nullopt, {}};
    return std::nullopt;
  }
  ApiRequest api{method, url, peer->uid, std::nullopt, request.body.text()};
  if (act_as.count == 1) api.act_as_user = std::string_view(act_as.value != nullptr ? act_as.value : "");
  return api;
}

// The body may carry a secret: its text is made in wiped memory, which MHD sends from
// and wipes when done (json_text.hpp), and the JSON it was made from is wiped at once.
MHD_Result HttpServer::answer(MHD_Connection* connection, ApiResponse response) {
  SecureBytes text = json_text(response.body);
  wipe_json_strings(response.body);
  const MhdResponse reply = wiped_response(std::move(text));
  if (!reply) return MHD_NO;
  const auto add = [&reply](const char* name, const std::string& value) {
    return MHD_add_response_header(reply.get(), name, value.c_str()) == MHD_YES;
  };
  bool added = add(MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") && add(MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  // A caller without an account, or without the right to act for another, has
  // nothing more to ask: the connection goes with the answer.
  if (added && response.status == 401) added = add(MHD_HTTP_HEADER_CONNECTION, "close");
  if (added && response.retry_after) added = add(MHD_HTTP_HEADER_RETRY_AFTER, std::to_string(*response.retry_after));
  if (added && !response.allow.empty()) added = add(MHD_HTTP_HEADER_ALLOW, response.allow);
  // An answer without its headers (no-store above all) is not sent: MHD closes the connection.
  if (!added) return MHD_NO;
  return MHD_queue_response(connection, response.status, reply.get());
}

int HttpServer::on_listen_ready(sd_event_source*, int, std::uint32_t, void* self) noexcept {
  auto* server = static_cast<HttpServer*>(self);
  server->accept_connections();
  server->run_mhd();
  return 0;
}

int HttpServer::on_mhd_ready(sd_event_source*, int, std::uint32_t, void* self) noexcept {
  static_cast<HttpServer*>(self)->run_mhd();
  return 0;
}

int HttpServer::on_mhd_timer(sd_event_source*, std::uint64_t, void* self) noexcept {
  static_cast<HttpServer*>(self)->run_mhd();
  return 0;
}

int HttpServer::on_sweep_timer(sd_event_source*, std::uint64_t, void* self) noexcept {
  static_cast<HttpServer*>(self)->close_stalled_connections();
  return 0;
}

int HttpServer::on_log_summary_timer(sd_event_source*, std::uint64_t, void* self) noexcept {
  auto* server = static_cast<HttpServer*>(self);
  const unsigned dropped = server->library_log_.take_dropped(monotonic_usec());
  if (dropped == 0) return 0;
  try {
    server->log_.message(LogLevel::warning, "http: " + std::to_string(dropped) +
                                                " more messages from libmicrohttpd in the last minute were not logged");
  } catch (...) {
  }
  return 0;
}

MHD_Result HttpServer::mhd_access(void* self, MHD_Connection* connection, const char* url, const char* method,
                                  const char*, const char* upload_data, std::size_t* upload_data_size,
                                  void** request_context) noexcept {
  try {
    return static_cast<HttpServer*>(self)->on_request(connection, url, method, upload_data, upload_data_size,
                                                      request_context);
  } catch (...) {
    return MHD_NO;  // MHD closes the connection
  }
}

// The request is over; the next one on the connection starts its clock now.
void HttpServer::mhd_completed(void* self, MHD_Connection* connection, void** request_context,
                               MHD_RequestTerminationCode) noexcept {
  if (Peer* peer = peer_of(connection); peer != nullptr) {
    peer->phase = Phase::headers;
    peer->request_started_usec = monotonic_usec();
  }
  auto* request = static_cast<Request*>(*request_context);
  if (request != nullptr && request->id != 0) static_cast<HttpServer*>(self)->in_flight_.erase(request->id);
  delete request;
  *request_context = nullptr;
}

int HttpServer::on_resumed(sd_event_source*, void* self) noexcept {
  static_cast<HttpServer*>(self)->run_mhd();
  return 0;
}

void HttpServer::mhd_connection(void* self, MHD_Connection* connection, void** socket_context,
                                MHD_ConnectionNotificationCode code) noexcept {
  try {
    static_cast<HttpServer*>(self)->on_connection_event(connection, socket_context, code);
  } catch (...) {
    // Only bookkeeping happens here; nothing to undo.
  }
}

// libmicrohttpd treats every connection as TCP until a socket option fails, and
// says so per connection; on a Unix socket these are expected, not news.
namespace {
bool is_unix_socket_noise(std::string_view text) {
  constexpr std::array<std::string_view, 3> kNoise{"TCP_NODELAY", "TCP_CORK", "Failed to push the data"};
  return std::ranges::any_of(kNoise,
                             [text](std::string_view noise) { return text.find(noise) != std::string_view::npos; });
}
}  // namespace

void HttpServer::mhd_log(void* self, const char* format, va_list args) noexcept {
  char line[512];
  (void)std::vsnprintf(line, sizeof(line), format, args);  // a longer line is cut, and that is fine
  std::string_view text(line);
  if (is_unix_socket_noise(text)) return;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  try {
    static_cast<HttpServer*>(self)->log_library_message(text);
  } catch (...) {
  }
}

// Within the budget, or counted for the summary the timer writes when the minute is over.
void HttpServer::log_library_message(std::string_view text) {
  if (library_log_.take(monotonic_usec())) {
    log_.message(LogLevel::warning, std::string("http: ") + std::string(text));
    return;
  }
  sd_event_source* summary = log_summary_source_.get();
  if (summary == nullptr || sd_event_source_get_enabled(summary, nullptr) > 0) return;
  arm_timer(summary, library_log_.summary_due_usec());
}

}  // namespace otpd
