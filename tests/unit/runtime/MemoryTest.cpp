//===- MemoryTest.cpp - DeviceBuffer checks that need no GPU --------------===//
//
// Empty buffers and bounds checks are decided before the driver is called, so
// they behave the same with or without one.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Memory.h"

#include <gtest/gtest.h>

#include <vector>

using namespace tessel::rt;

namespace {

TEST(DeviceBuffer, ZeroBytesIsAnEmptyBuffer) {
  Expected<DeviceBuffer> buffer = DeviceBuffer::allocate(0);
  ASSERT_TRUE(buffer) << buffer.status().message();
  EXPECT_EQ(buffer->ptr(), 0u);
  EXPECT_EQ(buffer->size(), 0u);
  EXPECT_TRUE(buffer->fillBytes(0xff).ok());
  EXPECT_TRUE(buffer->fillU32(1).ok());
  EXPECT_TRUE(buffer->copyFromHost(nullptr, 0).ok());
  EXPECT_TRUE(buffer->reset().ok());
}

TEST(DeviceBuffer, OverrunsAreRefusedBeforeTheDriver) {
  DeviceBuffer buffer;
  std::vector<float> host(4);
  Status status = buffer.copyFromHost(host.data(), 16);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "DeviceBuffer::copyFromHost: 16 bytes at offset "
                              "0 overrun a 0-byte buffer");
  status = buffer.copyToHost(host.data(), 4, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "DeviceBuffer::copyToHost: 4 bytes at offset 1 overrun a 0-byte "
            "buffer");
  // offset + bytes must not wrap around.
  status = buffer.copyFromDevice(0, ~std::size_t(0), 1);
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(buffer.upload(host).ok());
}

TEST(DeviceBuffer, MovedFromBufferIsEmpty) {
  DeviceBuffer a;
  DeviceBuffer b = std::move(a);
  EXPECT_EQ(a.ptr(), 0u);
  EXPECT_EQ(b.size(), 0u);
}

} // namespace
