// Where the key that seals secrets comes from: a systemd credential when the
// service has one, else a key file beside the database that otpd creates once.
#pragma once

#include <filesystem>
#include <optional>

#include "core/error.hpp"
#include "secure_bytes.hpp"

namespace otpd {

inline constexpr char kCredentialName[] = "otpd.key";

// `credentials_directory` is $CREDENTIALS_DIRECTORY when set. A key file that is a
// symlink, not a regular file, not owned by us, readable by others, or of the wrong
// size is refused, never repaired.
[[nodiscard]] Expected<SecureBytes> load_sealing_key(const std::optional<std::filesystem::path>& credentials_directory,
                                                     const std::filesystem::path& key_file);

}  // namespace otpd
