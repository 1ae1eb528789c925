//===- StageTimes.h - wall time of each compile stage ----------*- C++ -*-===//
//
// What one compile spent where (parse, specialize, ..., codegen), so a slow
// cold compile can be read off `tessel compile --time` instead of a profiler.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_STAGETIMES_H
#define TESSEL_TARGET_STAGETIMES_H

#include <chrono>
#include <string>
#include <vector>

namespace tessel {

/// One compile stage and the milliseconds it took.
struct StageTime {
  std::string stage;
  double ms = 0;
};

/// Appends a StageTime per lap() to `out`: each lap is the time since the
/// previous one (or since construction).
class StageClock {
public:
  explicit StageClock(std::vector<StageTime> &out)
      : out_(out), last_(Clock::now()) {}
  void lap(const char *stage) {
    auto now = Clock::now();
    out_.push_back(
        {stage, std::chrono::duration<double, std::milli>(now - last_).count()});
    last_ = now;
  }

private:
  using Clock = std::chrono::steady_clock;
  std::vector<StageTime> &out_;
  Clock::time_point last_;
};

} // namespace tessel

#endif // TESSEL_TARGET_STAGETIMES_H
