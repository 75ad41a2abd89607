#include "bus_client.hpp"

#include <cerrno>
#include <system_error>
#include <utility>

#include "bounded_call.hpp"
#include "protocol.hpp"

namespace otpd::pam {
namespace {

namespace protocol = otpd::protocol;
using std::chrono::milliseconds;

namespace driver = protocol::bus_driver;

std::string errno_text(int negative_errno) {
  return std::error_code{-negative_errno, std::generic_category()}.message();
}

tl::unexpected<BusError> failed(BusFailure failure, std::string detail, std::string error_name = {}) {
  return tl::unexpected<BusError>{BusError{failure, std::move(detail), std::move(error_name)}};
}

BusError malformed_reply(std::string detail) { return BusError{BusFailure::malformed_reply, std::move(detail), {}}; }

// What one failed call did, in a form a person can act on.
tl::unexpected<BusError> call_failed(std::string_view method, BusFailure failure, int r, const sd_bus_error* error,
                                     milliseconds timeout) {
  std::string detail{method};
  if (r == -ETIMEDOUT || sd_bus_error_has_names(error, SD_BUS_ERROR_TIMEOUT, SD_BUS_ERROR_NO_REPLY)) {
    return failed(BusFailure::timeout, detail + ": no answer within " + std::to_string(timeout.count()) + " ms");
  }
  detail += ": ";
  if (error == nullptr || !sd_bus_error_is_set(error)) return failed(failure, detail + errno_text(r));
  detail += error->name;
  if (error->message != nullptr) detail.append(": ").append(error->message);
  if (sd_bus_error_has_name(error, protocol::bus_error::kBusy.c_str())) failure = BusFailure::busy;
  return failed(failure, std::move(detail), error->name);
}

// The reply to `request`, an error reply turned into a BusError of kind `failure`
// (a timeout is always BusFailure::timeout).
tl::expected<SdBusMessage, BusError> call(sd_bus* bus, const SdBusMessage& request, std::string_view method,
                                          BusFailure failure, milliseconds timeout) {
  auto reply = call_with_deadline(bus, request, timeout);
  if (!reply) return call_failed(method, failure, reply.error(), nullptr, timeout);
  if (sd_bus_message_is_method_error(reply->get(), nullptr) > 0) {
    return call_failed(method, failure, -sd_bus_message_get_errno(reply->get()), sd_bus_message_get_error(reply->get()),
                       timeout);
  }
  return std::move(*reply);
}

// One call to the bus driver (org.freedesktop.DBus) itself.
template <typename... Args>
tl::expected<SdBusMessage, BusError> call_driver(sd_bus* bus, milliseconds timeout, BusFailure failure,
                                                 const char* method, const char* types, Args... args) {
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus, &raw, driver::kName.c_str(), driver::kPath.c_str(),
                                         driver::kInterface.c_str(), method);
  const SdBusMessage request{raw};
  if (r >= 0) r = sd_bus_message_append(request.get(), types, args...);
  if (r < 0) return call_failed(method, failure, r, nullptr, timeout);
  return call(bus, request, method, failure, timeout);
}

tl::expected<std::string, BusError> read_owner(const SdBusMessage& reply) {
  const char* owner = nullptr;
  if (sd_bus_message_read(reply.get(), "s", &owner) < 0) {
    return failed(BusFailure::owner_lookup, "GetNameOwner: the reply is not (s)");
  }
  return std::string{owner};
}

tl::expected<std::string, BusError> name_owner(sd_bus* bus, milliseconds timeout) {
  return call_driver(bus, timeout, BusFailure::owner_lookup, driver::kGetNameOwner.c_str(), "s",
                     protocol::kBusName.c_str())
      .and_then(read_owner);
}

// Under systemd otpd is started by bus activation, so on a fresh boot nobody owns the
// name until somebody asks for it. When it cannot be started, that is the error
// worth logging.
tl::expected<std::string, BusError> find_owner(sd_bus* bus, milliseconds timeout) {
  auto owner = name_owner(bus, timeout);
  if (owner || owner.error().error_name != SD_BUS_ERROR_NAME_HAS_NO_OWNER) return owner;
  auto started = call_driver(bus, timeout, BusFailure::not_running, driver::kStartServiceByName.c_str(), "su",
                             protocol::kBusName.c_str(), 0U);
  if (started) return name_owner(bus, timeout);
  BusError error = std::move(started.error());
  if (error.failure == BusFailure::not_running) {
    error.detail = "otpd is not running and the bus cannot start it: " + error.detail;
  }
  return tl::unexpected{std::move(error)};
}

tl::expected<uid_t, BusError> read_uid(const SdBusMessage& reply) {
  std::uint32_t uid = 0;
  if (sd_bus_message_read(reply.get(), "u", &uid) < 0) {
    return failed(BusFailure::owner_lookup, "GetConnectionUnixUser: the reply is not (u)");
  }
  return static_cast<uid_t>(uid);
}

tl::expected<void, BusError> check_owner_uid(sd_bus* bus, milliseconds timeout, const std::string& owner,
                                             uid_t required) {
  const auto uid =
      call_driver(bus, timeout, BusFailure::owner_lookup, driver::kGetConnectionUnixUser.c_str(), "s", owner.c_str())
          .and_then(read_uid);
  if (!uid) return tl::unexpected{uid.error()};
  if (*uid == required) return {};
  return failed(BusFailure::owner_not_root, std::string{protocol::kBusName} + " is owned by " + owner +
                                                ", which runs as uid " + std::to_string(*uid) + ", not uid " +
                                                std::to_string(required));
}

}  // namespace

