//===- TimerTest.cpp - The median of timing samples -----------------------===//
//
// median() is what every benchmark and the autotuner report; EventTimer
// itself needs a GPU (tests/gpu).
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Timer.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace tessel::rt;

namespace {

TEST(Median, OddAndEvenCounts) {
  EXPECT_EQ(median({3.0}), 3.0);
  EXPECT_EQ(median({5.0, 1.0, 3.0}), 3.0);
  EXPECT_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_EQ(median({2.0, 2.0}), 2.0);
}

TEST(Median, IgnoresOutliers) {
  EXPECT_EQ(median({1.0, 1.1, 0.9, 1.0, 250.0}), 1.0);
}

TEST(Median, EmptyIsNaN) { EXPECT_TRUE(std::isnan(median({}))); }

TEST(EventTimer, EmptyTimerRefusesToTime) {
  EventTimer timer;
  EXPECT_FALSE(timer.start(nullptr).ok());
  EXPECT_FALSE(timer.elapsedMs());
}

} // namespace
