#include "shared/secret_buffer.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <utility>

namespace otpd::cli {

SecretBuffer::SecretBuffer(std::size_t capacity) : data_(std::make_unique<char[]>(capacity)), capacity_(capacity) {}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::move(other.data_)),
      capacity_(std::exchange(other.capacity_, 0)),
      size_(std::exchange(other.size_, 0)) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    clear();
    data_ = std::move(other.data_);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBuffer::~SecretBuffer() { clear(); }

bool SecretBuffer::append(std::string_view bytes) noexcept {
  if (bytes.size() > capacity_ - size_) return false;
  if (!bytes.empty()) std::memcpy(data_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
  return true;
}

void SecretBuffer::clear() noexcept {
  if (data_) OPENSSL_cleanse(data_.get(), capacity_);
  size_ = 0;
}

}  // namespace otpd::cli
