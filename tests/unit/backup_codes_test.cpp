// Backup codes: their shape, the uniformity of their symbols, what input is
// accepted, and the salted hash they are stored as.
#include "core/backup_codes.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace otpd {
namespace {

using test::bytes_of;

bool is_alphabet_symbol(char c) { return kBackupCodeAlphabet.find(c) != std::string_view::npos; }

TEST(BackupCodeAlphabet, Has31UnambiguousSymbols) {
  EXPECT_EQ(kBackupCodeAlphabet.size(), 31U);
  for (const char ambiguous : {'i', 'l', 'o', '0', '1'}) EXPECT_FALSE(is_alphabet_symbol(ambiguous));
  EXPECT_EQ(std::set<char>(kBackupCodeAlphabet.begin(), kBackupCodeAlphabet.end()).size(), 31U);
}

TEST(GenerateBackupCodes, TenDistinctCodesShapedXxxxDashXxxx) {
  const auto generated = generate_backup_codes(10);
  ASSERT_TRUE(generated);
  const auto codes = test::texts_of(*generated);
  ASSERT_EQ(codes.size(), 10U);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 10U);
  for (const auto& code : codes) {
    ASSERT_EQ(code.size(), 9U) << code;
    EXPECT_EQ(code[4], '-') << code;
    for (std::size_t i = 0; i < code.size(); ++i) {
      if (i != 4) {
        EXPECT_TRUE(is_alphabet_symbol(code[i])) << code;
      }
    }
  }
}

TEST(GenerateBackupCodes, ZeroCodesIsEmpty) {
  const auto codes = generate_backup_codes(0);
  ASSERT_TRUE(codes);
  EXPECT_TRUE(codes->empty());
}

// 62,000 symbols, 2,000 expected per symbol: one standard deviation is about 44,
// so a bound of +-25% (500) is more than ten sigmas away and never flakes, while a
// modulo bias or a missing symbol is far outside it.
TEST(GenerateBackupCodes, SymbolsAreUsedUniformly) {
  constexpr std::size_t kExpectedPerSymbol = 2000;
  constexpr std::size_t kCodes = 31 * kExpectedPerSymbol / kBackupCodeSymbols;
  const auto codes = generate_backup_codes(kCodes);
  ASSERT_TRUE(codes);
  std::map<char, std::size_t> counts;
  for (const auto& code : *codes) {
    for (const char c : code.view()) {
      if (c != '-') ++counts[c];
    }
  }
  ASSERT_EQ(counts.size(), kBackupCodeAlphabet.size());
  for (const auto& [symbol, count] : counts) {
    EXPECT_TRUE(is_alphabet_symbol(symbol)) << symbol;
    EXPECT_GT(count, kExpectedPerSymbol * 3 / 4) << symbol;
    EXPECT_LT(count, kExpectedPerSymbol * 5 / 4) << symbol;
  }
}

std::string normalized(std::string_view input) {
  const auto result = normalize_backup_code(input);
  return result ? std::string(result->view()) : std::string("<nullopt>");
}

TEST(NormalizeBackupCode, FoldsCaseAndDropsDashesAndBlanks) {
  EXPECT_EQ(normalized("abcd-efgh"), "abcdefgh");
  EXPECT_EQ(normalized("abcdefgh"), "abcdefgh");
  EXPECT_EQ(normalized("ABCD-EFGH"), "abcdefgh");
  EXPECT_EQ(normalized("AbCd-eFgH"), "abcdefgh");
  EXPECT_EQ(normalized("abcd efgh"), "abcdefgh");
  EXPECT_EQ(normalized(" abcd\tefgh "), "abcdefgh");
  EXPECT_EQ(normalized("a-b-c-d-e-f-g-h"), "abcdefgh");
  EXPECT_EQ(normalized("2345-6789"), "23456789");
}

TEST(NormalizeBackupCode, RefusesSymbolsOutsideTheAlphabet) {
  for (const std::string_view bad :
       {"abcd-efg0", "abcd-efg1", "abcd-efgi", "abcd-efgl", "abcd-efgo", "ABCD-EFGI", "ABCD-EFGO", "abcd_efgh",
        "abcd.efgh", "abcd\nefgh", "abcd-efg\xC3", "abcd+efgh"}) {
    EXPECT_FALSE(normalize_backup_code(bad)) << bad;
  }
}

