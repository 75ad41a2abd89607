// Owning byte buffers for key material and secrets: allocated once at their final
// size (so no reallocation leaves a copy behind) and wiped when they die.
#pragma once

#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace otpd {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(std::size_t size) : data_(new std::uint8_t[size]()), size_(size) {}
  SecureBytes(std::span<const std::uint8_t> bytes) : SecureBytes(bytes.size()) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
  }
  ~SecureBytes() { wipe(); }

  SecureBytes(SecureBytes&& other) noexcept : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}
  SecureBytes& operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      data_ = std::move(other.data_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  [[nodiscard]] std::uint8_t* data() { return data_.get(); }
  [[nodiscard]] const std::uint8_t* data() const { return data_.get(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::span<const std::uint8_t> view() const { return {data_.get(), size_}; }
  [[nodiscard]] std::span<std::uint8_t> mutable_view() { return {data_.get(), size_}; }

 private:
  void wipe() {
    if (data_) OPENSSL_cleanse(data_.get(), size_);
  }

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

// A string that held a code or a secret in text form; wiped when it dies.
class SecureString {
 public:
  SecureString() = default;
  explicit SecureString(std::string value) : value_(std::move(value)) {}
  ~SecureString() { OPENSSL_cleanse(value_.data(), value_.size()); }
  SecureString(SecureString&& other) noexcept : value_(std::move(other.value_)) {}
  SecureString& operator=(SecureString&& other) noexcept {
    OPENSSL_cleanse(value_.data(), value_.size());
    value_ = std::move(other.value_);
    return *this;
  }
  SecureString(const SecureString&) = delete;
  SecureString& operator=(const SecureString&) = delete;

  [[nodiscard]] const std::string& str() const { return value_; }
  [[nodiscard]] std::string& str() { return value_; }

 private:
  std::string value_;
};

}  // namespace otpd
