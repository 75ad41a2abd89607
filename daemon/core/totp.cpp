#include "core/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace otpd {
namespace {

constexpr std::array<std::pair<HashAlgorithm, std::string_view>, 3> kAlgorithmNames{{
    {HashAlgorithm::sha1, "SHA1"},
    {HashAlgorithm::sha256, "SHA256"},
    {HashAlgorithm::sha512, "SHA512"},
}};

const EVP_MD* digest_for(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::sha1: return EVP_sha1();
    case HashAlgorithm::sha256: return EVP_sha256();
    case HashAlgorithm::sha512: return EVP_sha512();
  }
  return nullptr;
}

constexpr std::uint32_t kPowersOfTen[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

}  // namespace

std::string_view hash_algorithm_name(HashAlgorithm algorithm) {
  for (const auto& [value, name] : kAlgorithmNames) {
    if (value == algorithm) return name;
  }
  return "SHA1";
}

std::optional<HashAlgorithm> hash_algorithm_from_name(std::string_view name) {
  for (const auto& [value, known] : kAlgorithmNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::optional<OtpCode> hotp(std::span<const std::uint8_t> key, std::uint64_t counter, HashAlgorithm algorithm,
                            unsigned digits) {
  if (digits < kMinDigits || digits > kMaxDigits) return std::nullopt;
  std::array<std::uint8_t, 8> message{};
  for (int i = 7; i >= 0; --i, counter >>= 8) message[static_cast<std::size_t>(i)] = counter & 0xFF;

  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned mac_length = 0;
  if (HMAC(digest_for(algorithm), key.data(), static_cast<int>(key.size()), message.data(), message.size(), mac.data(),
           &mac_length) == nullptr) {
    return std::nullopt;
  }
  // Dynamic truncation, RFC 4226 section 5.3.
  const unsigned offset = mac[mac_length - 1] & 0x0F;
  const std::uint32_t binary = (std::uint32_t{mac[offset]} & 0x7F) << 24 | std::uint32_t{mac[offset + 1]} << 16 |
                               std::uint32_t{mac[offset + 2]} << 8 | std::uint32_t{mac[offset + 3]};
  std::uint32_t value = binary % kPowersOfTen[digits];
  OPENSSL_cleanse(mac.data(), mac.size());

  OtpCode code;
  code.length = digits;
  for (unsigned i = digits; i-- > 0; value /= 10) code.text[i] = static_cast<char>('0' + value % 10);
  return code;
}

std::optional<std::uint64_t> totp_step(std::int64_t unix_time, unsigned period) {
  if (unix_time < 0 || period == 0) return std::nullopt;
  return static_cast<std::uint64_t>(unix_time) / period;
}

}  // namespace otpd
