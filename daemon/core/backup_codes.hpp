// Backup codes: the way in when the phone is lost. Ten codes `xxxx-xxxx`, shown
// once, stored only as salted PBKDF2 hashes, each good for one login.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "protocol.hpp"
#include "secure_bytes.hpp"

namespace otpd {

using protocol::kBackupCodeAlphabet;
using protocol::kBackupCodeGroup;
using protocol::kBackupCodeSymbols;
using protocol::kDashedBackupCodeLength;
inline constexpr std::size_t kMaxBackupCodeInput = 64;   // longer input is refused unhashed
inline constexpr std::size_t kBackupCodeSaltBytes = 16;  // 128 bits, one salt per user
inline constexpr unsigned kBackupCodeKdfIterations = 100'000;

using BackupCodeHash = std::array<std::uint8_t, 32>;

// `count` distinct codes, each symbol drawn uniformly from the alphabet.
[[nodiscard]] Expected<std::vector<SecureString>> generate_backup_codes(std::size_t count);

// What the user typed, as the 8 symbols that are hashed: case folded, dashes and
// spaces dropped. nullopt for anything that cannot be a backup code.
[[nodiscard]] std::optional<SecureString> normalize_backup_code(std::string_view input);

// PBKDF2-HMAC-SHA256 under the user's salt: one KDF run per attempt, whatever the
// number of stored codes, since all of a user's codes share the salt.
class BackupCodeHasher {
 public:
  explicit BackupCodeHasher(unsigned iterations = kBackupCodeKdfIterations) : iterations_(iterations) {}

  [[nodiscard]] Expected<BackupCodeHash> hash(std::span<const std::uint8_t> salt,
                                              std::string_view normalized_code) const;
  [[nodiscard]] unsigned iterations() const { return iterations_; }

 private:
  unsigned iterations_;
};

// The index of `candidate` among `stored`, comparing every entry in constant time
// without stopping at the first match.
[[nodiscard]] std::optional<std::size_t> find_backup_code_hash(std::span<const BackupCodeHash> stored,
                                                               const BackupCodeHash& candidate);

}  // namespace otpd
