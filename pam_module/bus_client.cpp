#include "bus_client.hpp"

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <system_error>
#include <utility>

#include "otpd_replies.hpp"
#include "protocol.hpp"

namespace otpd::pam {
namespace {

namespace protocol = otpd::protocol;
using std::chrono::milliseconds;

constexpr const char* kDriverName = "org.freedesktop.DBus";
constexpr const char* kDriverPath = "/org/freedesktop/DBus";
constexpr const char* kDriverInterface = "org.freedesktop.DBus";
// What sd_bus_open_system() uses when DBUS_SYSTEM_BUS_ADDRESS is unset. We build the
// connection ourselves only to set the timeout before sd_bus_start() sends the Hello:
// sd_bus_open_system() sends it with sd-bus's default of 25 s, and the first call then
// waits that long for a bus daemon that hangs.
constexpr const char* kDefaultSystemBusAddress = "unix:path=/run/dbus/system_bus_socket";

// The names in protocol.hpp are string_views over literals: data() is NUL-terminated.
const char* c_str(std::string_view literal) { return literal.data(); }

std::string errno_text(int negative_errno) {
  return std::error_code{-negative_errno, std::generic_category()}.message();
}

tl::unexpected<BusError> failed(BusFailure failure, std::string detail) {
  return tl::unexpected<BusError>{BusError{failure, std::move(detail)}};
}

// What one failed call did, in a form a person can act on.
tl::unexpected<BusError> call_failed(std::string_view method, BusFailure failure, int r,
                                     const sd_bus_error* error, milliseconds timeout) {
  std::string detail{method};
  if (r == -ETIMEDOUT ||
      sd_bus_error_has_names(error, SD_BUS_ERROR_TIMEOUT, SD_BUS_ERROR_NO_REPLY)) {
    return failed(BusFailure::timeout,
                  detail + ": no answer within " + std::to_string(timeout.count()) + " ms");
  }
  detail += ": ";
  if (sd_bus_error_is_set(error)) {
    detail += error->name;
    if (error->message != nullptr) detail.append(": ").append(error->message);
  } else {
    detail += errno_text(r);
  }
  return failed(failure, std::move(detail));
}

int configure(sd_bus* bus, milliseconds timeout) {
  const char* address = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");
  int r = sd_bus_set_address(bus, address != nullptr ? address : kDefaultSystemBusAddress);
  if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
  // No reply can then carry a descriptor into the process we run in.
  if (r >= 0) r = sd_bus_negotiate_fds(bus, 0);
  if (r >= 0) {
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(timeout);
    r = sd_bus_set_method_call_timeout(bus, static_cast<std::uint64_t>(usec.count()));
  }
  return r;
}

tl::expected<BusPtr, BusError> open_system_bus(milliseconds timeout) {
  sd_bus* raw = nullptr;
  int r = sd_bus_new(&raw);
  BusPtr bus{raw};
  if (r >= 0) r = configure(bus.get(), timeout);
  if (r >= 0) r = sd_bus_start(bus.get());
  if (r < 0) {
    return failed(BusFailure::connect, "cannot connect to the system bus: " + errno_text(r));
  }
  return bus;
}

// One call to the bus driver (org.freedesktop.DBus) itself.
template <typename... Args>
tl::expected<MessagePtr, BusError> call_driver(sd_bus* bus, milliseconds timeout,
                                               BusFailure failure, const char* method,
                                               const char* types, Args... args) {
  BusErrorHolder error;
  sd_bus_message* raw = nullptr;
  const int r = sd_bus_call_method(bus, kDriverName, kDriverPath, kDriverInterface, method,
                                   error.get(), &raw, types, args...);
  MessagePtr reply{raw};
  if (r < 0) return call_failed(method, failure, r, error.get(), timeout);
  return reply;
}

tl::expected<std::string, BusError> read_owner(const MessagePtr& reply) {
  const char* owner = nullptr;
  if (sd_bus_message_read(reply.get(), "s", &owner) < 0) {
    return failed(BusFailure::owner_lookup, "GetNameOwner: the reply is not (s)");
  }
  return std::string{owner};
}

// StartServiceByName first: under systemd otpd is started by bus activation, so on a
// fresh boot nobody owns the name until somebody asks. When otpd runs already the bus
// answers at once; when it cannot be started, that is the error worth logging.
tl::expected<std::string, BusError> find_owner(sd_bus* bus, milliseconds timeout) {
  const auto started = call_driver(bus, timeout, BusFailure::not_running, "StartServiceByName",
                                   "su", c_str(protocol::kBusName), 0U);
  if (!started) return tl::unexpected{started.error()};
  return call_driver(bus, timeout, BusFailure::owner_lookup, "GetNameOwner", "s",
                     c_str(protocol::kBusName))
      .and_then(read_owner);
}

tl::expected<uid_t, BusError> read_uid(const MessagePtr& reply) {
  std::uint32_t uid = 0;
  if (sd_bus_message_read(reply.get(), "u", &uid) < 0) {
    return failed(BusFailure::owner_lookup, "GetConnectionUnixUser: the reply is not (u)");
  }
  return static_cast<uid_t>(uid);
}

tl::expected<void, BusError> check_owner_uid(sd_bus* bus, milliseconds timeout,
                                             const std::string& owner, uid_t required) {
  const auto uid = call_driver(bus, timeout, BusFailure::owner_lookup, "GetConnectionUnixUser", "s",
                               owner.c_str())
                       .and_then(read_uid);
  if (!uid) return tl::unexpected{uid.error()};
  if (*uid != required) {
    return failed(BusFailure::owner_not_root, std::string{protocol::kBusName} + " is owned by " +
                                                  owner + ", which runs as uid " +
                                                  std::to_string(*uid) + ", not uid " +
                                                  std::to_string(required));
  }
  return {};
}

}  // namespace

tl::expected<OtpdClient, BusError> OtpdClient::connect(milliseconds timeout,
                                                       uid_t required_owner_uid) {
  auto bus = open_system_bus(timeout);
  if (!bus) return tl::unexpected{std::move(bus.error())};
  auto owner = find_owner(bus->get(), timeout);
  if (!owner) return tl::unexpected{std::move(owner.error())};
  const auto checked = check_owner_uid(bus->get(), timeout, *owner, required_owner_uid);
  if (!checked) return tl::unexpected{checked.error()};
  return OtpdClient{std::move(*bus), std::move(*owner), timeout};
}

tl::expected<MessagePtr, BusError> OtpdClient::new_call(std::string_view method) {
  sd_bus_message* raw = nullptr;
  const int r =
      sd_bus_message_new_method_call(bus_.get(), &raw, owner_.c_str(), c_str(protocol::kObjectPath),
                                     c_str(protocol::kInterface), c_str(method));
  MessagePtr call{raw};
  if (r < 0) return failed(BusFailure::call_failed, std::string{method} + ": " + errno_text(r));
  return call;
}

// The reply must come from the owner we checked; the bus daemon vouches for senders.
tl::expected<MessagePtr, BusError> OtpdClient::send(const MessagePtr& call,
                                                    std::string_view method) {
  BusErrorHolder error;
  sd_bus_message* raw = nullptr;
  const int r = sd_bus_call(bus_.get(), call.get(), 0, error.get(), &raw);
  MessagePtr reply{raw};
  if (r < 0) return call_failed(method, BusFailure::call_failed, r, error.get(), timeout_);
  const char* sender = sd_bus_message_get_sender(reply.get());
  if (sender == nullptr || owner_ != sender) {
    return failed(BusFailure::malformed_reply, std::string{method} + ": reply from another sender");
  }
  return reply;
}

tl::expected<bool, BusError> OtpdClient::is_enrolled(const std::string& user) {
  auto call = new_call(protocol::kMethodStatus);
  if (!call) return tl::unexpected{std::move(call.error())};
  const int r = sd_bus_message_append(call->get(), "s", user.c_str());
  if (r < 0) {
    return failed(BusFailure::call_failed, "Status: cannot send the user name: " + errno_text(r));
  }
  return send(*call, protocol::kMethodStatus).and_then([](const MessagePtr& reply) {
    return read_status_enabled(reply.get());
  });
}

tl::expected<VerifyReply, BusError> OtpdClient::verify(const VerifyRequest& request) {
  auto call = new_call(protocol::kMethodVerify);
  if (!call) return tl::unexpected{std::move(call.error())};
  // The message holds the code: sd-bus wipes a message marked sensitive when it frees it.
  int r = sd_bus_message_sensitive(call->get());
  if (r >= 0) {
    r = sd_bus_message_append(call->get(), c_str(protocol::kVerifyInSignature),
                              request.user.c_str(), request.code.c_str(), request.service.c_str(),
                              request.rhost.c_str());
  }
  if (r < 0) {
    return failed(BusFailure::call_failed, "Verify: cannot build the request: " + errno_text(r));
  }
  return send(*call, protocol::kMethodVerify).and_then([](const MessagePtr& reply) {
    return read_verify_reply(reply.get());
  });
}

}  // namespace otpd::pam
