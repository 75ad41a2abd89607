// forward_pass: splitting "password + code" typed at one prompt.
#include "answer_split.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace otpd::pam {
namespace {

struct Split {
  std::string password;
  std::string code;
  friend bool operator==(const Split&, const Split&) = default;
  friend void PrintTo(const Split& split, std::ostream* out) {
    *out << '"' << split.password << "\" + \"" << split.code << '"';
  }
};

std::optional<Split> split(std::string_view answer, unsigned digits = 6) {
  auto parts = split_password_and_code(answer, digits);
  if (!parts) return std::nullopt;
  return Split{std::string{parts->password.view()}, std::string{parts->code.view()}};
}

TEST(AnswerSplit, PasswordThenSixDigits) { EXPECT_EQ(split("hunter2123456"), (Split{"hunter2", "123456"})); }

TEST(AnswerSplit, PasswordEndingInDigitsKeepsThem) {
  // The trailing run of digits is 7 or 10 long here; the code is the last 6 of it.
  EXPECT_EQ(split("Password1123456"), (Split{"Password1", "123456"}));
  EXPECT_EQ(split("Summer2024654321"), (Split{"Summer2024", "654321"}));
}

TEST(AnswerSplit, AllDigitPassword) { EXPECT_EQ(split("0000123456"), (Split{"0000", "123456"})); }

TEST(AnswerSplit, ConfiguredDigitCount) {
  EXPECT_EQ(split("hunter212345678", 8), (Split{"hunter2", "12345678"}));
  EXPECT_EQ(split("hunter21234567", 7), (Split{"hunter2", "1234567"}));
  EXPECT_EQ(split("hunter212345678", 6), (Split{"hunter212", "345678"}));
}

TEST(AnswerSplit, CodeAloneGivesAnEmptyPassword) { EXPECT_EQ(split("123456"), (Split{"", "123456"})); }

TEST(AnswerSplit, DashedBackupCode) {
  EXPECT_EQ(split("hunter2abcd-2345"), (Split{"hunter2", "abcd-2345"}));
  EXPECT_EQ(split("hunter2ABCD-EFGH"), (Split{"hunter2", "ABCD-EFGH"}));
  EXPECT_EQ(split("abcd-2345"), (Split{"", "abcd-2345"}));
  // A backup code whose second half is digits is still a backup code: the dash says so.
  EXPECT_EQ(split("pw12ab-2345"), (Split{"pw", "12ab-2345"}));
}

TEST(AnswerSplit, PasswordWithDashesBeforeATotpCode) {
  EXPECT_EQ(split("abcd-efgh123456"), (Split{"abcd-efgh", "123456"}));
}

TEST(AnswerSplit, NoCodeAtTheEnd) {
  EXPECT_EQ(split(""), std::nullopt);
  EXPECT_EQ(split("hunter2"), std::nullopt);
  EXPECT_EQ(split("hunter12345"), std::nullopt);  // 5 digits: too short
  EXPECT_EQ(split("123456 "), std::nullopt);      // trailing space
  EXPECT_EQ(split("pwabcd2345"), std::nullopt);   // a backup code needs its dash
  EXPECT_EQ(split("pwab!d-2345"), std::nullopt);  // not a backup code's characters
  EXPECT_EQ(split("12345", 6), std::nullopt);
  EXPECT_EQ(split("123456", 0), std::nullopt);
}

TEST(AnswerSplit, NonAsciiDigitsAreNotDigits) {
  EXPECT_EQ(split("pw\xd9\xa1\xd9\xa2\xd9\xa3"), std::nullopt);  // Arabic-Indic digits
}

}  // namespace
}  // namespace otpd::pam
