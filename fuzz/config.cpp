// otpd.conf through the real loader (inih underneath): INI text in, a Config or an
// error out, never a crash.
//
// Input: the file's contents, written to a scratch file and loaded.
// Asserted: an error is ErrorKind::config and starts with the file's path; where it
// names a line (PATH:N: ...), N is a line of the file. A Config that loads has every
// value inside the range otpd.conf(5) documents, absolute paths, and an issuer of 1
// to 64 bytes without ':'. A file of nothing but comments, blank lines and section
// headers loads as the defaults: no part of a comment ever sets a key.
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_core.hpp"
#include "service/config.hpp"

namespace otpd::fuzz {
namespace {

std::size_t line_count(std::string_view text) {
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  return lines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

void check_error(const Error& error, const std::string& path, std::string_view text) {
  if (error.kind != ErrorKind::config) die("config error of another kind: " + error.message);
  if (!error.message.starts_with(path + ":")) die("error does not name the file: " + error.message);
  std::string_view rest = std::string_view(error.message).substr(path.size() + 1);
  std::size_t line = 0;
  std::size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
    line = line * 10 + static_cast<std::size_t>(rest[digits++] - '0');
  }
  if (digits == 0 || digits >= rest.size() || rest[digits] != ':') return;  // no line: a whole-file error
  if (line < 1 || line > line_count(text)) {
    die("error names line " + std::to_string(line) + " of a file of " + std::to_string(line_count(text)) + ": " +
        error.message);
  }
}

// Whether every line is blank, a comment or a [section] (inih's reading of them).
bool only_comments(std::string_view text) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    const auto first = line.find_first_not_of(" \t\r\f\v");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.find(']') != std::string_view::npos &&
        line.find_first_of(";#=:") == std::string_view::npos) {
      continue;
    }
    return false;
  }
  return true;
}

void check_defaults(const Config& config) {
  const Config defaults = default_config();
  const auto& a = config.policy;
  const auto& b = defaults.policy;
  if (config.database != defaults.database || config.socket != defaults.socket ||
      config.key_file != defaults.key_file || a.issuer != b.issuer || !(a.totp == b.totp) || a.window != b.window ||
      a.enrollment_ttl != b.enrollment_ttl || a.lockout.max_failures != b.lockout.max_failures ||
      a.lockout.lockout != b.lockout.lockout || a.lockout.lockout_max != b.lockout.lockout_max ||
      a.backup_codes != b.backup_codes) {
    die("a file of comments changed the configuration");
  }
}

bool in(auto value, auto min, auto max) { return value >= min && value <= max; }

void check_config(const Config& config) {
  const auto& policy = config.policy;
  if (!config.database.is_absolute() || !config.socket.is_absolute()) die("relative path accepted");
  if (config.key_file && !config.key_file->is_absolute()) die("relative key_file accepted");
  if (policy.issuer.empty() || policy.issuer.size() > 64 || policy.issuer.find(':') != std::string::npos) {
    die("bad issuer accepted: " + policy.issuer);
  }
  if (!in(policy.totp.digits, 6U, 8U) || !in(policy.totp.period, 10U, 300U) || !in(policy.window, 0U, 10U) ||
      !in(policy.enrollment_ttl, 60, 86400) || !in(policy.lockout.max_failures, 1U, 100U) ||
      !in(policy.lockout.lockout, 1, 86400) || !in(policy.lockout.lockout_max, 1, 604800) ||
      policy.lockout.lockout_max < policy.lockout.lockout || !in(policy.backup_codes, 1U, 50U)) {
    die("a value outside its range was accepted");
  }
}

}  // namespace
}  // namespace otpd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otpd::fuzz;
  static const ScratchDir dir;
  static const std::string path = (dir.path() / "otpd.conf").string();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.good()) die("cannot write the config file");
  }
  const auto config = otpd::load_config(path, true);
  if (config) {
    check_config(*config);
    if (only_comments(text)) check_defaults(*config);
  } else {
    check_error(config.error(), path, text);
  }
  return 0;
}
