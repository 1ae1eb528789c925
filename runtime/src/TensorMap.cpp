//===- TensorMap.cpp - checking and encoding TMA descriptors --------------===//
//
// The rules are those of cuTensorMapEncodeTiled (CUDA driver API reference)
// for ranks 1 to 5, no interleave, element strides 1; TensorMap2D is the
// rank-2 case.
//
//===----------------------------------------------------------------------===//
#include "tessel/runtime/TensorMap.h"

#include "tessel/runtime/CudaDriver.h"

#include <sstream>

namespace tessel::rt {

namespace {

/// The encoder's limits (cuTensorMapEncodeTiled): sizes up to 2^32, strides
/// below 2^40 bytes in multiples of 16, box entries up to 256.
constexpr uint64_t kMaxDim = 1ull << 32;
constexpr uint64_t kStrideLimitBytes = 1ull << 40;
constexpr uint64_t kStrideAlignBytes = 16;
constexpr uint32_t kMaxBox = 256;

} // namespace

unsigned tmaElementBytes(TmaElement element) {
  return element == TmaElement::F32 ? 4 : 2;
}

unsigned tmaSwizzleBytes(TmaSwizzle swizzle) {
  switch (swizzle) {
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

const char *tmaElementName(TmaElement element) {
  switch (element) {
  case TmaElement::BF16:
    return "bf16";
  case TmaElement::F16:
    return "f16";
  case TmaElement::F32:
    return "f32";
  }
  return "?";
}

std::optional<TmaElement> tmaElementNamed(std::string_view name) {
  for (TmaElement e : {TmaElement::BF16, TmaElement::F16, TmaElement::F32})
    if (name == tmaElementName(e))
      return e;
  return std::nullopt;
}

std::optional<TmaSwizzle> tmaSwizzleOfBytes(int64_t bytes) {
  for (TmaSwizzle s : {TmaSwizzle::None, TmaSwizzle::Span32, TmaSwizzle::Span64,
                       TmaSwizzle::Span128})
    if (bytes == tmaSwizzleBytes(s))
      return s;
  return std::nullopt;
}

Status TensorMapND::check() const {
  const size_t rank = dims.size();
  const uint64_t bytes = tmaElementBytes(element);
  if (rank < 1 || rank > kMaxRank)
    return Status::error("rank ", rank, "; TMA maps have rank 1 .. ", kMaxRank);
  if (strides.size() != rank - 1)
    return Status::error(strides.size(), " strides for rank ", rank,
                         "; give rank - 1 (the innermost stride is 1)");
  if (box.size() != rank)
    return Status::error(box.size(), " box entries for rank ", rank);
  if (base % 16)
    return Status::error("base address 0x", std::hex, base, std::dec,
                         " is not 16-byte aligned");
  for (size_t d = 0; d < rank; ++d)
    if (dims[d] < 1 || dims[d] > kMaxDim)
      return Status::error("dimension ", d, " has size ", dims[d],
                           "; each size must be 1 .. 2^32");
  // Innermost outward: the stride of d must step over all of dimension d+1
  // (the layout the encoder documents; overlapping rows are no tensor).
  for (size_t d = rank - 1; d-- > 0;) {
    const uint64_t stride = strides[d];
    const uint64_t inner = d + 2 < rank ? strides[d + 1] : 1;
    // stride >= dims[d+1] * inner, without the product overflowing.
    if (inner == 0 || stride / inner < dims[d + 1])
      return Status::error("stride of dimension ", d, " is ", stride,
                           " elements, less than the ", dims[d + 1] * inner,
                           " elements dimension ", d + 1, " spans");
    if (stride >= kStrideLimitBytes / bytes)
      return Status::error("stride of dimension ", d, " is ", stride,
                           " elements = ", stride * bytes,
                           " bytes; TMA strides must be below 2^40 bytes");
    if ((stride * bytes) % kStrideAlignBytes)
      return Status::error("stride of dimension ", d, " is ", stride,
                           " elements = ", stride * bytes,
                           " bytes, not a multiple of 16; TMA needs 16-byte "
                           "aligned rows (pad the leading dimension)");
  }
  for (size_t d = 0; d < rank; ++d)
    if (box[d] < 1 || box[d] > kMaxBox)
      return Status::error("box entry ", d, " is ", box[d],
                           "; each must be 1 .. 256");
  const uint64_t rowBytes = uint64_t(box[rank - 1]) * bytes;
  if (rowBytes % 16)
    return Status::error("the innermost box entry is ", box[rank - 1],
                         " elements = ", rowBytes,
                         " bytes, not a multiple of 16");
  if (unsigned span = tmaSwizzleBytes(swizzle); span && rowBytes > span)
    return Status::error("the innermost box entry is ", box[rank - 1],
                         " elements = ", rowBytes, " bytes, more than the ",
                         span, "-byte swizzle span");
  return Status::success();
}

Expected<CUtensorMap> TensorMapND::encode() const {
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
  // The encoder's arrays are innermost first; its strides are in bytes and
  // leave out the innermost (1 element).
  const size_t rank = dims.size();
  cuuint64_t globalDims[kMaxRank], globalStrides[kMaxRank];
  cuuint32_t boxDims[kMaxRank], elementStrides[kMaxRank];
  for (size_t i = 0; i < rank; ++i) {
    globalDims[i] = dims[rank - 1 - i];
    boxDims[i] = box[rank - 1 - i];
    elementStrides[i] = 1;
  }
  for (size_t i = 0; i + 1 < rank; ++i)
    globalStrides[i] = strides[rank - 2 - i] * tmaElementBytes(element);
  // Zeroed first: the cache deduplicates maps by their bytes.
  CUtensorMap map{};
  Status status = CudaDriver::check(
      (*drv)->cuTensorMapEncodeTiled(&map, type, static_cast<cuuint32_t>(rank),
                                     reinterpret_cast<void *>(base), globalDims,
                                     globalStrides, boxDims, elementStrides,
                                     CU_TENSOR_MAP_INTERLEAVE_NONE, sw,
                                     CU_TENSOR_MAP_L2_PROMOTION_L2_128B,
                                     CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
      "cuTensorMapEncodeTiled", "", __FILE__, __LINE__);
  if (!status.ok())
    return status.withDetail(describe());
  return map;
}

std::string TensorMapND::describe() const {
  std::ostringstream os;
  os << tmaElementName(element) << " [";
  for (size_t d = 0; d < dims.size(); ++d)
    os << (d ? " x " : "") << dims[d];
  os << "] strides [";
  for (size_t d = 0; d < strides.size(); ++d)
    os << strides[d] << ", ";
  os << "1] box [";
  for (size_t d = 0; d < box.size(); ++d)
    os << (d ? " x " : "") << box[d];
  os << "] swizzle ";
  if (unsigned span = tmaSwizzleBytes(swizzle))
    os << span << "B";
  else
    os << "none";
  os << " at 0x" << std::hex << base;
  return os.str();
}

TensorMapND TensorMap2D::toND() const {
  TensorMapND nd;
  nd.base = base;
  nd.element = element;
  nd.dims = {rows, cols};
  nd.strides = {rowStride};
  nd.box = {boxRows, boxCols};
  nd.swizzle = swizzle;
  return nd;
}

Status TensorMap2D::check() const {
  return toND().check().withContext("TMA map");
}

Expected<CUtensorMap> TensorMap2D::encode() const {
  Expected<CUtensorMap> map = toND().encode();
  if (!map)
    return map.status().withContext("TMA map");
  return map;
}

} // namespace tessel::rt
