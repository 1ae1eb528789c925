//===- TensorMapTest.cpp - the TMA descriptor's rules, without a GPU ------===//
//
// Each rule of cuTensorMapEncodeTiled that TensorMap2D::check() mirrors,
// broken once, with the message naming it; and maps that satisfy them all.
//
//===----------------------------------------------------------------------===//
#include "tessel/runtime/TensorMap.h"

#include <gtest/gtest.h>

using namespace tessel::rt;

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

void expectError(const TensorMap2D &m, const std::string &needle) {
  Status s = m.check();
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
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

TEST(TensorMap2D, EveryRuleNamesItself) {
  TensorMap2D m = good();
  m.base += 8;
  expectError(m, "is not 16-byte aligned");
  m = good();
  m.rows = 0;
  expectError(m, "each size must be 1 .. 2^32");
  m = good();
  m.cols = (1ull << 32) + 1;
  m.rowStride = m.cols + 7;
  expectError(m, "each size must be 1 .. 2^32");
  m = good();
  m.rowStride = 149;
  expectError(m, "is less than the 150 columns");
  m = good();
  m.rowStride = 151; // 302 bytes
  expectError(m, "row stride 302 bytes must be a multiple of 16");
  m = good();
  m.boxRows = 257;
  expectError(m, "box 257 x 64; each size must be 1 .. 256");
  m = good();
  m.boxCols = 0;
  expectError(m, "each size must be 1 .. 256");
  m = good();
  m.boxCols = 12; // 24 bytes
  expectError(m, "box rows of 24 bytes; must be a multiple of 16");
  m = good();
  m.boxCols = 128; // 256 bytes > 128-byte span
  expectError(m, "box rows of 256 bytes exceed the 128-byte swizzle span");
  m.swizzle = TmaSwizzle::Span32;
  m.boxCols = 32; // 64 bytes > 32
  expectError(m, "exceed the 32-byte swizzle span");
}

} // namespace
