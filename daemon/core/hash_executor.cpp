#include "core/hash_executor.hpp"

namespace otpd {

Expected<std::vector<BackupCodeHash>> hash_backup_code_batch(const BackupCodeBatch& batch,
                                                             const std::atomic<bool>* stop) {
  const BackupCodeHasher hasher(batch.iterations);
  std::vector<BackupCodeHash> hashes;
  hashes.reserve(batch.normalized_codes.size());
  for (const auto& code : batch.normalized_codes) {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
      return fail(ErrorKind::system, "backup-code hashing stopped: otpd is shutting down");
    }
    auto hash = hasher.hash(batch.salt, code.view());
    if (!hash) return tl::unexpected(hash.error());
    hashes.push_back(*hash);
  }
  return hashes;
}

HashAdmission InlineHashExecutor::submit(std::string_view, BackupCodeBatch batch, Done done) {
  done(hash_backup_code_batch(batch));
  return HashAdmission::accepted;
}

}  // namespace otpd
