#include "service/config.hpp"

#include <ini.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>

namespace otpd {
namespace {

struct FileCloser {
  void operator()(FILE* file) const { (void)std::fclose(file); }  // opened to read: nothing to lose at close
};
using File = std::unique_ptr<FILE, FileCloser>;

struct ParseState {
  Config config;
  FILE* file = nullptr;                    // owned by load_config
  int lines_read = 0;                      // inih hands the handler the line it read last
  int error_line = 0;                      // the first line the handler refused
  std::string error;                       // and why
  std::map<std::string, int> set_on_line;  // each key given so far, and where
};

int refuse(ParseState* state, std::string message) {
  if (state->error_line == 0) {
    state->error_line = state->lines_read;
    state->error = std::move(message);
  }
  return 0;
}

// One line of the file per call, so that inih's line numbers are the file's. With
// fgets, inih would read the rest of a line longer than its buffer as a line of its
// own: the tail of a long comment would become a setting. Such a line, or one with
// a NUL byte (which would hide the rest of it), ends the parse as an error. Leading
// blanks go: inih would take an indented line for the continuation of the value
// before it (`issuer = a` then `  digits = 8` made the issuer "a digits = 8").
char* read_line(char* buffer, int size, void* stream) {
  auto* state = static_cast<ParseState*>(stream);
  const auto capacity = static_cast<std::size_t>(size) - 1;  // and the NUL
  std::size_t length = 0;
  int c = 0;
  while ((c = std::getc(state->file)) != EOF) {
    if (c == '\0' || (length == capacity && c != '\n')) {
      ++state->lines_read;
      refuse(state,
             c == '\0' ? std::string("a NUL byte") : "a line longer than " + std::to_string(capacity) + " characters");
      return nullptr;
    }
    if (length == capacity) break;  // the line fits without its newline
    buffer[length++] = static_cast<char>(c);
    if (c == '\n') break;
  }
  if (length == 0 && c == EOF) return nullptr;
  const std::size_t indent = std::min(std::strspn(buffer, " \t"), length);
  std::memmove(buffer, buffer + indent, length - indent);
  buffer[length - indent] = '\0';
  ++state->lines_read;
  return buffer;
}

template <class Integer>
std::optional<Integer> parse_integer(std::string_view text, Integer min, Integer max) {
  Integer value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

using Setter = std::function<std::string(Config&, std::string_view)>;

// A setter that reads an integer in [min, max] into the member `field` points at.
template <class Integer>
Setter integer_setter(std::function<Integer&(Config&)> field, Integer min, Integer max) {
  return [field, min, max](Config& config, std::string_view value) -> std::string {
    const auto parsed = parse_integer<Integer>(value, min, max);
    if (!parsed) return "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    field(config) = *parsed;
    return {};
  };
}

std::string set_issuer(Config& config, std::string_view value) {
  if (value.empty() || value.size() > 64) return "expected 1 to 64 characters";
  if (value.find(':') != std::string_view::npos) return "must not contain ':' (it separates issuer and account)";
  config.policy.issuer = std::string(value);
  return {};
}

std::string set_algorithm(Config& config, std::string_view value) {
  std::string upper(value);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  const auto algorithm = hash_algorithm_from_name(upper);
  if (!algorithm) return "expected SHA1, SHA256 or SHA512";
  config.policy.totp.algorithm = *algorithm;
  return {};
}

std::string set_path(std::filesystem::path& target, std::string_view value) {
  if (value.empty() || value.front() != '/') return "expected an absolute path";
  target = std::string(value);
  return {};
}

const std::map<std::string, Setter, std::less<>>& setters() {
  static const std::map<std::string, Setter, std::less<>> table{
      {"storage.database", [](Config& c, std::string_view v) { return set_path(c.database, v); }},
      {"storage.key_file",
       [](Config& c, std::string_view v) {
         std::filesystem::path path;
         std::string error = set_path(path, v);
         if (error.empty()) c.key_file = path;
         return error;
       }},
      {"api.socket", [](Config& c, std::string_view v) { return set_path(c.socket, v); }},
      {"totp.issuer", set_issuer},
      {"totp.algorithm", set_algorithm},
      {"totp.digits",
       integer_setter<unsigned>([](Config& c) -> unsigned& { return c.policy.totp.digits; }, kMinDigits, kMaxDigits)},
      {"totp.period", integer_setter<unsigned>([](Config& c) -> unsigned& { return c.policy.totp.period; }, 10, 300)},
      {"totp.window", integer_setter<unsigned>([](Config& c) -> unsigned& { return c.policy.window; }, 0, 10)},
      {"policy.enrollment_ttl",
       integer_setter<std::int64_t>([](Config& c) -> std::int64_t& { return c.policy.enrollment_ttl; }, 60, 86400)},
      {"policy.max_failures", integer_setter<std::uint32_t>(
                                  [](Config& c) -> std::uint32_t& { return c.policy.lockout.max_failures; }, 1, 100)},
      {"policy.lockout",
       integer_setter<std::int64_t>([](Config& c) -> std::int64_t& { return c.policy.lockout.lockout; }, 1, 86400)},
      {"policy.lockout_max", integer_setter<std::int64_t>(
                                 [](Config& c) -> std::int64_t& { return c.policy.lockout.lockout_max; }, 1, 604800)},
      {"policy.backup_codes",
       integer_setter<unsigned>([](Config& c) -> unsigned& { return c.policy.backup_codes; }, 1, 50)},
  };
  return table;
}

int handle_entry(void* user, const char* section, const char* name, const char* value) {
  auto* state = static_cast<ParseState*>(user);
  const std::string key = std::string(section) + "." + name;
  const auto setter = setters().find(key);
  if (setter == setters().end()) {
    return refuse(state, "[" + std::string(section) + "] " + name + ": unknown key");
  }
  // A second value would silently override the first: which one the admin meant is
  // not ours to guess.
  if (const auto [first, inserted] = state->set_on_line.emplace(key, state->lines_read); !inserted) {
    return refuse(state, "[" + std::string(section) + "] " + name + ": set again (first on line " +
                             std::to_string(first->second) + ")");
  }
  const std::string problem = setter->second(state->config, value);
  if (!problem.empty()) return refuse(state, "[" + std::string(section) + "] " + name + ": " + problem);
  return 1;
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof(buffer) - 1) != 0 || buffer[0] == '\0') return "otpd";
  std::string name(buffer);
  std::replace(name.begin(), name.end(), ':', '-');
  return name.substr(0, 64);
}

}  // namespace

