#include "core/otpauth_uri.hpp"

namespace otpd {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

// The parts around the secret are no secret; the URI is put together in wiped memory.
SecureString otpauth_uri(std::string_view issuer, std::string_view account, std::string_view base32_secret,
                         const TotpParameters& params) {
  const std::string encoded_issuer = percent_encode(issuer);
  const std::string head = "otpauth://totp/" + encoded_issuer + ':' + percent_encode(account) + "?secret=";
  const std::string tail = "&issuer=" + encoded_issuer +
                           "&algorithm=" + std::string(hash_algorithm_name(params.algorithm)) +
                           "&digits=" + std::to_string(params.digits) + "&period=" + std::to_string(params.period);
  SecureString uri = SecureString::with_capacity(head.size() + base32_secret.size() + tail.size());
  (void)uri.append(head);
  (void)uri.append(base32_secret);
  (void)uri.append(tail);
  return uri;
}

}  // namespace otpd
