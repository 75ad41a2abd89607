#include "shared/otpauth_details.hpp"

#include <charconv>

namespace otpd::cli {
namespace {

constexpr std::string_view kScheme = "otpauth://totp/";

std::optional<char> decode_escape(std::string_view hex) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (error != std::errc{} || end != hex.data() + hex.size()) return std::nullopt;
  return static_cast<char>(value);
}

// The Key URI format allows blanks after the label's colon ("Example: alice").
std::string without_leading_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  return std::string(first == std::string_view::npos ? std::string_view{} : text.substr(first));
}

// Splits "a=b" into its name and value; the value is still encoded.
std::pair<std::string_view, std::string_view> split_parameter(std::string_view parameter) {
  const auto equals = parameter.find('=');
  if (equals == std::string_view::npos) return {parameter, {}};
  return {parameter.substr(0, equals), parameter.substr(equals + 1)};
}

bool read_parameters(std::string_view query, OtpauthDetails& details) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto [name, encoded] = split_parameter(query.substr(0, amp));
    auto value = percent_decode(encoded);
    if (!value) return false;
    if (name == "issuer") {
      if (details.issuer.empty()) details.issuer = std::move(*value);
    } else if (name == "algorithm") {
      details.algorithm = std::move(*value);
    } else if (name == "digits") {
      details.digits = std::move(*value);
    } else if (name == "period") {
      details.period = std::move(*value);
    }
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return true;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const auto byte = decode_escape(text.substr(i + 1, 2));
    if (!byte) return std::nullopt;
    decoded += *byte;
    i += 2;
  }
  return decoded;
}

std::optional<OtpauthDetails> parse_otpauth_uri(std::string_view uri) {
  if (!uri.starts_with(kScheme)) return std::nullopt;
  const auto rest = uri.substr(kScheme.size());
  const auto question = rest.find('?');
  // The label's colon may come escaped (%3A), so split after decoding.
  auto label = percent_decode(rest.substr(0, question));
  if (!label || label->empty()) return std::nullopt;
  OtpauthDetails details;
  const auto colon = label->find(':');
  if (colon == std::string::npos) {
    details.account = *label;
  } else {
    details.issuer = label->substr(0, colon);
    details.account = without_leading_blanks(std::string_view(*label).substr(colon + 1));
  }
  // The label's issuer wins over the parameter; both say the same for otpd's URIs.
  if (question != std::string_view::npos && !read_parameters(rest.substr(question + 1), details)) {
    return std::nullopt;
  }
  return details;
}

}  // namespace otpd::cli
