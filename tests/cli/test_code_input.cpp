#include <gtest/gtest.h>

#include "protocol.hpp"
#include "shared/code_input.hpp"

namespace otpd::cli {
namespace {

TEST(NormalizeCode, DropsTheBlanksAppsShow) {
  const auto code = normalize_code(" 123 456\r");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->view(), "123456");
}

TEST(NormalizeCode, KeepsABackupCodeAsTyped) {
  const auto code = normalize_code("ABCD-efgh");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->view(), "ABCD-efgh");
}

TEST(NormalizeCode, RefusesEmptyLongAndStrangeInput) {
  EXPECT_EQ(normalize_code("   ").error(), CodeError::empty);
  EXPECT_EQ(normalize_code(std::string(protocol::kMaxCodeLength + 1, '1')).error(), CodeError::too_long);
  EXPECT_TRUE(normalize_code(std::string(protocol::kMaxCodeLength, '1')));
  for (const auto* typed : {"12\"3456", "123\\456", "123456}", "12345\n6", "\xc3\xa9"}) {
    EXPECT_EQ(normalize_code(typed).error(), CodeError::bad_character) << typed;
  }
}

TEST(CodeRequestBody, IsTheJsonTheApiWants) {
  const auto code = normalize_code("123 456");
  ASSERT_TRUE(code);
  EXPECT_EQ(code_request_body(*code).view(), R"({"code":"123456"})");
}

}  // namespace
}  // namespace otpd::cli
