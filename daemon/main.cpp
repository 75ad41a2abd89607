// otpd: the root daemon that owns every TOTP secret. Wires configuration, the sealed
// store, the verification service, the D-Bus service and the HTTP API into one
// sd-event loop on one thread; only backup-code hashing runs on worker threads.
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "bus/bus_service.hpp"
#include "core/clock.hpp"
#include "crypto/sealing_key.hpp"
#include "http/api_router.hpp"
#include "http/api_socket.hpp"
#include "http/http_server.hpp"
#include "protocol.hpp"
#include "sd_bus_handles.hpp"
#include "service/config.hpp"
#include "service/event_log.hpp"
#include "service/hash_worker_pool.hpp"
#include "service/otp_service.hpp"
#include "service/user_directory.hpp"
#include "store/store.hpp"

namespace {

using namespace otpd;

struct CommandLine {
  std::optional<std::string> config;
  std::optional<std::string> database;
  std::optional<std::string> socket;
};

Expected<Config> effective_config(const CommandLine& args) {
  const bool explicit_file = args.config.has_value();
  auto config = load_config(explicit_file ? *args.config : std::string(protocol::kDefaultConfigPath), explicit_file);
  if (!config) return config;
  if (args.database) config->database = *args.database;
  if (args.socket) config->socket = *args.socket;
  return config;
}

Expected<void> ensure_private_directory(const std::filesystem::path& directory) {
  if (directory.empty() || ::mkdir(directory.c_str(), 0700) == 0 || errno == EEXIST) return {};
  return fail(ErrorKind::system, "cannot create " + directory.string() + ": " + std::strerror(errno));
}

std::optional<std::filesystem::path> credentials_directory() {
  const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
  if (directory == nullptr || directory[0] == '\0') return std::nullopt;
  return std::filesystem::path(directory);
}

Expected<SdEvent> event_loop_with_signals() {
  sd_event* raw = nullptr;
  if (int r = sd_event_new(&raw); r < 0) return fail(ErrorKind::system, "cannot create the event loop");
  SdEvent event(raw);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  // Blocked, so that sd-event takes them as events (signalfd) instead.
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0 || ::signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
    return fail(ErrorKind::system, std::string("cannot set up the signals: ") + std::strerror(errno));
  }
  for (int signal_number : {SIGTERM, SIGINT}) {
    // No handler: sd-event exits the loop on the signal.
    if (sd_event_add_signal(event.get(), nullptr, signal_number, nullptr, nullptr) < 0) {
      return fail(ErrorKind::system, "cannot watch termination signals");
    }
  }
  return event;
}

bool exists_at(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::symlink_status(path, error).type() != std::filesystem::file_type::not_found;
}

bool missing_or_empty(const std::filesystem::path& path) {
  std::error_code error;
  return !exists_at(path) ||
         (std::filesystem::is_regular_file(path, error) && std::filesystem::file_size(path, error) == 0 && !error);
}

// Once the key file exists, otpd has run here, and a missing or empty database is
// a lost one. Starting a new one would turn "the enrollments are gone" into "nobody
// is enrolled", which pam_otp.so's nullok lets through without a code.
Expected<Store> open_existing_store(const std::filesystem::path& database, const std::filesystem::path& key_file) {
  if (missing_or_empty(database)) {
    return fail(ErrorKind::storage,
                "database " + database.string() + " is missing or empty, but the sealing key " + key_file.string() +
                    " exists: otpd has run here before and will not start with no enrollments. Restore "
                    "the database from a backup, or, to start afresh (every user enrolls again), move "
                    "the key file away");
  }
  return Store::open(database, StoreCreation::refused);
}

struct SealedStore {
  SecureBytes key;
  Store store;
};

// A first start creates the database, then the key: a start that died between the
// two is still a first start, and needs no step from the admin.
Expected<SealedStore> open_sealed_store(const Config& config) {
  const auto key_file = config.effective_key_file();
  const bool ran_before = exists_at(key_file);
  std::optional<Store> store;
  if (!ran_before) {
    auto created = Store::open(config.database, StoreCreation::allowed);
    if (!created) return tl::unexpected(created.error());
    store.emplace(std::move(*created));
  }
  auto key = load_sealing_key(credentials_directory(), key_file);
  if (!key) return tl::unexpected(key.error());
  if (ran_before) {
    auto existing = open_existing_store(config.database, key_file);
    if (!existing) return tl::unexpected(existing.error());
    store.emplace(std::move(*existing));
  }
  return SealedStore{std::move(*key), std::move(*store)};
}

// Everything the daemon is made of, in the order it must be built and torn down.
Expected<int> serve(const Config& config, EventLog& log) {
  if (auto ok = ensure_private_directory(config.database.parent_path()); !ok) return tl::unexpected(ok.error());
  auto sealed = open_sealed_store(config);
  if (!sealed) return tl::unexpected(sealed.error());
  Store& store = sealed->store;
  const SecretSealer sealer(std::move(sealed->key));
  const SystemClock clock;
  OtpService service(store, sealer, clock, config.policy);

  auto event = event_loop_with_signals();
  if (!event) return tl::unexpected(event.error());
  auto listen_socket = open_api_socket(config.socket);
  if (!listen_socket) return tl::unexpected(listen_socket.error());
  // Declared before what calls into it, so it goes last: its threads are joined and
  // their unanswered batches dropped after the HTTP server has closed every
  // connection, and before the loop is freed.
  auto hashing = HashWorkerPool::start(event->get());
  if (!hashing) return tl::unexpected(hashing.error());
  const PasswdDirectory users;
  ApiRouter router(service, users, log, hashing->get());
  auto http = HttpServer::start(event->get(), std::move(*listen_socket), router, users, log);
  if (!http) return tl::unexpected(http.error());
  auto bus = BusService::start(event->get(), service, users, log);
  if (!bus) return tl::unexpected(bus.error());

  sd_notify(0, "READY=1\nSTATUS=Serving");
  log.message(LogLevel::info,
              "otpd ready: database " + config.database.string() + ", API socket " + config.socket.string());
  const int r = sd_event_loop(event->get());
  sd_notify(0, "STOPPING=1");
  if (r < 0) return fail(ErrorKind::system, std::string("event loop failed: ") + std::strerror(-r));
  log.message(LogLevel::info, "otpd stopped");
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"otpd: TOTP two-factor authentication daemon", "otpd"};
  CommandLine args;
  app.add_option("--config", args.config, "configuration file (default /etc/otpd/otpd.conf)");
  app.add_option("--database", args.database, "SQLite database path (overrides the file)");
  app.add_option("--socket", args.socket, "HTTP API socket path (overrides the file)");
  app.set_version_flag("--version", "otpd " OTPD_VERSION);
  CLI11_PARSE(app, argc, argv);

  ::umask(0077);
  SystemEventLog log;
  auto config = effective_config(args);
  if (config) {
    auto served = serve(*config, log);
    if (served) return *served;
    config = tl::unexpected(served.error());
  }
  (void)std::fprintf(stderr, "otpd: %s\n", config.error().message.c_str());
  log.message(LogLevel::error, "cannot start: " + config.error().message);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    (void)std::fprintf(stderr, "otpd: fatal: %s\n", e.what());
  } catch (...) {
    (void)std::fprintf(stderr, "otpd: fatal: unknown exception\n");
  }
  return 1;
}
