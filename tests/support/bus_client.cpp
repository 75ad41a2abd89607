#include "bus_client.hpp"

#include <systemd/sd-bus.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "patience.hpp"
#include "protocol.hpp"
#include "sd_bus_handles.hpp"

namespace otpd::test {
namespace {

const std::uint64_t kCallTimeoutUsec =
    static_cast<std::uint64_t>(std::chrono::microseconds(patient(std::chrono::seconds(10))).count());

// For one of `calls` sent together: otpd may answer it only after the others (each
// a backup code's PBKDF2 run, say, about 70 times slower under memcheck, which also
// runs one thread at a time), so each of them adds to the bound.
std::uint64_t timeout_among(std::size_t calls) {
  const auto per_call = std::chrono::microseconds(patient(std::chrono::seconds(1)));
  return kCallTimeoutUsec + calls * static_cast<std::uint64_t>(per_call.count());
}

using Bus = SdBus;
using Message = SdBusMessage;

Bus connect(const std::string& address) {
  sd_bus* raw = nullptr;
  if (sd_bus_new(&raw) < 0) throw std::runtime_error("sd_bus_new failed");
  Bus bus(raw);
  if (sd_bus_set_address(bus.get(), address.c_str()) < 0 || sd_bus_set_bus_client(bus.get(), 1) < 0 ||
      sd_bus_start(bus.get()) < 0) {
    throw std::runtime_error("cannot connect to " + address);
  }
  return bus;
}

Message new_call(sd_bus* bus, std::string_view method) {
  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_call(bus, &raw, std::string(protocol::kBusName).c_str(),
                                     std::string(protocol::kObjectPath).c_str(),
                                     std::string(protocol::kInterface).c_str(), std::string(method).c_str()) < 0) {
    throw std::runtime_error("cannot build a " + std::string(method) + " call");
  }
  return Message(raw);
}

Message new_verify_call(sd_bus* bus, const std::string& user, const std::string& code) {
  Message request = new_call(bus, protocol::kMethodVerify);
  if (sd_bus_message_append(request.get(), "ssss", user.c_str(), code.c_str(), "test", "") < 0) {
    throw std::runtime_error("cannot build a Verify call");
  }
  return request;
}

void read_verify_reply(sd_bus_message* m, BusReply& reply) {
  const char* outcome = nullptr;
  const char* message = nullptr;
  sd_bus_message_read(m, "ssu", &outcome, &message, &reply.backup_codes_left);
  reply.outcome = outcome != nullptr ? outcome : "";
  reply.message = message != nullptr ? message : "";
}

// An asynchronous Verify's answer: its results, or the error it came back with.
void read_verify_answer(sd_bus_message* m, BusReply& reply) {
  if (const sd_bus_error* error = sd_bus_message_get_error(m); error != nullptr) {
    reply.error_name = error->name != nullptr ? error->name : "unknown";
    reply.error_message = error->message != nullptr ? error->message : "";
  } else {
    read_verify_reply(m, reply);
  }
}

// Calls `method` with the arguments appended by `append`; on success `read` parses.
template <class Append, class Read>
BusReply call(const std::string& address, std::string_view method, Append append, Read read) {
  Bus bus = connect(address);
  Message request = new_call(bus.get(), method);
  append(request.get());
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply_raw = nullptr;
  BusReply reply;
  if (sd_bus_call(bus.get(), request.get(), kCallTimeoutUsec, &error, &reply_raw) < 0) {
    reply.error_name = error.name != nullptr ? error.name : "unknown";
    reply.error_message = error.message != nullptr ? error.message : "";
  } else {
    Message answer(reply_raw);
    read(answer.get(), reply);
  }
  sd_bus_error_free(&error);
  return reply;
}

void read_status(sd_bus_message* m, BusReply& reply) {
  sd_bus_message_enter_container(m, 'a', "{sv}");
  while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
    const char* key = nullptr;
    char type = 0;
    const char* contents = nullptr;
    sd_bus_message_read(m, "s", &key);
    sd_bus_message_peek_type(m, &type, &contents);
    sd_bus_message_enter_container(m, 'v', contents);
    std::uint64_t value = 0;
    if (contents[0] == 'b') {
      int b = 0;
      sd_bus_message_read(m, "b", &b);
      value = static_cast<std::uint64_t>(b);
    } else if (contents[0] == 'u') {
      std::uint32_t u = 0;
      sd_bus_message_read(m, "u", &u);
      value = u;
    } else if (contents[0] == 't') {
      sd_bus_message_read(m, "t", &value);
    } else if (contents[0] == 'x') {  // a signed count, 0 or more here
      std::int64_t x = 0;
      sd_bus_message_read(m, "x", &x);
      value = static_cast<std::uint64_t>(x);
    }
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
    reply.status[key] = value;
  }
  sd_bus_message_exit_container(m);
}

}  // namespace

BusReply bus_verify(const std::string& address, const std::string& user, const std::string& code,
                    const std::string& service, const std::string& rhost) {
  return call(
      address, protocol::kMethodVerify,
      [&](sd_bus_message* m) {
        sd_bus_message_append(m, "ssss", user.c_str(), code.c_str(), service.c_str(), rhost.c_str());
      },
      read_verify_reply);
}

