// pam_bench: logins through the real libpam, one PAM transaction per user
// (pam_start_confdir, pam_authenticate, pam_end), answered with the user's current
// TOTP code, on T threads. Then it re-submits a sample of the codes it just had
// accepted, to count the replays the module lets through.
//
//   pam_bench --confdir DIR --service NAME --users FILE [--threads T]
//             [--max-seconds S] [--count N] [--skip N] [--replay-sample K] [--label TEXT]
//
// FILE holds "name base32-secret" lines. One tab-separated RESULT line goes to
// stdout (bench/run reads it), a readable summary to stderr. Bounded: it stops after
// N users or S seconds, whichever comes first.
#include <security/pam_appl.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "totp_code.hpp"

namespace {

using otpd::bench::current_step;
using otpd::bench::totp_code;
using Clock = std::chrono::steady_clock;

struct User {
  std::string name;
  std::vector<std::uint8_t> key;
};

struct Options {
  std::string confdir;
  std::string service;
  std::string users_file;
  std::string label;
  unsigned threads = 1;
  double max_seconds = 20;
  std::size_t count = SIZE_MAX;
  std::size_t skip = 0;  // users at the head of the file left out
  std::size_t replay_sample = 200;
};

// What one conversation answered: the code it computed (or the fixed code of a replay).
struct Answer {
  const User* user = nullptr;
  std::optional<std::string> fixed_code;
  std::string code;
  std::uint64_t step = 0;
};

struct Attempt {
  int status = PAM_SYSTEM_ERR;
  std::uint64_t nanos = 0;
  std::string code;
  std::uint64_t step = 0;
  Clock::time_point finished;
};

struct Accepted {
  std::size_t user = 0;
  std::string code;
  std::uint64_t step = 0;
  Clock::time_point finished;
};

struct ThreadResult {
  std::vector<std::uint64_t> nanos;
  std::vector<Accepted> accepted;
  std::map<int, std::size_t> failures;  // PAM code -> count
};

int converse(int count, const struct pam_message** messages, struct pam_response** responses, void* data) {
  auto* answer = static_cast<Answer*>(data);
  auto* out = static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(count), sizeof(pam_response)));
  if (out == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < count; ++i) {
    const int style = messages[i]->msg_style;
    if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON) continue;
    if (answer->fixed_code) {
      answer->code = *answer->fixed_code;
    } else {
      answer->step = current_step();
      answer->code = totp_code(answer->user->key, answer->step);
    }
    out[i].resp = strdup(answer->code.c_str());
  }
  *responses = out;
  return PAM_SUCCESS;
}

// One whole PAM transaction, timed from pam_start to the end of pam_end.
Attempt log_in(const Options& options, const User& user, std::optional<std::string> fixed_code = std::nullopt) {
  Answer answer{&user, std::move(fixed_code), {}, 0};
  const pam_conv conversation{converse, &answer};
  const auto start = Clock::now();
  pam_handle_t* handle = nullptr;
  Attempt attempt;
  attempt.status =
      pam_start_confdir(options.service.c_str(), user.name.c_str(), &conversation, options.confdir.c_str(), &handle);
  if (attempt.status == PAM_SUCCESS) {
    (void)pam_set_item(handle, PAM_RHOST, "192.0.2.1");
    attempt.status = pam_authenticate(handle, 0);
    pam_end(handle, attempt.status);
  }
  attempt.finished = Clock::now();
  attempt.nanos = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(attempt.finished - start).count());
  attempt.code = std::move(answer.code);
  attempt.step = answer.step;
  return attempt;
}

std::vector<User> load_users(const std::string& path, std::size_t skip, std::size_t limit) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<User> users;
  std::string name;
  std::string secret;
  for (std::size_t line = 0; users.size() < limit && in >> name >> secret; ++line) {
    if (line < skip) continue;
    auto key = otpd::bench::base32_decode(secret);
    if (!key) throw std::runtime_error("bad base32 secret for " + name);
    users.push_back(User{name, std::move(*key)});
  }
  if (users.empty()) throw std::runtime_error(path + " holds no users");
  return users;
}

struct Shared {
  const Options& options;
  const std::vector<User>& users;
  std::atomic<std::size_t> next{0};
  Clock::time_point deadline;
};

void work(Shared& shared, ThreadResult& out) {
  for (;;) {
    const std::size_t index = shared.next.fetch_add(1);
    if (index >= shared.users.size() || Clock::now() >= shared.deadline) return;
    Attempt attempt = log_in(shared.options, shared.users[index]);
    out.nanos.push_back(attempt.nanos);
    if (attempt.status == PAM_SUCCESS) {
      out.accepted.push_back({index, std::move(attempt.code), attempt.step, attempt.finished});
    } else {
      ++out.failures[attempt.status];
    }
  }
}

struct ReplayCount {
  std::size_t tried = 0;
  std::size_t accepted = 0;
  std::size_t expired = 0;  // no longer in the ±1 step window: not a meaningful replay
};

