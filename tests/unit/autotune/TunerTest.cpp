//===- TunerTest.cpp - the tuning loop with a fake target and clock -------===//
//
// No GPU: the target's prepare() and a measure hook stand in for compiling
// and timing, so the loop's rules are checked exactly: defaults first,
// constraint rejections and failures recorded (never fatal), the fastest
// timed config wins, the budget stops it.
//
//===----------------------------------------------------------------------===//
#include "tessel/autotune/Tuner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace tessel;
using namespace tessel::tune;

namespace {

/// BLOCK in {32, 64, 128} x num_warps in {4, 8}; time = |BLOCK - 64| + warps
/// (so 64/w4 is fastest); BLOCK=128,num_warps=8 fails to "compile".
class FakeTarget : public TuneTarget {
public:
  explicit FakeTarget(std::string name = "fake") : name_(std::move(name)) {
    space_.knobs = {{"BLOCK", 32, {32, 64, 128}}, {"num_warps", 8, {4, 8}}};
    auto c = Constraint::parse("BLOCK * num_warps <= SMEM");
    EXPECT_TRUE(c);
    space_.constraints.push_back(*c);
  }
  ProblemKey key() const override {
    return {name_, "0123", "bf16", "rowmajor", {1, 256, 256}};
  }
  const ConfigSpace &space() const override { return space_; }
  rt::Status prepare(const Config &config) override {
    prepared.push_back(config);
    {
      std::lock_guard<std::mutex> lock(mutex);
      bool ahead = std::count(precompiled.begin(), precompiled.end(), config);
      preparedAfterCompile.push_back(ahead);
      if (log)
        log->push_back(name_ + " " + configString(config));
    }
    current = config;
    if (config.at("BLOCK") == 128 && config.at("num_warps") == 8)
      return rt::Status::error("compile failed: too many registers");
    return rt::Status::success();
  }
  rt::Status run(CUstream) override { return rt::Status::success(); }
  void precompile(const Config &config) override {
    std::this_thread::sleep_for(compileTime);
    std::lock_guard<std::mutex> lock(mutex);
    precompiled.push_back(config);
    changed.notify_all();
  }
  std::string compileId(const Config &config) const override {
    return sharedCompiles ? configString(config) : "";
  }
  /// compileId names the config alone, so fakes share their compiles.
  bool sharedCompiles = false;
  /// Where prepare() appends "NAME CONFIG" (tests of several targets).
  std::vector<std::string> *log = nullptr;
  /// Per prepare(): whether its config had been precompiled by then.
  std::vector<bool> preparedAfterCompile;
  /// How long a precompile takes (0: instant).
  std::chrono::milliseconds compileTime{0};
  /// Waits (up to 5 s) until `config` was precompiled.
  bool waitForPrecompiled(const Config &config) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] {
      return std::count(precompiled.begin(), precompiled.end(), config) > 0;
    });
  }
  /// Waits (up to 5 s) until `count` configs were precompiled.
  bool waitForPrecompiled(size_t count) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5),
                            [&] { return precompiled.size() >= count; });
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Config> precompiled;
  double fakeMs() const {
    return std::abs(current.at("BLOCK") - 64) + current.at("num_warps");
  }
  std::vector<Config> prepared;
  Config current;

private:
  std::string name_;
  ConfigSpace space_;
};

rt::DeviceInfo device(int smem) {
  rt::DeviceInfo d;
  d.name = "Fake GPU";
  d.ccMajor = 9;
  d.smCount = 132;
  d.maxSharedPerBlockOptin = smem;
  d.l2Bytes = 50 << 20;
  return d;
}

TuneOptions fakeClock(FakeTarget &t) {
  TuneOptions o;
  o.measure = [&t](TuneTarget &) -> rt::Expected<double> { return t.fakeMs(); };
  return o;
}

