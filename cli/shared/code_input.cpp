#include "shared/code_input.hpp"

#include "protocol.hpp"

namespace otpd::cli {
namespace {

constexpr std::string_view kBodyHead = R"({"code":")";
constexpr std::string_view kBodyTail = R"("})";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_code_character(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

}  // namespace

tl::expected<SecureString, CodeError> normalize_code(std::string_view typed) {
  SecureString code = SecureString::with_capacity(protocol::kMaxCodeLength);
  for (const char c : typed) {
    if (is_blank(c)) continue;
    if (!is_code_character(c)) return tl::unexpected(CodeError::bad_character);
    if (!code.append({&c, 1})) return tl::unexpected(CodeError::too_long);
  }
  if (code.empty()) return tl::unexpected(CodeError::empty);
  return code;
}

SecureString code_request_body(const SecureString& code) {
  SecureString body = SecureString::with_capacity(kBodyHead.size() + code.size() + kBodyTail.size());
  // The capacity is exact, so none of these can fail.
  (void)body.append(kBodyHead);
  (void)body.append(code.view());
  (void)body.append(kBodyTail);
  return body;
}

std::string_view describe(CodeError error) {
  switch (error) {
    case CodeError::empty: return "no code entered";
    case CodeError::too_long: return "that is too long for a code";
    case CodeError::bad_character: return "a code is 6 digits, or a backup code like abcd-efgh";
  }
  return "not a code";
}

}  // namespace otpd::cli