TEST(NormalizeBackupCode, RefusesTheWrongNumberOfSymbols) {
  EXPECT_FALSE(normalize_backup_code(""));
  EXPECT_FALSE(normalize_backup_code("----"));
  EXPECT_FALSE(normalize_backup_code("abcd-efg"));
  EXPECT_FALSE(normalize_backup_code("abcd-efghj"));
  EXPECT_FALSE(normalize_backup_code("abcdefgh abcdefgh"));
}

TEST(NormalizeBackupCode, RefusesInputLongerThan64Bytes) {
  // Padding with blanks keeps the symbol count right; only the length differs.
  const std::string at_limit = "abcd-efgh" + std::string(kMaxBackupCodeInput - 9, ' ');
  ASSERT_EQ(at_limit.size(), 64U);
  EXPECT_EQ(normalized(at_limit), "abcdefgh");
  EXPECT_FALSE(normalize_backup_code(at_limit + " "));
  EXPECT_FALSE(normalize_backup_code(std::string(1000, 'a')));
}

const std::vector<std::uint8_t> kSaltA(kBackupCodeSaltBytes, 0xA5);
const std::vector<std::uint8_t> kSaltB(kBackupCodeSaltBytes, 0x5A);

BackupCodeHash hash_of(const BackupCodeHasher& hasher, const std::vector<std::uint8_t>& salt, std::string_view code) {
  const auto hash = hasher.hash(salt, code);
  EXPECT_TRUE(hash);
  return hash ? *hash : BackupCodeHash{};
}

TEST(BackupCodeHasher, DefaultsToAtLeast100000Iterations) {
  EXPECT_GE(BackupCodeHasher().iterations(), 100'000U);
  EXPECT_EQ(BackupCodeHasher(1000).iterations(), 1000U);
}

TEST(BackupCodeHasher, IsPbkdf2HmacSha256) {
  // The well-known PBKDF2-HMAC-SHA256 vector P="password", S="salt", c=2, dkLen=32.
  const BackupCodeHash hash = hash_of(BackupCodeHasher(2), bytes_of("salt"), "password");
  const BackupCodeHash expected{0xae, 0x4d, 0x0c, 0x95, 0xaf, 0x6b, 0x46, 0xd3, 0x2d, 0x0a, 0xdf,
                                0xf9, 0x28, 0xf0, 0x6d, 0xd0, 0x2a, 0x30, 0x3f, 0x8e, 0xf3, 0xc2,
                                0x51, 0xdf, 0xd6, 0xe2, 0xd8, 0x5a, 0x95, 0x47, 0x4c, 0x43};
  EXPECT_EQ(hash, expected);
}

TEST(BackupCodeHasher, IsDeterministicPerSalt) {
  const BackupCodeHasher hasher(1000);
  EXPECT_EQ(hash_of(hasher, kSaltA, "abcdefgh"), hash_of(hasher, kSaltA, "abcdefgh"));
}

TEST(BackupCodeHasher, DiffersWithSaltCodeAndIterations) {
  const BackupCodeHasher hasher(1000);
  const BackupCodeHash base = hash_of(hasher, kSaltA, "abcdefgh");
  EXPECT_NE(base, hash_of(hasher, kSaltB, "abcdefgh"));
  EXPECT_NE(base, hash_of(hasher, kSaltA, "abcdefgj"));
  EXPECT_NE(base, hash_of(BackupCodeHasher(1001), kSaltA, "abcdefgh"));
}

TEST(FindBackupCodeHash, FindsTheIndexOrNothing) {
  const BackupCodeHasher hasher(1000);
  std::vector<BackupCodeHash> stored;
  for (const std::string_view code : {"aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"}) {
    stored.push_back(hash_of(hasher, kSaltA, code));
  }
  EXPECT_EQ(find_backup_code_hash(stored, stored[0]), 0U);
  EXPECT_EQ(find_backup_code_hash(stored, stored[2]), 2U);
  EXPECT_EQ(find_backup_code_hash(stored, stored[3]), 3U);
  EXPECT_EQ(find_backup_code_hash(stored, hash_of(hasher, kSaltA, "eeeeeeee")), std::nullopt);
  EXPECT_EQ(find_backup_code_hash(stored, hash_of(hasher, kSaltB, "aaaaaaaa")), std::nullopt);
  EXPECT_EQ(find_backup_code_hash({}, stored[0]), std::nullopt);
}

TEST(FindBackupCodeHash, ReportsTheFirstOfEqualEntries) {
  BackupCodeHash one{};
  one[31] = 1;
  const std::vector<BackupCodeHash> stored{BackupCodeHash{}, one, one};
  EXPECT_EQ(find_backup_code_hash(stored, one), 1U);
}

}  // namespace
}  // namespace otpd
