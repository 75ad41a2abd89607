// Which names otpd accepts, and the name an enrollment is stored under.
#include <gtest/gtest.h>

#include <map>

#include "service/user_directory.hpp"

namespace otpd {
namespace {

// root and its alias toor share uid 0; "Alice" is how a case-insensitive directory
// answers for alice.
class FakeDirectory final : public UserDirectory {
 public:
  std::optional<std::string> name_of(uid_t uid) const override {
    for (const auto& [name, id] : kUsers) {
      if (id == uid) return name;
    }
    return std::nullopt;
  }
  std::optional<uid_t> uid_of(std::string_view name) const override {
    if (name == "Alice") return 1000;
    const auto found = kUsers.find(std::string(name));
    return found == kUsers.end() ? std::nullopt : std::optional<uid_t>(found->second);
  }

 private:
  inline static const std::map<std::string, uid_t> kUsers{{"alice", 1000}, {"root", 0}, {"toor", 0}};
};

TEST(CanonicalUserName, AnAliasOfAUidMapsToTheUidsName) {
  const FakeDirectory users;
  EXPECT_EQ(canonical_user_name(users, "root"), "root");
  EXPECT_EQ(canonical_user_name(users, "toor"), "root");
  EXPECT_EQ(canonical_user_name(users, "Alice"), "alice");
}

TEST(CanonicalUserName, ANameTheDirectoryDoesNotKnowStaysAsItIs) {
  const FakeDirectory users;
  EXPECT_EQ(canonical_user_name(users, "ghost"), "ghost");
}

TEST(CanonicalUserName, ThePasswdDirectoryResolvesRealUsers) {
  const PasswdDirectory users;
  EXPECT_EQ(canonical_user_name(users, "root"), "root");
  EXPECT_EQ(users.uid_of("root"), 0U);
  EXPECT_EQ(users.name_of(0), "root");
  EXPECT_FALSE(users.exists("no-such-user-here"));
}

TEST(AcceptableUserName, RefusesWhatCannotBeStoredOrLoggedSafely) {
  EXPECT_TRUE(is_acceptable_user_name("alice"));
  EXPECT_TRUE(is_acceptable_user_name("DOMAIN\\alice"));
  EXPECT_TRUE(is_acceptable_user_name("alice@example.org"));
  EXPECT_FALSE(is_acceptable_user_name(""));
  EXPECT_FALSE(is_acceptable_user_name("-rf"));
  EXPECT_FALSE(is_acceptable_user_name("a:b"));
  EXPECT_FALSE(is_acceptable_user_name("a/b"));
  EXPECT_FALSE(is_acceptable_user_name("a b"));
  EXPECT_FALSE(is_acceptable_user_name("a\nb"));
  EXPECT_FALSE(is_acceptable_user_name(std::string(257, 'a')));
  EXPECT_TRUE(is_acceptable_user_name(std::string(256, 'a')));
}

}  // namespace
}  // namespace otpd
