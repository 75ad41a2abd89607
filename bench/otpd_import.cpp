// otpd_import: the bench's admin import. Writes active enrollments for the users of
// a users.tsv ("name base32-secret") into otpd's database, through otpd's own Store
// and SecretSealer and the same key file otpd uses (otpd.key beside the database,
// created if missing), so that otpd reads them exactly as it reads an enrollment
// made by enable + confirm:
//   - the secret sealed with AES-256-GCM under the key, bound to the user's name;
//   - state active, no expiry, SHA1/6 digits/30 s, the replay watermark at an
//     earlier step (as if confirmed a few minutes ago);
//   - a backup-code salt, the KDF iteration count and 10 backup-code hashes made
//     by otpd's BackupCodeHasher.
// One difference, on purpose: the 10 backup codes and their salt are made once and
// shared by every imported user. Confirm makes them per user at 10 PBKDF2 runs
// (~0.4 s) each, which would take 2+ hours for 20,000 users; a 6-digit TOTP code
// never reaches the backup-code hashing, so no measured path changes.
//
//   otpd_import --database PATH --users FILE
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/backup_codes.hpp"
#include "core/base32.hpp"
#include "core/totp.hpp"
#include "crypto/random_source.hpp"
#include "crypto/sealing_key.hpp"
#include "crypto/secret_sealer.hpp"
#include "service/otp_service.hpp"
#include "store/store.hpp"

namespace {

using namespace otpd;

template <class T>
T value_or_throw(Expected<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

void ok_or_throw(const Expected<void>& result) {
  if (!result) throw std::runtime_error(result.error().message);
}

struct BackupSet {
  std::vector<std::uint8_t> salt;
  std::vector<BackupCodeHash> hashes;
  unsigned iterations = 0;
};

BackupSet make_backup_set() {
  const BackupCodeHasher hasher;
  BackupSet set{std::vector<std::uint8_t>(kBackupCodeSaltBytes), {}, hasher.iterations()};
  ok_or_throw(fill_random(set.salt));
  for (const auto& code : value_or_throw(generate_backup_codes(ServicePolicy{}.backup_codes))) {
    const auto normalized = normalize_backup_code(code.view());
    set.hashes.push_back(value_or_throw(hasher.hash(set.salt, normalized ? normalized->view() : code.view())));
  }
  return set;
}

std::size_t import_users(Store& store, const SecretSealer& sealer, const std::string& users_file) {
  std::ifstream in(users_file);
  if (!in) throw std::runtime_error("cannot read " + users_file);
  const BackupSet backup = make_backup_set();
  const TotpParameters params;
  const std::uint64_t confirmed_step = *totp_step(std::time(nullptr), params.period) - 10;
  auto transaction = value_or_throw(store.begin());
  std::size_t imported = 0;
  std::string name;
  std::string secret_text;
  while (in >> name >> secret_text) {
    const auto secret = base32_decode(secret_text);
    if (!secret) throw std::runtime_error("bad base32 secret for " + name);
    EnrollmentRecord record{name,
                            EnrollmentState::active,
                            value_or_throw(sealer.seal(*secret, secret_associated_data(name))),
                            params,
                            0,
                            confirmed_step,
                            false,
                            backup.salt,
                            backup.iterations};
    ok_or_throw(store.put_enrollment(record));
    ok_or_throw(store.replace_backup_codes(name, backup.hashes));
    ++imported;
  }
  ok_or_throw(transaction.commit());
  return imported;
}

int run(int argc, char** argv) {
  std::string database;
  std::string users;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--database")
      database = argv[i + 1];
    else if (flag == "--users")
      users = argv[i + 1];
    else
      throw std::runtime_error("unknown option " + flag);
  }
  if (database.empty() || users.empty()) throw std::runtime_error("usage: otpd_import --database PATH --users FILE");
  ::umask(0077);
  const std::filesystem::path path(database);
  const SecretSealer sealer(value_or_throw(load_sealing_key(std::nullopt, path.parent_path() / "otpd.key")));
  Store store = value_or_throw(Store::open(path));
  const std::size_t imported = import_users(store, sealer, users);
  std::fprintf(stderr, "otpd_import: %zu active enrollments written to %s\n", imported, database.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otpd_import: %s\n", e.what());
    return 1;
  }
}
