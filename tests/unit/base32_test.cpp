// RFC 4648 base32, as used for TOTP secrets.
#include "core/base32.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

#include "crypto/random_source.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using test::bytes_of;

struct Vector {
  std::string_view plain;
  std::string_view unpadded;
  std::string_view padded;
};

// RFC 4648 section 10.
constexpr std::array<Vector, 7> kRfc4648{{
    {"", "", ""},
    {"f", "MY", "MY======"},
    {"fo", "MZXQ", "MZXQ===="},
    {"foo", "MZXW6", "MZXW6==="},
    {"foob", "MZXW6YQ", "MZXW6YQ="},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI", "MZXW6YTBOI======"},
}};

TEST(Base32, EncodesRfc4648VectorsWithoutPadding) {
  for (const auto& vector : kRfc4648) {
    EXPECT_EQ(base32_encode(bytes_of(vector.plain)).view(), vector.unpadded) << vector.plain;
  }
}

TEST(Base32, DecodesRfc4648VectorsPaddedOrNot) {
  for (const auto& vector : kRfc4648) {
    EXPECT_EQ(base32_decode(vector.unpadded), bytes_of(vector.plain)) << vector.unpadded;
    EXPECT_EQ(base32_decode(vector.padded), bytes_of(vector.plain)) << vector.padded;
  }
}

TEST(Base32, DecodesLowerAndMixedCase) {
  EXPECT_EQ(base32_decode("mzxw6ytboi"), bytes_of("foobar"));
  EXPECT_EQ(base32_decode("MzXw6YtBoI"), bytes_of("foobar"));
  EXPECT_EQ(base32_decode("mzxw6==="), bytes_of("foo"));
}

TEST(Base32, RejectsCharactersOutsideTheAlphabet) {
  for (const std::string_view bad : {"MZXW6YT1", "MZXW6YT0", "MZXW6YT8", "MZXW6YT9", "MZXW6YT-", "MZXW 6YT",
                                     "MZXW6YT\n", "MZXW6YT\xC3", "MZ=XW6YT", "=MZXW6YT"}) {
    EXPECT_FALSE(base32_decode(bad)) << bad;
  }
  const std::string with_nul("MZXW6YT\0", 8);
  EXPECT_FALSE(base32_decode(with_nul));
}

TEST(Base32, RejectsImpossibleLengths) {
  // 1, 3 or 6 symbols in the last group cannot come from whole bytes.
  EXPECT_FALSE(base32_decode("M"));
  EXPECT_FALSE(base32_decode("MZX"));
  EXPECT_FALSE(base32_decode("MZXW6Y"));
  EXPECT_FALSE(base32_decode("MZXW6YTBM"));
  EXPECT_FALSE(base32_decode("M======="));
}

TEST(Base32, RejectsNonZeroTrailingBits) {
  // "MY" is 'f' followed by two zero bits; "MZ" leaves the bits 01.
  EXPECT_TRUE(base32_decode("MY"));
  EXPECT_FALSE(base32_decode("MZ"));
  EXPECT_FALSE(base32_decode("MZXR"));        // "fo" with a stray bit
  EXPECT_FALSE(base32_decode("MZXW7"));       // "foo" with a stray bit
  EXPECT_FALSE(base32_decode("MZXW6YR"));     // "foob" with a stray bit
  EXPECT_FALSE(base32_decode("MZXW6YTBOJ"));  // "foobar" with a stray bit
}

TEST(Base32, EveryByteValueRoundTrips) {
  std::vector<std::uint8_t> all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(base32_decode(base32_encode(all).view()), all);
}

TEST(Base32, RandomTotpSecretsRoundTripAs32CharactersWithoutPadding) {
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> secret(20);
    ASSERT_TRUE(fill_random(secret));
    const std::string text(base32_encode(secret).view());
    ASSERT_EQ(text.size(), 32U) << text;
    EXPECT_EQ(text.find('='), std::string::npos) << text;
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos) << text;
    EXPECT_EQ(base32_decode(text), secret) << text;
  }
}

}  // namespace
}  // namespace otpd
