//===- DeviceTest.cpp - Targets for compute capabilities ------------------===//
//
// targetFor over every capability NVIDIA has shipped, and device queries on a
// machine that may have no driver.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Device.h"
#include "tessel/runtime/CudaDriver.h"

#include <gtest/gtest.h>

using namespace tessel::rt;

namespace {

std::string targetOf(int major, int minor) {
  DeviceInfo info;
  info.ccMajor = major;
  info.ccMinor = minor;
  return targetFor(info);
}

TEST(TargetFor, MapsEveryShippedCapability) {
  EXPECT_EQ(targetOf(8, 0), "sm_80");    // A100
  EXPECT_EQ(targetOf(8, 6), "sm_80");    // A10, RTX 30xx: run sm_80 SASS
  EXPECT_EQ(targetOf(8, 7), "sm_80");    // Orin
  EXPECT_EQ(targetOf(8, 9), "sm_89");    // L40S, RTX 40xx
  EXPECT_EQ(targetOf(9, 0), "sm_90a");   // H100, H200
  EXPECT_EQ(targetOf(10, 0), "sm_100a"); // B200
}

TEST(TargetFor, NoTargetWhereOurCodeWouldNotRun) {
  EXPECT_EQ(targetOf(7, 5), ""); // T4: no bf16 mma.sync
  EXPECT_EQ(targetOf(7, 0), "");
  EXPECT_EQ(targetOf(10, 3), ""); // sm_100a code is for 10.0 only
  EXPECT_EQ(targetOf(12, 0), ""); // consumer Blackwell
  EXPECT_EQ(targetOf(0, 0), "");
}

TEST(Device, QueriesAgreeWithTheDriver) {
  Expected<CudaDriver *> driver = CudaDriver::get();
  Expected<int> count = deviceCount();
  Expected<DeviceInfo> info = queryDevice(0);
  if (!driver) {
    // Without a driver every query reports why, in the same words.
    EXPECT_FALSE(count);
    EXPECT_EQ(count.status().message(), driver.status().message());
    EXPECT_FALSE(info);
    EXPECT_EQ(info.status().message(), driver.status().message());
    return;
  }
  ASSERT_TRUE(count) << count.status().message();
  if (*count == 0) {
    EXPECT_FALSE(info);
    EXPECT_EQ(info.status().message(),
              "no CUDA device 0: the driver sees 0 device(s)");
    return;
  }
  ASSERT_TRUE(info) << info.status().message();
  EXPECT_FALSE(info->name.empty());
  EXPECT_GT(info->smCount, 0);
  EXPECT_GE(info->maxSharedPerBlockOptin, info->maxSharedPerBlock);
  EXPECT_EQ(info->warpSize, 32);
}

TEST(Device, NegativeOrdinalIsAnError) {
  Expected<DeviceInfo> info = queryDevice(-1);
  ASSERT_FALSE(info);
  EXPECT_FALSE(info.status().message().empty());
}

} // namespace
