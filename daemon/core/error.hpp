// Errors travel as values: every fallible operation returns Expected<T>, and the
// edge of the program (main, the bus and HTTP handlers) logs them once.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace otpd {

enum class ErrorKind {
  invalid_argument,  // the caller sent something malformed
  storage,           // SQLite refused or the disk is full
  crypto,            // OpenSSL failed, or a sealed value did not authenticate
  config,            // a bad configuration file or value
  system,            // a system call failed
  directory,         // the user directory (NSS: sssd, LDAP, ...) could not answer
};

struct Error {
  ErrorKind kind;
  std::string message;
};

template <class T>
using Expected = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message)});
}

}  // namespace otpd
