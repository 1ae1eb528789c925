//===- Timer.h - GPU timing with CUDA events --------------------*- C++ -*-===//
//
// What benchmarks and the autotuner time kernels with: a pair of CUDA events
// around the work on a stream, and the median of many such samples.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_TIMER_H
#define TESSEL_RUNTIME_TIMER_H

#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <vector>

namespace tessel::rt {

/// The median of `samples` (the mean of the middle two for an even count);
/// NaN for none. The median, not the mean, so one preempted run does not
/// move the result.
double median(std::vector<double> samples);

/// Times GPU work on a stream: start(), queue the work, stop(), then
/// elapsedMs() waits for the stop event and returns the time between the
/// two events. Reusable; move-only.
class EventTimer {
public:
  /// Creates the two events in the current context.
  static Expected<EventTimer> create();

  EventTimer() = default;
  EventTimer(EventTimer &&other) noexcept;
  EventTimer &operator=(EventTimer &&other) noexcept;
  EventTimer(const EventTimer &) = delete;
  EventTimer &operator=(const EventTimer &) = delete;
  ~EventTimer();

  /// Records the start event on `stream`.
  Status start(CUstream stream);
  /// Records the stop event on `stream`.
  Status stop(CUstream stream);
  /// Waits for the stop event; milliseconds from start to stop.
  Expected<double> elapsedMs() const;

private:
  void destroy();

  CUevent start_ = nullptr;
  CUevent stop_ = nullptr;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_TIMER_H
