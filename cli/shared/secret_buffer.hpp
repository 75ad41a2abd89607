// A fixed-capacity byte buffer for anything that holds a code or a secret: a typed
// code, a request body that carries it, the daemon's answer. It never reallocates (so
// no stray copy is left in freed memory) and it is wiped when it goes.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace otpd::cli {

class SecretBuffer {
 public:
  explicit SecretBuffer(std::size_t capacity);
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  ~SecretBuffer();

  // Appends all of `bytes`, or nothing when they do not fit.
  [[nodiscard]] bool append(std::string_view bytes) noexcept;
  void clear() noexcept;

  [[nodiscard]] std::string_view view() const noexcept { return {data_.get(), size_}; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

}  // namespace otpd::cli
