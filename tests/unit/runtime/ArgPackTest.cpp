//===- ArgPackTest.cpp - Kernel argument packing --------------------------===//
//
// Each params()[i] must point at argument i's bytes, at its alignment, for as
// long as the pack lives, however many arguments were added since.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/ArgPack.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace tessel::rt;

namespace {

template <class T> T read(void *pointer) {
  T value;
  std::memcpy(&value, pointer, sizeof(T));
  return value;
}

bool alignedTo(const void *pointer, std::size_t align) {
  return reinterpret_cast<std::uintptr_t>(pointer) % align == 0;
}

TEST(ArgPack, EmptyPack) {
  ArgPack pack;
  EXPECT_EQ(pack.size(), 0u);
  EXPECT_EQ(pack.params(), nullptr);
  EXPECT_EQ(pack.describe(), "()");
}

TEST(ArgPack, TypedArgumentsRoundTrip) {
  ArgPack pack;
  CUdeviceptr x = 0x7f0000001000ULL;
  pack.ptr(x).i32(-5).f32(2.5f).i64(-(1LL << 40)).u32(0xdeadbeefu).ptr(x + 64);
  ASSERT_EQ(pack.size(), 6u);
  void **params = pack.params();
  EXPECT_EQ(read<CUdeviceptr>(params[0]), x);
  EXPECT_EQ(read<std::int32_t>(params[1]), -5);
  EXPECT_EQ(read<float>(params[2]), 2.5f);
  EXPECT_EQ(read<std::int64_t>(params[3]), -(1LL << 40));
  EXPECT_EQ(read<std::uint32_t>(params[4]), 0xdeadbeefu);
  EXPECT_EQ(read<CUdeviceptr>(params[5]), x + 64);
  EXPECT_EQ(pack.describe(), "(ptr, i32, f32, i64, u32, ptr)");
  EXPECT_EQ(pack.kind(3), ArgKind::I64);
  EXPECT_EQ(pack.sizeOf(3), 8u);
  EXPECT_EQ(pack.sizeOf(1), 4u);
}

TEST(ArgPack, NaturalAlignment) {
  ArgPack pack;
  pack.i32(1).ptr(2).i32(3).i64(4).f32(5);
  void **params = pack.params();
  EXPECT_TRUE(alignedTo(params[1], 8));
  EXPECT_TRUE(alignedTo(params[3], 8));
  for (std::size_t i = 0; i < pack.size(); ++i) {
    EXPECT_TRUE(alignedTo(params[i], 4)) << i;
    EXPECT_EQ(params[i], pack.data(i));
  }
}

TEST(ArgPack, PointersStayValidAsThePackGrows) {
  // Enough arguments to force the storage to grow several times; every
  // argument must still read back correctly from a fresh params().
  ArgPack pack;
  for (int i = 0; i < 1000; ++i) {
    if (i % 3 == 0)
      pack.i32(i);
    else if (i % 3 == 1)
      pack.i64(std::int64_t(i) << 33);
    else
      pack.f32(float(i) / 4);
  }
  void **params = pack.params();
  for (int i = 0; i < 1000; ++i) {
    if (i % 3 == 0)
      EXPECT_EQ(read<std::int32_t>(params[i]), i);
    else if (i % 3 == 1)
      EXPECT_EQ(read<std::int64_t>(params[i]), std::int64_t(i) << 33);
    else
      EXPECT_EQ(read<float>(params[i]), float(i) / 4);
  }
}

TEST(ArgPack, CopiesOwnTheirArguments) {
  ArgPack original;
  original.i32(7).f32(1.5f);
  ArgPack copy = original;
  original.clear();
  original.i32(99);
  void **params = copy.params();
  ASSERT_EQ(copy.size(), 2u);
  EXPECT_EQ(read<std::int32_t>(params[0]), 7);
  EXPECT_EQ(read<float>(params[1]), 1.5f);
  EXPECT_NE(params[0], original.params()[0]);
  EXPECT_EQ(read<std::int32_t>(original.params()[0]), 99);
}

struct alignas(64) FakeTensorMap {
  unsigned char opaque[128];
};

TEST(ArgPack, OverAlignedBytesArguments) {
  FakeTensorMap map;
  for (int i = 0; i < 128; ++i)
    map.opaque[i] = static_cast<unsigned char>(i * 7);
  ArgPack pack;
  pack.i32(1).bytes(map).i32(2);
  void **params = pack.params();
  EXPECT_TRUE(alignedTo(params[1], 64));
  EXPECT_EQ(std::memcmp(params[1], map.opaque, sizeof(map)), 0);
  EXPECT_EQ(read<std::int32_t>(params[2]), 2);
  EXPECT_EQ(pack.describe(), "(i32, 128 bytes, i32)");
}

TEST(ArgPack, OfDeducesKindsFromTypes) {
  CUdeviceptr y = 0x1000;
  ArgPack pack = ArgPack::of(y, std::int32_t(3), std::int64_t(4), 0.5f,
                             std::uint32_t(6), 2.0 /* double: 8 bytes */);
  EXPECT_EQ(pack.describe(), "(ptr, i32, i64, f32, u32, 8 bytes)");
  void **params = pack.params();
  EXPECT_EQ(read<CUdeviceptr>(params[0]), y);
  EXPECT_EQ(read<double>(params[5]), 2.0);
}

} // namespace
