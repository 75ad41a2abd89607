// pam_otp.so exports exactly pam_sm_authenticate and pam_sm_setcred, loads with every
// symbol resolved, and needs nothing but libc, libpam and libsystemd.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) ADD_FAILURE() << name << " is not set (meson test sets it)";
  return value != nullptr ? value : "";
}

std::string output_of(const std::string& command) {
  const std::unique_ptr<FILE, int (*)(FILE*)> pipe{popen(command.c_str(), "r"), pclose};
  if (!pipe) return {};
  std::string output;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, n);
  }
  return output;
}

std::string quoted(const std::string& path) { return "'" + path + "'"; }

TEST(ExportedSymbols, ExactlyTheTwoPamEntryPoints) {
  const std::string listing =
      output_of(quoted(env("NM")) + " -D --defined-only --format=posix " + quoted(env("PAM_OTP_SO")));
  std::set<std::string> names;
  std::istringstream lines{listing};
  for (std::string line; std::getline(lines, line);) names.insert(line.substr(0, line.find(' ')));
  EXPECT_EQ(names, (std::set<std::string>{"pam_sm_authenticate", "pam_sm_setcred"})) << listing;
}

TEST(ExportedSymbols, NeedsOnlyLibcLibpamAndLibsystemd) {
  const std::string dynamic = output_of(quoted(env("READELF")) + " -d " + quoted(env("PAM_OTP_SO")));
  std::set<std::string> needed;
  std::istringstream lines{dynamic};
  for (std::string line; std::getline(lines, line);) {
    const auto open = line.find("(NEEDED)");
    if (open == std::string::npos) continue;
    const auto begin = line.find('[') + 1;
    needed.insert(line.substr(begin, line.find(']') - begin));
  }
  EXPECT_TRUE(needed.contains("libpam.so.0")) << dynamic;
  for (const std::string& library : needed) {
    const bool sanitizer =
        env("SANITIZED") == "1" && (library.starts_with("libasan.so") || library.starts_with("libubsan.so"));
    const bool allowed = library == "libpam.so.0" || library == "libsystemd.so.0" || library == "libc.so.6" ||
                         library.starts_with("ld-linux") || sanitizer;
    EXPECT_TRUE(allowed) << "pam_otp.so needs " << library;
  }
}

TEST(ExportedSymbols, LoadsWithEverySymbolResolved) {
  void* module = dlopen(env("PAM_OTP_SO").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(module, nullptr) << dlerror();
  EXPECT_NE(dlsym(module, "pam_sm_authenticate"), nullptr);
  EXPECT_NE(dlsym(module, "pam_sm_setcred"), nullptr);
  EXPECT_EQ(dlsym(module, "pam_sm_acct_mgmt"), nullptr);
  dlclose(module);
}

// libpam unloads a module at pam_end. The module's static C++ runtime allocates its
// exception pool when loaded and never frees it, so a process that authenticates
// again and again (a login service, the bench) lost 71 KiB a transaction; found by
// LeakSanitizer. Once loaded, the module stays.
TEST(ExportedSymbols, StaysLoadedOnceLoaded) {
  void* module = dlopen(env("PAM_OTP_SO").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(module, nullptr) << dlerror();
  dlclose(module);
  void* again = dlopen(env("PAM_OTP_SO").c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  EXPECT_NE(again, nullptr) << "pam_otp.so was unloaded";
  if (again != nullptr) dlclose(again);
}

}  // namespace
