#include "bus/batch_flush.hpp"

#include <cstring>
#include <string>

namespace otpd {

Expected<std::unique_ptr<BatchFlush>> BatchFlush::create(sd_event* event, std::chrono::microseconds max_delay,
                                                         std::function<void()> flush) {
  std::unique_ptr<BatchFlush> self(new BatchFlush(max_delay, std::move(flush)));
  sd_event_source* raw = nullptr;
  if (int r = sd_event_add_defer(event, &raw, &BatchFlush::on_ready, self.get()); r < 0) {
    return fail(ErrorKind::system, std::string("cannot create the batch source: ") + std::strerror(-r));
  }
  self->when_idle_.reset(raw);
  if (int r = sd_event_source_set_priority(raw, SD_EVENT_PRIORITY_IDLE); r < 0) {
    return fail(ErrorKind::system, std::string("cannot set the batch priority: ") + std::strerror(-r));
  }
  if (int r = sd_event_source_set_enabled(raw, SD_EVENT_OFF); r < 0) {
    return fail(ErrorKind::system, std::string("cannot set up the batch source: ") + std::strerror(-r));
  }
  // Accuracy 1 µs: sd-event's default of 250 ms would make the bound meaningless.
  if (int r = sd_event_add_time(event, &raw, CLOCK_MONOTONIC, UINT64_MAX, 1, &BatchFlush::on_deadline, self.get());
      r < 0) {
    return fail(ErrorKind::system, std::string("cannot create the batch timer: ") + std::strerror(-r));
  }
  self->deadline_.reset(raw);
  if (int r = sd_event_source_set_enabled(raw, SD_EVENT_OFF); r < 0) {
    return fail(ErrorKind::system, std::string("cannot set up the batch timer: ") + std::strerror(-r));
  }
  return self;
}

Expected<void> BatchFlush::request() {
  if (armed_) return {};
  std::uint64_t now = 0;
  if (int r = sd_event_now(sd_event_source_get_event(deadline_.get()), CLOCK_MONOTONIC, &now); r < 0) {
    return fail(ErrorKind::system, std::string("cannot read the clock: ") + std::strerror(-r));
  }
  const auto deadline = now + static_cast<std::uint64_t>(max_delay_.count());
  if (int r = sd_event_source_set_time(deadline_.get(), deadline); r < 0) {
    return fail(ErrorKind::system, std::string("cannot set the batch timer: ") + std::strerror(-r));
  }
  if (int r = sd_event_source_set_enabled(deadline_.get(), SD_EVENT_ONESHOT); r < 0) {
    return fail(ErrorKind::system, std::string("cannot arm the batch timer: ") + std::strerror(-r));
  }
  if (int r = sd_event_source_set_enabled(when_idle_.get(), SD_EVENT_ONESHOT); r < 0) {
    // Left armed, the timer runs one flush with nothing queued: harmless.
    (void)sd_event_source_set_enabled(deadline_.get(), SD_EVENT_OFF);
    return fail(ErrorKind::system, std::string("cannot arm the batch source: ") + std::strerror(-r));
  }
  armed_ = true;
  return {};
}

int BatchFlush::on_ready(sd_event_source*, void* userdata) noexcept {
  static_cast<BatchFlush*>(userdata)->run();
  return 0;
}

int BatchFlush::on_deadline(sd_event_source*, std::uint64_t, void* userdata) noexcept {
  static_cast<BatchFlush*>(userdata)->run();
  return 0;
}

void BatchFlush::run() noexcept {
  // One of the two fired (a oneshot turns itself off); the other, left on, would run
  // one flush too many, with nothing queued or with the next batch early: harmless.
  (void)sd_event_source_set_enabled(when_idle_.get(), SD_EVENT_OFF);
  (void)sd_event_source_set_enabled(deadline_.get(), SD_EVENT_OFF);
  armed_ = false;
  try {
    flush_();
  } catch (...) {
    // flush_ answers its own callers; nothing may cross back into sd-event.
  }
}

}  // namespace otpd
