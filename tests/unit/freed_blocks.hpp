// Whether a block of memory was wiped when it went back to the allocator. A test
// binary that links freed_blocks.cpp has its own operator new[] and delete[] (plain
// malloc and free): delete[] looks at the one block being watched before it frees it.
#pragma once

#include <cstddef>

namespace otpd::test {

class FreedBlocks {
 public:
  enum class Verdict { not_freed, wiped, not_wiped };
  FreedBlocks() = default;
  ~FreedBlocks();  // stops watching
  FreedBlocks(const FreedBlocks&) = delete;
  FreedBlocks& operator=(const FreedBlocks&) = delete;

  // Watches the block that starts at `block` (as new[] handed it out): its first `size` bytes.
  void watch(const void* block, std::size_t size);
  [[nodiscard]] Verdict verdict() const;
};

}  // namespace otpd::test