// sd_bus_open_system() reads DBUS_SYSTEM_BUS_ADDRESS with secure_getenv(), so a setuid
// program like sudo always gets the real system bus. It does not wait: connecting
// and authenticating happen inside the first call, under that call's deadline.
tl::expected<OtpdClient, BusError> OtpdClient::connect(milliseconds timeout, uid_t required_owner_uid) {
  sd_bus* raw = nullptr;
  const int r = sd_bus_open_system(&raw);
  SdBusUnflushed bus{raw};
  if (r < 0) return failed(BusFailure::connect, "cannot connect to the system bus: " + errno_text(r));
  auto owner = find_owner(bus.get(), timeout);
  if (!owner) return tl::unexpected{std::move(owner.error())};
  const auto checked = check_owner_uid(bus.get(), timeout, *owner, required_owner_uid);
  if (!checked) return tl::unexpected{checked.error()};
  return OtpdClient{std::move(bus), std::move(*owner), timeout};
}

tl::expected<SdBusMessage, BusError> OtpdClient::new_call(protocol::Name method) {
  sd_bus_message* raw = nullptr;
  const int r = sd_bus_message_new_method_call(bus_.get(), &raw, owner_.c_str(), protocol::kObjectPath.c_str(),
                                               protocol::kInterface.c_str(), method.c_str());
  SdBusMessage request{raw};
  if (r < 0) return failed(BusFailure::call_failed, std::string{method} + ": " + errno_text(r));
  return request;
}

// The reply must come from the owner we checked; the bus daemon vouches for senders.
tl::expected<SdBusMessage, BusError> OtpdClient::send(const SdBusMessage& request, std::string_view method) {
  auto reply = call(bus_.get(), request, method, BusFailure::call_failed, timeout_);
  if (!reply) return reply;
  const char* sender = sd_bus_message_get_sender(reply->get());
  if (sender == nullptr || owner_ != sender) {
    return failed(BusFailure::malformed_reply, std::string{method} + ": reply from another sender");
  }
  return reply;
}

tl::expected<bool, BusError> OtpdClient::is_enrolled(const std::string& user) {
  auto request = new_call(protocol::kMethodStatus);
  if (!request) return tl::unexpected{std::move(request.error())};
  const int r = sd_bus_message_append(request->get(), "s", user.c_str());
  if (r < 0) {
    return failed(BusFailure::call_failed, "Status: cannot send the user name: " + errno_text(r));
  }
  return send(*request, protocol::kMethodStatus).and_then([](const SdBusMessage& reply) {
    return read_status_enabled(reply.get()).map_error(malformed_reply);
  });
}

tl::expected<VerifyReply, BusError> OtpdClient::verify(const VerifyRequest& request) {
  auto message = new_call(protocol::kMethodVerify);
  if (!message) return tl::unexpected{std::move(message.error())};
  // The message holds the code: sd-bus wipes a message marked sensitive when it frees it.
  int r = sd_bus_message_sensitive(message->get());
  if (r >= 0) {
    r = sd_bus_message_append(message->get(), protocol::kVerifyInSignature.c_str(), request.user.c_str(),
                              request.code.c_str(), request.service.c_str(), request.rhost.c_str());
  }
  if (r < 0) {
    return failed(BusFailure::call_failed, "Verify: cannot build the request: " + errno_text(r));
  }
  return send(*message, protocol::kMethodVerify).and_then([](const SdBusMessage& reply) {
    return read_verify_reply(reply.get()).map_error(malformed_reply);
  });
}

}  // namespace otpd::pam