std::filesystem::path Config::effective_key_file() const {
  return key_file ? *key_file : database.parent_path() / "otpd.key";
}

Config default_config() {
  Config config;
  config.policy.issuer = host_name();
  return config;
}

Expected<Config> load_config(const std::filesystem::path& path, bool must_exist) {
  ParseState state;
  state.config = default_config();
  const File file(std::fopen(path.c_str(), "re"));
  if (!file) {
    if (errno == ENOENT && !must_exist) return state.config;
    return fail(ErrorKind::config, path.string() + ": " + std::strerror(errno));
  }
  state.file = file.get();
  int line = ini_parse_stream(read_line, &state, handle_entry, &state);
  const bool read_error = std::ferror(file.get()) != 0;
  if (line < 0 || read_error) return fail(ErrorKind::config, path.string() + ": cannot be read");
  // inih knows the lines it or the handler refused; a line read_line refused ended
  // the parse, so it comes after those.
  if (line == 0) line = state.error_line;
  if (line != 0) {
    const std::string why = line == state.error_line ? state.error : "not a valid INI line";
    return fail(ErrorKind::config, path.string() + ":" + std::to_string(line) + ": " + why);
  }
  if (state.config.policy.lockout.lockout_max < state.config.policy.lockout.lockout) {
    return fail(ErrorKind::config, path.string() + ": [policy] lockout_max must be at least lockout");
  }
  return state.config;
}

}  // namespace otpd
