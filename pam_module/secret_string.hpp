// A string that holds a code or a password and wipes its memory when it dies.
// It lives in one heap buffer that never grows, so no copy of the secret is left
// behind by a reallocation or by the small-string buffer of a moved std::string.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace otpd::pam {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text);
  ~SecretString();

  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  // NUL-terminated, for C interfaces (sd-bus, pam_set_item).
  [[nodiscard]] const char* c_str() const { return buffer_ ? buffer_.get() : ""; }
  [[nodiscard]] std::string_view view() const { return {c_str(), size_}; }
  [[nodiscard]] bool empty() const { return size_ == 0; }

 private:
  void wipe() noexcept;

  std::unique_ptr<char[]> buffer_;
  std::size_t size_ = 0;
};

// Wipes and frees a string that the PAM conversation malloc()ed for us.
struct FreeWipedCString {
  void operator()(char* text) const noexcept;
};
using ConversationAnswer = std::unique_ptr<char, FreeWipedCString>;

}  // namespace otpd::pam