TEST(Tuner, DefaultsFirstFailuresRecordedFastestWins) {
  FakeTarget t;
  TuneOptions o = fakeClock(t);
  std::vector<int> seen;
  o.progress = [&](const TuneProgress &p) { seen.push_back(p.done); };
  auto r = tessel::tune::tune(t, device(1 << 20), nullptr, o);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_FALSE(t.prepared.empty());
  EXPECT_EQ(t.prepared.front(), (Config{{"BLOCK", 32}, {"num_warps", 8}}));
  EXPECT_EQ(t.prepared.size(), 6u);
  EXPECT_EQ(r->best, (Config{{"BLOCK", 64}, {"num_warps", 4}}));
  EXPECT_DOUBLE_EQ(r->bestMs, 4.0);
  ASSERT_TRUE(r->defaultMs.has_value());
  EXPECT_DOUBLE_EQ(*r->defaultMs, 32.0 + 8.0);
  EXPECT_EQ(r->trials.size(), 6u);
  int failed = 0;
  for (const Trial &trial : r->trials)
    if (!trial.ms) {
      ++failed;
      EXPECT_NE(trial.failure.find("too many registers"), std::string::npos);
    }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(r->key.kernel, "fake");
  EXPECT_FALSE(r->updated.empty());
}

TEST(Tuner, ConfigsArePrecompiledOnOtherThreads) {
  FakeTarget t;
  TuneOptions o = fakeClock(t);
  o.compileThreads = 4;
  // The first timing waits until all six configs were compiled: that can
  // only happen on other threads, ahead of the loop (deterministically; a
  // serial tuner would time out here).
  o.measure = [&t](TuneTarget &) -> rt::Expected<double> {
    if (!t.waitForPrecompiled(6))
      return rt::Status::error("configs were not precompiled ahead");
    return t.fakeMs();
  };
  auto r = tessel::tune::tune(t, device(1 << 20), nullptr, o);
  ASSERT_TRUE(r) << r.status().message();
  std::vector<Config> expected = t.prepared, got = t.precompiled;
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected); // each timed config compiled ahead, once

  FakeTarget serial;
  TuneOptions one = fakeClock(serial);
  one.compileThreads = 1;
  ASSERT_TRUE(tessel::tune::tune(serial, device(1 << 20), nullptr, one));
  EXPECT_TRUE(serial.precompiled.empty());
}

TEST(Tuner, ConstraintRejectionsAreRecordedNotTried) {
  FakeTarget t;
  // SMEM 300: BLOCK * num_warps <= 300 keeps 32x4, 32x8, 64x4 only.
  auto r = tessel::tune::tune(t, device(300), nullptr, fakeClock(t));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(t.prepared.size(), 3u);
  int pruned = 0;
  for (const Trial &trial : r->trials)
    if (trial.failure.rfind("pruned: ", 0) == 0) {
      ++pruned;
      EXPECT_NE(trial.failure.find("BLOCK * num_warps <= SMEM"),
                std::string::npos);
    }
  EXPECT_EQ(pruned, 3);
  EXPECT_EQ(r->best, (Config{{"BLOCK", 64}, {"num_warps", 4}}));
}

TEST(Tuner, BudgetStopsAfterTheDefaults) {
  FakeTarget t;
  TuneOptions o = fakeClock(t);
  o.budgetSeconds = 0.01;
  o.measure = [&t](TuneTarget &) -> rt::Expected<double> {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return t.fakeMs();
  };
  auto r = tessel::tune::tune(t, device(1 << 20), nullptr, o);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(t.prepared.size(), 1u); // the defaults only
  EXPECT_EQ(r->best, r->defaults);
}

