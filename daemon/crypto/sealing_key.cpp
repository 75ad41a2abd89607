#include "crypto/sealing_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/random_source.hpp"
#include "crypto/secret_sealer.hpp"
#include "unique_fd.hpp"

namespace otpd {
namespace {

std::string describe_errno(const std::filesystem::path& path, std::string_view what) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

Expected<void> check_private_file(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(ErrorKind::system, describe_errno(path, "cannot stat"));
  if (!S_ISREG(st.st_mode)) return fail(ErrorKind::system, path.string() + " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return fail(ErrorKind::system, path.string() + " is not owned by otpd's user; refusing it");
  }
  if ((st.st_mode & 0077) != 0) {
    return fail(ErrorKind::system, path.string() + " is readable or writable by others; chmod 0600 it or replace it");
  }
  return {};
}

Expected<SecureBytes> read_key(int fd, const std::filesystem::path& path) {
  SecureBytes key(kSealKeyBytes);
  std::uint8_t extra = 0;
  const ssize_t got = ::read(fd, key.data(), key.size());
  if (got != static_cast<ssize_t>(key.size()) || ::read(fd, &extra, 1) != 0) {
    return fail(ErrorKind::system, path.string() + " must hold exactly 32 bytes");
  }
  return key;
}

Expected<SecureBytes> read_key_file(const std::filesystem::path& path, bool check_owner) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fd.valid()) return fail(ErrorKind::system, describe_errno(path, "cannot open key"));
  if (check_owner) {
    if (auto ok = check_private_file(fd.get(), path); !ok) return tl::unexpected(ok.error());
  }
  return read_key(fd.get(), path);
}

Expected<void> sync_directory_of(const std::filesystem::path& path) {
  UniqueFd dir(
      ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) {
    return fail(ErrorKind::system, describe_errno(path.parent_path(), "cannot sync directory"));
  }
  return {};
}

// Creates the key file with fresh random bytes; O_EXCL so that a file planted in
// the meantime is never written through.
Expected<SecureBytes> create_key_file(const std::filesystem::path& path) {
  SecureBytes key(kSealKeyBytes);
  if (auto ok = fill_random(key.mutable_view()); !ok) return tl::unexpected(ok.error());
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return fail(ErrorKind::system, describe_errno(path, "cannot create key"));
  if (::write(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size()) || ::fsync(fd.get()) != 0) {
    const std::string message = describe_errno(path, "cannot write key");
    ::unlink(path.c_str());
    return fail(ErrorKind::system, message);
  }
  if (auto ok = sync_directory_of(path); !ok) return tl::unexpected(ok.error());
  return key;
}

}  // namespace

Expected<SecureBytes> load_sealing_key(const std::optional<std::filesystem::path>& credentials_directory,
                                       const std::filesystem::path& key_file) {
  if (credentials_directory) {
    const auto credential = *credentials_directory / kCredentialName;
    std::error_code error;
    // symlink_status: a dangling link is there, and refused, not skipped.
    if (std::filesystem::symlink_status(credential, error).type() != std::filesystem::file_type::not_found) {
      // systemd owns the credential directory and its modes.
      return read_key_file(credential, false);
    }
  }
  if (::access(key_file.c_str(), F_OK) == 0 || errno != ENOENT) return read_key_file(key_file, true);
  return create_key_file(key_file);
}

}  // namespace otpd
