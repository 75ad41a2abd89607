#include "shared/api_client.hpp"

#include <curl/curl.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "http_api.hpp"
#include "protocol.hpp"
#include "secure_bytes.hpp"
#include "shared/c_handles.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kUrlBase = "http://localhost";
constexpr std::string_view kRetryAfterHeader = "retry-after";

// What one transfer collects; the callbacks run inside curl_easy_perform.
struct Transfer {
  explicit Transfer(std::size_t limit) : body(SecureString::with_capacity(limit)) {}
  SecureString body;
  bool too_large = false;
  std::optional<std::int64_t> retry_after;
};

std::optional<std::int64_t> parse_seconds(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  std::int64_t seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc{} || end != text.data() + text.size() || seconds < 0) return std::nullopt;
  return seconds;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = static_cast<char>(a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i]);
    if (lower != b[i]) return false;
  }
  return true;
}

// C callbacks: they must not throw, and they don't.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  if (!transfer.body.append({data, length})) {
    transfer.too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && equals_ignoring_case(line.substr(0, colon), kRetryAfterHeader)) {
    transfer.retry_after = parse_seconds(line.substr(colon + 1));
  }
  return size * count;
}

// Sets options one after another and remembers the first failure.
class CurlOptions {
 public:
  explicit CurlOptions(CURL* curl) : curl_(curl) {}
  template <typename Value>
  CurlOptions& set(CURLoption option, Value value) {
    const CURLcode code = curl_easy_setopt(curl_, option, value);
    if (first_error_ == CURLE_OK) first_error_ = code;
    return *this;
  }
  [[nodiscard]] CURLcode result() const noexcept { return first_error_; }

 private:
  CURL* curl_;
  CURLcode first_error_ = CURLE_OK;
};

bool append_header(CurlSlist& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) return false;  // the old list is untouched and still ours
  (void)list.release();
  list.reset(head);
  return true;
}

std::optional<CurlSlist> request_headers(const ApiClientOptions& options) {
  CurlSlist headers;
  const bool built = append_header(headers, "Accept: application/json") &&
                     append_header(headers, "Content-Type: application/json") &&
                     (options.act_as_user.empty() ||
                      append_header(headers, std::string(protocol::kActAsUserHeader) + ": " + options.act_as_user));
  if (!built) return std::nullopt;
  return headers;
}

CURLcode configure(CURL* curl, const ApiClientOptions& options, const std::string& url, curl_slist* headers,
                   Transfer& transfer, char* error_text) {
  return CurlOptions(curl)
      .set(CURLOPT_ERRORBUFFER, error_text)
      .set(CURLOPT_UNIX_SOCKET_PATH, options.socket_path.c_str())
      .set(CURLOPT_URL, url.c_str())
      .set(CURLOPT_PROTOCOLS_STR, "http")
      .set(CURLOPT_PROXY, "")
      .set(CURLOPT_NOSIGNAL, 1L)
      .set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1))
      .set(CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms)
      .set(CURLOPT_TIMEOUT_MS, options.total_timeout_ms)
      .set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes))
      .set(CURLOPT_HTTPHEADER, headers)
      .set(CURLOPT_WRITEFUNCTION, &on_body)
      .set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer))
      .set(CURLOPT_HEADERFUNCTION, &on_header)
      .set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer))
      .result();
}

CURLcode set_post_body(CURL* curl, std::optional<std::string_view> body) {
  if (!body) return curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  // POSTFIELDS does not copy: the caller's (wiped) buffer stays the only copy.
  return CurlOptions(curl)
      .set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()))
      .set(CURLOPT_POSTFIELDS, body->data())
      .result();
}

TransportErrorKind connect_error_kind(CURL* curl) {
  long os_errno = 0;
  if (curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno) != CURLE_OK) {
    return TransportErrorKind::other;
  }
  switch (os_errno) {
    case ENOENT:
    case ENOTDIR: return TransportErrorKind::socket_missing;
    case ECONNREFUSED: return TransportErrorKind::connection_refused;
    case EACCES:
    case EPERM: return TransportErrorKind::permission_denied;
    default: return TransportErrorKind::other;
  }
}

TransportErrorKind error_kind(CURLcode code, CURL* curl, const Transfer& transfer) {
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return TransportErrorKind::response_too_large;
  }
  switch (code) {
    case CURLE_COULDNT_CONNECT: return connect_error_kind(curl);
    case CURLE_OPERATION_TIMEDOUT: return TransportErrorKind::timed_out;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL: return TransportErrorKind::bad_response;
    default: return TransportErrorKind::other;
  }
}

TransportError transport_error(CURLcode code, CURL* curl, const Transfer& transfer, const char* error_text) {
  return {error_kind(code, curl, transfer), error_text[0] != '\0' ? error_text : curl_easy_strerror(code)};
}

ApiResult to_response(long status, const Transfer& transfer) {
  ApiResponse response;
  response.status = status;
  const auto text = transfer.body.view();
  response.body = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                        /*allow_exceptions=*/false);
  if (response.body.is_discarded()) response.body = nullptr;
  if (response.ok() && !response.body.is_object()) {
    return tl::unexpected(TransportError{TransportErrorKind::bad_response, "the answer is not a JSON object"});
  }
  const auto field = response.body.is_object() ? response.body.find(http_api::kFieldRetryAfter) : response.body.end();
  if (field != response.body.end() && field->is_number_integer()) {
    response.retry_after = field->get<std::int64_t>();
  } else {
    response.retry_after = transfer.retry_after;
  }
  return response;
}

void initialise_curl_once() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;  // a failure shows again, with a message, at curl_easy_init
}

}  // namespace

ApiResponse::~ApiResponse() { wipe_json_strings(body); }

ApiResult ApiClient::get(std::string_view route) const { return perform(route, std::nullopt); }

ApiResult ApiClient::post(std::string_view route, std::string_view json_body) const {
  return perform(route, json_body);
}

ApiResult ApiClient::perform(std::string_view route, std::optional<std::string_view> post_body) const {
  initialise_curl_once();
  const CurlEasy curl(curl_easy_init());
  auto headers = request_headers(options_);
  if (!curl || !headers) {
    return tl::unexpected(TransportError{TransportErrorKind::other, "cannot set up libcurl"});
  }
  Transfer transfer(options_.max_response_bytes);
  std::array<char, CURL_ERROR_SIZE> error_text{};
  const std::string url = std::string(kUrlBase) + std::string(route);
  CURLcode code = configure(curl.get(), options_, url, headers->get(), transfer, error_text.data());
  if (code == CURLE_OK) code = set_post_body(curl.get(), post_body);
  if (code == CURLE_OK) code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return tl::unexpected(transport_error(code, curl.get(), transfer, error_text.data()));
  }
  long status = 0;
  if (curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
    return tl::unexpected(TransportError{TransportErrorKind::bad_response, "no HTTP status"});
  }
  return to_response(status, transfer);
}

}  // namespace otpd::cli
