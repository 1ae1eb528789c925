//===- TesselGPU.h - layouts and the GPU-level ops ----------------*- C++
//-*-===//
//
// Layout attributes (#tessel_gpu.blocked / mma / slice), convert_layout, and
// the bridge between the attributes and the pure maths of Layout.h.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_DIALECT_TESSELGPU_IR_TESSELGPU_H
#define TESSEL_DIALECT_TESSELGPU_IR_TESSELGPU_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TensorEncoding.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "tessel/Dialect/TesselGPU/Layout.h"

#include "tessel/Dialect/TesselGPU/IR/TesselGPUOpsDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tessel/Dialect/TesselGPU/IR/TesselGPUAttrs.h.inc"

#define GET_OP_CLASSES
#include "tessel/Dialect/TesselGPU/IR/TesselGPUOps.h.inc"

namespace mlir::tessel::tgpu {
/// The layout maths of a layout attribute; failure for a non-layout attribute.
FailureOr<::tessel::layout::Layout> toLayout(Attribute attr);
/// The attribute spelling a layout.
Attribute fromLayout(MLIRContext *ctx, const ::tessel::layout::Layout &layout);
/// The layout of a tile type (its encoding); failure when it has none.
FailureOr<::tessel::layout::Layout> layoutOf(Type type);
} // namespace mlir::tessel::tgpu

#endif // TESSEL_DIALECT_TESSELGPU_IR_TESSELGPU_H
