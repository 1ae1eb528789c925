//===- Tuner.h - time every config of a kernel on one problem ---*- C++ -*-===//
//
// The tuning loop, independent of how a config is compiled: the caller's
// TuneTarget prepares (compiles, loads, checks) a config and queues one run
// of it on scratch buffers; the tuner enumerates the config space under the
// device's limits, times each config (CUDA events, warm-up, median, L2
// flushed), records failures instead of stopping, keeps to a time budget and
// reports progress after each config.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_AUTOTUNE_TUNER_H
#define TESSEL_AUTOTUNE_TUNER_H

#include "tessel/autotune/ConfigSpace.h"
#include "tessel/autotune/TuneDB.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Timer.h"
#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <functional>
#include <optional>
#include <string>

namespace tessel::tune {

/// One kernel on one problem, as the tuner drives it. Runs must only touch
/// the target's own scratch buffers, so tuning never changes user data.
class TuneTarget {
public:
  virtual ~TuneTarget() = default;
  /// What the results are recorded under.
  virtual ProblemKey key() const = 0;
  /// The knobs and constraints.
  virtual const ConfigSpace &space() const = 0;
  /// Compiles and loads `config` and checks that it fits the device; the
  /// message of a failure is recorded as the trial's failure.
  virtual rt::Status prepare(const Config &config) = 0;
  /// Queues one run of the prepared config on `stream`.
  virtual rt::Status run(CUstream stream) = 0;
  /// Does the CPU-only part of prepare() ahead of time (compiling), so the
  /// tuner can overlap it across configs on several threads; called
  /// concurrently for different configs. Failures are ignored here:
  /// prepare() meets them again and records them. Default: nothing.
  virtual void precompile(const Config &config) { (void)config; }
};

/// Where the tuner is, after each config.
struct TuneProgress {
  int done = 0;              ///< configs tried (or pruned) so far
  int total = 0;             ///< configs after the constraints
  const Trial *last = nullptr;
  std::optional<double> bestMs;
  Config best;
  double elapsedSeconds = 0;
  double budgetSeconds = 0;
};

struct TuneOptions {
  /// Wall-clock budget; a config is not started when one more taking as
  /// long as the previous one would pass it (the defaults always run, first).
  double budgetSeconds = 5.0;
  /// Timing of each config (warm-up, repetitions, L2 flush size; a zero
  /// flush size is replaced by twice the device's L2).
  rt::TimingOptions timing;
  /// How a prepared config is timed; empty: rt::timeMedianMs of
  /// target.run() with `timing` on the stream. (Tests put a fake clock here.)
  std::function<rt::Expected<double>(TuneTarget &)> measure;
  /// Threads that precompile configs while the GPU times others; 0: one per
  /// hardware thread (at most the number of configs), 1: none ahead.
  unsigned compileThreads = 0;
  /// Called after each config (e.g. a progress bar).
  std::function<void(const TuneProgress &)> progress;
};

/// Tunes `target` on `device` (whose context is current) and returns the
/// record: every config tried with its time or failure, the constraints'
/// rejections as failures ("pruned: ..."), the defaults' time, the best.
/// Fails only when nothing could be timed at all (every config failed),
/// with the defaults' failure as the reason.
rt::Expected<Record> tune(TuneTarget &target, const rt::DeviceInfo &device,
                          CUstream stream, const TuneOptions &options);

} // namespace tessel::tune

#endif // TESSEL_AUTOTUNE_TUNER_H
