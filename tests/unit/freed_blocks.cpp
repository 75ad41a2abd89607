#include "freed_blocks.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace otpd::test {
namespace {

std::atomic<const void*> watched{nullptr};
std::atomic<std::size_t> watched_size{0};
std::atomic<FreedBlocks::Verdict> seen{FreedBlocks::Verdict::not_freed};

void look_before_free(void* block) noexcept {
  if (block == nullptr || block != watched.load()) return;
  const auto* bytes = static_cast<const unsigned char*>(block);
  const bool zero = std::all_of(bytes, bytes + watched_size.load(), [](unsigned char b) { return b == 0; });
  seen = zero ? FreedBlocks::Verdict::wiped : FreedBlocks::Verdict::not_wiped;
  watched = nullptr;
}

}  // namespace

FreedBlocks::~FreedBlocks() { watched = nullptr; }

void FreedBlocks::watch(const void* block, std::size_t size) {
  seen = Verdict::not_freed;
  watched_size = size;
  watched = block;
}

FreedBlocks::Verdict FreedBlocks::verdict() const { return seen.load(); }

}  // namespace otpd::test

void* operator new[](std::size_t size) {
  void* block = std::malloc(size == 0 ? 1 : size);  // NOLINT(cppcoreguidelines-no-malloc): this is the allocator
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

void operator delete[](void* block) noexcept {
  otpd::test::look_before_free(block);
  std::free(block);  // NOLINT(cppcoreguidelines-no-malloc)
}

void operator delete[](void* block, std::size_t) noexcept {
  otpd::test::look_before_free(block);
  std::free(block);  // NOLINT(cppcoreguidelines-no-malloc)
}
