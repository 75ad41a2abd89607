// Where backup codes are hashed. A fresh set is 10 PBKDF2 runs (0.3-0.45 s), too
// long for otpd's only event-loop thread, where every login waits. The hashing is a
// pure function of the batch (salt + codes -> hashes), so it can run anywhere; what
// the hashes are for (the store write) stays with the caller, on the loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/backup_codes.hpp"
#include "core/error.hpp"
#include "secure_bytes.hpp"

namespace otpd {

// One set of codes to hash, all under one salt.
struct BackupCodeBatch {
  std::vector<SecureString> normalized_codes;
  std::vector<std::uint8_t> salt;
  unsigned iterations = kBackupCodeKdfIterations;
};

// The batch's hashes in the order of its codes. `stop`, when given, is looked at
// between two codes: a batch stopped halfway yields an error, never part of a set.
[[nodiscard]] Expected<std::vector<BackupCodeHash>> hash_backup_code_batch(const BackupCodeBatch& batch,
                                                                           const std::atomic<bool>* stop = nullptr);

enum class HashAdmission {
  accepted,
  owner_busy,  // the owner (a user) has as many batches waiting as it may
  all_busy,    // as many batches wait in all as otpd takes
};

class HashExecutor {
 public:
  using Done = std::function<void(Expected<std::vector<BackupCodeHash>>)>;
  virtual ~HashExecutor() = default;

  // Hashes the batch and calls `done` with the result on the event loop's thread,
  // at most once (never after the executor is gone: a batch cut short by shutdown
  // ends without a call). Unless accepted, `done` is dropped uncalled and the
  // caller answers the refusal itself.
  [[nodiscard]] virtual HashAdmission submit(std::string_view owner, BackupCodeBatch batch, Done done) = 0;
};

// Hashes on the caller's thread before submit returns: the synchronous API, the
// unit tests and the fuzz targets. No limit applies: there is no queue.
class InlineHashExecutor final : public HashExecutor {
 public:
  [[nodiscard]] HashAdmission submit(std::string_view owner, BackupCodeBatch batch, Done done) override;
};

}  // namespace otpd
