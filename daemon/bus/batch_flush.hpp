// Decides when queued work runs: once the event loop has nothing more urgent to do,
// so that what arrives meanwhile joins the same batch, and in any case no later than
// `max_delay` after the first request. The deadline is what keeps a busy API from
// starving the batch: an idle-priority source alone runs only when nothing else is
// pending.
#pragma once

#include <systemd/sd-event.h>

#include <chrono>
#include <functional>
#include <memory>

#include "core/error.hpp"
#include "sd_bus_handles.hpp"

namespace otpd {

class BatchFlush {
 public:
  [[nodiscard]] static Expected<std::unique_ptr<BatchFlush>> create(sd_event* event,
                                                                    std::chrono::microseconds max_delay,
                                                                    std::function<void()> flush);
  BatchFlush(const BatchFlush&) = delete;
  BatchFlush& operator=(const BatchFlush&) = delete;
  ~BatchFlush() = default;

  // Arms the flush unless it is armed already.
  [[nodiscard]] Expected<void> request();

 private:
  BatchFlush(std::chrono::microseconds max_delay, std::function<void()> flush)
      : max_delay_(max_delay), flush_(std::move(flush)) {}
  static int on_ready(sd_event_source* source, void* userdata) noexcept;
  static int on_deadline(sd_event_source* source, std::uint64_t usec, void* userdata) noexcept;
  void run() noexcept;

  std::chrono::microseconds max_delay_;
  std::function<void()> flush_;
  SdEventSource when_idle_;
  SdEventSource deadline_;
  bool armed_ = false;
};

}  // namespace otpd
