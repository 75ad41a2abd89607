// Request bodies: strict JSON objects, no duplicate keys, no claimed identity.
#include <gtest/gtest.h>

#include "http/json_body.hpp"

namespace otpd {
namespace {

std::string error_of(std::string_view body) {
  auto parsed = parse_request_object(body);
  return parsed ? "(parsed)" : parsed.error().message;
}

TEST(JsonBody, AnEmptyOrBlankBodyIsAnEmptyObject) {
  EXPECT_EQ(*parse_request_object(""), nlohmann::json::object());
  EXPECT_EQ(*parse_request_object(" \r\n\t"), nlohmann::json::object());
}

TEST(JsonBody, AnObjectIsParsedAndUnknownFieldsAreKept) {
  const auto parsed = parse_request_object(R"({"code":"123456","note":"x"})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed)["code"], "123456");
}

TEST(JsonBody, MalformedJsonAndNonObjectsAreRefused) {
  EXPECT_EQ(error_of("{"), "The body is not valid JSON");
  EXPECT_EQ(error_of(R"({"code":"1"} trailing)"), "The body is not valid JSON");
  EXPECT_EQ(error_of("\"code\""), "The body must be a JSON object");
  EXPECT_EQ(error_of("null"), "The body must be a JSON object");
  EXPECT_EQ(error_of("{\"code\":\"\xff\"}"), "The body is not valid JSON");
}

TEST(JsonBody, DuplicateKeysAreRefusedAtAnyDepth) {
  EXPECT_EQ(error_of(R"({"code":"1","code":"2"})"), "Duplicate key \"code\" in the body");
  EXPECT_EQ(error_of(R"({"a":{"b":1,"b":2}})"), "Duplicate key \"b\" in the body");
  EXPECT_TRUE(parse_request_object(R"({"a":{"b":1},"c":{"b":2}})")) << "same key in sibling objects is fine";
}

TEST(JsonBody, FieldsThatClaimAnIdentityAreRefused) {
  for (const char* field : {"user", "uid", "username", "userId", "user_id", "userName", "User", "UID", "USER_ID",
                            "X-OTP-User", "x-otp-user"}) {
    const std::string body = std::string("{\"") + field + "\":\"root\"}";
    EXPECT_EQ(error_of(body),
              std::string("Field \"") + field + "\" is not accepted: the caller is identified by the connection");
  }
  EXPECT_TRUE(parse_request_object(R"({"code":"1","users":2,"uidx":3})")) << "only the names themselves";
}

TEST(JsonBody, TheCodeMustBeAStringOfOneTo64Bytes) {
  const auto code_error = [](const nlohmann::json& body) {
    auto code = required_code(body);
    return code ? "(ok)" : code.error().message;
  };
  EXPECT_EQ(*required_code({{"code", "123456"}}), "123456");
  EXPECT_EQ(code_error(nlohmann::json::object()), "Missing code");
  EXPECT_EQ(code_error({{"code", nullptr}}), "Missing code");
  EXPECT_EQ(code_error({{"code", ""}}), "Missing code");
  EXPECT_EQ(code_error({{"code", 123456}}), "code must be a string");
  EXPECT_EQ(code_error({{"code", std::string(65, '1')}}), "code is too long");
  EXPECT_EQ(*required_code({{"code", std::string(64, '1')}}), std::string(64, '1'));
}

}  // namespace
}  // namespace otpd
