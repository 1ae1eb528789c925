//===- TmaArgsTest.cpp - tensor maps from launch arguments, without a GPU -===//
//
// describeTensorMaps reads each map's base, sizes and strides from the
// launch's own arguments (ptr, i32, u32, i64) or constants, and every way a
// spec or an argument can be wrong is named: the kernel, the map, the
// argument, the rule. appendTensorMaps leaves the arguments alone when it
// fails (here: no device).
//
//===----------------------------------------------------------------------===//
#include "tessel/runtime/TmaArgs.h"
#include "tessel/runtime/Device.h"

#include "TestText.h"

#include <gtest/gtest.h>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::startsWith;

namespace {

constexpr CUdeviceptr kA = 0x7f0000000000ull, kB = 0x7f0000100000ull;

TmaOperand arg(int index) { return TmaOperand{index, 0}; }
TmaOperand constant(int64_t value) { return TmaOperand{-1, value}; }

/// A GEMM's launch: (A, B, M, N, K, lda, ldb) with lda an i64 and ldb a u32.
ArgPack gemmArgs(int32_t m, int32_t n, int32_t k, int64_t lda, uint32_t ldb) {
  ArgPack args;
  args.ptr(kA).ptr(kB).i32(m).i32(n).i32(k).i64(lda).u32(ldb);
  return args;
}

/// A (M x K, row stride lda) and B (K x N, row stride ldb), 128 x 64 and
/// 64 x 128 boxes.
std::vector<TmaArgSpec> gemmSpecs() {
  TmaArgSpec a;
  a.baseArg = 0;
  a.shape = {arg(2), arg(4)};
  a.strides = {arg(5), constant(1)};
  a.box = {128, 64};
  TmaArgSpec b;
  b.baseArg = 1;
  b.shape = {arg(4), arg(3)};
  b.strides = {arg(6), constant(1)};
  b.box = {64, 128};
  b.swizzle = TmaSwizzle::None;
  return {a, b};
}

std::string describeError(const std::vector<TmaArgSpec> &specs,
                          const ArgPack &args) {
  Expected<std::vector<TensorMapND>> maps =
      describeTensorMaps("gemm", specs, args);
  EXPECT_FALSE(maps) << "expected an error";
  return maps ? "" : maps.status().message();
}

TEST(TmaArgs, MapsComeFromTheArguments) {
  ArgPack args = gemmArgs(1000, 768, 512, 520, 776);
  Expected<std::vector<TensorMapND>> maps =
      describeTensorMaps("gemm", gemmSpecs(), args);
  ASSERT_TRUE(maps) << maps.status().message();
  ASSERT_EQ(maps->size(), 2u);
  const TensorMapND &a = (*maps)[0], &b = (*maps)[1];
  EXPECT_EQ(a.base, kA);
  EXPECT_EQ(a.dims, (std::vector<uint64_t>{1000, 512}));
  EXPECT_EQ(a.strides, (std::vector<uint64_t>{520}));
  EXPECT_EQ(a.box, (std::vector<uint32_t>{128, 64}));
  EXPECT_EQ(a.element, TmaElement::BF16);
  EXPECT_EQ(a.swizzle, TmaSwizzle::Span128);
  EXPECT_EQ(b.base, kB);
  EXPECT_EQ(b.dims, (std::vector<uint64_t>{512, 768}));
  EXPECT_EQ(b.strides, (std::vector<uint64_t>{776}));
  EXPECT_EQ(b.box, (std::vector<uint32_t>{64, 128}));
  EXPECT_EQ(b.swizzle, TmaSwizzle::None);
  // No specs: no maps.
  Expected<std::vector<TensorMapND>> none =
      describeTensorMaps("gemm", {}, args);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(TmaArgs, ConstantsAndThreeDimensions) {
  // (batch, rows, cols) with a constant batch of 4 and row stride 256, the
  // batch stride from an i64 argument.
  ArgPack args;
  args.ptr(kA).i32(300).i64(300 * 256);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {constant(4), arg(1), constant(200)};
  spec.strides = {arg(2), constant(256), constant(1)};
  spec.box = {1, 64, 64};
  spec.element = TmaElement::F16;
  Expected<std::vector<TensorMapND>> maps =
      describeTensorMaps("bmm", {spec}, args);
  ASSERT_TRUE(maps) << maps.status().message();
  ASSERT_EQ(maps->size(), 1u);
  EXPECT_EQ((*maps)[0].describe(),
            "f16 [4 x 300 x 200] strides [76800, 256, 1] box [1 x 64 x 64] "
            "swizzle 128B at 0x7f0000000000");
}

TEST(TmaArgs, MisalignedStrideNamesKernelMapArgumentAndRule) {
  // N = 1000 columns of bf16 with ldb = 1001: rows of 2002 bytes.
  std::string message =
      describeError(gemmSpecs(), gemmArgs(1000, 1000, 1000, 1000, 1001));
  EXPECT_TRUE(startsWith(
      message, "kernel 'gemm': tensor map 1 (base = argument 1): stride of "
               "dimension 0 is 1001 elements = 2002 bytes, not a multiple of "
               "16; TMA needs 16-byte aligned rows (pad the leading "
               "dimension)"));
  EXPECT_TRUE(hasSubstr(message, "strides [argument 6 = 1001, 1]"));
  EXPECT_TRUE(hasSubstr(message, "shape [argument 4 = 1000, argument 3 = "
                                 "1000]"));
}

TEST(TmaArgs, WrongArgumentKinds) {
  ArgPack args;
  args.ptr(kA).i32(64).f32(64.0f).i32(7);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {arg(1), arg(2)};
  spec.strides = {constant(64), constant(1)};
  spec.box = {64, 64};
  EXPECT_TRUE(startsWith(
      describeError({spec}, args),
      "kernel 'gemm': tensor map 0 (base = argument 0): size of dimension 1 "
      "is argument 2, which is f32; sizes and strides come from i32, u32 or "
      "i64 arguments (the launch passes (ptr, i32, f32, i32))"));
  spec.shape = {arg(1), arg(1)};
  spec.baseArg = 3;
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "tensor map 0 (base = argument 3): the base is "
                        "argument 3, which is i32, not a ptr"));
  spec.baseArg = 0;
  spec.strides = {arg(0), constant(1)};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "stride of dimension 0 is argument 0, which is ptr"));
}

