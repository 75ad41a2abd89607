// Which names otpd accepts, and the name an enrollment is stored under.
#include <gtest/gtest.h>

#include <map>

#include "service/user_directory.hpp"

namespace otpd {
namespace {

// root and its alias toor share uid 0; "Alice" is how a case-insensitive directory
// answers for alice.
// With `failing`, every lookup is the directory failing (sssd down).
class FakeDirectory final : public UserDirectory {
 public:
  explicit FakeDirectory(bool failing = false) : failing_(failing) {}
  Expected<std::optional<std::string>> name_of(uid_t uid) const override {
    if (failing_) return fail(ErrorKind::directory, "down");
    for (const auto& [name, id] : kUsers) {
      if (id == uid) return name;
    }
    return std::nullopt;
  }
  Expected<std::optional<uid_t>> uid_of(std::string_view name) const override {
    if (failing_) return fail(ErrorKind::directory, "down");
    if (name == "Alice") return 1000;
    const auto found = kUsers.find(std::string(name));
    return found == kUsers.end() ? std::nullopt : std::optional<uid_t>(found->second);
  }

 private:
  bool failing_;
  inline static const std::map<std::string, uid_t> kUsers{{"alice", 1000}, {"root", 0}, {"toor", 0}};
};

std::string canonical(const UserDirectory& users, std::string_view login_name) {
  return canonical_user_name(users, login_name).value_or("(error)");
}

TEST(CanonicalUserName, AnAliasOfAUidMapsToTheUidsName) {
  const FakeDirectory users;
  EXPECT_EQ(canonical(users, "root"), "root");
  EXPECT_EQ(canonical(users, "toor"), "root");
  EXPECT_EQ(canonical(users, "Alice"), "alice");
}

TEST(CanonicalUserName, ANameTheDirectoryDoesNotKnowStaysAsItIs) {
  const FakeDirectory users;
  EXPECT_EQ(canonical(users, "ghost"), "ghost");
}

// Found in a review: a failed lookup was taken for "no such user", so the alias
// stayed itself, had no enrollment, and with nullok walked in.
TEST(CanonicalUserName, ADirectoryThatCannotAnswerIsAnErrorNotAnUnknownName) {
  const FakeDirectory users(true);
  const auto name = canonical_user_name(users, "toor");
  ASSERT_FALSE(name.has_value()) << *name;
  EXPECT_EQ(name.error().kind, ErrorKind::directory);
}

TEST(CanonicalUserName, ThePasswdDirectoryResolvesRealUsers) {
  const PasswdDirectory users;
  EXPECT_EQ(canonical(users, "root"), "root");
  EXPECT_EQ(users.uid_of("root").value(), 0U);
  EXPECT_EQ(users.name_of(0).value(), "root");
  EXPECT_EQ(users.exists("no-such-user-here").value(), false);
  EXPECT_EQ(users.name_of(54321).value(), std::nullopt);
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
