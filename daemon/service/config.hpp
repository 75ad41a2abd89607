// otpd's configuration: /etc/otpd/otpd.conf (INI, read with inih), then flags.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "protocol.hpp"
#include "service/otp_service.hpp"

namespace otpd {

struct Config {
  std::filesystem::path database{std::string_view(protocol::kDefaultDatabasePath)};
  std::optional<std::filesystem::path> key_file;  // default: otpd.key beside the database
  std::filesystem::path socket{std::string_view(protocol::kDefaultSocketPath)};
  ServicePolicy policy;

  [[nodiscard]] std::filesystem::path effective_key_file() const;
};

// Defaults with the issuer set to this host's name.
[[nodiscard]] Config default_config();

// Reads `path` over the defaults. A missing file is an error only when
// `must_exist`. Any error names the file, the line and the key.
[[nodiscard]] Expected<Config> load_config(const std::filesystem::path& path, bool must_exist);

}  // namespace otpd
