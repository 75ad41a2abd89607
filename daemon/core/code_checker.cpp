#include "core/code_checker.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/totp.hpp"

namespace otpd {

bool looks_like_totp(std::string_view code, unsigned digits) {
  return code.size() == digits && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::int64_t watermark_lead(const EnrollmentRecord& record, std::int64_t now, unsigned window) {
  const auto current = totp_step(now, record.params.period);
  if (!current || !record.last_step || *record.last_step <= *current + window) return 0;
  return static_cast<std::int64_t>(*record.last_step - *current) * record.params.period;
}

CheckedCode check_totp(std::span<const std::uint8_t> secret, const EnrollmentRecord& record,
                       const CodeCheckRequest& request) {
  CheckedCode result;
  const auto current = totp_step(request.now, record.params.period);
  if (!current || !looks_like_totp(request.code, record.params.digits)) return result;

  const std::uint64_t first = *current >= request.window ? *current - request.window : 0;
  const std::uint64_t last = *current + request.window;
  bool matched = false;
  std::uint64_t matched_step = 0;
  for (std::uint64_t step = first; step <= last; ++step) {
    auto expected = hotp(secret, step, record.params.algorithm, record.params.digits);
    const bool equal = expected && CRYPTO_memcmp(expected->text, request.code.data(), record.params.digits) == 0;
    if (expected) OPENSSL_cleanse(expected->text, sizeof(expected->text));
    if (equal) {
      matched = true;
      matched_step = step;  // ascending, so the latest matching step wins
    }
  }
  if (!matched) return result;
  result.step = matched_step;
  const bool replayed = request.enforce_watermark && record.last_step && matched_step <= *record.last_step;
  result.match = replayed ? CodeMatch::totp_replayed : CodeMatch::totp;
  if (replayed) result.clock_behind_seconds = watermark_lead(record, request.now, request.window);
  if (result.clock_behind_seconds > 0) result.match = CodeMatch::totp_clock_behind;
  return result;
}

}  // namespace otpd
