// The one owner of memory that held a secret or a code, for every part of otpd (the
// PAM module too: explicit_bzero is libc's). Its bytes live in one heap block of a
// fixed capacity that never grows, so no reallocation leaves a copy behind; they are
// wiped when the block is let go (destruction, move-assignment over it, clear()),
// and a move hands the block over whole, so the moved-from object never held them
// (a std::string's small-string buffer would keep them, unwiped).
#pragma once

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

namespace otpd {

class SecureBytes {
 public:
  SecureBytes() = default;
  // `size` zero bytes, to be filled through mutable_view().
  explicit SecureBytes(std::size_t size) : SecureBytes(size, size) {}
  // A copy of `bytes` (implicit, as the buffer it replaced was: a key is passed as bytes).
  SecureBytes(std::span<const std::uint8_t> bytes) : SecureBytes(bytes.size()) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
  }
  // Empty, with room for `capacity` bytes (append()).
  [[nodiscard]] static SecureBytes with_capacity(std::size_t capacity) { return {0, capacity}; }
  ~SecureBytes() { wipe(); }

  SecureBytes(SecureBytes&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  SecureBytes& operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      data_ = std::move(other.data_);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  // Appends all of `bytes`, or nothing when they do not fit.
  [[nodiscard]] bool append(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() > capacity_ - size_) return false;
    std::copy(bytes.begin(), bytes.end(), data_.get() + size_);
    size_ += bytes.size();
    return true;
  }
  [[nodiscard]] bool append(std::string_view text) noexcept {
    return append(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  // Wipes every byte; the capacity stays.
  void clear() noexcept {
    if (data_) explicit_bzero(data_.get(), capacity_ + 1);
    size_ = 0;
  }

  [[nodiscard]] std::uint8_t* data() { return data_.get(); }
  [[nodiscard]] const std::uint8_t* data() const { return data_.get(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::span<const std::uint8_t> view() const { return {data_.get(), size_}; }
  [[nodiscard]] std::span<std::uint8_t> mutable_view() { return {data_.get(), size_}; }
  // The bytes as text. A NUL always follows them, so c_str() can hand them to C.
  [[nodiscard]] std::string_view text() const { return {c_str(), size_}; }
  [[nodiscard]] const char* c_str() const { return data_ ? reinterpret_cast<const char*>(data_.get()) : ""; }

 private:
  SecureBytes(std::size_t size, std::size_t capacity)
      : data_(std::make_unique<std::uint8_t[]>(capacity + 1)), size_(size), capacity_(capacity) {}
  void wipe() noexcept {
    if (data_) explicit_bzero(data_.get(), capacity_ + 1);
  }

  std::unique_ptr<std::uint8_t[]> data_;  // capacity_ + 1 bytes: the last is the NUL
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// A code, a password or a secret in text form: SecureBytes that read as a string.
class SecureString {
 public:
  SecureString() = default;
  explicit SecureString(std::string_view text) : bytes_(SecureBytes::with_capacity(text.size())) {
    (void)bytes_.append(text);
  }
  // Empty, with room for `capacity` characters (append()).
  [[nodiscard]] static SecureString with_capacity(std::size_t capacity) {
    SecureString text;
    text.bytes_ = SecureBytes::with_capacity(capacity);
    return text;
  }

  // Appends all of `text`, or nothing when it does not fit.
  [[nodiscard]] bool append(std::string_view text) noexcept { return bytes_.append(text); }
  void clear() noexcept { bytes_.clear(); }

  [[nodiscard]] std::string_view view() const { return bytes_.text(); }
  [[nodiscard]] const char* c_str() const { return bytes_.c_str(); }  // NUL-terminated
  [[nodiscard]] std::size_t size() const { return bytes_.size(); }
  [[nodiscard]] std::size_t capacity() const { return bytes_.capacity(); }
  [[nodiscard]] bool empty() const { return bytes_.empty(); }
  [[nodiscard]] const SecureBytes& bytes() const { return bytes_; }

 private:
  SecureBytes bytes_;
};

}  // namespace otpd
