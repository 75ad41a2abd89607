// forward_pass: one answer, password then code, split by split_password_and_code.
//
// Input: one byte for `digits` (its value mod 10, so 0 and the values the option
// parser refuses are tried too), then the answer.
// Asserted: password + code is the answer; the code is a dashed backup code
// (4 alphanumerics, '-', 4 alphanumerics) whenever the answer ends in one, else
// exactly `digits` ASCII digits; no split exactly when the answer ends in neither
// shape (or digits is 0).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "answer_split.hpp"

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool ends_in_backup_code(std::string_view answer) {
  if (answer.size() < 9) return false;
  const std::string_view tail = answer.substr(answer.size() - 9);
  for (std::size_t i = 0; i < 9; ++i) {
    if (i == 4 ? tail[i] != '-' : !is_alnum(tail[i])) return false;
  }
  return true;
}

bool ends_in_digits(std::string_view answer, unsigned digits) {
  if (digits == 0 || answer.size() < digits) return false;
  for (std::size_t i = answer.size() - digits; i < answer.size(); ++i) {
    if (!is_digit(answer[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned digits = data[0] % 10U;
  const std::string_view answer(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto split = otpd::pam::split_password_and_code(answer, digits);
  const bool backup = digits != 0 && ends_in_backup_code(answer);
  const bool totp = ends_in_digits(answer, digits);
  if (split.has_value() != (backup || totp)) die("split when it must not, or no split when it must");
  if (!split) return 0;
  if (std::string(split->password.view()) + std::string(split->code.view()) != answer) die("pieces do not add up");
  if (split->code.view().size() != (backup ? 9U : digits)) die("wrong code shape");
  return 0;
}
