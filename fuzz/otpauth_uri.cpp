// The otpauth:// URI of the QR code, with issuer and account names of any bytes.
//
// Input: one byte that picks algorithm, digits and period, then the issuer, a NUL,
// and the account (no NUL: everything after the first one). The secret is the
// base32 of the first 20 input bytes.
// Asserted: the label and every query value hold only RFC 3986 unreserved
// characters and %XX escapes; the label has exactly one raw ':'; percent-decoding
// gives back issuer and account exactly; the query has secret, issuer, algorithm,
// digits and period once each, with the values given.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/base32.hpp"
#include "core/otpauth_uri.hpp"
#include "fuzz_core.hpp"

namespace otpd::fuzz {
namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower-case hex is not what percent_encode writes
}

// The decoded text, or a violation when `text` is not strictly percent-encoded.
std::string decode_strict(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_unreserved(text[i])) {
      out.push_back(text[i]);
      continue;
    }
    if (text[i] != '%' || i + 2 >= text.size() + 0 || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0) {
      die("not strictly percent-encoded: " + std::string(text));
    }
    out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
    i += 2;
  }
  return out;
}

void check(std::string_view issuer, std::string_view account, const std::string& secret, const TotpParameters& params) {
  const std::string uri(otpauth_uri(issuer, account, secret, params).view());
  constexpr std::string_view kPrefix = "otpauth://totp/";
  if (!uri.starts_with(kPrefix)) die("prefix");
  const std::string_view rest = std::string_view(uri).substr(kPrefix.size());
  const auto question = rest.find('?');
  if (question == std::string_view::npos) die("no query");
  const std::string_view label = rest.substr(0, question);
  const auto colon = label.find(':');
  if (colon == std::string_view::npos || label.find(':', colon + 1) != std::string_view::npos) die("label colons");
  if (decode_strict(label.substr(0, colon)) != issuer) die("issuer in the label does not decode back");
  if (decode_strict(label.substr(colon + 1)) != account) die("account does not decode back");

  std::map<std::string, std::string, std::less<>> query;
  std::string_view params_text = rest.substr(question + 1);
  while (!params_text.empty()) {
    const std::string_view pair = params_text.substr(0, params_text.find('&'));
    params_text.remove_prefix(std::min(params_text.size(), pair.size() + 1));
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) die("query pair without '='");
    if (!query.emplace(std::string(pair.substr(0, equals)), decode_strict(pair.substr(equals + 1))).second) {
      die("query key repeated");
    }
  }
  const std::map<std::string, std::string, std::less<>> expected{
      {"secret", secret},
      {"issuer", std::string(issuer)},
      {"algorithm", std::string(hash_algorithm_name(params.algorithm))},
      {"digits", std::to_string(params.digits)},
      {"period", std::to_string(params.period)}};
  if (query != expected) die("query does not hold what was given");
}

}  // namespace
}  // namespace otpd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otpd;
  if (size == 0) return 0;
  static constexpr HashAlgorithm kAlgorithms[] = {HashAlgorithm::sha1, HashAlgorithm::sha256, HashAlgorithm::sha512};
  const TotpParameters params{kAlgorithms[data[0] % 3], 6U + data[0] / 3 % 3, 10U + data[0] / 9 % 28 * 10};
  const std::string secret(base32_encode({data, std::min<std::size_t>(size, 20)}).view());
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto nul = text.find('\0');
  const std::string_view issuer = text.substr(0, nul);
  const std::string_view account = nul == std::string_view::npos ? std::string_view() : text.substr(nul + 1);
  fuzz::check(issuer, account, secret, params);
  return 0;
}
