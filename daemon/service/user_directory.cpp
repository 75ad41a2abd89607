#include "service/user_directory.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "protocol.hpp"

namespace otpd {
namespace {

std::size_t passwd_buffer_size() {
  const long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  return suggested > 0 ? static_cast<std::size_t>(suggested) : 16384;
}

// Calls getpw*_r with a buffer that grows on ERANGE, up to 1 MiB, and hands the
// entry found to `take`. getpw*_r says "not found" with 0 and no entry; any other
// status is the directory failing, and is an error (`what` names the lookup).
template <class Lookup, class Take>
auto lookup(Lookup lookup_entry, Take take, const std::string& what)
    -> Expected<std::optional<decltype(take(std::declval<passwd&>()))>> {
  std::vector<char> buffer(passwd_buffer_size());
  for (;;) {
    struct passwd entry {};
    struct passwd* result = nullptr;
    const int status = lookup_entry(&entry, buffer.data(), buffer.size(), &result);
    if (status == ERANGE && buffer.size() < (1U << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (status != 0) {
      return fail(ErrorKind::directory, "the user directory could not look up " + what + ": " + std::strerror(status));
    }
    if (result == nullptr) return std::nullopt;
    return take(*result);
  }
}

}  // namespace

Expected<std::optional<std::string>> PasswdDirectory::name_of(uid_t uid) const {
  return lookup([uid](passwd* entry, char* buffer, std::size_t size,
                      passwd** result) { return ::getpwuid_r(uid, entry, buffer, size, result); },
                [](const passwd& entry) { return std::string(entry.pw_name); }, "uid " + std::to_string(uid));
}

Expected<std::optional<uid_t>> PasswdDirectory::uid_of(std::string_view name) const {
  const std::string terminated(name);
  return lookup(
      [&terminated](passwd* entry, char* buffer, std::size_t size, passwd** result) {
        return ::getpwnam_r(terminated.c_str(), entry, buffer, size, result);
      },
      [](const passwd& entry) { return entry.pw_uid; }, "a user name");
}

Expected<std::string> canonical_user_name(const UserDirectory& users, std::string_view login_name) {
  const auto uid = users.uid_of(login_name);
  if (!uid) return tl::unexpected(uid.error());
  if (!*uid) return std::string(login_name);
  auto name = users.name_of(**uid);
  if (!name) return tl::unexpected(name.error());
  return *name && is_acceptable_user_name(**name) ? std::move(**name) : std::string(login_name);
}

bool is_acceptable_user_name(std::string_view name) {
  if (name.empty() || name.size() > protocol::kMaxUserNameLength || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7F && c != '/' && c != ':';
  });
}

}  // namespace otpd
