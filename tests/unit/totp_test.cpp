// HOTP (RFC 4226) and TOTP (RFC 6238) against the RFCs' own test vectors.
#include "core/totp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "test_support.hpp"

namespace otpd {
namespace {

using test::bytes_of;

constexpr std::string_view kSeed20 = "12345678901234567890";
constexpr std::string_view kSeed32 = "12345678901234567890123456789012";
constexpr std::string_view kSeed64 = "1234567890123456789012345678901234567890123456789012345678901234";

std::string hotp_text(std::string_view seed, std::uint64_t counter, HashAlgorithm algorithm, unsigned digits) {
  const auto code = hotp(bytes_of(seed), counter, algorithm, digits);
  return code ? std::string(code->view()) : std::string("<nullopt>");
}

TEST(Hotp, Rfc4226AppendixD) {
  constexpr std::array<std::string_view, 10> kExpected{"755224", "287082", "359152", "969429", "338314",
                                                       "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < kExpected.size(); ++counter) {
    EXPECT_EQ(hotp_text(kSeed20, counter, HashAlgorithm::sha1, 6), kExpected[counter]) << "counter " << counter;
  }
}

struct Rfc6238Vector {
  std::int64_t time;
  std::string_view sha1, sha256, sha512;
};

// RFC 6238 Appendix B: T0 = 0, X = 30, 8 digits, each algorithm with its own seed.
constexpr std::array<Rfc6238Vector, 6> kRfc6238{{
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
}};

TEST(Totp, Rfc6238AppendixB) {
  for (const auto& vector : kRfc6238) {
    const auto step = totp_step(vector.time, 30);
    ASSERT_TRUE(step) << vector.time;
    EXPECT_EQ(hotp_text(kSeed20, *step, HashAlgorithm::sha1, 8), vector.sha1) << "T=" << vector.time;
    EXPECT_EQ(hotp_text(kSeed32, *step, HashAlgorithm::sha256, 8), vector.sha256) << "T=" << vector.time;
    EXPECT_EQ(hotp_text(kSeed64, *step, HashAlgorithm::sha512, 8), vector.sha512) << "T=" << vector.time;
  }
}

TEST(Totp, StepOfTimesBeyond32Bits) {
  EXPECT_EQ(totp_step(20000000000, 30), 666666666U);
  EXPECT_EQ(totp_step(std::numeric_limits<std::int64_t>::max(), 1),
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

// No RFC vector has a counter above 2^32; these values are HMAC-SHA1 computed
// independently (Python's hmac module), and catch a counter cut to 32 bits.
TEST(Hotp, CountersBeyond32Bits) {
  EXPECT_EQ(hotp_text(kSeed20, 0x1'0000'0000ULL, HashAlgorithm::sha1, 8), "55999456");
  EXPECT_EQ(hotp_text(kSeed20, 0x1'0000'0001ULL, HashAlgorithm::sha1, 8), "39108930");
  EXPECT_EQ(hotp_text(kSeed20, 0x100'0000'0005ULL, HashAlgorithm::sha1, 6), "726206");
  EXPECT_EQ(hotp_text(kSeed20, 0x8000'0000'0000'0007ULL, HashAlgorithm::sha1, 6), "014211");
  EXPECT_EQ(hotp_text(kSeed20, std::numeric_limits<std::uint64_t>::max(), HashAlgorithm::sha1, 8), "63094451");
}

TEST(Hotp, SixSevenAndEightDigitsAreZeroPaddedTruncations) {
  // Counter 1 of the RFC 4226 seed: the 31-bit value ends ...94287082.
  EXPECT_EQ(hotp_text(kSeed20, 1, HashAlgorithm::sha1, 6), "287082");
  EXPECT_EQ(hotp_text(kSeed20, 1, HashAlgorithm::sha1, 7), "4287082");
  EXPECT_EQ(hotp_text(kSeed20, 1, HashAlgorithm::sha1, 8), "94287082");
  // A leading zero stays: T = 1111111109 gives 07081804.
  const auto code = hotp(bytes_of(kSeed20), 37037036, HashAlgorithm::sha1, 8);
  ASSERT_TRUE(code);
  EXPECT_EQ(code->length, 8U);
  EXPECT_EQ(code->view(), "07081804");
}

TEST(Hotp, RejectsDigitsOutsideSixToEight) {
  EXPECT_FALSE(hotp(bytes_of(kSeed20), 0, HashAlgorithm::sha1, 5));
  EXPECT_FALSE(hotp(bytes_of(kSeed20), 0, HashAlgorithm::sha1, 9));
  EXPECT_FALSE(hotp(bytes_of(kSeed20), 0, HashAlgorithm::sha1, 0));
  EXPECT_TRUE(hotp(bytes_of(kSeed20), 0, HashAlgorithm::sha1, kMinDigits));
  EXPECT_TRUE(hotp(bytes_of(kSeed20), 0, HashAlgorithm::sha1, kMaxDigits));
}

TEST(TotpStep, DividesByThePeriod) {
  EXPECT_EQ(totp_step(0, 30), 0U);
  EXPECT_EQ(totp_step(29, 30), 0U);
  EXPECT_EQ(totp_step(30, 30), 1U);
  EXPECT_EQ(totp_step(59, 30), 1U);
  EXPECT_EQ(totp_step(60, 30), 2U);
  EXPECT_EQ(totp_step(120, 60), 2U);
}

TEST(TotpStep, NegativeTimeHasNoStep) {
  EXPECT_FALSE(totp_step(-1, 30));
  EXPECT_FALSE(totp_step(-30, 30));
  EXPECT_FALSE(totp_step(std::numeric_limits<std::int64_t>::min(), 30));
}

TEST(TotpStep, PeriodZeroHasNoStep) {
  EXPECT_FALSE(totp_step(0, 0));
  EXPECT_FALSE(totp_step(1234567890, 0));
}

TEST(HashAlgorithmName, RoundTrips) {
  for (const auto algorithm : {HashAlgorithm::sha1, HashAlgorithm::sha256, HashAlgorithm::sha512}) {
    EXPECT_EQ(hash_algorithm_from_name(hash_algorithm_name(algorithm)), algorithm);
  }
  EXPECT_EQ(hash_algorithm_name(HashAlgorithm::sha1), "SHA1");
  EXPECT_EQ(hash_algorithm_name(HashAlgorithm::sha256), "SHA256");
  EXPECT_EQ(hash_algorithm_name(HashAlgorithm::sha512), "SHA512");
}

TEST(HashAlgorithmName, UnknownNamesAreRefused) {
  EXPECT_FALSE(hash_algorithm_from_name(""));
  EXPECT_FALSE(hash_algorithm_from_name("MD5"));
  EXPECT_FALSE(hash_algorithm_from_name("SHA-1"));
  EXPECT_FALSE(hash_algorithm_from_name("SHA384"));
}

}  // namespace
}  // namespace otpd