TEST(TmaArgs, ArgumentIndexOutOfRange) {
  ArgPack args;
  args.ptr(kA).i32(64).i32(64).i64(64);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {arg(9), arg(1)};
  spec.strides = {arg(3), constant(1)};
  spec.box = {64, 64};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "size of dimension 0 is argument 9, but the launch "
                        "has 4 arguments (ptr, i32, i32, i64)"));
  spec.shape = {arg(1), arg(2)};
  spec.baseArg = 4;
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "tensor map 0 (base = argument 4): the base is "
                        "argument 4, but the launch has 4 arguments"));
  spec.baseArg = -1;
  EXPECT_TRUE(
      hasSubstr(describeError({spec}, args), "the base is argument -1"));
}

TEST(TmaArgs, InnermostStrideMustBeOne) {
  ArgPack args;
  args.ptr(kA).i32(64).i32(128).i32(2);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {arg(1), constant(64)};
  spec.strides = {arg(2), arg(3)};
  spec.box = {64, 64};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "the innermost stride (dimension 1) is 2 (argument "
                        "3); TMA needs the innermost dimension contiguous "
                        "(stride 1)"));
  spec.strides = {arg(2), constant(4)};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "the innermost stride (dimension 1) is 4; TMA needs"));
  // An argument that is 1 at this launch is as good as a constant 1.
  ArgPack ones;
  ones.ptr(kA).i32(64).i32(128).i32(1);
  spec.strides = {arg(2), arg(3)};
  Expected<std::vector<TensorMapND>> maps =
      describeTensorMaps("gemm", {spec}, ones);
  EXPECT_TRUE(maps) << maps.status().message();
}

TEST(TmaArgs, SizesAndStridesMustBePositive) {
  ArgPack args;
  args.ptr(kA).i32(-5).i32(0).i64(-64);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {arg(1), constant(64)};
  spec.strides = {constant(64), constant(1)};
  spec.box = {64, 64};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "size of dimension 0 is -5 (argument 1); sizes must "
                        "be positive"));
  spec.shape = {constant(64), arg(2)};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "size of dimension 1 is 0 (argument 2); sizes must "
                        "be positive"));
  spec.shape = {constant(64), constant(64)};
  spec.strides = {arg(3), constant(1)};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "stride of dimension 0 is -64 (argument 3); strides "
                        "must be positive"));
  // A u32 past 2^31 is a size, not a negative number.
  ArgPack big;
  big.ptr(kA).u32(3000000000u);
  spec.shape = {arg(1), constant(64)};
  spec.strides = {constant(64), constant(1)};
  Expected<std::vector<TensorMapND>> maps =
      describeTensorMaps("k", {spec}, big);
  ASSERT_TRUE(maps) << maps.status().message();
  EXPECT_EQ((*maps)[0].dims[0], 3000000000u);
}

TEST(TmaArgs, MalformedSpecsAndMisalignedBase) {
  ArgPack args;
  args.ptr(kA + 8).i32(64);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {arg(1), constant(64)};
  spec.strides = {constant(64), constant(1)};
  spec.box = {64, 64};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "base address 0x7f0000000008 is not 16-byte aligned"));
  spec.shape = {};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "rank 0; TMA maps have rank 1 .. 5"));
  spec.shape = {arg(1), constant(64)};
  spec.strides = {constant(1)};
  EXPECT_TRUE(hasSubstr(describeError({spec}, args),
                        "1 strides for rank 2 (one per dimension, the "
                        "innermost 1)"));
  spec.strides = {constant(64), constant(1)};
  spec.box = {64, 64, 1};
  EXPECT_TRUE(
      hasSubstr(describeError({spec}, args), "3 box entries for rank 2"));
}

TEST(TmaArgs, AppendLeavesArgumentsAloneOnFailure) {
  ArgPack args = gemmArgs(1000, 768, 512, 520, 776);
  // No specs: nothing to append, no device needed.
  Status none =
      appendTensorMaps("gemm", {}, args, TensorMapCache::forCurrentContext());
  EXPECT_TRUE(none.ok()) << none.message();
  EXPECT_EQ(args.size(), 7u);
  // A bad spec fails before any device work.
  std::vector<TmaArgSpec> bad = gemmSpecs();
  bad[1].box = {64, 12};
  Status status =
      appendTensorMaps("gemm", bad, args, TensorMapCache::forCurrentContext());
  EXPECT_TRUE(hasSubstr(status.message(),
                        "kernel 'gemm': tensor map 1 (base = argument 1): the "
                        "innermost box entry is 12 elements"));
  EXPECT_EQ(args.size(), 7u);
  Expected<int> devices = deviceCount();
  if (devices && *devices > 0)
    GTEST_SKIP() << "a device is present: the no-device path is not taken";
  // Good specs, but no driver or no context: the cache says why.
  status = appendTensorMaps("gemm", gemmSpecs(), args,
                            TensorMapCache::forCurrentContext());
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(startsWith(status.message(), "kernel 'gemm': tensor map 0"));
  EXPECT_EQ(args.size(), 7u);
}

} // namespace
