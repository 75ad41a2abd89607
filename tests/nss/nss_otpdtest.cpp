// libnss_otpdtest.so.2: an NSS passwd module for tests, which knows the users its
// state file lists and fails on demand, as sssd or LDAP do when their server is down.
// The state file ($OTPD_TEST_NSS_STATE) is read at every lookup: a first line "ok" or
// "fail", then a "name uid" line for each user (an alias such as toor, or a name in
// another case, as a case-insensitive directory answers). Listed after `files` in a
// test's nsswitch.conf ("passwd: files otpdtest"), it answers what files does not
// know; "fail" makes those lookups fail with EIO, as getpw*_r then reports them.
#include <nss.h>
#include <pwd.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

struct Entry {
  char name[64] = {};
  uid_t uid = 0;
};

struct State {
  bool failing = true;  // no state file: the directory is down
  Entry entries[16];
  int count = 0;
};

State read_state() {
  State state;
  const char* path = std::getenv("OTPD_TEST_NSS_STATE");
  FILE* file = path != nullptr ? std::fopen(path, "re") : nullptr;
  if (file == nullptr) return state;
  char mode[16] = {};
  state.failing = std::fscanf(file, "%15s", mode) != 1 || std::strcmp(mode, "ok") != 0;
  unsigned long uid = 0;
  while (state.count < 16 && std::fscanf(file, "%63s %lu", state.entries[state.count].name, &uid) == 2) {
    state.entries[state.count++].uid = static_cast<uid_t>(uid);
  }
  (void)std::fclose(file);
  return state;
}

// Copies `text` into the caller's buffer; nullptr when it does not fit.
char* store(const char* text, char*& buffer, std::size_t& left) {
  const std::size_t size = std::strlen(text) + 1;
  if (size > left) return nullptr;
  char* start = buffer;
  std::memcpy(start, text, size);
  buffer += size;
  left -= size;
  return start;
}

nss_status answer(const State& state, const Entry* found, passwd* entry, char* buffer, std::size_t size, int* errnop) {
  if (state.failing) {
    *errnop = EIO;
    return NSS_STATUS_UNAVAIL;
  }
  if (found == nullptr) return NSS_STATUS_NOTFOUND;
  entry->pw_name = store(found->name, buffer, size);
  entry->pw_passwd = store("x", buffer, size);
  entry->pw_gecos = store("", buffer, size);
  entry->pw_dir = store("/", buffer, size);
  entry->pw_shell = store("/usr/sbin/nologin", buffer, size);
  if (entry->pw_name == nullptr || entry->pw_passwd == nullptr || entry->pw_gecos == nullptr ||
      entry->pw_dir == nullptr || entry->pw_shell == nullptr) {
    *errnop = ERANGE;
    return NSS_STATUS_TRYAGAIN;
  }
  entry->pw_uid = found->uid;
  entry->pw_gid = found->uid;
  return NSS_STATUS_SUCCESS;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) nss_status _nss_otpdtest_getpwnam_r(const char* name, passwd* entry,
                                                                           char* buffer, std::size_t size,
                                                                           int* errnop) {
  const State state = read_state();
  const Entry* found = nullptr;
  for (int i = 0; i < state.count; ++i) {
    if (std::strcmp(state.entries[i].name, name) == 0) found = &state.entries[i];
  }
  return answer(state, found, entry, buffer, size, errnop);
}

__attribute__((visibility("default"))) nss_status _nss_otpdtest_getpwuid_r(uid_t uid, passwd* entry, char* buffer,
                                                                           std::size_t size, int* errnop) {
  const State state = read_state();
  const Entry* found = nullptr;
  for (int i = 0; i < state.count; ++i) {
    if (state.entries[i].uid == uid) found = &state.entries[i];
  }
  return answer(state, found, entry, buffer, size, errnop);
}

}  // extern "C"
