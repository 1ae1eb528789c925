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
/// The knob that launches programs in clusters (1 or 2 along the grid's x):
/// with 2, a TMA-pipelined dot loop whose operand load is marked
/// kClusterSharedAttr copies half of that operand's box in each program and
/// multicasts it to both (tessel.cluster_size on the specialized kernel).
inline constexpr llvm::StringLiteral kClusterParam = "CLUSTER";
/// Marks a tessel.block_load feeding a TMA-pipelined dot: the kernel
/// promises that the two programs of a cluster (x = 2c, 2c + 1) load the
/// same box of it on every iteration, and run the loop equally often.
inline constexpr llvm::StringLiteral kClusterSharedAttr =
    "tessel.cluster_shared";
/// Marks an scf.for whose thread-dependent values (addresses of a big
/// epilogue's registers) LLVM must compute inside it each iteration instead
/// of hoisting them out (where they stay live beside the accumulator and
/// spill): a loop over tiles around a K loop with a large epilogue.
inline constexpr llvm::StringLiteral kNoHoistAttr = "tessel.no_hoist";
/// Element type of a tile or the type itself for scalars.
Type elementTypeOf(Type t);
} // namespace mlir::tessel

#endif // TESSEL_DIALECT_TESSEL_IR_TESSEL_H
