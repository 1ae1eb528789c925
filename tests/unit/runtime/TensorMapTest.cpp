//===- TensorMapTest.cpp - the TMA descriptor's rules, without a GPU ------===//
//
// Each rule of cuTensorMapEncodeTiled that TensorMapND::check() mirrors,
// broken once, with the message naming it; maps of rank 2 and 3 that satisfy
// them all; and TensorMap2D as the rank-2 case.
//
//===----------------------------------------------------------------------===//
#include "tessel/runtime/TensorMap.h"

#include "TestText.h"

#include <gtest/gtest.h>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::startsWith;

namespace {

TensorMap2D good() {
  TensorMap2D m;
  m.base = 0x10000;
  m.element = TmaElement::BF16;
  m.rows = 100;
  m.cols = 150;
  m.rowStride = 152; // 304 bytes: a multiple of 16
  m.boxRows = 64;
  m.boxCols = 64;
  m.swizzle = TmaSwizzle::Span128;
  return m;
}

/// A batch of 4 matrices of 100 x 150 bf16, rows padded to 152, one
/// 100-row slab per matrix: the (batch, rows, cols) maps of batched GEMMs.
TensorMapND good3D() {
  TensorMapND m;
  m.base = 0x20000;
  m.element = TmaElement::BF16;
  m.dims = {4, 100, 150};
  m.strides = {100 * 152, 152};
  m.box = {1, 64, 64};
  m.swizzle = TmaSwizzle::Span128;
  return m;
}

void expectError(const TensorMap2D &m, const std::string &needle) {
  Status s = m.check();
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_TRUE(startsWith(s.message(), "TMA map: "));
  EXPECT_TRUE(hasSubstr(s.message(), needle));
}

void expectError(const TensorMapND &m, const std::string &needle) {
  Status s = m.check();
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_TRUE(hasSubstr(s.message(), needle));
}

TEST(TensorMap2D, GoodMapsPass) {
  EXPECT_TRUE(good().check().ok());
  TensorMap2D f32 = good();
  f32.element = TmaElement::F32;
  f32.boxCols = 32; // 128 bytes
  f32.rowStride = 152;
  EXPECT_TRUE(f32.check().ok()) << f32.check().message();
  TensorMap2D plain = good();
  plain.swizzle = TmaSwizzle::None;
  plain.boxCols = 256;
  plain.boxRows = 256;
  EXPECT_TRUE(plain.check().ok()) << plain.check().message();
  EXPECT_EQ(tmaElementBytes(TmaElement::BF16), 2u);
  EXPECT_EQ(tmaElementBytes(TmaElement::F16), 2u);
  EXPECT_EQ(tmaElementBytes(TmaElement::F32), 4u);
}

TEST(TensorMap2D, IsTheRank2Map) {
  TensorMapND nd = good().toND();
  EXPECT_EQ(nd.base, 0x10000u);
  EXPECT_EQ(nd.dims, (std::vector<uint64_t>{100, 150}));
  EXPECT_EQ(nd.strides, (std::vector<uint64_t>{152}));
  EXPECT_EQ(nd.box, (std::vector<uint32_t>{64, 64}));
  EXPECT_EQ(nd.swizzle, TmaSwizzle::Span128);
  EXPECT_EQ(nd.describe(), "bf16 [100 x 150] strides [152, 1] box [64 x 64] "
                           "swizzle 128B at 0x10000");
}

TEST(TensorMap2D, EveryRuleNamesItself) {
  TensorMap2D m = good();
  m.base += 8;
  expectError(m, "is not 16-byte aligned");
  m = good();
  m.rows = 0;
  expectError(m, "dimension 0 has size 0; each size must be 1 .. 2^32");
  m = good();
  m.cols = (1ull << 32) + 1;
  m.rowStride = m.cols + 7;
  expectError(m, "each size must be 1 .. 2^32");
  m = good();
  m.rowStride = 149;
  expectError(m, "stride of dimension 0 is 149 elements, less than the 150 "
                 "elements dimension 1 spans");
  m = good();
  m.rowStride = 151; // 302 bytes
  expectError(m, "stride of dimension 0 is 151 elements = 302 bytes, not a "
                 "multiple of 16");
  m = good();
  m.boxRows = 257;
  expectError(m, "box entry 0 is 257; each must be 1 .. 256");
  m = good();
  m.boxCols = 0;
  expectError(m, "box entry 1 is 0; each must be 1 .. 256");
  m = good();
  m.boxCols = 12; // 24 bytes
  expectError(m, "the innermost box entry is 12 elements = 24 bytes, not a "
                 "multiple of 16");
  m = good();
  m.boxCols = 128; // 256 bytes > 128-byte span
  expectError(m, "256 bytes, more than the 128-byte swizzle span");
  m.swizzle = TmaSwizzle::Span32;
  m.boxCols = 32; // 64 bytes > 32
  expectError(m, "more than the 32-byte swizzle span");
}

TEST(TensorMapND, GoodMapsPass) {
  EXPECT_TRUE(good3D().check().ok()) << good3D().check().message();
  TensorMapND tight = good3D();
  tight.dims = {8, 64, 64};
  tight.strides = {64 * 64, 64}; // batch stride exactly rows x row stride
  tight.box = {2, 64, 64};
  EXPECT_TRUE(tight.check().ok()) << tight.check().message();
  TensorMapND line;
  line.base = 0x100;
  line.dims = {1000};
  line.box = {256};
  line.element = TmaElement::F32;
  line.swizzle = TmaSwizzle::None; // 1 KiB rows: too wide for any swizzle
  EXPECT_TRUE(line.check().ok()) << line.check().message();
  TensorMapND five;
  five.base = 0x100;
  five.dims = {2, 3, 4, 5, 8};
  five.strides = {3 * 4 * 5 * 8, 4 * 5 * 8, 5 * 8, 8};
  five.box = {1, 1, 1, 1, 8};
  five.swizzle = TmaSwizzle::None;
  EXPECT_TRUE(five.check().ok()) << five.check().message();
  EXPECT_EQ(good3D().describe(),
            "bf16 [4 x 100 x 150] strides [15200, 152, 1] box [1 x 64 x 64] "
            "swizzle 128B at 0x20000");
}

TEST(TensorMapND, EveryRuleNamesItself) {
  TensorMapND m = good3D();
  m.dims = {};
  m.strides = {};
  m.box = {};
  expectError(m, "rank 0; TMA maps have rank 1 .. 5");
  m = good3D();
  m.dims = {1, 1, 1, 1, 1, 16};
  m.strides = {16, 16, 16, 16, 16};
  m.box = {1, 1, 1, 1, 1, 16};
  expectError(m, "rank 6; TMA maps have rank 1 .. 5");
  m = good3D();
  m.strides = {100 * 152, 152, 1};
  expectError(m, "3 strides for rank 3; give rank - 1 (the innermost "
                 "stride is 1)");
  m = good3D();
  m.box = {64, 64};
  expectError(m, "2 box entries for rank 3");
  m = good3D();
  m.base = 0x20004;
  expectError(m, "base address 0x20004 is not 16-byte aligned");
  m = good3D();
  m.dims[1] = 0;
  expectError(m, "dimension 1 has size 0; each size must be 1 .. 2^32");
  m = good3D();
  m.dims[0] = (1ull << 32) + 1;
  expectError(m, "dimension 0 has size 4294967297");
  m = good3D();
  m.strides[0] = 99 * 152; // the batches overlap
  expectError(m, "stride of dimension 0 is 15048 elements, less than the "
                 "15200 elements dimension 1 spans");
  m = good3D();
  m.strides = {100 * 1001, 1001};
  expectError(m, "stride of dimension 1 is 1001 elements = 2002 bytes, not a "
                 "multiple of 16; TMA needs 16-byte aligned rows (pad the "
                 "leading dimension)");
  m = good3D();
  m.strides[0] = 100 * 152 + 4; // the rows are fine, the batches are not
  expectError(m, "stride of dimension 0 is 15204 elements = 30408 bytes, not "
                 "a multiple of 16");
  m = good3D();
  m.dims[0] = 1;
  m.strides[0] = 1ull << 39; // 2^40 bytes of bf16
  expectError(m, "bytes; TMA strides must be below 2^40 bytes");
  m = good3D();
  m.box[0] = 0;
  expectError(m, "box entry 0 is 0; each must be 1 .. 256");
  m = good3D();
  m.box[1] = 257;
  expectError(m, "box entry 1 is 257; each must be 1 .. 256");
  m = good3D();
  m.box[2] = 4; // 8 bytes
  expectError(m, "the innermost box entry is 4 elements = 8 bytes, not a "
                 "multiple of 16");
  m = good3D();
  m.swizzle = TmaSwizzle::Span64;
  expectError(m, "the innermost box entry is 64 elements = 128 bytes, more "
                 "than the 64-byte swizzle span");
  m.box[2] = 32;
  EXPECT_TRUE(m.check().ok()) << m.check().message();
}

} // namespace
