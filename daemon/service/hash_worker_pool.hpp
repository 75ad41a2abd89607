// Backup-code hashing on a few worker threads, answered on the sd-event loop.
// Nothing but a batch's own inputs and outputs crosses threads: a worker takes a
// batch from the queue, hashes it and hands the hashes back with an eventfd; the
// callers' callbacks, the per-owner counts and everything they touch stay on the
// loop thread. The queue is bounded in all and per owner, so no caller can make
// otpd take on unbounded work.
#pragma once

#include <systemd/sd-event.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/hash_executor.hpp"
#include "sd_bus_handles.hpp"
#include "unique_fd.hpp"

namespace otpd {

struct HashPoolLimits {
  unsigned threads = 2;
  unsigned max_batches = 8;            // being hashed or waiting, in all
  unsigned max_batches_per_owner = 2;  // the same, for one user
};

class HashWorkerPool final : public HashExecutor {
 public:
  [[nodiscard]] static Expected<std::unique_ptr<HashWorkerPool>> start(sd_event* event,
                                                                       const HashPoolLimits& limits = {});
  HashWorkerPool(const HashWorkerPool&) = delete;
  HashWorkerPool& operator=(const HashWorkerPool&) = delete;
  // Stops the workers (a batch being hashed stops at its next code) and joins them;
  // waiting batches and their callbacks are dropped uncalled.
  ~HashWorkerPool() override;

  // Loop thread only.
  [[nodiscard]] HashAdmission submit(std::string_view owner, BackupCodeBatch batch, Done done) override;
  [[nodiscard]] std::size_t batches_in_flight() const { return callers_.size(); }

 private:
  struct Job {
    std::uint64_t id = 0;
    BackupCodeBatch batch;
  };
  struct Finished {
    std::uint64_t id = 0;
    Expected<std::vector<BackupCodeHash>> hashes;
  };
  struct Caller {
    std::string owner;
    Done done;
  };

  explicit HashWorkerPool(const HashPoolLimits& limits) : limits_(limits) {}
  [[nodiscard]] Expected<void> watch(sd_event* event);
  void work();
  void deliver_finished();
  static int on_finished(sd_event_source* source, int fd, std::uint32_t events, void* self) noexcept;

  HashPoolLimits limits_;
  UniqueFd finished_signal_;  // eventfd: a worker has put something in finished_
  SdEventSource finished_source_;

  // Loop thread only.
  std::unordered_map<std::uint64_t, Caller> callers_;
  std::unordered_map<std::string, unsigned> per_owner_;
  std::uint64_t next_id_ = 0;

  // Shared with the workers, under mutex_.
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<Job> queue_;
  std::vector<Finished> finished_;
  bool stopping_ = false;
  std::atomic<bool> stop_hashing_{false};  // read by a worker between two codes

  std::vector<std::thread> workers_;
};

}  // namespace otpd
