// pam_otp.so: the two entry points libpam calls. They parse the arguments, run one
// login attempt against otpd, turn the typed results into a PAM code and log what
// deserves a line. No exception leaves this file: an exception is an internal error,
// and an internal error fails closed.
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#include <exception>
#include <optional>
#include <span>
#include <string>

#include "bus_client.hpp"
#include "code_input.hpp"
#include "module_options.hpp"
#include "pam_result.hpp"
#include "protocol.hpp"

namespace {

using namespace otpd::pam;

// Only root may own org.otpd.Otpd1; an answer from anybody else is worth nothing.
constexpr uid_t kOtpdUid = 0;

std::string string_item(pam_handle_t* pamh, int type) {
  const void* item = nullptr;
  if (pam_get_item(pamh, type, &item) != PAM_SUCCESS || item == nullptr) return {};
  return static_cast<const char*>(item);
}

int unavailable(pam_handle_t* pamh, const BusError& error) {
  pam_syslog(pamh, LOG_ERR, "otpd unavailable, failing closed: %s", error.detail.c_str());
  return result_for_bus_failure(error.failure);
}

int input_failed(pam_handle_t* pamh, const char* user, InputFailure failure) {
  const std::string why{describe(failure)};
  pam_syslog(pamh, LOG_NOTICE, "no code checked for user %s: %s", user, why.c_str());
  return result_for_input_failure(failure);
}

void show(pam_handle_t* pamh, int flags, Notice notice, const std::string& message) {
  if (notice == Notice::none || message.empty() || (flags & PAM_SILENT) != 0) return;
  pam_prompt(pamh, notice == Notice::info ? PAM_TEXT_INFO : PAM_ERROR_MSG, nullptr, "%s", message.c_str());
}

// otpd is healthy but has as many backup codes to hash as it takes: nothing was checked
// or counted, and the same code may simply be tried again.
int busy(pam_handle_t* pamh, int flags, const char* user, const BusError& error) {
  pam_syslog(pamh, LOG_WARNING, "otpd busy, code for user %s not checked; failing closed: %s", user,
             error.detail.c_str());
  show(pamh, flags, Notice::error, "Too many logins are being checked at once; try again.");
  return result_for_bus_failure(error.failure);
}

int answer(pam_handle_t* pamh, int flags, const ModuleOptions& options, const char* user, const VerifyReply& reply) {
  const PamResult result = result_for_outcome(reply.outcome, options.nullok);
  if (!otpd::protocol::outcome_from_name(reply.outcome)) {
    pam_syslog(pamh, LOG_ERR, "otpd answered an unknown outcome \"%s\" for user %s; denying", reply.outcome.c_str(),
               user);
  } else if (options.debug) {
    pam_syslog(pamh, LOG_DEBUG, "user %s: otpd answered %s", user, reply.outcome.c_str());
  }
  show(pamh, flags, result.notice, reply.message);
  return result.code;
}

// nullok: ask Status first, so that a user without an enrollment is not asked for a code.
std::optional<int> step_aside_if_unenrolled(pam_handle_t* pamh, OtpdClient& client, const ModuleOptions& options,
                                            const char* user) {
  if (!options.nullok) return std::nullopt;
  const auto enrolled = client.is_enrolled(user);
  if (!enrolled) return unavailable(pamh, enrolled.error());
  if (*enrolled) return std::nullopt;
  if (options.debug) pam_syslog(pamh, LOG_DEBUG, "user %s has no enrollment; nullok", user);
  return result_for_outcome(otpd::protocol::Outcome::not_enrolled, options.nullok).code;
}

int authenticate(pam_handle_t* pamh, int flags, const ModuleOptions& options) {
  const char* user = nullptr;
  if (pam_get_user(pamh, &user, nullptr) != PAM_SUCCESS || user == nullptr || *user == '\0') {
    pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name");
    return PAM_USER_UNKNOWN;
  }
  auto client = OtpdClient::connect(options.timeout, kOtpdUid);
  if (!client) return unavailable(pamh, client.error());
  if (const auto early = step_aside_if_unenrolled(pamh, *client, options, user)) return *early;
  auto code = obtain_code(pamh, options);
  if (!code) return input_failed(pamh, user, code.error());
  const auto reply = client->verify(
      VerifyRequest{user, std::move(*code), string_item(pamh, PAM_SERVICE), string_item(pamh, PAM_RHOST)});
  if (!reply) {
    return reply.error().failure == BusFailure::busy ? busy(pamh, flags, user, reply.error())
                                                     : unavailable(pamh, reply.error());
  }
  return answer(pamh, flags, options, user, *reply);
}

ModuleOptions options_from(pam_handle_t* pamh, int argc, const char** argv) {
  const auto args = std::span<const char* const>{argv, static_cast<std::size_t>(argc)};
  ParsedOptions parsed = parse_module_options(args);
  for (const std::string& ignored : parsed.ignored) {
    pam_syslog(pamh, LOG_WARNING, "ignoring %s", ignored.c_str());
  }
  return std::move(parsed.options);
}

}  // namespace

extern "C" [[gnu::visibility("default")]] int pam_sm_authenticate(pam_handle_t* pamh, int flags, int argc,
                                                                  const char** argv) {
  try {
    return authenticate(pamh, flags, options_from(pamh, argc, argv));
  } catch (const std::exception& e) {
    pam_syslog(pamh, LOG_ERR, "internal error, failing closed: %s", e.what());
  } catch (...) {
    pam_syslog(pamh, LOG_ERR, "internal error, failing closed");
  }
  return PAM_AUTHINFO_UNAVAIL;
}

// The module establishes no credentials; it only has to let setcred pass.
extern "C" [[gnu::visibility("default")]] int pam_sm_setcred(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/,
                                                             const char** /*argv*/) {
  return PAM_SUCCESS;
}
