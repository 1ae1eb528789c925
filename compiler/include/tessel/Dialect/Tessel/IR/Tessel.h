//===- Tessel.h - the tile-level Tessel dialect -------------------*- C++
//-*-===//
//
// Dialect, `!tessel.ptr` type and ops of the Tessel DSL.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_DIALECT_TESSEL_IR_TESSEL_H
#define TESSEL_DIALECT_TESSEL_IR_TESSEL_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tessel/Dialect/Tessel/IR/TesselOpsDialect.h.inc"
#include "tessel/Dialect/Tessel/IR/TesselOpsEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "tessel/Dialect/Tessel/IR/TesselOpsTypes.h.inc"

#define GET_OP_CLASSES
#include "tessel/Dialect/Tessel/IR/TesselOps.h.inc"

namespace mlir::tessel {
/// Name of the unit attribute that marks a `func.func` as a Tessel kernel.
inline constexpr llvm::StringLiteral kKernelAttr = "tessel.kernel";
/// Name of the knob giving the warps per program (a `tessel.param`).
inline constexpr llvm::StringLiteral kNumWarpsParam = "num_warps";
/// The knob that sets how many shared-memory stages a pipelined dot loop
/// keeps in flight (tessel.num_stages on the specialized kernel).
inline constexpr llvm::StringLiteral kNumStagesParam = "NUM_STAGES";
/// The knob that splits warps into roles: 1, every warp computes (one thread
/// also issues copies); 2, a TMA-pipelined dot loop gets one more warpgroup
/// that only issues its copies while the num_warps consumers only compute
/// (tessel.warp_spec on the specialized kernel).
inline constexpr llvm::StringLiteral kWarpRolesParam = "WARP_ROLES";
/// Element type of a tile or the type itself for scalars.
Type elementTypeOf(Type t);
} // namespace mlir::tessel

#endif // TESSEL_DIALECT_TESSEL_IR_TESSEL_H
