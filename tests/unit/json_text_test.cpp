// Answers that carry a secret: their text is built in wiped memory, and the MHD
// response that sends it wipes it when MHD lets it go (freed_blocks.hpp watches).
#include "http/json_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "freed_blocks.hpp"
#include "wiped_json.hpp"

namespace otpd {
namespace {

using nlohmann::json;

const std::string kSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

TEST(JsonText, IsTheCompactJsonWithANewline) {
  const json body{{"secret", kSecret}, {"backupCodes", {"abcd-efgh", "jkmn-pqrs"}}, {"expiresAt", 1800000600}};
  EXPECT_EQ(json_text(body).text(), body.dump() + "\n");
}

TEST(JsonText, GrowsPastItsFirstBlockWithoutLosingAByte) {
  const json body{{"qr", "data:image/png;base64," + std::string(20000, 'A')}, {"secret", kSecret}};
  EXPECT_EQ(json_text(body).text(), body.dump() + "\n");
}

TEST(JsonText, InvalidUtf8IsReplacedNotThrown) {
  EXPECT_EQ(json_text(json{{"error", std::string("a\xff")}}).text(), "{\"error\":\"a\xEF\xBF\xBD\"}\n");
}

TEST(WipeJsonStrings, ZeroesEveryStringHoweverDeep) {
  json body{{"secret", kSecret}, {"backupCodes", {"abcd-efgh"}}, {"nested", {{"otpauthUri", "otpauth://x"}}}, {"n", 3}};
  wipe_json_strings(body);
  EXPECT_EQ(body["secret"].get<std::string>(), std::string(kSecret.size(), '\0'));
  EXPECT_EQ(body["backupCodes"][0].get<std::string>(), std::string(9, '\0'));
  EXPECT_EQ(body["nested"]["otpauthUri"].get<std::string>(), std::string(11, '\0'));
  EXPECT_EQ(body["n"], 3);
}

TEST(WipedResponse, MhdSendsTheTextWithoutACopyAndWipesItWhenItIsDone) {
  SecureBytes text = json_text(json{{"secret", kSecret}});
  const std::size_t size = text.capacity() + 1;
  test::FreedBlocks freed;
  freed.watch(text.data(), size);
  MhdResponse response = wiped_response(std::move(text));
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(freed.verdict(), test::FreedBlocks::Verdict::not_freed) << "MHD holds it while the response lives";
  response.reset();
  EXPECT_EQ(freed.verdict(), test::FreedBlocks::Verdict::wiped);
}

}  // namespace
}  // namespace otpd
