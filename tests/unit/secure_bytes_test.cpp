// The one wiped buffer (common/secure_bytes.hpp): what a move leaves in the object
// moved from, and what is in a block when it goes back to the allocator (seen by
// this binary's own operator delete[], which looks before it frees).
#include "secure_bytes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "freed_blocks.hpp"

namespace otpd {
namespace {

constexpr std::string_view kCode = "12345678";  // short: it would fit a std::string's own buffer

// The bytes of the storage an object lived in, after it was moved from and destroyed.
template <class T, class Fill>
std::string storage_after_move(Fill fill) {
  alignas(T) std::array<unsigned char, sizeof(T)> storage{};
  T* object = new (storage.data()) T(fill());
  T taken(std::move(*object));
  object->~T();
  // Read as the bytes they are now: volatile, so no assumption about a dead object's
  // storage stands in for what is there.
  std::string left(storage.size(), '\0');
  const volatile unsigned char* bytes = storage.data();
  for (std::size_t i = 0; i < left.size(); ++i) left[i] = static_cast<char>(bytes[i]);
  return left;
}

// Found in a review: the daemon's SecureString wrapped a std::string, and moving a
// short one left its bytes in the moved-from object's own buffer, where the
// destructor wiped zero bytes (the size it saw). The bytes now live in one heap block
// that a move hands over whole: the object moved from never held them.
TEST(SecureString, TheObjectMovedFromHoldsNoByteOfTheSecret) {
  const std::string left = storage_after_move<SecureString>([] { return SecureString(kCode); });
  EXPECT_EQ(left.find("2345678"), std::string::npos);
}

TEST(SecureString, AStdStringMovedFromKeepsAShortSecretInItsOwnBuffer) {
  // What the test above guards against, shown on the type the old SecureString wrapped.
  const std::string left = storage_after_move<std::string>([] { return std::string(kCode); });
  EXPECT_NE(left.find("2345678"), std::string::npos) << "libstdc++ may have changed its small-string moves";
}

TEST(SecureBytes, ABlockIsWipedBeforeItIsFreed) {
  test::FreedBlocks freed;
  {
    SecureString code(kCode);
    freed.watch(code.c_str(), kCode.size() + 1);
  }
  EXPECT_EQ(freed.verdict(), test::FreedBlocks::Verdict::wiped);
}

TEST(SecureBytes, MoveAssignmentWipesTheBlockItReplaces) {
  test::FreedBlocks freed;
  SecureString target(kCode);
  freed.watch(target.c_str(), kCode.size() + 1);
  target = SecureString("other");
  EXPECT_EQ(freed.verdict(), test::FreedBlocks::Verdict::wiped);
  EXPECT_EQ(target.view(), "other");
}

TEST(SecureBytes, ClearWipesEveryByteAndKeepsTheCapacity) {
  SecureBytes bytes = SecureBytes::with_capacity(16);
  ASSERT_TRUE(bytes.append(kCode));
  const std::uint8_t* block = bytes.data();
  bytes.clear();
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(bytes.capacity(), 16U);
  EXPECT_TRUE(std::all_of(block, block + 17, [](std::uint8_t b) { return b == 0; }));
}

TEST(SecureBytes, AppendsWithinItsCapacityOnlyAndStaysNulTerminated) {
  SecureString text = SecureString::with_capacity(4);
  EXPECT_TRUE(text.append("ab"));
  EXPECT_FALSE(text.append("cde")) << "nothing of what does not fit";
  EXPECT_EQ(text.view(), "ab");
  EXPECT_TRUE(text.append("cd"));
  EXPECT_STREQ(text.c_str(), "abcd");
  EXPECT_FALSE(text.append("e"));
}

TEST(SecureBytes, MovesLeaveTheSourceEmpty) {
  SecureBytes first(8);
  first.mutable_view()[0] = 7;
  const SecureBytes second(std::move(first));
  EXPECT_EQ(second.size(), 8U);
  EXPECT_EQ(second.view()[0], 7);
  EXPECT_EQ(first.size(), 0U);  // NOLINT(bugprone-use-after-move): what a move leaves is the point
  EXPECT_EQ(first.data(), nullptr);
  EXPECT_STREQ(SecureString().c_str(), "");
}

}  // namespace
}  // namespace otpd
