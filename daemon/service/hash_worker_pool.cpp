#include "service/hash_worker_pool.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace otpd {

Expected<std::unique_ptr<HashWorkerPool>> HashWorkerPool::start(sd_event* event, const HashPoolLimits& limits) {
  std::unique_ptr<HashWorkerPool> pool(new HashWorkerPool(limits));
  if (auto ok = pool->watch(event); !ok) return tl::unexpected(ok.error());
  try {
    for (unsigned i = 0; i < limits.threads; ++i) pool->workers_.emplace_back([raw = pool.get()] { raw->work(); });
  } catch (const std::system_error& e) {
    return fail(ErrorKind::system, std::string("cannot start a hashing thread: ") + e.what());
  }
  return pool;
}

Expected<void> HashWorkerPool::watch(sd_event* event) {
  finished_signal_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!finished_signal_.valid()) {
    return fail(ErrorKind::system, std::string("cannot create an eventfd: ") + std::strerror(errno));
  }
  sd_event_source* raw = nullptr;
  if (int r = sd_event_add_io(event, &raw, finished_signal_.get(), EPOLLIN, &HashWorkerPool::on_finished, this);
      r < 0) {
    return fail(ErrorKind::system, std::string("cannot watch the hashing threads: ") + std::strerror(-r));
  }
  finished_source_.reset(raw);
  return {};
}

HashWorkerPool::~HashWorkerPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  stop_hashing_.store(true, std::memory_order_relaxed);
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
  // Whatever finished meanwhile and every caller's callback go uncalled: the loop
  // has ended, and what they would have written never was.
  finished_source_.reset();
}

HashAdmission HashWorkerPool::submit(std::string_view owner, BackupCodeBatch batch, Done done) {
  if (callers_.size() >= limits_.max_batches) return HashAdmission::all_busy;
  const std::string key(owner);
  auto count = per_owner_.find(key);
  if (count != per_owner_.end() && count->second >= limits_.max_batches_per_owner) {
    return HashAdmission::owner_busy;
  }
  const std::uint64_t id = ++next_id_;
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(Job{id, std::move(batch)});
  }
  callers_.emplace(id, Caller{key, std::move(done)});
  ++per_owner_[key];
  work_ready_.notify_one();
  return HashAdmission::accepted;
}

void HashWorkerPool::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    auto hashes = hash_backup_code_batch(job.batch, &stop_hashing_);
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
      finished_.push_back(Finished{job.id, std::move(hashes)});
    }
    const std::uint64_t one = 1;
    (void)!::write(finished_signal_.get(), &one, sizeof(one));
  }
}

void HashWorkerPool::deliver_finished() {
  std::uint64_t count = 0;
  (void)!::read(finished_signal_.get(), &count, sizeof(count));
  std::vector<Finished> finished;
  {
    const std::lock_guard lock(mutex_);
    finished.swap(finished_);
  }
  for (auto& result : finished) {
    auto caller = callers_.extract(result.id);
    if (caller.empty()) continue;
    const auto owned = per_owner_.find(caller.mapped().owner);
    if (owned != per_owner_.end() && --owned->second == 0) per_owner_.erase(owned);
    try {
      caller.mapped().done(std::move(result.hashes));
    } catch (...) {
      // A callback answers its own caller; nothing may cross back into sd-event.
    }
  }
}

int HashWorkerPool::on_finished(sd_event_source*, int, std::uint32_t, void* self) noexcept {
  static_cast<HashWorkerPool*>(self)->deliver_finished();
  return 0;
}

}  // namespace otpd
