//===- Tuner.cpp - the tuning loop ----------------------------------------===//
//
// One queue per run: every target's defaults (so a tuned config can always
// be compared with them), then the targets' other configs taken in turn,
// compiled ahead on other threads and timed in queue order until the
// budget runs out. A config that fails to compile, load or run is a failed
// trial, not an error.
//
//===----------------------------------------------------------------------===//
#include "tessel/autotune/Tuner.h"

#include "tessel/runtime/Timer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <map>
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

/// One compile of the queue, shared by the configs with its compileId.
struct Job {
  TuneTarget *target;
  Config config;
  enum class State { Queued, Done, Skipped } state = State::Queued;
};

/// One config of one target, in timing order, and the compile it needs.
struct Item {
  size_t target;
  Config config;
  size_t job;
};

/// How much longer than the longest so far a compile is assumed to take:
/// compiles run side by side vary by ~10% (H100 host, NS TMA tiles), and
/// the run waits for every compile it started.
constexpr double kCompileSlack = 1.1;

/// Compiling dominates a tuning run (hundreds of ms per config, mostly
/// ptxas): the jobs are compiled on the CPU's threads in queue order while
/// the timing loop times the ones already done. A job after the first
/// `always` is started only when one as long as the longest compile so far
/// (with kCompileSlack) ends within the budget: one that ends later would never
/// be timed, and the run would still wait for it (1-1.5 s over a 5 s budget for
/// the NS lines' TMA tiles). Every job ends Done or Skipped, so the timing loop
/// can wait on any of them (and never compiles one a thread is compiling).
class CompileAhead {
public:
  CompileAhead(std::vector<Job> &jobs, size_t always, double budgetSeconds,
               std::function<double()> elapsed, unsigned threads)
      : jobs_(jobs), always_(always), budget_(budgetSeconds),
        elapsed_(std::move(elapsed)) {
    for (unsigned t = 0; t < threads; ++t)
      threads_.emplace_back([this] { work(); });
  }
  ~CompileAhead() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    for (std::thread &t : threads_)
      t.join();
  }
  /// Waits until job `j` is compiled (true) or will not be (false).
  bool wait(size_t j) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return jobs_[j].state != Job::State::Queued; });
    return jobs_[j].state == Job::State::Done;
  }

private:
  void work() {
    for (;;) {
      size_t j;
      double begun;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_ || next_ >= jobs_.size())
          return;
        j = next_++;
        begun = elapsed_();
        // Once one is refused the rest are too (they are no shorter), so
        // the timing loop never waits on a job left queued.
        if (closed_ ||
            (j >= always_ && begun + kCompileSlack * longest_ > budget_)) {
          closed_ = true;
          jobs_[j].state = Job::State::Skipped;
          changed_.notify_all();
          continue;
        }
      }
      jobs_[j].target->precompile(jobs_[j].config);
      std::lock_guard<std::mutex> lock(mutex_);
      longest_ = std::max(longest_, elapsed_() - begun);
      jobs_[j].state = Job::State::Done;
      changed_.notify_all();
    }
  }

  std::vector<Job> &jobs_;
  const size_t always_;
  const double budget_;
  std::function<double()> elapsed_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t next_ = 0;
  bool closed_ = false, stop_ = false;
  double longest_ = 0;
  std::vector<std::thread> threads_;
};

} // namespace

