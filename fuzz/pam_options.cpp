// The arguments of `auth ... pam_otp.so ARGS` through parse_module_options.
//
// Input: the ARGS part of a /etc/pam.d line, split as libpam splits it: on spaces,
// tabs and newlines, except that an argument in [brackets] runs to the next
// unescaped ']' ("\]" is a ']' inside it).
// Asserted: each argument is understood or reported in `ignored` exactly once; the
// options that loosen the module (nullok, echo) and the flags are set only by their
// exact spelling; use_first_pass wins over try_first_pass; timeout stays in
// 1..120000 ms (5000 unless a valid timeout= says otherwise) and digits in 6..8;
// the prompt is never empty.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "module_options.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what.c_str());
  std::abort();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

std::vector<std::string> split_like_libpam(std::string_view line) {
  std::vector<std::string> args;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    std::string arg;
    if (line[i] == '[') {
      for (++i; i < line.size() && line[i] != ']'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ']') ++i;
        arg.push_back(line[i]);
      }
      ++i;
    } else {
      while (i < line.size() && !is_space(line[i])) arg.push_back(line[i++]);
    }
    if (arg.find('\0') == std::string::npos) args.push_back(std::move(arg));  // a C string cannot hold one
  }
  return args;
}

bool has(const std::vector<std::string>& args, std::string_view arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

bool valid_number(std::string_view value, unsigned long min, unsigned long max) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) return false;
  value.remove_prefix(std::min(value.find_first_not_of('0'), value.size() - 1));  // "0008" is 8
  if (value.size() > 7) return false;
  const unsigned long number = std::stoul(std::string(value));
  return number >= min && number <= max;
}

void check(const std::vector<std::string>& args, const otpd::pam::ParsedOptions& parsed) {
  using namespace otpd::pam;
  const ModuleOptions& options = parsed.options;
  if (options.nullok != has(args, "nullok") || options.echo != has(args, "echo") ||
      options.forward_pass != has(args, "forward_pass") || options.debug != has(args, "debug")) {
    die("a flag is set without its exact spelling, or not set with it");
  }
  const CodeSource source = has(args, "use_first_pass")   ? CodeSource::use_first_pass
                            : has(args, "try_first_pass") ? CodeSource::try_first_pass
                                                          : CodeSource::prompt;
  if (options.source != source) die("code source");
  if (options.timeout.count() < 1 || options.timeout > kMaxTimeout) die("timeout out of range");
  if (options.digits < kMinDigits || options.digits > kMaxDigits) die("digits out of range");
  if (options.prompt_text().empty()) die("empty prompt");

  std::size_t expected_ignored = 0;
  bool any_timeout = false;
  for (const auto& arg : args) {
    const std::string_view a(arg);
    if (a == "nullok" || a == "echo" || a == "forward_pass" || a == "debug" || a == "use_first_pass" ||
        a == "try_first_pass") {
      continue;
    }
    if (a.starts_with("timeout=")) {
      const bool ok = valid_number(a.substr(8), 1, 120000);
      any_timeout |= ok;
      expected_ignored += ok ? 0 : 1;
    } else if (a.starts_with("digits=")) {
      expected_ignored += valid_number(a.substr(7), kMinDigits, kMaxDigits) ? 0 : 1;
    } else if (a.starts_with("prompt=")) {
      expected_ignored += a.size() == 7 ? 1 : 0;
    } else {
      expected_ignored += 1;
    }
  }
  if (parsed.ignored.size() != expected_ignored) die("ignored count");
  for (std::size_t i = 0, j = 0; i < parsed.ignored.size(); ++i) {
    // Each report starts with the argument it is about, in order.
    while (j < args.size() && !parsed.ignored[i].starts_with(args[j] + ": ")) ++j;
    if (j == args.size()) die("a report that names no argument: " + parsed.ignored[i]);
    ++j;
  }
  if (!any_timeout && options.timeout != kDefaultTimeout) die("timeout changed without a valid timeout=");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto args = split_like_libpam({reinterpret_cast<const char*>(data), size});
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& arg : args) argv.push_back(arg.c_str());
  check(args, otpd::pam::parse_module_options(argv));
  return 0;
}
