// The HTTP API's canonical routes and the JSON fields otp-enroll reads, as DESIGN.md
// ("HTTP API") names them. Only the CLI speaks HTTP to otpd from this side; should a
// second client appear, these belong in common/protocol.hpp.
#pragma once

#include <string_view>

namespace otpd::cli::api {

inline constexpr std::string_view kEnableRoute = "/v2/auth/otp/enable";
inline constexpr std::string_view kConfirmRoute = "/v2/auth/otp/confirm";
inline constexpr std::string_view kDisableRoute = "/v2/auth/otp/disable";
inline constexpr std::string_view kBackupCodesRoute = "/v2/auth/otp/backup-codes";
inline constexpr std::string_view kStatusRoute = "/v2/auth/otp/status";

inline constexpr std::string_view kEmptyBody = "{}";

inline constexpr const char* kFieldError = "error";
inline constexpr const char* kFieldRetryAfter = "retryAfter";
inline constexpr const char* kFieldQr = "qr";
inline constexpr const char* kFieldSecret = "secret";
inline constexpr const char* kFieldOtpauthUri = "otpauthUri";
inline constexpr const char* kFieldExpiresAt = "expiresAt";
inline constexpr const char* kFieldBackupCodes = "backupCodes";
inline constexpr const char* kFieldEnabled = "enabled";
inline constexpr const char* kFieldPending = "pending";
inline constexpr const char* kFieldBackupCodesRemaining = "backupCodesRemaining";
inline constexpr const char* kFieldLockedUntil = "lockedUntil";

}  // namespace otpd::cli::api
