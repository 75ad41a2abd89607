// The names every part of otpd agrees on: the D-Bus contract, the outcome strings,
// the named errors, the HTTP identity header and the default paths. Defined once,
// here; the daemon, the PAM module and the CLI include this file and nothing else
// of each other.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace otpd::protocol {

// A name of the protocol. Only a constant expression makes one (consteval), and a
// string_view made from a C string ends where its NUL is: so c_str() can hand it to
// a C API (sd-bus) as it is, with no copy and no static std::string to build.
struct Name : std::string_view {
  consteval Name(const char* literal) : std::string_view(literal) {}  // implicit: Name k = "...";
  [[nodiscard]] constexpr const char* c_str() const { return data(); }
};

inline constexpr Name kBusName = "org.otpd.Otpd1";
inline constexpr Name kObjectPath = "/org/otpd/Otpd1";
inline constexpr Name kInterface = "org.otpd.Otpd1";

inline constexpr Name kMethodVerify = "Verify";
inline constexpr Name kMethodStatus = "Status";
inline constexpr Name kMethodReset = "Reset";

// Verify(s user, s code, s service, s rhost) -> (s outcome, s message, u backup_codes_left)
inline constexpr Name kVerifyInSignature = "ssss";
inline constexpr Name kVerifyOutSignature = "ssu";
// Status(s user) -> a{sv}
inline constexpr Name kStatusKeyEnabled = "enabled";                    // b
inline constexpr Name kStatusKeyPending = "pending";                    // b
inline constexpr Name kStatusKeyBackupCodesLeft = "backup_codes_left";  // u
inline constexpr Name kStatusKeyLockedUntil = "locked_until";           // t
// Seconds otpd's clock is behind the user's last accepted code (it was stepped back):
// until it catches up, right codes are refused as used, and no failure is counted.
inline constexpr Name kStatusKeyClockSkew = "clock_skew";  // x, 0 normally

// The answer to one login attempt. The strings are the wire protocol.
enum class Outcome { ok, ok_backup, invalid, replayed, locked, not_enrolled };

inline constexpr std::array<std::pair<Outcome, std::string_view>, 6> kOutcomeNames{{
    {Outcome::ok, "ok"},
    {Outcome::ok_backup, "ok_backup"},
    {Outcome::invalid, "invalid"},
    {Outcome::replayed, "replayed"},
    {Outcome::locked, "locked"},
    {Outcome::not_enrolled, "not_enrolled"},
}};

constexpr std::string_view outcome_name(Outcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "invalid";
}

constexpr std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (const auto& [value, known] : kOutcomeNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

constexpr bool outcome_accepts(Outcome outcome) { return outcome == Outcome::ok || outcome == Outcome::ok_backup; }

// Named D-Bus errors otpd replies with.
namespace bus_error {
inline constexpr Name kAccessDenied = "org.otpd.Otpd1.Error.AccessDenied";
inline constexpr Name kInvalidArgument = "org.otpd.Otpd1.Error.InvalidArgument";
inline constexpr Name kInternal = "org.otpd.Otpd1.Error.Internal";
// Verify: more logins wait for a backup code's hash than otpd takes (in all, or for
// the user); nothing was checked or counted.
inline constexpr Name kBusy = "org.otpd.Otpd1.Error.Busy";
}  // namespace bus_error

// The bus driver (the bus daemon itself), whom otpd asks as which uid a caller runs
// and the module asks who owns kBusName.
namespace bus_driver {
inline constexpr Name kName = "org.freedesktop.DBus";
inline constexpr Name kPath = "/org/freedesktop/DBus";
inline constexpr Name kInterface = "org.freedesktop.DBus";
inline constexpr Name kGetConnectionUnixUser = "GetConnectionUnixUser";
inline constexpr Name kGetNameOwner = "GetNameOwner";
inline constexpr Name kStartServiceByName = "StartServiceByName";
}  // namespace bus_driver

// A one-time code (TOTP, HOTP): this many decimal digits.
inline constexpr unsigned kMinDigits = 6;
inline constexpr unsigned kMaxDigits = 8;
inline constexpr unsigned kDefaultDigits = 6;  // otpd's [totp] digits unless configured

// A backup code: kBackupCodeSymbols symbols of kBackupCodeAlphabet, shown in groups of
// kBackupCodeGroup joined by '-' (xxxx-xxxx), accepted in any case, the dash optional.
inline constexpr std::string_view kBackupCodeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
inline constexpr std::size_t kBackupCodeSymbols = 8;
inline constexpr std::size_t kBackupCodeGroup = 4;
inline constexpr std::size_t kDashedBackupCodeLength = kBackupCodeSymbols + kBackupCodeSymbols / kBackupCodeGroup - 1;

// Root may act for another user on the HTTP API with this header.
inline constexpr Name kActAsUserHeader = "X-OTP-User";

inline constexpr Name kDefaultSocketPath = "/run/otpd/api.sock";
inline constexpr Name kDefaultConfigPath = "/etc/otpd/otpd.conf";
inline constexpr Name kDefaultDatabasePath = "/var/lib/otpd/otpd.db";

// Limits every part enforces on what crosses the bus.
inline constexpr std::size_t kMaxUserNameLength = 256;
inline constexpr std::size_t kMaxCodeLength = 64;
inline constexpr std::size_t kMaxServiceLength = 256;
inline constexpr std::size_t kMaxRhostLength = 1024;

}  // namespace otpd::protocol