rt::Expected<std::vector<Record>>
tuneAll(const std::vector<TuneTarget *> &targets, const rt::DeviceInfo &device,
        CUstream stream, const TuneOptions &options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto elapsed = [start] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const size_t n = targets.size();
  std::vector<Record> records(n);
  std::vector<std::vector<Pruned>> pruned(n);
  std::vector<std::vector<Config>> configs(n);
  for (size_t t = 0; t < n; ++t) {
    const ConfigSpace &space = targets[t]->space();
    configs[t] = space.enumerate(deviceLimits(device), &pruned[t]);
    records[t].key = targets[t]->key();
    records[t].defaults = space.defaults();
    // The defaults go first, whether or not the enumeration kept them.
    std::vector<Config> &c = configs[t];
    c.erase(std::remove(c.begin(), c.end(), records[t].defaults), c.end());
    c.insert(c.begin(), records[t].defaults);
  }

  // The queue: round r holds the r-th config of every target that has one
  // (round 0: the defaults), each naming its compile job.
  std::vector<Item> items;
  std::vector<Job> jobs;
  std::map<std::string, size_t> jobOf;
  size_t alwaysJobs = 0;
  for (size_t r = 0, rounds = 1; r < rounds; ++r) {
    for (size_t t = 0; t < n; ++t) {
      rounds = std::max(rounds, configs[t].size());
      if (r >= configs[t].size())
        continue;
      const Config &config = configs[t][r];
      std::string id = targets[t]->compileId(config);
      auto found = id.empty() ? jobOf.end() : jobOf.find(id);
      size_t job = found != jobOf.end() ? found->second : jobs.size();
      if (job == jobs.size()) {
        jobs.push_back({targets[t], config});
        if (!id.empty())
          jobOf[id] = job;
      }
      items.push_back({t, config, job});
    }
    if (r == 0)
      alwaysJobs = jobs.size();
  }

  rt::TimingOptions timing = options.timing;
  if (timing.flushBytes == 0)
    timing.flushBytes = 2 * (size_t)std::max(device.l2Bytes, 1 << 20);
  unsigned threads = options.compileThreads
                         ? options.compileThreads
                         : std::max(1u, std::thread::hardware_concurrency());
  threads = (unsigned)std::min<size_t>(threads, jobs.size());
  std::optional<CompileAhead> ahead;
  if (threads > 1)
    ahead.emplace(jobs, alwaysJobs, options.budgetSeconds, elapsed, threads);

  std::vector<TuneProgress> progress(n);
  auto report = [&](size_t t, const Trial &trial) {
    TuneProgress &p = progress[t];
    p.target = t;
    ++p.done;
    p.last = &trial;
    p.elapsedSeconds = elapsed();
    p.budgetSeconds = options.budgetSeconds;
    if (options.progress)
      options.progress(p);
  };
  for (size_t t = 0; t < n; ++t) {
    progress[t].total = (int)(configs[t].size() + pruned[t].size());
    for (const Pruned &p : pruned[t]) {
      records[t].trials.push_back(
          {p.config, std::nullopt, "pruned: " + p.reason});
      report(t, records[t].trials.back());
    }
  }
  // A config is timed only when one more timing like its target's last
  // fits the budget, so a slow shape stops before, not after, running out.
  // The targets' timings differ (NS line 3 at 8192^2 runs twice as long as
  // line 1): a shorter target's configs may still fit after a longer one's
  // do not.
  std::vector<double> lastSeconds(n, 0.0);
  auto fits = [&](size_t k) {
    return k < n ||
           elapsed() + lastSeconds[items[k].target] <= options.budgetSeconds;
  };
  for (size_t k = 0; k < items.size(); ++k) {
    const Item &item = items[k];
    const bool isDefault = k < n;
    if (!fits(k) || (ahead && !ahead->wait(item.job)) || !fits(k))
      continue; // out of time, or not compiled within the budget
    const double begun = elapsed();
    TuneTarget &target = *targets[item.target];
    Trial trial{item.config, std::nullopt, ""};
    if (rt::Status s = target.prepare(item.config); !s.ok()) {
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
    Record &record = records[item.target];
    TuneProgress &p = progress[item.target];
    if (isDefault)
      record.defaultMs = trial.ms;
    if (trial.ms && (!p.bestMs || *trial.ms < *p.bestMs)) {
      p.bestMs = trial.ms;
      p.best = trial.config;
    }
    record.trials.push_back(std::move(trial));
    lastSeconds[item.target] = elapsed() - begun;
    report(item.target, record.trials.back());
  }
  ahead.reset(); // joins the compile threads
  const std::string updated = utcNow();
  for (size_t t = 0; t < n; ++t) {
    Record &record = records[t];
    if (!progress[t].bestMs)
      return rt::Status::error("tuning ", record.key.kernel, " ",
                               shapeString(record.key.shape),
                               ": no config ran; the defaults failed with: ",
                               record.trials[pruned[t].size()].failure);
    record.best = progress[t].best;
    record.bestMs = *progress[t].bestMs;
    record.updated = updated;
  }
  return records;
}

rt::Expected<Record> tune(TuneTarget &target, const rt::DeviceInfo &device,
                          CUstream stream, const TuneOptions &options) {
  auto records = tuneAll({&target}, device, stream, options);
  if (!records)
    return records.status();
  return std::move(records->front());
}

} // namespace tessel::tune
