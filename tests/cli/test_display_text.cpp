#include <gtest/gtest.h>

#include <sstream>

#include "otp_enroll/display_text.hpp"
#include "shared/otpauth_details.hpp"

namespace otpd::cli {
namespace {

TEST(GroupInFours, SplitsAThirtyTwoCharacterSecret) {
  EXPECT_EQ(group_in_fours("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
}

TEST(GroupInFours, LeavesARaggedTailAndShortInputAlone) {
  EXPECT_EQ(group_in_fours("ABCDEF"), "ABCD EF");
  EXPECT_EQ(group_in_fours("ABCD"), "ABCD");
  EXPECT_EQ(group_in_fours(""), "");
}

TEST(DescribeDuration, RoundsDownAndNeverGoesNegative) {
  EXPECT_EQ(describe_duration(-5), "0 s");
  EXPECT_EQ(describe_duration(45), "45 s");
  EXPECT_EQ(describe_duration(600), "10 min");
  EXPECT_EQ(describe_duration(659), "10 min");
  EXPECT_EQ(describe_duration(3600), "1 h");
  EXPECT_EQ(describe_duration(3900), "1 h 5 min");
}

TEST(DescribeDeadline, SaysHowLongIsLeft) {
  const std::time_t now = 1'700'000'000;
  const auto text = describe_deadline(now + 600, now);
  EXPECT_TRUE(text.ends_with("(in 10 min)")) << text;
  EXPECT_EQ(text.find('-'), std::string::npos) << "same day, no date: " << text;
  EXPECT_NE(describe_deadline(now + 3 * 86'400, now).find('-'), std::string::npos);
}

TEST(PrintBackupCodes, NumbersThemAndSaysToStoreThem) {
  std::ostringstream out;
  print_backup_codes(out, {"abcd-efgh", "jkmn-pqrs"});
  EXPECT_NE(out.str().find("   1. abcd-efgh\n   2. jkmn-pqrs\n"), std::string::npos);
  EXPECT_NE(out.str().find("Store them now"), std::string::npos);
}

TEST(PrintBackupCodes, ReadsThemFromAnAnswer) {
  std::ostringstream out;
  EXPECT_FALSE(print_backup_codes_in(out, nlohmann::json::parse(R"({"success":true})")));
  EXPECT_FALSE(print_backup_codes_in(out, nlohmann::json::parse(R"({"backupCodes":[1]})")));
  EXPECT_TRUE(out.str().empty());
  EXPECT_TRUE(print_backup_codes_in(out, nlohmann::json::parse(R"({"backupCodes":["a-b"]})")));
  EXPECT_NE(out.str().find("1. a-b"), std::string::npos);
}

TEST(DescribeStatus, OnWithCodesLeft) {
  const auto status =
      nlohmann::json::parse(R"({"enabled":true,"pending":false,"backupCodesRemaining":9,"lockedUntil":null})");
  EXPECT_EQ(describe_status(status, 1'700'000'000), "Two-factor login: on\nBackup codes left: 9\n");
}

TEST(DescribeStatus, OffWithAPendingSetUp) {
  const auto status =
      nlohmann::json::parse(R"({"enabled":false,"pending":true,"backupCodesRemaining":0,"lockedUntil":null})");
  const auto text = describe_status(status, 1'700'000'000);
  EXPECT_TRUE(text.starts_with("Two-factor login: off\n"));
  EXPECT_NE(text.find("otp-enroll confirm"), std::string::npos);
  EXPECT_EQ(text.find("Backup codes"), std::string::npos);
}

TEST(DescribeStatus, FewCodesAndALockout) {
  const std::time_t now = 1'700'000'000;
  auto status = nlohmann::json::parse(R"({"enabled":true,"pending":false,"backupCodesRemaining":1})");
  status["lockedUntil"] = now + 30;
  const auto text = describe_status(status, now);
  EXPECT_NE(text.find("otp-enroll backup-codes"), std::string::npos);
  EXPECT_NE(text.find("Locked after too many wrong codes, until "), std::string::npos);
  EXPECT_NE(text.find("(in 30 s)"), std::string::npos);
  status["lockedUntil"] = now - 1;  // over already
  EXPECT_EQ(describe_status(status, now).find("Locked"), std::string::npos);
}

TEST(OtpauthUri, ReadsIssuerAndAccountFromTheLabel) {
  const auto details = parse_otpauth_uri(
      "otpauth://totp/host.example:alice?secret=JBSWY3DP&issuer=host.example&algorithm=SHA1"
      "&digits=6&period=30");
  ASSERT_TRUE(details);
  EXPECT_EQ(details->issuer, "host.example");
  EXPECT_EQ(details->account, "alice");
  EXPECT_EQ(details->algorithm, "SHA1");
  EXPECT_EQ(details->digits, "6");
  EXPECT_EQ(details->period, "30");
}

TEST(OtpauthUri, PercentDecodesTheLabelIncludingAnEscapedColon) {
  const auto details = parse_otpauth_uri("otpauth://totp/ACME%20Co%3A%20john.doe%40example.com?secret=X");
  ASSERT_TRUE(details);
  EXPECT_EQ(details->issuer, "ACME Co");
  EXPECT_EQ(details->account, "john.doe@example.com");
  EXPECT_TRUE(details->algorithm.empty());
}

TEST(OtpauthUri, TakesTheIssuerParameterWhenTheLabelHasNone) {
  const auto details = parse_otpauth_uri("otpauth://totp/bob?issuer=My%20Host&secret=X");
  ASSERT_TRUE(details);
  EXPECT_EQ(details->issuer, "My Host");
  EXPECT_EQ(details->account, "bob");
}

TEST(OtpauthUri, RefusesWhatIsNotAWellFormedTotpUri) {
  EXPECT_FALSE(parse_otpauth_uri("otpauth://hotp/a:b?secret=X"));
  EXPECT_FALSE(parse_otpauth_uri("https://example.com/"));
  EXPECT_FALSE(parse_otpauth_uri("otpauth://totp/?secret=X"));
  EXPECT_FALSE(parse_otpauth_uri("otpauth://totp/a%2:b"));
  EXPECT_FALSE(parse_otpauth_uri("otpauth://totp/a:b?issuer=%zz"));
}

TEST(PercentDecode, HandlesEscapesAtTheEdges) {
  EXPECT_EQ(percent_decode("%41b%43"), "AbC");
  EXPECT_EQ(percent_decode("plain+text"), "plain+text");
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%+1"));
}

}  // namespace
}  // namespace otpd::cli
