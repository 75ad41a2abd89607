// Calls otpd's D-Bus methods the way pam_otp.so does, on a given bus address.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace otpd::test {

struct BusReply {
  std::string error_name;  // empty on success
  std::string error_message;
  std::string outcome;  // Verify
  std::string message;  // Verify
  std::uint32_t backup_codes_left = 0;
  std::map<std::string, std::uint64_t> status;  // Status: bools as 0/1, x (never negative) as t
  [[nodiscard]] bool ok() const { return error_name.empty(); }
};

[[nodiscard]] BusReply bus_verify(const std::string& address, const std::string& user, const std::string& code,
                                  const std::string& service = "test", const std::string& rhost = "");
// One Verify per code, each on a bus connection of its own, all sent before any
// answer is read: attempts that reach otpd together. The replies in the codes' order.
[[nodiscard]] std::vector<BusReply> bus_verify_at_once(const std::string& address, const std::string& user,
                                                       const std::vector<std::string>& codes);
// Verify calls sent one after another on one connection before any answer is read:
// the bus keeps their order, so otpd receives them in this order. The replies in
// the calls' order, and the order (as indices of the calls) their answers came in.
struct VerifyCall {
  std::string user;
  std::string code;
};
struct PipelinedReplies {
  std::vector<BusReply> replies;
  std::vector<std::size_t> answer_order;
};
[[nodiscard]] PipelinedReplies bus_verify_pipelined(const std::string& address, const std::vector<VerifyCall>& calls);
// Sends a Verify and closes the connection as soon as the bus daemon has the call,
// without waiting for the answer: a caller that dies mid-call.
void bus_verify_and_hang_up(const std::string& address, const std::string& user, const std::string& code);
[[nodiscard]] BusReply bus_status(const std::string& address, const std::string& user);
[[nodiscard]] BusReply bus_reset(const std::string& address, const std::string& user);

// As text, for replies that cross a run_as boundary.
[[nodiscard]] std::string serialize(const BusReply& reply);
[[nodiscard]] BusReply deserialize_bus_reply(const std::string& text);

}  // namespace otpd::test