namespace {

struct PendingVerify {
  Bus bus;
  SdBusSlot slot;
  BusReply reply;
  bool answered = false;
};

int on_verify_reply(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* pending = static_cast<PendingVerify*>(userdata);
  read_verify_answer(m, pending->reply);
  pending->answered = true;
  return 0;
}

// Runs the connection until `done`; each call's own timeout answers it with an
// error at the latest.
template <class Done>
void process_until(sd_bus* bus, Done done) {
  while (!done()) {
    const int processed = sd_bus_process(bus, nullptr);
    if (processed < 0) throw std::runtime_error("the bus connection failed");
    if (processed == 0 && sd_bus_wait(bus, UINT64_MAX) < 0) throw std::runtime_error("waiting on the bus failed");
  }
}

}  // namespace

std::vector<BusReply> bus_verify_at_once(const std::string& address, const std::string& user,
                                         const std::vector<std::string>& codes) {
  std::vector<std::unique_ptr<PendingVerify>> calls;
  for (const auto& code : codes) {
    auto pending = std::make_unique<PendingVerify>(PendingVerify{connect(address), {}, {}, false});
    const Message request = new_verify_call(pending->bus.get(), user, code);
    sd_bus_slot* slot = nullptr;
    if (sd_bus_call_async(pending->bus.get(), &slot, request.get(), on_verify_reply, pending.get(),
                          timeout_among(codes.size())) < 0) {
      throw std::runtime_error("cannot send a Verify call");
    }
    pending->slot.reset(slot);
    calls.push_back(std::move(pending));
  }
  for (const auto& pending : calls) {
    if (sd_bus_flush(pending->bus.get()) < 0) throw std::runtime_error("cannot send a Verify call");
  }
  std::vector<BusReply> replies;
  for (const auto& pending : calls) {
    process_until(pending->bus.get(), [&pending] { return pending->answered; });
    replies.push_back(pending->reply);
  }
  return replies;
}

namespace {

struct PipelinedCall {
  std::size_t index = 0;
  PipelinedReplies* replies = nullptr;
  SdBusSlot slot;
};

int on_pipelined_reply(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* call = static_cast<PipelinedCall*>(userdata);
  BusReply& reply = call->replies->replies[call->index];
  read_verify_answer(m, reply);
  call->replies->answer_order.push_back(call->index);
  return 0;
}

}  // namespace

PipelinedReplies bus_verify_pipelined(const std::string& address, const std::vector<VerifyCall>& calls) {
  Bus bus = connect(address);
  PipelinedReplies replies;
  replies.replies.resize(calls.size());
  std::vector<std::unique_ptr<PipelinedCall>> pending;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    auto call = std::make_unique<PipelinedCall>(PipelinedCall{i, &replies, {}});
    const Message request = new_verify_call(bus.get(), calls[i].user, calls[i].code);
    sd_bus_slot* slot = nullptr;
    if (sd_bus_call_async(bus.get(), &slot, request.get(), on_pipelined_reply, call.get(),
                          timeout_among(calls.size())) < 0) {
      throw std::runtime_error("cannot send a Verify call");
    }
    call->slot.reset(slot);
    pending.push_back(std::move(call));
  }
  if (sd_bus_flush(bus.get()) < 0) throw std::runtime_error("cannot send the Verify calls");
  process_until(bus.get(), [&] { return replies.answer_order.size() == calls.size(); });
  return replies;
}

void bus_verify_and_hang_up(const std::string& address, const std::string& user, const std::string& code) {
  Bus bus = connect(address);
  const Message request = new_verify_call(bus.get(), user, code);
  if (sd_bus_send(bus.get(), request.get(), nullptr) < 0 || sd_bus_flush(bus.get()) < 0) {
    throw std::runtime_error("cannot send a Verify call");
  }
  sd_bus_close(bus.get());
}

BusReply bus_status(const std::string& address, const std::string& user) {
  return call(
      address, protocol::kMethodStatus, [&](sd_bus_message* m) { sd_bus_message_append(m, "s", user.c_str()); },
      read_status);
}

BusReply bus_reset(const std::string& address, const std::string& user) {
  return call(
      address, protocol::kMethodReset, [&](sd_bus_message* m) { sd_bus_message_append(m, "s", user.c_str()); },
      [](sd_bus_message*, BusReply&) {});
}

std::string serialize(const BusReply& reply) {
  return nlohmann::json{{"error_name", reply.error_name},  {"error_message", reply.error_message},
                        {"outcome", reply.outcome},        {"message", reply.message},
                        {"left", reply.backup_codes_left}, {"status", reply.status}}
      .dump();
}

BusReply deserialize_bus_reply(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  return BusReply{j["error_name"], j["error_message"], j["outcome"],
                  j["message"],    j["left"],          j["status"].get<std::map<std::string, std::uint64_t>>()};
}

}  // namespace otpd::test
