// The otpauth:// URI: exact shape, and percent-encoding of issuer and account.
#include "core/otpauth_uri.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace otpd {
namespace {

TEST(OtpauthUri, ExactStringForTheDefaults) {
  EXPECT_EQ(otpauth_uri("otpd", "alice", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", TotpParameters{}).view(),
            "otpauth://totp/otpd:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=otpd"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUri, CarriesAlgorithmDigitsAndPeriod) {
  EXPECT_EQ(otpauth_uri("host", "bob", "MZXW6", TotpParameters{HashAlgorithm::sha256, 8, 60}).view(),
            "otpauth://totp/host:bob?secret=MZXW6&issuer=host&algorithm=SHA256&digits=8&period=60");
  EXPECT_EQ(otpauth_uri("host", "bob", "MZXW6", TotpParameters{HashAlgorithm::sha512, 7, 30}).view(),
            "otpauth://totp/host:bob?secret=MZXW6&issuer=host&algorithm=SHA512&digits=7&period=30");
}

TEST(OtpauthUri, PercentEncodesIssuerAndAccount) {
  EXPECT_EQ(otpauth_uri("ACME Co/Ops", "a b:c@d&e?f%g/h", "MZXW6", TotpParameters{}).view(),
            "otpauth://totp/ACME%20Co%2FOps:a%20b%3Ac%40d%26e%3Ff%25g%2Fh?secret=MZXW6"
            "&issuer=ACME%20Co%2FOps&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUri, EncodesUtf8BytesOneByOne) {
  EXPECT_EQ(otpauth_uri("Zürich", "josé", "MZXW6", TotpParameters{}).view(),
            "otpauth://totp/Z%C3%BCrich:jos%C3%A9?secret=MZXW6&issuer=Z%C3%BCrich"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUri, LabelColonStaysLiteralAndIsTheOnlyOne) {
  const std::string uri(otpauth_uri("a:b", "c:d", "MZXW6", TotpParameters{}).view());
  const std::string label = uri.substr(0, uri.find('?'));
  EXPECT_EQ(label, "otpauth://totp/a%3Ab:c%3Ad");
  // "otpauth:" has one colon, the label separator the other.
  EXPECT_EQ(std::count(label.begin(), label.end(), ':'), 2);
  EXPECT_EQ(uri.find('?'), uri.rfind('?'));
}

TEST(PercentEncode, KeepsUnreservedCharactersOnly) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode(""), "");
  EXPECT_EQ(percent_encode("+"), "%2B");  // '+' would read as a space in a query
  EXPECT_EQ(percent_encode("#="), "%23%3D");
  EXPECT_EQ(percent_encode(std::string("\0\x7f\xff", 3)), "%00%7F%FF");
}

}  // namespace
}  // namespace otpd
