//===- TensorMap.h - TMA descriptors for N-D tiles --------------*- C++ -*-===//
//
// A Hopper TMA copy (cp.async.bulk.tensor) reads a box of a global tensor
// described by a 128-byte CUtensorMap that the host encodes. This checks the
// encoder's rules first, so a bad shape gets a message naming the rule
// instead of CUDA_ERROR_INVALID_VALUE, and encodes row-major maps of rank 1
// to 5 (TensorMapND), with a 2-D shorthand (TensorMap2D).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_RUNTIME_TENSORMAP_H
#define TESSEL_RUNTIME_TENSORMAP_H

#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessel::rt {

/// Element types a map can describe.
enum class TmaElement { BF16, F16, F32 };

/// How the box is laid out in shared memory: rows of the box are permuted
/// in 16-byte chunks across a span of 32, 64 or 128 bytes (what wgmma and
/// ldmatrix read without bank conflicts), or left as they are.
enum class TmaSwizzle { None, Span32, Span64, Span128 };

/// Bytes of one element.
unsigned tmaElementBytes(TmaElement element);
/// The swizzle span in bytes (0 for None).
unsigned tmaSwizzleBytes(TmaSwizzle swizzle);
/// "bf16", "f16", "f32".
const char *tmaElementName(TmaElement element);
/// The element tmaElementName() calls `name`; nullopt for any other name.
std::optional<TmaElement> tmaElementNamed(std::string_view name);
/// The swizzle whose span is `bytes` (0 = None, 32, 64, 128); nullopt for
/// any other number.
std::optional<TmaSwizzle> tmaSwizzleOfBytes(int64_t bytes);

/// A row-major tensor of rank 1 to 5 in global memory and the box one copy
/// brings. Every list is OUTERMOST FIRST, in elements (the encoder wants
/// innermost first, in bytes: encode() reverses and scales). Coordinates in
/// the kernel's cp.async.bulk.tensor are innermost first. Out-of-bounds
/// elements of a box read as zero (CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE).
struct TensorMapND {
  /// The encoder's largest rank.
  static constexpr unsigned kMaxRank = 5;

  CUdeviceptr base = 0;
  TmaElement element = TmaElement::BF16;
  /// The size of each dimension; rank = dims.size().
  std::vector<uint64_t> dims;
  /// Elements from one index of dimension d to the next, for every dimension
  /// but the innermost, whose stride is 1: rank - 1 entries.
  std::vector<uint64_t> strides;
  /// The box one copy brings: rank entries.
  std::vector<uint32_t> box;
  TmaSwizzle swizzle = TmaSwizzle::None;

  /// The encoder's rules, each failure naming the rule, the dimension and
  /// the numbers (no prefix: callers say which map): rank 1 .. 5, with
  /// rank - 1 strides and rank box entries; base 16-byte aligned; each size
  /// 1 .. 2^32; each stride at least the extent of the dimension inside it
  /// (dimensions do not overlap), and stride * element bytes a multiple of
  /// 16 below 2^40; each box entry 1 .. 256; the innermost box entry's bytes
  /// a multiple of 16 and, when swizzled, at most the swizzle span.
  Status check() const;

  /// check(), then cuTensorMapEncodeTiled (element strides 1, no
  /// interleave, 128-byte L2 promotion, zero fill).
  Expected<CUtensorMap> encode() const;

  /// E.g. "bf16 [4 x 100 x 150] strides [15200, 152, 1] box [1 x 64 x 64]
  /// swizzle 128B at 0x7f0000000000", for messages.
  std::string describe() const;
};

/// A row-major rows x cols matrix in global memory and the box one copy
/// brings: a TensorMapND of rank 2. Coordinates in the kernel are (col,
/// row), innermost first.
struct TensorMap2D {
  CUdeviceptr base = 0;
  TmaElement element = TmaElement::BF16;
  uint64_t rows = 0, cols = 0;
  /// Elements from one row to the next (the leading dimension, >= cols).
  uint64_t rowStride = 0;
  uint32_t boxRows = 0, boxCols = 0;
  TmaSwizzle swizzle = TmaSwizzle::None;

  /// The same map as a TensorMapND (dims {rows, cols}, strides {rowStride},
  /// box {boxRows, boxCols}).
  TensorMapND toND() const;

  /// TensorMapND::check() of toND(), its message prefixed "TMA map: ".
  Status check() const;

  /// check(), then cuTensorMapEncodeTiled.
  Expected<CUtensorMap> encode() const;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_TENSORMAP_H