// The most recently accepted codes, each submitted once more for the same user.
ReplayCount replay(const Options& options, const std::vector<User>& users, std::vector<Accepted> accepted) {
  std::sort(accepted.begin(), accepted.end(),
            [](const Accepted& a, const Accepted& b) { return a.finished > b.finished; });
  if (accepted.size() > options.replay_sample) accepted.resize(options.replay_sample);
  ReplayCount count;
  for (const Accepted& used : accepted) {
    if (used.step + 1 < current_step()) {
      ++count.expired;
      continue;
    }
    ++count.tried;
    if (log_in(options, users[used.user], used.code).status == PAM_SUCCESS) ++count.accepted;
  }
  return count;
}

double percentile_ms(const std::vector<std::uint64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return static_cast<double>(sorted[std::min(rank, sorted.size() - 1)]) / 1e6;
}

std::string failure_breakdown(const std::map<int, std::size_t>& failures) {
  std::string text;
  for (const auto& [status, count] : failures) {
    if (!text.empty()) text += ',';
    text += std::to_string(status) + ":" + std::to_string(count);
  }
  return text.empty() ? "-" : text;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw std::runtime_error("missing value after " + flag);
    const std::string value = argv[++i];
    if (flag == "--confdir")
      options.confdir = value;
    else if (flag == "--service")
      options.service = value;
    else if (flag == "--users")
      options.users_file = value;
    else if (flag == "--label")
      options.label = value;
    else if (flag == "--threads")
      options.threads = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--max-seconds")
      options.max_seconds = std::stod(value);
    else if (flag == "--count")
      options.count = std::stoul(value);
    else if (flag == "--skip")
      options.skip = std::stoul(value);
    else if (flag == "--replay-sample")
      options.replay_sample = std::stoul(value);
    else
      throw std::runtime_error("unknown option " + flag);
  }
  if (options.confdir.empty() || options.service.empty() || options.users_file.empty() || options.threads == 0) {
    throw std::runtime_error(
        "usage: pam_bench --confdir DIR --service NAME --users FILE [--threads T] "
        "[--max-seconds S] [--count N] [--skip N] [--replay-sample K] [--label TEXT]");
  }
  if (options.label.empty()) options.label = options.service;
  return options;
}

int run(const Options& options) {
  const std::vector<User> users = load_users(options.users_file, options.skip, options.count);
  // An idle handle keeps the modules loaded, as a long-running sshd does.
  const User idle_user{"bench-idle", {}};
  Answer idle_answer{&idle_user, std::string("000000"), {}, 0};
  const pam_conv idle_conversation{converse, &idle_answer};
  pam_handle_t* idle = nullptr;
  if (int r = pam_start_confdir(options.service.c_str(), idle_user.name.c_str(), &idle_conversation,
                                options.confdir.c_str(), &idle);
      r != PAM_SUCCESS) {
    std::fprintf(stderr, "pam_bench: pam_start_confdir(%s) failed: %s\n", options.service.c_str(),
                 pam_strerror(nullptr, r));
    return 1;
  }

  Shared shared{options, users, {0}, {}};
  std::vector<ThreadResult> results(options.threads);
  const auto start = Clock::now();
  shared.deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.max_seconds));
  {
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < options.threads; ++t) threads.emplace_back([&, t] { work(shared, results[t]); });
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);  // the harness, libpam and the modules, up to here
  const double cpu_user =
      static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) / 1e6;
  const double cpu_sys = static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) / 1e6;

  std::vector<std::uint64_t> nanos;
  std::vector<Accepted> accepted;
  std::map<int, std::size_t> failures;
  for (auto& result : results) {
    nanos.insert(nanos.end(), result.nanos.begin(), result.nanos.end());
    accepted.insert(accepted.end(), result.accepted.begin(), result.accepted.end());
    for (const auto& [status, count] : result.failures) failures[status] += count;
  }
  std::sort(nanos.begin(), nanos.end());
  const std::size_t attempts = nanos.size();
  const std::size_t successes = accepted.size();
  const ReplayCount replays = replay(options, users, std::move(accepted));
  pam_end(idle, PAM_SUCCESS);

  const double p50 = percentile_ms(nanos, 0.50), p90 = percentile_ms(nanos, 0.90), p99 = percentile_ms(nanos, 0.99);
  const double max = nanos.empty() ? 0 : static_cast<double>(nanos.back()) / 1e6;
  std::printf(
      "RESULT\t%s\t%u\t%zu\t%zu\t%zu\t%.3f\t%.1f\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%zu\t%zu\t%zu\t%s\t%.3f\t%.3f\n",
      options.label.c_str(), options.threads, attempts, successes, attempts - successes, elapsed,
      static_cast<double>(attempts) / elapsed, static_cast<double>(successes) / elapsed, p50, p90, p99, max,
      replays.tried, replays.accepted, replays.expired, failure_breakdown(failures).c_str(), cpu_user, cpu_sys);
  std::fprintf(stderr,
               "%-22s T=%u  %zu attempts in %.2f s: %.0f/s, %zu ok (%.0f/s), %zu failed [%s]; "
               "p50 %.2f p90 %.2f p99 %.2f max %.2f ms; replays %zu/%zu accepted (%zu expired)\n",
               options.label.c_str(), options.threads, attempts, elapsed, static_cast<double>(attempts) / elapsed,
               successes, static_cast<double>(successes) / elapsed, attempts - successes,
               failure_breakdown(failures).c_str(), p50, p90, p99, max, replays.accepted, replays.tried,
               replays.expired);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pam_bench: %s\n", e.what());
    return 2;
  }
}
