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
  /// What names the compile of `config` across targets: configs of two
  /// targets (tuned together by tuneAll) with the same non-empty id are
  /// compiled once (the NS lines 1 and 2 are one kernel, launched on
  /// different operands). Default: "" (this target's own compile).
  virtual std::string compileId(const Config &config) const {
    (void)config;
    return "";
  }
};

/// Where the tuner is, after each config.
struct TuneProgress {
  /// Which of tuneAll's targets `last` belongs to; done, total and best are
  /// that target's, elapsed and budget the whole run's.
  size_t target = 0;
  int done = 0;              ///< configs tried (or pruned) so far
  int total = 0;             ///< configs after the constraints
  const Trial *last = nullptr;
  std::optional<double> bestMs;
  Config best;
  double elapsedSeconds = 0;
  double budgetSeconds = 0;
};

struct TuneOptions {
  /// Wall-clock budget of the whole run (all of tuneAll's targets): a config
  /// is not compiled when a compile as long as the longest so far would end
  /// after it, nor timed when one more timing like the last would (the
  /// defaults are always compiled and timed, first).
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

/// Tunes several targets under one budget (the three lines of an NS shape)
/// and returns one record per target, in order. One queue: every target's
/// defaults, then the targets' other configs taken in turn; compiled ahead
/// on the CPU's threads in that order (a compileId shared by several
/// targets once) and timed in that order as each compile ends, so the
/// budget is shared, not split, and no line waits for another's compiles.
/// Fails when some target has nothing timed (as tune()).
rt::Expected<std::vector<Record>>
tuneAll(const std::vector<TuneTarget *> &targets, const rt::DeviceInfo &device,
        CUstream stream, const TuneOptions &options);

} // namespace tessel::tune

#endif // TESSEL_AUTOTUNE_TUNER_H
