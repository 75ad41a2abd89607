#include "module_options.hpp"

#include <charconv>
#include <optional>
#include <string_view>

namespace otpd::pam {
namespace {

std::optional<unsigned long> parse_decimal(std::string_view text) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// The text after `name=` when `arg` has that form.
std::optional<std::string_view> value_of(std::string_view arg, std::string_view name) {
  if (arg.size() <= name.size() || !arg.starts_with(name) || arg[name.size()] != '=') {
    return std::nullopt;
  }
  return arg.substr(name.size() + 1);
}

std::string reason(std::string_view arg, std::string_view why) {
  std::string text{arg};
  text += ": ";
  text += why;
  return text;
}

void parse_timeout(std::string_view arg, std::string_view value, ParsedOptions& parsed) {
  const auto ms = parse_decimal(value);
  if (!ms || *ms == 0 || *ms > static_cast<unsigned long>(kMaxTimeout.count())) {
    parsed.ignored.push_back(reason(arg, "not a number of milliseconds from 1 to 120000"));
    return;
  }
  parsed.options.timeout = std::chrono::milliseconds{*ms};
}

void parse_digits(std::string_view arg, std::string_view value, ParsedOptions& parsed) {
  const auto digits = parse_decimal(value);
  if (!digits || *digits < kMinDigits || *digits > kMaxDigits) {
    parsed.ignored.push_back(reason(arg, "not a number of digits from 6 to 8"));
    return;
  }
  parsed.options.digits = static_cast<unsigned>(*digits);
}

void parse_prompt(std::string_view arg, std::string_view value, ParsedOptions& parsed) {
  if (value.empty()) {
    parsed.ignored.push_back(reason(arg, "empty prompt"));
    return;
  }
  parsed.options.prompt = value;
}

// use_first_pass wins over try_first_pass whatever their order: it never prompts.
void set_source(CodeSource source, ModuleOptions& options) {
  if (options.source != CodeSource::use_first_pass) options.source = source;
}

bool parse_flag(std::string_view arg, ModuleOptions& options) {
  if (arg == "nullok") return options.nullok = true;
  if (arg == "echo") return options.echo = true;
  if (arg == "forward_pass") return options.forward_pass = true;
  if (arg == "debug") return options.debug = true;
  if (arg == "use_first_pass") set_source(CodeSource::use_first_pass, options);
  if (arg == "try_first_pass") set_source(CodeSource::try_first_pass, options);
  return arg == "use_first_pass" || arg == "try_first_pass";
}

void parse_one(std::string_view arg, ParsedOptions& parsed) {
  if (parse_flag(arg, parsed.options)) return;
  if (const auto value = value_of(arg, "timeout")) return parse_timeout(arg, *value, parsed);
  if (const auto value = value_of(arg, "digits")) return parse_digits(arg, *value, parsed);
  if (const auto value = value_of(arg, "prompt")) return parse_prompt(arg, *value, parsed);
  parsed.ignored.push_back(reason(arg, "unknown option"));
}

}  // namespace

std::string_view ModuleOptions::prompt_text() const {
  if (!prompt.empty()) return prompt;
  return forward_pass ? kDefaultForwardPassPrompt : kDefaultPrompt;
}

ParsedOptions parse_module_options(std::span<const char* const> args) {
  ParsedOptions parsed;
  for (const char* arg : args) {
    if (arg != nullptr) parse_one(arg, parsed);
  }
  return parsed;
}

}  // namespace otpd::pam
