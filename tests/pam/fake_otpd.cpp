// A stand-in for otpd on a private bus, scripted from its command line. It exists
// for what the real daemon never does: malformed replies, unknown outcomes, error
// replies, silence. It owns org.otpd.Otpd1, writes "ready" once it does, and appends
// each request it gets to the --record file, so a test can see what the module sent.
//
//   fake_otpd [--code C] [--backup B] [--user U] [--outcome O] [--message M]
//             [--status yes|no|missing|wrongtype] [--verify normal|malformed|error|busy|silent]
//             [--record FILE]
#include <systemd/sd-bus.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol.hpp"
#include "sd_bus_handles.hpp"

namespace {

namespace protocol = otpd::protocol;
using otpd::SdBusMessage;
using otpd::SdBusUnflushed;

struct Script {
  std::string code = "123456";
  std::string backup = "abcd-2345";
  std::string user;                    // when set, every other user is not enrolled
  std::optional<std::string> outcome;  // the answer to every code
  std::optional<std::string> message;
  std::string status = "yes";
  std::string verify = "normal";
  std::string record;
  std::vector<SdBusMessage> unanswered;  // --verify silent keeps the calls open
};

void record(const Script& script, const std::string& line) {
  if (script.record.empty()) return;
  std::ofstream{script.record, std::ios::app} << line << '\n';
}

struct Answer {
  std::string outcome;
  std::string message;
  std::uint32_t backup_codes_left = 10;
};

Answer decide(const Script& script, std::string_view user, std::string_view code) {
  Answer answer;
  if (!script.user.empty() && user != script.user) {
    answer = {"not_enrolled", "Two-factor authentication is not set up."};
  } else if (code == script.code) {
    answer = {"ok", ""};
  } else if (code == script.backup) {
    answer = {"ok_backup", "Backup code accepted; 9 left.", 9};
  } else {
    answer = {"invalid", "Invalid code."};
  }
  if (script.outcome) answer.outcome = *script.outcome;
  if (script.message) answer.message = *script.message;
  return answer;
}

int on_verify(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  auto& script = *static_cast<Script*>(userdata);
  const char* user = nullptr;
  const char* code = nullptr;
  const char* service = nullptr;
  const char* rhost = nullptr;
  const int r = sd_bus_message_read(call, "ssss", &user, &code, &service, &rhost);
  if (r < 0) return r;
  record(script, std::string{"Verify "} + user + " " + code + " " + service + " " + rhost);
  if (script.verify == "silent") {
    script.unanswered.emplace_back(sd_bus_message_ref(call));
    return 1;
  }
  if (script.verify == "error") {
    return sd_bus_error_set(error, protocol::bus_error::kAccessDenied.data(), "fake refusal");
  }
  if (script.verify == "busy") {
    return sd_bus_error_set(error, protocol::bus_error::kBusy.data(), "fake: checking too many backup codes");
  }
  if (script.verify == "malformed") return sd_bus_reply_method_return(call, "s", "ok");
  const Answer answer = decide(script, user, code);
  return sd_bus_reply_method_return(call, "ssu", answer.outcome.c_str(), answer.message.c_str(),
                                    answer.backup_codes_left);
}

int append_status(sd_bus_message* reply, const std::string& status) {
  int r = sd_bus_message_open_container(reply, 'a', "{sv}");
  if (r >= 0 && (status == "yes" || status == "no")) {
    r = sd_bus_message_append(reply, "{sv}", "enabled", "b", status == "yes");
  }
  if (r >= 0 && status == "wrongtype") {
    r = sd_bus_message_append(reply, "{sv}", "enabled", "s", "yes");
  }
  if (r >= 0) r = sd_bus_message_append(reply, "{sv}", "pending", "b", 0);
  if (r >= 0) r = sd_bus_message_append(reply, "{sv}", "locked_until", "t", UINT64_C(0));
  if (r >= 0) r = sd_bus_message_close_container(reply);
  return r;
}

int on_status(sd_bus_message* call, void* userdata, sd_bus_error* /*error*/) {
  const auto& script = *static_cast<const Script*>(userdata);
  const char* user = nullptr;
  int r = sd_bus_message_read(call, "s", &user);
  if (r < 0) return r;
  record(script, std::string{"Status "} + user);
  const bool enrolled = script.user.empty() || script.user == user;
  sd_bus_message* reply = nullptr;
  r = sd_bus_message_new_method_return(call, &reply);
  if (r >= 0) r = append_status(reply, enrolled ? script.status : "no");
  if (r >= 0) r = sd_bus_send(nullptr, reply, nullptr);
  sd_bus_message_unref(reply);
  return r;
}

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Verify", "ssss", "ssu", on_verify, 0),
    SD_BUS_METHOD("Status", "s", "a{sv}", on_status, 0),
    SD_BUS_VTABLE_END,
};
// sd-bus refuses to send a reply that does not match the declared signature.
const sd_bus_vtable kMalformedVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Verify", "ssss", "s", on_verify, 0),
    SD_BUS_METHOD("Status", "s", "a{sv}", on_status, 0),
    SD_BUS_VTABLE_END,
};

Script parse(int argc, char** argv) {
  Script script;
  const std::map<std::string_view, std::string*> strings{{"--code", &script.code},     {"--backup", &script.backup},
                                                         {"--user", &script.user},     {"--status", &script.status},
                                                         {"--verify", &script.verify}, {"--record", &script.record}};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (const auto it = strings.find(flag); it != strings.end()) *it->second = argv[i + 1];
    if (flag == "--outcome") script.outcome = argv[i + 1];
    if (flag == "--message") script.message = argv[i + 1];
  }
  return script;
}

}  // namespace

int main(int argc, char** argv) {
  Script script = parse(argc, argv);
  // Started by bus activation, the bus tells us its address this way.
  if (const char* starter = std::getenv("DBUS_STARTER_ADDRESS")) {
    setenv("DBUS_SYSTEM_BUS_ADDRESS", starter, 1);
  }
  sd_bus* raw = nullptr;
  int r = sd_bus_open_system(&raw);
  // The calls kept unanswered hold the bus too: both are let go when main returns.
  const SdBusUnflushed owned(raw);
  sd_bus* bus = raw;
  if (r >= 0) {
    r = sd_bus_add_object_vtable(bus, nullptr, protocol::kObjectPath.data(), protocol::kInterface.data(),
                                 script.verify == "malformed" ? kMalformedVtable : kVtable, &script);
  }
  if (r >= 0) r = sd_bus_request_name(bus, protocol::kBusName.data(), 0);
  if (r < 0) {
    std::fprintf(stderr, "fake_otpd: cannot serve on the bus: %d\n", r);
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while ((r = sd_bus_process(bus, nullptr)) >= 0) {
    if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0) break;
  }
  return 0;
}
