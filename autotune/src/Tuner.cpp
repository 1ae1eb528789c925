//===- Tuner.cpp - the tuning loop ----------------------------------------===//
//
// Defaults first (so a tuned config can always be compared with them), then
// the rest of the space in enumeration order until the budget runs out, with
// the configs precompiled ahead on other threads. A config that fails to
// compile, load or run is a failed trial, not an error.
//
//===----------------------------------------------------------------------===//
#include "tessel/autotune/Tuner.h"

#include "tessel/runtime/Timer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>

namespace tessel::tune {

namespace {

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

} // namespace

rt::Expected<Record> tune(TuneTarget &target, const rt::DeviceInfo &device,
                          CUstream stream, const TuneOptions &options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const ConfigSpace &space = target.space();
  std::vector<Pruned> pruned;
  std::vector<Config> configs = space.enumerate(deviceLimits(device), &pruned);
  Record record;
  record.key = target.key();
  record.defaults = space.defaults();
  // The defaults go first, whether or not the enumeration kept them.
  configs.erase(std::remove(configs.begin(), configs.end(), record.defaults),
                configs.end());
  configs.insert(configs.begin(), record.defaults);

  rt::TimingOptions timing = options.timing;
  if (timing.flushBytes == 0)
    timing.flushBytes = 2 * (size_t)std::max(device.l2Bytes, 1 << 20);

  // Compiling dominates a tuning run (hundreds of ms per config, mostly
  // ptxas): precompile every config on the CPU's threads, in the order they
  // will be timed, while the loop below prepares and times them. A compile
  // is started only when one as long as the longest so far ends within the
  // budget: one that ends after it would never be timed, and the run would
  // still wait for it (1-1.5 s over a 5 s budget for the NS lines' TMA
  // tiles); the timing loop stops at the first config not compiled.
  std::atomic<size_t> nextCompile{0};
  std::atomic<size_t> firstSkipped{SIZE_MAX};
  std::atomic<bool> stop{false};
  std::mutex compileMutex;
  double longestCompile = 0;
  std::vector<std::thread> compilers;
  unsigned threads = options.compileThreads
                         ? options.compileThreads
                         : std::max(1u, std::thread::hardware_concurrency());
  threads = (unsigned)std::min<size_t>(threads, configs.size());
  if (threads > 1)
    for (unsigned t = 0; t < threads; ++t)
      compilers.emplace_back([&] {
        for (size_t i; !stop && (i = nextCompile++) < configs.size();) {
          double longest;
          {
            std::lock_guard<std::mutex> lock(compileMutex);
            longest = longestCompile;
          }
          const double begun = elapsed();
          if (i > 0 && begun + longest > options.budgetSeconds) {
            // Later indices are refused too: keep the smallest.
            size_t seen = firstSkipped;
            while (i < seen && !firstSkipped.compare_exchange_weak(seen, i)) {
            }
            break;
          }
          target.precompile(configs[i]);
          std::lock_guard<std::mutex> lock(compileMutex);
          longestCompile = std::max(longestCompile, elapsed() - begun);
        }
      });
  struct Join {
    std::atomic<bool> &stop;
    std::vector<std::thread> &threads;
    ~Join() {
      stop = true;
      for (std::thread &t : threads)
        t.join();
    }
  } join{stop, compilers};

  TuneProgress progress;
  progress.total = (int)(configs.size() + pruned.size());
  progress.budgetSeconds = options.budgetSeconds;
  auto report = [&](const Trial &trial) {
    ++progress.done;
    progress.last = &trial;
    progress.elapsedSeconds = elapsed();
    if (options.progress)
      options.progress(progress);
  };
  for (const Pruned &p : pruned) {
    record.trials.push_back({p.config, std::nullopt, "pruned: " + p.reason});
    report(record.trials.back());
  }
  // A config is started only when one more like the last fits the budget,
  // so a slow shape stops before, not after, running out.
  double lastSeconds = 0;
  for (size_t i = 0; i < configs.size(); ++i) {
    const double begun = elapsed();
    if (i > 0 &&
        (begun + lastSeconds > options.budgetSeconds || i >= firstSkipped))
      break;
    Trial trial{configs[i], std::nullopt, ""};
    if (rt::Status s = target.prepare(configs[i]); !s.ok()) {
      trial.failure = s.message();
    } else {
      auto ms = options.measure
                    ? options.measure(target)
                    : rt::timeMedianMs(
                          [&](CUstream st) { return target.run(st); }, stream,
                          timing);
      if (ms)
        trial.ms = *ms;
      else
        trial.failure = ms.status().message();
    }
    if (i == 0)
      record.defaultMs = trial.ms;
    if (trial.ms && (!progress.bestMs || *trial.ms < *progress.bestMs)) {
      progress.bestMs = trial.ms;
      progress.best = trial.config;
    }
    record.trials.push_back(std::move(trial));
    lastSeconds = elapsed() - begun;
    report(record.trials.back());
  }
  if (!progress.bestMs)
    return rt::Status::error("tuning ", record.key.kernel, " ",
                             shapeString(record.key.shape),
                             ": no config ran; the defaults failed with: ",
                             record.trials[pruned.size()].failure);
  record.best = progress.best;
  record.bestMs = *progress.bestMs;
  record.updated = utcNow();
  return record;
}

} // namespace tessel::tune
