// What the request-path fuzz targets share: the real daemon core (Store on a SQLite
// file, SecretSealer, OtpService, ApiRouter) with an injected clock and a directory
// of users the target controls, put back into the same state before every input so
// that an input means the same thing each time it runs.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "crypto/secret_sealer.hpp"
#include "http/api_router.hpp"
#include "service/event_log.hpp"
#include "service/otp_service.hpp"
#include "service/user_directory.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace otpd::fuzz {

[[noreturn]] inline void die(std::string_view what) {
  std::fprintf(stderr, "fuzz invariant violated: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// A private directory under $TMPDIR (scripts/fuzz points it at /dev/shm, where
// synchronous=FULL costs no disk flush), removed when the process exits normally.
class ScratchDir : public test::TempDir {
 public:
  ScratchDir() : TempDir("otpd-fuzz", std::filesystem::temp_directory_path()) {}
};

// root and toor are uid 0, alice is 1000 (also found as "Alice", as a
// case-insensitive directory would), bob is 1001; uid 1002's name is one otpd must
// refuse; uid 4242 has no name.
class FuzzDirectory final : public UserDirectory {
 public:
  Expected<std::optional<std::string>> name_of(uid_t uid) const override {
    switch (uid) {
      case 0: return "root";
      case 1000: return "alice";
      case 1001: return "bob";
      case 1002: return "bad:name";
      default: return std::nullopt;
    }
  }
  Expected<std::optional<uid_t>> uid_of(std::string_view name) const override {
    if (name == "root" || name == "toor") return 0;
    if (name == "alice" || name == "Alice") return 1000;
    if (name == "bob") return 1001;
    if (name == "bad:name") return 1002;
    return std::nullopt;
  }
};

inline constexpr std::string_view kStoredUsers[] = {"root", "alice", "bob"};

// Formats every security line, so the escaping of caller-supplied values runs too,
// and keeps nothing.
class FormattingLog final : public EventLog {
 public:
  void security(const SecurityEvent& event) override { (void)format_event_line(event); }
  void message(LogLevel, std::string_view) override {}
};

inline constexpr std::int64_t kStartTime = 1'800'000'000;

inline ServicePolicy fuzz_policy() {
  ServicePolicy policy;
  policy.issuer = "fuzz";
  return policy;
}

inline SecureBytes fixed_key() {
  SecureBytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i);
  return key;
}

inline Store open_store(const std::filesystem::path& path) {
  auto store = Store::open(path);
  if (!store) die("cannot open the store: " + store.error().message);
  return std::move(*store);
}

class Core {
 public:
  Core() = default;

  // Every user as if never seen, the clock at its start.
  void reset() {
    clock.set(kStartTime);
    for (const auto user : kStoredUsers) {
      if (!service.reset(user)) die("reset failed");
    }
  }

  ScratchDir dir;
  Store store = open_store(dir.path() / "otpd.db");
  SecretSealer sealer{fixed_key()};
  ManualClock clock{kStartTime};
  // One KDF iteration: the fuzzer is after the logic, not PBKDF2's cost.
  OtpService service{store, sealer, clock, fuzz_policy(), BackupCodeHasher(1)};
  FuzzDirectory users;
  FormattingLog log;
  ApiRouter router{service, users, log};
};

}  // namespace otpd::fuzz
