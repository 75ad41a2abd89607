#include "patience.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace otpd::test {
namespace {

long patience_factor() {
  const char* text = std::getenv("OTPD_TEST_PATIENCE");
  if (text == nullptr) return 1;
  long factor = 0;
  const char* end = text + std::strlen(text);
  const auto [parsed_to, error] = std::from_chars(text, end, factor);
  if (error != std::errc{} || parsed_to != end || factor < 1 || factor > 1000) return 1;
  return factor;
}

}  // namespace

std::chrono::milliseconds patient(std::chrono::milliseconds bound) {
  static const long factor = patience_factor();
  return bound * factor;
}

}  // namespace otpd::test
