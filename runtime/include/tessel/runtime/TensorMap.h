//===- TensorMap.h - TMA descriptors for 2-D tiles -------------*- C++ -*-===//
//
// A Hopper TMA copy (cp.async.bulk.tensor) reads a box of a global tensor
// described by a 128-byte CUtensorMap that the host encodes. This checks the
// encoder's rules first, so a bad shape gets a message naming the rule
// instead of CUDA_ERROR_INVALID_VALUE, and encodes row-major 2-D maps (the
// only kind Tessel's kernels use so far).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_RUNTIME_TENSORMAP_H
#define TESSEL_RUNTIME_TENSORMAP_H

#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <cstdint>

namespace tessel::rt {

/// Element types a map can describe.
enum class TmaElement { BF16, F16, F32 };

/// How the box is laid out in shared memory: rows of the box are permuted
/// in 16-byte chunks across a span of 32, 64 or 128 bytes (what wgmma and
/// ldmatrix read without bank conflicts), or left as they are.
enum class TmaSwizzle { None, Span32, Span64, Span128 };

/// Bytes of one element.
unsigned tmaElementBytes(TmaElement element);

/// A row-major rows x cols matrix in global memory and the box one copy
/// brings. Coordinates in the kernel are (col, row), innermost first.
struct TensorMap2D {
  CUdeviceptr base = 0;
  TmaElement element = TmaElement::BF16;
  uint64_t rows = 0, cols = 0;
  /// Elements from one row to the next (the leading dimension, >= cols).
  uint64_t rowStride = 0;
  uint32_t boxRows = 0, boxCols = 0;
  TmaSwizzle swizzle = TmaSwizzle::None;
  /// Out-of-bounds elements of a box read as zero (always: the map uses
  /// CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE, which fills zeros).

  /// The encoder's rules, each failure naming the rule and the numbers:
  /// base 16-byte aligned; 1 <= rows, cols <= 2^32; rowStride >= cols and
  /// rowStride * element bytes a multiple of 16 below 2^40; 1 <= boxRows,
  /// boxCols <= 256; boxCols * element bytes a multiple of 16 and, when
  /// swizzled, at most the swizzle span.
  Status check() const;

  /// check(), then cuTensorMapEncodeTiled.
  Expected<CUtensorMap> encode() const;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_TENSORMAP_H
