//===- TensorMap.cpp - checking and encoding 2-D TMA descriptors ----------===//
//
// The rules are those of cuTensorMapEncodeTiled (CUDA driver API reference)
// for rank 2, no interleave, element strides 1.
//
//===----------------------------------------------------------------------===//
#include "tessel/runtime/TensorMap.h"

#include "tessel/runtime/CudaDriver.h"

namespace tessel::rt {

unsigned tmaElementBytes(TmaElement element) {
  return element == TmaElement::F32 ? 4 : 2;
}

namespace {

unsigned swizzleSpan(TmaSwizzle s) {
  switch (s) {
  case TmaSwizzle::None:
    return 0;
  case TmaSwizzle::Span32:
    return 32;
  case TmaSwizzle::Span64:
    return 64;
  case TmaSwizzle::Span128:
    return 128;
  }
  return 0;
}

} // namespace

Status TensorMap2D::check() const {
  const uint64_t bytes = tmaElementBytes(element);
  if (base % 16)
    return Status::error("TMA map: base address 0x", std::hex, base, std::dec,
                         " is not 16-byte aligned");
  if (rows < 1 || cols < 1 || rows > (1ull << 32) || cols > (1ull << 32))
    return Status::error("TMA map: ", rows, " x ", cols,
                         " matrix; each size must be 1 .. 2^32");
  if (rowStride < cols)
    return Status::error("TMA map: row stride ", rowStride,
                         " elements is less than the ", cols, " columns");
  if ((rowStride * bytes) % 16 || rowStride * bytes >= (1ull << 40))
    return Status::error("TMA map: row stride ", rowStride * bytes,
                         " bytes must be a multiple of 16 below 2^40");
  if (boxRows < 1 || boxCols < 1 || boxRows > 256 || boxCols > 256)
    return Status::error("TMA map: box ", boxRows, " x ", boxCols,
                         "; each size must be 1 .. 256");
  if ((boxCols * bytes) % 16)
    return Status::error("TMA map: box rows of ", boxCols * bytes,
                         " bytes; must be a multiple of 16");
  if (unsigned span = swizzleSpan(swizzle); span && boxCols * bytes > span)
    return Status::error("TMA map: box rows of ", boxCols * bytes,
                         " bytes exceed the ", span, "-byte swizzle span");
  return Status::success();
}

Expected<CUtensorMap> TensorMap2D::encode() const {
  TESSEL_RETURN_IF_ERROR(check());
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  const CUtensorMapDataType type =
      element == TmaElement::BF16  ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
      : element == TmaElement::F16 ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16
                                   : CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
  const CUtensorMapSwizzle sw =
      swizzle == TmaSwizzle::None     ? CU_TENSOR_MAP_SWIZZLE_NONE
      : swizzle == TmaSwizzle::Span32 ? CU_TENSOR_MAP_SWIZZLE_32B
      : swizzle == TmaSwizzle::Span64 ? CU_TENSOR_MAP_SWIZZLE_64B
                                      : CU_TENSOR_MAP_SWIZZLE_128B;
  // Innermost first: (cols, rows); one stride, of the rows, in bytes.
  cuuint64_t dims[2] = {cols, rows};
  cuuint64_t strides[1] = {rowStride * tmaElementBytes(element)};
  cuuint32_t box[2] = {boxCols, boxRows};
  cuuint32_t elementStrides[2] = {1, 1};
  CUtensorMap map;
  TESSEL_CU((*drv)->cuTensorMapEncodeTiled(
                &map, type, 2, reinterpret_cast<void *>(base), dims, strides,
                box, elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE, sw,
                CU_TENSOR_MAP_L2_PROMOTION_L2_128B,
                CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
            "TMA map");
  return map;
}

} // namespace tessel::rt
