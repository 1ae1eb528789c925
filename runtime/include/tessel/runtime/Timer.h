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

#include <functional>
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

/// How timeMedianMs measures.
struct TimingOptions {
  /// Untimed runs first (caches, clocks, lazy module loading).
  int warmup = 3;
  /// Timed runs; the result is their median.
  int reps = 10;
  /// Bytes written between runs so each starts with a cold L2 (0: none).
  /// 2x the L2 size evicts it on every NVIDIA GPU so far.
  std::size_t flushBytes = 0;
};

/// The median milliseconds of `opts.reps` runs of `work` on `stream`, each
/// between its own pair of events, after `opts.warmup` untimed runs; with
/// `flushBytes`, a scratch buffer that large is overwritten on the stream
/// before each run (outside the events). Fails with the first error `work`
/// or the driver reports.
Expected<double> timeMedianMs(const std::function<Status(CUstream)> &work,
                              CUstream stream, const TimingOptions &opts);

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_TIMER_H
