// Seals TOTP secrets for storage with AES-256-GCM. The user name is authenticated
// as associated data, so a sealed secret copied to another user's row does not open.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "secure_bytes.hpp"

namespace otpd {

inline constexpr std::size_t kSealKeyBytes = 32;

class SecretSealer {
 public:
  // `key` must hold kSealKeyBytes bytes.
  explicit SecretSealer(SecureBytes key) : key_(std::move(key)) {}

  // version byte | 12-byte random nonce | ciphertext | 16-byte tag
  [[nodiscard]] Expected<std::vector<std::uint8_t>> seal(std::span<const std::uint8_t> plaintext,
                                                         std::string_view associated_data) const;
  // Fails with ErrorKind::crypto when the value was altered, or sealed for another
  // user or under another key.
  [[nodiscard]] Expected<SecureBytes> open(std::span<const std::uint8_t> sealed,
                                           std::string_view associated_data) const;

 private:
  SecureBytes key_;
};

}  // namespace otpd
