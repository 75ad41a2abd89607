// The HTTP API's routes and JSON fields, as DESIGN.md ("HTTP API") names them: otpd
// serves them, otp-enroll calls them, and both take the names from here.
#pragma once

#include <string_view>

namespace otpd::http_api {

inline constexpr std::string_view kEnableRoute = "/v2/auth/otp/enable";
inline constexpr std::string_view kConfirmRoute = "/v2/auth/otp/confirm";
inline constexpr std::string_view kDisableRoute = "/v2/auth/otp/disable";
inline constexpr std::string_view kBackupCodesRoute = "/v2/auth/otp/backup-codes";
inline constexpr std::string_view kStatusRoute = "/v2/auth/otp/status";
// The seeds' own shapes of the same flow.
inline constexpr std::string_view kSeed003SetupRoute = "/api/v1/me/mfa/totp/setup";
inline constexpr std::string_view kSeed003EnableRoute = "/api/v1/me/mfa/totp/enable";
inline constexpr std::string_view kSeed004SetupRoute = "/api/v1/auth/2fa/setup";

inline constexpr std::string_view kEmptyBody = "{}";

inline constexpr const char* kFieldError = "error";
inline constexpr const char* kFieldSuccess = "success";
inline constexpr const char* kFieldCode = "code";
inline constexpr const char* kFieldQrCodeUri = "qrCodeUri";
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

// The "error" of a 429 or 503 when the backup-code hashing queue is full (a 429
// that is no lockout): nothing was changed, the request may be sent again.
inline constexpr std::string_view kErrorHashingBusyForUser =
    "Too many backup-code sets are being made for this user; try again in 1 s";
inline constexpr std::string_view kErrorHashingBusy = "otpd is busy making backup codes; try again in 1 s";

}  // namespace otpd::http_api
