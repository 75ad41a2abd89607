// enroll_bench: otpd's enrollment API over its Unix socket, as root acting for bench
// users (X-OTP-User), with C concurrent clients, one connection per request (as
// otp-enroll does).
//
//   enroll_bench --socket PATH --mode enable|confirm --prefix NAME [--first I]
//                [--users K] [--clients C] [--count N] [--max-seconds S]
//
// enable:  POST /v2/auth/otp/enable (secret + QR PNG) for users NAME{I..I+K-1} in
//          turn; enabling again while pending replaces the pending enrollment.
// confirm: for each op a new user NAME{I+n}: enable, then POST /v2/auth/otp/confirm
//          with the current code; only the confirm is timed (10 backup codes, each
//          a 100,000-round PBKDF2).
// One tab-separated ENROLL line goes to stdout, a summary to stderr.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "totp_code.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string socket;
  std::string mode = "enable";
  std::string prefix = "enroll";
  std::size_t first = 0;
  std::size_t users = 64;
  unsigned clients = 1;
  std::size_t count = 1000;
  double max_seconds = 20;
};

struct Response {
  int status = 0;
  std::string body;
};

Response post(const std::string& socket_path, const std::string& path, const std::string& user,
              const std::string& body) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (fd >= 0) ::close(fd);
    return {};
  }
  const std::string request =
      "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + "X-OTP-User: " + user +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[16384];
  for (ssize_t got; (got = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
    answer.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  Response response;
  if (answer.rfind("HTTP/1.", 0) == 0 && answer.size() > 12) response.status = std::atoi(answer.c_str() + 9);
  const auto head_end = answer.find("\r\n\r\n");
  if (head_end != std::string::npos) response.body = answer.substr(head_end + 4);
  return response;
}

std::optional<std::string> json_string(const std::string& body, const std::string& key) {
  const std::string marker = "\"" + key + "\":\"";
  const auto start = body.find(marker);
  if (start == std::string::npos) return std::nullopt;
  const auto end = body.find('"', start + marker.size());
  if (end == std::string::npos) return std::nullopt;
  return body.substr(start + marker.size(), end - start - marker.size());
}

std::uint64_t since(Clock::time_point start) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

struct ClientResult {
  std::vector<std::uint64_t> nanos;
  std::size_t failed = 0;
};

// One timed operation; false when it failed.
bool one_op(const Options& options, std::size_t index, ClientResult& out) {
  const std::string user =
      options.prefix + std::to_string(options.first + (options.mode == "enable" ? index % options.users : index));
  auto start = Clock::now();
  const Response enabled = post(options.socket, "/v2/auth/otp/enable", user, "{}");
  const auto secret = json_string(enabled.body, "secret");
  const bool has_qr = enabled.body.find("\"qr\":\"data:image/png;base64,") != std::string::npos;
  if (enabled.status != 200 || !secret || !has_qr) return false;
  if (options.mode == "enable") {
    out.nanos.push_back(since(start));
    return true;
  }
  const auto key = otpd::bench::base32_decode(*secret);
  if (!key) return false;
  const std::string body = "{\"code\":\"" + otpd::bench::totp_code(*key, otpd::bench::current_step()) + "\"}";
  start = Clock::now();
  const Response confirmed = post(options.socket, "/v2/auth/otp/confirm", user, body);
  if (confirmed.status != 200 || confirmed.body.find("\"backupCodes\"") == std::string::npos) return false;
  out.nanos.push_back(since(start));
  return true;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--socket")
      options.socket = value;
    else if (flag == "--mode")
      options.mode = value;
    else if (flag == "--prefix")
      options.prefix = value;
    else if (flag == "--first")
      options.first = std::stoul(value);
    else if (flag == "--users")
      options.users = std::stoul(value);
    else if (flag == "--clients")
      options.clients = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--count")
      options.count = std::stoul(value);
    else if (flag == "--max-seconds")
      options.max_seconds = std::stod(value);
    else
      throw std::runtime_error("unknown option " + flag);
  }
  if (options.socket.empty() || (options.mode != "enable" && options.mode != "confirm") || options.clients == 0 ||
      options.users == 0) {
    throw std::runtime_error(
        "usage: enroll_bench --socket PATH --mode enable|confirm --prefix NAME [--first I] "
        "[--users K] [--clients C] [--count N] [--max-seconds S]");
  }
  return options;
}

double percentile_ms(const std::vector<std::uint64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return static_cast<double>(sorted[std::min(rank, sorted.size() - 1)]) / 1e6;
}

int run(const Options& options) {
  std::atomic<std::size_t> next{0};
  std::vector<ClientResult> results(options.clients);
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.max_seconds));
  {
    std::vector<std::jthread> clients;
    for (unsigned c = 0; c < options.clients; ++c) {
      clients.emplace_back([&, c] {
        for (std::size_t i; (i = next.fetch_add(1)) < options.count && Clock::now() < deadline;) {
          if (!one_op(options, i, results[c])) ++results[c].failed;
        }
      });
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<std::uint64_t> nanos;
  std::size_t failed = 0;
  for (const auto& result : results) {
    nanos.insert(nanos.end(), result.nanos.begin(), result.nanos.end());
    failed += result.failed;
  }
  std::sort(nanos.begin(), nanos.end());
  const double max = nanos.empty() ? 0 : static_cast<double>(nanos.back()) / 1e6;
  const double rate = static_cast<double>(nanos.size()) / elapsed;
  std::printf("ENROLL\t%s\t%u\t%zu\t%zu\t%.3f\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\n", options.mode.c_str(), options.clients,
              nanos.size(), failed, elapsed, rate, percentile_ms(nanos, 0.5), percentile_ms(nanos, 0.9),
              percentile_ms(nanos, 0.99), max);
  std::fprintf(stderr, "%-8s C=%u  %zu ok, %zu failed in %.2f s: %.1f/s; p50 %.2f p90 %.2f p99 %.2f max %.2f ms\n",
               options.mode.c_str(), options.clients, nanos.size(), failed, elapsed, rate, percentile_ms(nanos, 0.5),
               percentile_ms(nanos, 0.9), percentile_ms(nanos, 0.99), max);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "enroll_bench: %s\n", e.what());
    return 2;
  }
}
