// What a person needs from an otpauth:// URI to enter it by hand: the issuer and
// account from its label, and the parameters that differ between apps' defaults.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace otpd::cli {

struct OtpauthDetails {
  std::string issuer;
  std::string account;
  std::string algorithm;  // empty when the URI leaves it to the app's default
  std::string digits;
  std::string period;
};

// nullopt unless `uri` is a well-formed otpauth://totp/ URI. The secret is not kept.
[[nodiscard]] std::optional<OtpauthDetails> parse_otpauth_uri(std::string_view uri);

// %XX escapes decoded; nullopt on a broken escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);

}  // namespace otpd::cli
