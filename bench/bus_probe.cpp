// bus_probe: the bus operations one pam_otp.so login is made of, each alone, so the
// cost of each can be told apart (its wall time here; dbus-daemon's instructions
// under callgrind in bench/run).
//
//   bus_probe --op connect|driver|verify [--count N]
//
//   connect  open a system-bus connection, wait for Hello's answer, close it (what
//            pam_otp.so does once per login)
//   driver   one GetNameOwner(org.otpd.Otpd1) round trip on an open connection
//            (pam_otp.so makes two driver calls a login: GetNameOwner and
//            GetConnectionUnixUser)
//   verify   one Verify round trip to otpd for a user with no enrollment, on an open
//            connection: the bus hops plus otpd's credential check and name lookup,
//            without a database write
// One tab-separated BUS line goes to stdout: op, count, mean and p50/p99 in µs.
#include <systemd/sd-bus.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool connect_once() {
  sd_bus* bus = nullptr;
  if (sd_bus_open_system(&bus) < 0) return false;
  const char* unique = nullptr;
  const bool ok = sd_bus_get_unique_name(bus, &unique) >= 0;  // waits for Hello's answer
  sd_bus_flush_close_unref(bus);
  return ok;
}

bool driver_call(sd_bus* bus) {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  const int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "GetNameOwner", &error, &reply, "s", "org.otpd.Otpd1");
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  return r >= 0;
}

bool verify_call(sd_bus* bus) {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  const int r = sd_bus_call_method(bus, "org.otpd.Otpd1", "/org/otpd/Otpd1", "org.otpd.Otpd1", "Verify", &error, &reply,
                                   "ssss", "bench-probe-nobody", "000000", "bench", "");
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  return r >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string op;
  std::size_t count = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--op")
      op = argv[i + 1];
    else if (flag == "--count")
      count = std::stoul(argv[i + 1]);
  }
  if ((op != "connect" && op != "driver" && op != "verify") || count == 0) {
    std::fprintf(stderr, "usage: bus_probe --op connect|driver|verify [--count N]\n");
    return 2;
  }
  sd_bus* bus = nullptr;
  if (op != "connect" && (sd_bus_open_system(&bus) < 0 || !driver_call(bus))) {
    std::fprintf(stderr, "bus_probe: cannot reach the bus or otpd\n");
    return 1;
  }
  std::vector<double> micros;
  for (std::size_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    const bool ok = op == "connect" ? connect_once() : op == "driver" ? driver_call(bus) : verify_call(bus);
    if (!ok) {
      std::fprintf(stderr, "bus_probe: %s failed\n", op.c_str());
      return 1;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  if (bus != nullptr) sd_bus_flush_close_unref(bus);
  std::sort(micros.begin(), micros.end());
  double sum = 0;
  for (const double m : micros) sum += m;
  auto at = [&](double q) { return micros[static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1))]; };
  std::printf("BUS\t%s\t%zu\t%.1f\t%.1f\t%.1f\n", op.c_str(), count, sum / static_cast<double>(count), at(0.5),
              at(0.99));
  return 0;
}
