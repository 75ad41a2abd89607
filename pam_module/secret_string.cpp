#include "secret_string.hpp"

#include <cstdlib>
#include <cstring>
#include <utility>

namespace otpd::pam {

SecretString::SecretString(std::string_view text)
    : buffer_(std::make_unique<char[]>(text.size() + 1)), size_(text.size()) {
  std::memcpy(buffer_.get(), text.data(), text.size());
  buffer_[size_] = '\0';
}

SecretString::~SecretString() { wipe(); }

SecretString::SecretString(SecretString&& other) noexcept
    : buffer_(std::move(other.buffer_)), size_(std::exchange(other.size_, 0)) {}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    buffer_ = std::move(other.buffer_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecretString::wipe() noexcept {
  if (buffer_) explicit_bzero(buffer_.get(), size_ + 1);
}

void FreeWipedCString::operator()(char* text) const noexcept {
  if (text == nullptr) return;
  explicit_bzero(text, std::strlen(text));
  std::free(text);  // NOLINT(cppcoreguidelines-no-malloc): the conversation malloc()ed it
}

}  // namespace otpd::pam
