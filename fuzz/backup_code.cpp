// What a user types as a backup code, normalised before it is hashed.
//
// Input: the typed text.
// Asserted: normalize_backup_code accepts exactly what a plain reference reading of
// DESIGN.md accepts (at most 64 bytes; '-', ' ' and tabs dropped; ASCII case
// folded; then 8 symbols of the alphabet) and gives the same 8 symbols; its output
// normalises to itself; the upper-cased input hashes (one PBKDF2 iteration) to the
// same value and is found among stored hashes in constant time.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/backup_codes.hpp"
#include "fuzz_core.hpp"

namespace otpd::fuzz {
namespace {

std::optional<std::string> reference(std::string_view input) {
  if (input.size() > kMaxBackupCodeInput) return std::nullopt;
  std::string out;
  for (char c : input) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '\0' || kBackupCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    out.push_back(c);
  }
  if (out.size() != kBackupCodeSymbols) return std::nullopt;
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void check(std::string_view input) {
  const auto normalized = normalize_backup_code(input);
  const auto expected = reference(input);
  if (normalized.has_value() != expected.has_value()) die("accepts what the reference does not, or refuses");
  if (!normalized) return;
  const std::string_view text = normalized->view();
  if (text != *expected) die("normalised to other symbols");
  const auto again = normalize_backup_code(text);
  if (!again || again->view() != text) die("not idempotent");
  const auto shouted = normalize_backup_code(upper(input));
  if (!shouted || shouted->view() != text) die("case matters");

  static constexpr std::array<std::uint8_t, kBackupCodeSaltBytes> kSalt{1, 2, 3};
  const BackupCodeHasher hasher(1);
  const auto hash = hasher.hash(kSalt, text);
  const auto shouted_hash = hasher.hash(kSalt, shouted->view());
  if (!hash || !shouted_hash || *hash != *shouted_hash) die("hash differs");
  const std::array<BackupCodeHash, 3> stored{BackupCodeHash{}, *hash, *hash};
  if (find_backup_code_hash(stored, *shouted_hash) != 1U) die("not found, or not the first match");
}

}  // namespace
}  // namespace otpd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  otpd::fuzz::check({reinterpret_cast<const char*>(data), size});
  return 0;
}
