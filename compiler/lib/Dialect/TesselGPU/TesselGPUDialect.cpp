//===- TesselGPUDialect.cpp - layout attributes and convert_layout --------===//
//
// Verifiers of the layout attributes and the conversion between attributes
// and the Layout.h maths used by every lowering.
//
//===----------------------------------------------------------------------===//
#include "tessel/Dialect/TesselGPU/IR/TesselGPU.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tessel::tgpu;
namespace layout = ::tessel::layout;

#include "tessel/Dialect/TesselGPU/IR/TesselGPUOpsDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tessel/Dialect/TesselGPU/IR/TesselGPUAttrs.cpp.inc"

void TesselGPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tessel/Dialect/TesselGPU/IR/TesselGPUAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "tessel/Dialect/TesselGPU/IR/TesselGPUOps.cpp.inc"
      >();
}

static bool allPow2(ArrayRef<unsigned> v) {
  return llvm::all_of(v, [](unsigned x) { return layout::isPowerOf2(x); });
}

LogicalResult BlockedAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  ArrayRef<unsigned> spt,
                                  ArrayRef<unsigned> tpw,
                                  ArrayRef<unsigned> wpc,
                                  ArrayRef<unsigned> order) {
  size_t rank = order.size();
  if (spt.size() != rank || tpw.size() != rank || wpc.size() != rank)
    return emitError() << "blocked layout parameters must all have rank "
                       << rank;
  if (!allPow2(spt) || !allPow2(tpw) || !allPow2(wpc))
    return emitError() << "blocked layout sizes must be powers of two";
  unsigned lanes = 1;
  for (unsigned t : tpw)
    lanes *= t;
  if (lanes != layout::kWarpSize)
    return emitError() << "threadsPerWarp multiplies to " << lanes
                       << ", not 32";
  SmallVector<unsigned> sorted(order);
  llvm::sort(sorted);
  for (unsigned i = 0; i < rank; ++i)
    if (sorted[i] != i)
      return emitError() << "order must be a permutation of 0.." << rank - 1;
  return success();
}

LogicalResult MmaAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              unsigned version, ArrayRef<unsigned> warps) {
  if (version != 2)
    return emitError() << "mma version " << version
                       << " is not supported (2 = mma.sync)";
  if (warps.size() != 2 || !allPow2(warps))
    return emitError() << "mma warpsPerCTA must be two powers of two";
  return success();
}

static std::vector<unsigned> toStd(ArrayRef<unsigned> v) {
  return std::vector<unsigned>(v.begin(), v.end());
}

/// Rank of the tiles a layout attribute applies to; 0 for a non-layout.
static unsigned layoutRank(Attribute attr) {
  if (auto b = dyn_cast<BlockedAttr>(attr))
    return b.getOrder().size();
  if (isa<MmaAttr>(attr))
    return 2;
  if (auto s = dyn_cast<SliceAttr>(attr)) {
    unsigned parent = layoutRank(s.getParent());
    return parent > 0 ? parent - 1 : 0;
  }
  return 0;
}

LogicalResult SliceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                unsigned dim, Attribute parent) {
  unsigned parentRank = layoutRank(parent);
  if (parentRank == 0)
    return emitError() << "slice parent must be a layout (blocked, mma or "
                          "slice), not "
                       << parent;
  if (dim >= parentRank)
    return emitError() << "slice dim " << dim
                       << " is out of range for a parent of rank "
                       << parentRank;
  if (parentRank < 2)
    return emitError() << "a slice of a rank-1 layout would have rank 0";
  return success();
}

static LogicalResult verifyRank(Attribute attr, ArrayRef<int64_t> shape,
                                function_ref<InFlightDiagnostic()> emitError) {
  unsigned rank = layoutRank(attr);
  if (rank != shape.size())
    return emitError() << "layout " << attr << " is for tiles of rank " << rank
                       << ", not " << shape.size();
  return success();
}

LogicalResult BlockedAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type,
    function_ref<InFlightDiagnostic()> emitError) const {
  return verifyRank(*this, shape, emitError);
}

LogicalResult
MmaAttr::verifyEncoding(ArrayRef<int64_t> shape, Type,
                        function_ref<InFlightDiagnostic()> emitError) const {
  return verifyRank(*this, shape, emitError);
}

LogicalResult
SliceAttr::verifyEncoding(ArrayRef<int64_t> shape, Type,
                          function_ref<InFlightDiagnostic()> emitError) const {
  return verifyRank(*this, shape, emitError);
}

FailureOr<layout::Layout> mlir::tessel::tgpu::toLayout(Attribute attr) {
  if (auto b = dyn_cast_or_null<BlockedAttr>(attr))
    return layout::Layout::blocked(
        toStd(b.getSizePerThread()), toStd(b.getThreadsPerWarp()),
        toStd(b.getWarpsPerCTA()), toStd(b.getOrder()));
  if (auto m = dyn_cast_or_null<MmaAttr>(attr))
    return layout::Layout::mma(m.getWarpsPerCTA()[0], m.getWarpsPerCTA()[1]);
  if (auto s = dyn_cast_or_null<SliceAttr>(attr)) {
    auto parent = toLayout(s.getParent());
    if (failed(parent))
      return failure();
    return layout::Layout::slice(s.getDim(), *parent);
  }
  return failure();
}

Attribute mlir::tessel::tgpu::fromLayout(MLIRContext *ctx,
                                         const layout::Layout &l) {
  switch (l.kind) {
  case layout::Layout::Kind::Blocked:
    return BlockedAttr::get(ctx, l.sizePerThread, l.threadsPerWarp,
                            l.warpsPerCTA, l.order);
  case layout::Layout::Kind::Mma:
    return MmaAttr::get(ctx, 2, l.warpsPerCTA);
  case layout::Layout::Kind::Slice:
    return SliceAttr::get(ctx, l.sliceDim, fromLayout(ctx, *l.parent));
  }
  return {};
}

FailureOr<layout::Layout> mlir::tessel::tgpu::layoutOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return failure();
  return toLayout(tensor.getEncoding());
}

LogicalResult ConvertLayoutOp::verify() {
  auto src = getSrc().getType(), dst = getType();
  if (src.getShape() != dst.getShape() ||
      src.getElementType() != dst.getElementType())
    return emitOpError("may change only the layout, not ")
           << src << " into " << dst;
  if (failed(layoutOf(src)) || failed(layoutOf(dst)))
    return emitOpError("needs layouts on both tile types");
  return success();
}

#define GET_OP_CLASSES
#include "tessel/Dialect/TesselGPU/IR/TesselGPUOps.cpp.inc"
