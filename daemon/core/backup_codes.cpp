#include "core/backup_codes.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "crypto/random_source.hpp"

namespace otpd {
namespace {

Expected<SecureString> generate_one_code() {
  SecureString code = SecureString::with_capacity(kDashedBackupCodeLength);
  for (std::size_t i = 0; i < kBackupCodeSymbols; ++i) {
    auto index = random_below(static_cast<unsigned>(kBackupCodeAlphabet.size()));
    if (!index) return tl::unexpected(index.error());
    if (i > 0 && i % kBackupCodeGroup == 0) (void)code.append("-");
    (void)code.append(kBackupCodeAlphabet.substr(*index, 1));  // within the capacity: the dashed length
  }
  return code;
}

char fold_case(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Expected<std::vector<SecureString>> generate_backup_codes(std::size_t count) {
  std::vector<SecureString> codes;
  codes.reserve(count);
  while (codes.size() < count) {
    auto code = generate_one_code();
    if (!code) return tl::unexpected(code.error());
    const auto same = [&code](const SecureString& other) { return other.view() == code->view(); };
    if (std::ranges::none_of(codes, same)) codes.push_back(std::move(*code));
  }
  return codes;
}

std::optional<SecureString> normalize_backup_code(std::string_view input) {
  if (input.size() > kMaxBackupCodeInput) return std::nullopt;
  SecureString normalized = SecureString::with_capacity(kBackupCodeSymbols);
  for (const char raw : input) {
    if (raw == '-' || raw == ' ' || raw == '\t') continue;
    const char c = fold_case(raw);
    if (kBackupCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    if (!normalized.append({&c, 1})) return std::nullopt;
  }
  if (normalized.size() != kBackupCodeSymbols) return std::nullopt;
  return normalized;
}

Expected<BackupCodeHash> BackupCodeHasher::hash(std::span<const std::uint8_t> salt,
                                                std::string_view normalized_code) const {
  BackupCodeHash out{};
  if (PKCS5_PBKDF2_HMAC(normalized_code.data(), static_cast<int>(normalized_code.size()), salt.data(),
                        static_cast<int>(salt.size()), static_cast<int>(iterations_), EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1) {
    return fail(ErrorKind::crypto, "PBKDF2 failed");
  }
  return out;
}

std::optional<std::size_t> find_backup_code_hash(std::span<const BackupCodeHash> stored,
                                                 const BackupCodeHash& candidate) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const bool equal = CRYPTO_memcmp(stored[i].data(), candidate.data(), candidate.size()) == 0;
    if (equal && !found) found = i;
  }
  return found;
}

}  // namespace otpd
