// AES-256-GCM sealing of TOTP secrets: round trip, and every way a sealed value
// must fail to open.
#include "crypto/secret_sealer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_support.hpp"

namespace otpd {
namespace {

using test::bytes_of;
using test::test_key;

constexpr std::string_view kSecret = "12345678901234567890";
constexpr std::string_view kAliceData = "otpd/totp-secret/v1/alice";
constexpr std::string_view kBobData = "otpd/totp-secret/v1/bob";

std::vector<std::uint8_t> seal_or_fail(const SecretSealer& sealer, std::string_view plaintext,
                                       std::string_view associated_data) {
  auto sealed = sealer.seal(bytes_of(plaintext), associated_data);
  EXPECT_TRUE(sealed) << (sealed ? "" : sealed.error().message);
  return sealed ? *sealed : std::vector<std::uint8_t>();
}

std::vector<std::uint8_t> as_vector(const SecureBytes& bytes) { return {bytes.view().begin(), bytes.view().end()}; }

TEST(SecretSealer, RoundTrips) {
  const SecretSealer sealer(test_key());
  const auto sealed = seal_or_fail(sealer, kSecret, kAliceData);
  const auto opened = sealer.open(sealed, kAliceData);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(as_vector(*opened), bytes_of(kSecret));
}

TEST(SecretSealer, RoundTripsAnEmptyPlaintext) {
  const SecretSealer sealer(test_key());
  const auto sealed = seal_or_fail(sealer, "", kAliceData);
  const auto opened = sealer.open(sealed, kAliceData);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->size(), 0U);
}

TEST(SecretSealer, FormatIsVersionNonceCiphertextTag) {
  const SecretSealer sealer(test_key());
  const auto sealed = seal_or_fail(sealer, kSecret, kAliceData);
  ASSERT_EQ(sealed.size(), 1 + 12 + kSecret.size() + 16);
  EXPECT_EQ(sealed[0], 1);
  const std::string ciphertext(sealed.begin() + 13, sealed.begin() + 13 + 20);
  EXPECT_NE(ciphertext, kSecret);
}

TEST(SecretSealer, EveryAlteredByteIsDetected) {
  const SecretSealer sealer(test_key());
  const auto sealed = seal_or_fail(sealer, kSecret, kAliceData);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (const unsigned flip : {0x01U, 0x80U, 0xFFU}) {
      auto altered = sealed;
      altered[i] = static_cast<std::uint8_t>(altered[i] ^ flip);
      const auto opened = sealer.open(altered, kAliceData);
      ASSERT_FALSE(opened) << "byte " << i << " flipped with " << flip;
      EXPECT_EQ(opened.error().kind, ErrorKind::crypto);
    }
  }
}

TEST(SecretSealer, TruncatedOrExtendedValuesDoNotOpen) {
  const SecretSealer sealer(test_key());
  const auto sealed = seal_or_fail(sealer, kSecret, kAliceData);
  for (std::size_t size = 0; size < sealed.size(); ++size) {
    const std::vector<std::uint8_t> truncated(sealed.begin(), sealed.begin() + static_cast<long>(size));
    EXPECT_FALSE(sealer.open(truncated, kAliceData)) << "size " << size;
  }
  auto extended = sealed;
  extended.push_back(0);
  EXPECT_FALSE(sealer.open(extended, kAliceData));
}

TEST(SecretSealer, AnotherUsersAssociatedDataDoesNotOpen) {
  const SecretSealer sealer(test_key());
  const auto sealed = seal_or_fail(sealer, kSecret, kAliceData);
  const auto opened = sealer.open(sealed, kBobData);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::crypto);
  EXPECT_FALSE(sealer.open(sealed, ""));
}

TEST(SecretSealer, AnotherKeyDoesNotOpen) {
  const auto sealed = seal_or_fail(SecretSealer(test_key(0)), kSecret, kAliceData);
  const SecretSealer other(test_key(1));
  const auto opened = other.open(sealed, kAliceData);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::crypto);
}

TEST(SecretSealer, TwoSealsOfTheSameSecretDiffer) {
  const SecretSealer sealer(test_key());
  const auto first = seal_or_fail(sealer, kSecret, kAliceData);
  const auto second = seal_or_fail(sealer, kSecret, kAliceData);
  EXPECT_NE(first, second);
  const std::vector<std::uint8_t> first_nonce(first.begin() + 1, first.begin() + 13);
  const std::vector<std::uint8_t> second_nonce(second.begin() + 1, second.begin() + 13);
  EXPECT_NE(first_nonce, second_nonce);
}

TEST(SecretSealer, WrongKeySizeFailsCleanly) {
  for (const std::size_t size : {0U, 16U, 31U, 33U, 64U}) {
    const SecretSealer sealer{SecureBytes(size)};
    const auto sealed = sealer.seal(bytes_of(kSecret), kAliceData);
    ASSERT_FALSE(sealed) << size;
    EXPECT_EQ(sealed.error().kind, ErrorKind::crypto);
    const auto good = seal_or_fail(SecretSealer(test_key()), kSecret, kAliceData);
    EXPECT_FALSE(sealer.open(good, kAliceData)) << size;
  }
}

}  // namespace
}  // namespace otpd
