#include "otpd_replies.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "protocol.hpp"

namespace otpd::pam {
namespace {

namespace protocol = otpd::protocol;

tl::unexpected<std::string> malformed(std::string detail) { return tl::unexpected<std::string>{std::move(detail)}; }

// One {sv} entry: sets `enabled` when the key is "enabled"; < 0 when unreadable.
int read_status_entry(sd_bus_message* reply, std::optional<bool>& enabled) {
  const char* key = nullptr;
  int r = sd_bus_message_read(reply, "s", &key);
  if (r < 0) return r;
  if (std::string_view{key} != protocol::kStatusKeyEnabled) return sd_bus_message_skip(reply, "v");
  int value = 0;
  r = sd_bus_message_read(reply, "v", "b", &value);
  if (r >= 0) enabled = value != 0;
  return r;
}

int read_status_entries(sd_bus_message* reply, std::optional<bool>& enabled) {
  int r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
  while (r >= 0 && (r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
    r = read_status_entry(reply, enabled);
    if (r >= 0) r = sd_bus_message_exit_container(reply);
  }
  if (r >= 0) r = sd_bus_message_exit_container(reply);
  return r;
}

}  // namespace

tl::expected<bool, std::string> read_status_enabled(sd_bus_message* reply) {
  std::optional<bool> enabled;
  if (sd_bus_message_has_signature(reply, "a{sv}") <= 0 || read_status_entries(reply, enabled) < 0) {
    return malformed("Status: the reply is not a{sv} with a boolean \"enabled\"");
  }
  if (!enabled) return malformed("Status: the reply has no \"enabled\"");
  return *enabled;
}

tl::expected<VerifyReply, std::string> read_verify_reply(sd_bus_message* reply) {
  const std::string signature{protocol::kVerifyOutSignature};
  const char* outcome = nullptr;
  const char* message = nullptr;
  std::uint32_t backup_codes_left = 0;
  if (sd_bus_message_has_signature(reply, signature.c_str()) <= 0 ||
      sd_bus_message_read(reply, signature.c_str(), &outcome, &message, &backup_codes_left) < 0) {
    return malformed("Verify: the reply is not (" + signature + ")");
  }
  return VerifyReply{outcome, message, backup_codes_left};
}

}  // namespace otpd::pam