// Compiles take 200 ms on two threads and a timing waits for its config's
// compile, under a 0.5 s budget: configs 0-3 compile by 0.4 s; a fifth
// compile would end after the budget, so it is not started and the run
// ends at ~0.4 s instead of waiting for compiles that could never be
// timed (without the rule: ~0.6 s, two compiles past the budget).
TEST(Tuner, CompilesThatCannotFinishInTheBudgetAreNotStarted) {
  FakeTarget t;
  t.compileTime = std::chrono::milliseconds(200);
  TuneOptions o = fakeClock(t);
  o.compileThreads = 2;
  o.budgetSeconds = 0.5;
  o.measure = [&t](TuneTarget &) -> rt::Expected<double> {
    if (!t.waitForPrecompiled(t.current))
      return rt::Status::error("timed a config that was never compiled");
    return t.fakeMs();
  };
  const auto start = std::chrono::steady_clock::now();
  auto r = tessel::tune::tune(t, device(1 << 20), nullptr, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_LT(seconds, o.budgetSeconds + 0.08);
  // Each timed config was compiled ahead (measure checks it); the timing
  // loop may stop before the last compiled one (its own rule: one more
  // timing like the last must fit).
  EXPECT_GE(t.precompiled.size(), t.prepared.size());
  EXPECT_LE(t.precompiled.size(), 4u);
  EXPECT_GE(t.prepared.size(), 2u);
  EXPECT_LT(t.prepared.size(), 6u);
  for (const Trial &trial : r->trials)
    EXPECT_TRUE(trial.failure.empty()) << trial.failure;
}

// Three targets under one budget: round 0 holds every target's defaults,
// then each round the next config of each target in turn.
TEST(TuneAll, DefaultsFirstThenTheTargetsInTurn) {
  std::vector<std::string> log;
  FakeTarget a("a"), b("b"), c("c");
  std::vector<FakeTarget *> fakes{&a, &b, &c};
  for (FakeTarget *f : fakes)
    f->log = &log;
  TuneOptions o;
  o.compileThreads = 1;
  o.measure = [](TuneTarget &t) -> rt::Expected<double> {
    return static_cast<FakeTarget &>(t).fakeMs();
  };
  std::vector<int> targetsSeen;
  o.progress = [&](const TuneProgress &p) {
    targetsSeen.push_back((int)p.target);
  };
  auto r = tuneAll({&a, &b, &c}, device(1 << 20), nullptr, o);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(log.size(), 18u);
  const std::string defaults = configString(a.space().defaults());
  EXPECT_EQ(log[0], "a " + defaults);
  EXPECT_EQ(log[1], "b " + defaults);
  EXPECT_EQ(log[2], "c " + defaults);
  for (size_t k = 3; k < log.size(); ++k) {
    const char *names[] = {"a ", "b ", "c "};
    EXPECT_EQ(log[k].substr(0, 2), names[k % 3]) << k;
    EXPECT_EQ(log[k].substr(2), log[k - k % 3].substr(2)) << k;
  }
  ASSERT_EQ(r->size(), 3u);
  for (size_t t = 0; t < 3; ++t) {
    const Record &record = (*r)[t];
    EXPECT_EQ(record.key.kernel, std::string(1, char('a' + t)));
    EXPECT_EQ(record.best, (Config{{"BLOCK", 64}, {"num_warps", 4}}));
    ASSERT_TRUE(record.defaultMs.has_value());
    EXPECT_DOUBLE_EQ(*record.defaultMs, 40.0);
    EXPECT_EQ(record.trials.size(), 6u);
  }
  EXPECT_EQ(targetsSeen.size(), 18u);
  EXPECT_EQ(targetsSeen[0], 0);
  EXPECT_EQ(targetsSeen[1], 1);
  EXPECT_EQ(targetsSeen[2], 2);
}

// Two targets whose configs share compiles (as NS lines 1 and 2, one
// kernel file): each config is compiled once and timed for both.
TEST(TuneAll, CompilesSharedByTargetsRunOnce) {
  FakeTarget a("a"), b("b");
  a.sharedCompiles = b.sharedCompiles = true;
  a.compileTime = b.compileTime = std::chrono::milliseconds(5);
  TuneOptions o;
  o.compileThreads = 4;
  o.measure = [](TuneTarget &t) -> rt::Expected<double> {
    return static_cast<FakeTarget &>(t).fakeMs();
  };
  auto r = tuneAll({&a, &b}, device(1 << 20), nullptr, o);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(a.prepared.size(), 6u);
  EXPECT_EQ(b.prepared.size(), 6u);
  std::vector<Config> compiled = a.precompiled;
  compiled.insert(compiled.end(), b.precompiled.begin(), b.precompiled.end());
  EXPECT_EQ(compiled.size(), 6u); // not 12
  std::sort(compiled.begin(), compiled.end());
  EXPECT_EQ(std::unique(compiled.begin(), compiled.end()), compiled.end());
}

// A config being compiled ahead is waited for, never compiled again by the
// timing loop: every prepare() finds its config precompiled (the defaults'
// too, whose compile starts with the run).
TEST(TuneAll, TimingWaitsForTheCompileInFlight) {
  FakeTarget t;
  t.compileTime = std::chrono::milliseconds(50);
  TuneOptions o = fakeClock(t);
  o.compileThreads = 2;
  auto r = tessel::tune::tune(t, device(1 << 20), nullptr, o);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(t.prepared.size(), 6u);
  for (size_t i = 0; i < t.preparedAfterCompile.size(); ++i)
    EXPECT_TRUE(t.preparedAfterCompile[i])
        << configString(t.prepared[i]) << " was prepared before its compile";
}

// Three targets, 200 ms compiles on two threads, 0.5 s for all of them:
// the three defaults (always compiled) and one more config fit; tuned one
// after another with 0.5 s each it would take ~1.2 s.
TEST(TuneAll, OneBudgetForAllTargets) {
  FakeTarget a("a"), b("b"), c("c");
  std::vector<FakeTarget *> fakes{&a, &b, &c};
  for (FakeTarget *f : fakes)
    f->compileTime = std::chrono::milliseconds(200);
  TuneOptions o;
  o.compileThreads = 2;
  o.budgetSeconds = 0.5;
  o.measure = [](TuneTarget &t) -> rt::Expected<double> {
    return static_cast<FakeTarget &>(t).fakeMs();
  };
  const auto start = std::chrono::steady_clock::now();
  auto r = tuneAll({&a, &b, &c}, device(1 << 20), nullptr, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_LT(seconds, o.budgetSeconds + 0.08);
  size_t timed = 0;
  for (FakeTarget *f : fakes) {
    ASSERT_FALSE(f->prepared.empty());
    EXPECT_EQ(f->prepared.front(), f->space().defaults());
    timed += f->prepared.size();
  }
  EXPECT_GE(timed, 3u);
  EXPECT_LE(timed, 4u);
  for (const Record &record : *r)
    EXPECT_TRUE(record.defaultMs.has_value());
}

// Timings of 100 ms (a) and 10 ms (b) under 0.25 s: each next timing is
// estimated from its own target's last one, so b's configs still fit after
// a's stop fitting, and none of a's overruns the budget (estimated from
// b's last 10 ms, a third timing of a would end at ~0.32 s).
TEST(TuneAll, EachTargetsNextTimingIsEstimatedFromItsOwn) {
  FakeTarget a("a"), b("b");
  TuneOptions o;
  o.compileThreads = 1;
  o.budgetSeconds = 0.25;
  o.measure = [&a](TuneTarget &t) -> rt::Expected<double> {
    std::this_thread::sleep_for(std::chrono::milliseconds(&t == &a ? 100 : 10));
    return static_cast<FakeTarget &>(t).fakeMs();
  };
  const auto start = std::chrono::steady_clock::now();
  auto r = tuneAll({&a, &b}, device(1 << 20), nullptr, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_LT(seconds, o.budgetSeconds + 0.04);
  EXPECT_EQ(a.prepared.size(), 2u);
  EXPECT_GE(b.prepared.size(), 3u);
}

TEST(Tuner, NothingRanIsAnError) {
  FakeTarget t;
  TuneOptions o = fakeClock(t);
  o.measure = [](TuneTarget &) -> rt::Expected<double> {
    return rt::Status::error("launch failed: out of resources");
  };
  auto r = tessel::tune::tune(t, device(1 << 20), nullptr, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("out of resources"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("fake 1x256x256"), std::string::npos)
      << r.status().message();
}

} // namespace
