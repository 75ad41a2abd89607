// The CSPRNG wrappers that secrets, salts, nonces and backup codes come from.
#include "crypto/random_source.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace otpd {
namespace {

TEST(FillRandom, FillsTheWholeBuffer) {
  // 64 bytes that stay all zero, or two fills that agree, would be a 2^-512 event.
  std::array<std::uint8_t, 64> first{};
  std::array<std::uint8_t, 64> second{};
  ASSERT_TRUE(fill_random(first));
  ASSERT_TRUE(fill_random(second));
  EXPECT_NE(first, (std::array<std::uint8_t, 64>{}));
  EXPECT_NE(first, second);
  EXPECT_TRUE(fill_random({}));
}

TEST(RandomBelow, RefusesBoundsOutsideOneTo256) {
  for (const unsigned bound : {0U, 257U, 1000U}) {
    const auto value = random_below(bound);
    ASSERT_FALSE(value) << bound;
    EXPECT_EQ(value.error().kind, ErrorKind::invalid_argument);
  }
}

TEST(RandomBelow, StaysBelowTheBoundAndReachesEveryValue) {
  for (const unsigned bound : {1U, 2U, 31U, 255U, 256U}) {
    std::vector<unsigned> seen(bound, 0);
    // 64 draws per value: the chance that one value never shows is below 2^-90.
    for (unsigned i = 0; i < 64 * bound; ++i) {
      const auto value = random_below(bound);
      ASSERT_TRUE(value);
      ASSERT_LT(*value, bound);
      ++seen[*value];
    }
    for (unsigned v = 0; v < bound; ++v) EXPECT_GT(seen[v], 0U) << "bound " << bound << " value " << v;
  }
}

}  // namespace
}  // namespace otpd
