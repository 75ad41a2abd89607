// The module's one conversation with otpd: connect to the system bus, make sure the
// owner of org.otpd.Otpd1 is who it must be, then ask Status and Verify.
// Expected failures come back as values (BusError), never as exceptions, and nothing
// here logs: the entry point logs the one line a failure deserves.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "otpd_replies.hpp"
#include "protocol.hpp"
#include "sd_bus_handles.hpp"
#include "secure_bytes.hpp"

namespace otpd::pam {

enum class BusFailure {
  connect,          // no system bus to talk to
  not_running,      // nobody owns org.otpd.Otpd1 and the bus could not start it
  owner_lookup,     // the bus would not say who owns the name or as which uid
  owner_not_root,   // the name is owned by a process of another uid
  timeout,          // a call got no answer within the module's timeout
  busy,             // otpd did not check the code: too many backup codes in hand (Error.Busy)
  call_failed,      // an error reply, or the connection broke
  malformed_reply,  // the answer does not have the shape the contract promises
};

struct BusError {
  BusFailure failure;
  std::string detail;      // a sentence for the log; never holds the code
  std::string error_name;  // the D-Bus error name, when the failure was an error reply
};

struct VerifyRequest {
  std::string user;
  SecureString code;
  std::string service;  // PAM_SERVICE, "" when unset
  std::string rhost;    // PAM_RHOST, "" when unset
};

class OtpdClient {
 public:
  // Opens a connection of its own to the system bus (DBUS_SYSTEM_BUS_ADDRESS when the
  // process is not setuid), finds the unique name that owns org.otpd.Otpd1, starting
  // otpd by bus activation if nobody owns it yet, and checks that this owner runs as
  // `required_owner_uid`. Later calls go to that unique name, which the bus never
  // gives to anybody else, so the owner cannot change between the check and the call.
  // Every call, the connection's own Hello included, waits at most `timeout`.
  [[nodiscard]] static tl::expected<OtpdClient, BusError> connect(std::chrono::milliseconds timeout,
                                                                  uid_t required_owner_uid);

  // Status(user)["enabled"].
  [[nodiscard]] tl::expected<bool, BusError> is_enrolled(const std::string& user);

  [[nodiscard]] tl::expected<VerifyReply, BusError> verify(const VerifyRequest& request);

  [[nodiscard]] const std::string& owner() const { return owner_; }

 private:
  OtpdClient(SdBusUnflushed bus, std::string owner, std::chrono::milliseconds timeout)
      : bus_(std::move(bus)), owner_(std::move(owner)), timeout_(timeout) {}

  [[nodiscard]] tl::expected<SdBusMessage, BusError> new_call(protocol::Name method);
  [[nodiscard]] tl::expected<SdBusMessage, BusError> send(const SdBusMessage& request, std::string_view method);

  SdBusUnflushed bus_;
  std::string owner_;
  std::chrono::milliseconds timeout_;
};

}  // namespace otpd::pam
