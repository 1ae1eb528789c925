//===- KernelLowering.h - state of lowering one kernel -----------*- C++
//-*-===//
//
// Lowering a laid-out kernel to per-thread code: every tile value becomes the
// registers its layout gives each thread (one SSA value per register). The
// per-op-family emitters (LoadStore, MMAv2, WGMMA, SharedMemory) share this
// state.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_CONVERSION_TESSELTONVVM_KERNELLOWERING_H
#define TESSEL_CONVERSION_TESSELTONVVM_KERNELLOWERING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "tessel/Dialect/Tessel/IR/Tessel.h"
#include "tessel/Dialect/TesselGPU/IR/TesselGPU.h"

namespace mlir::tessel {

using Regs = SmallVector<Value>;

class KernelLowering {
public:
  KernelLowering(OpBuilder &b, int64_t numWarps, Value smemBase)
      : b(b), numWarps(numWarps), smemBase(smemBase) {}

  /// Emits thread/lane/warp ids at the current insertion point.
  void emitPrologue(Location loc);
  /// Lowers every op of `block` (not its terminator) at the insertion point.
  LogicalResult lowerBlock(Block &block);
  LogicalResult lowerOp(Operation *op);

  // Values.
  const Regs &regs(Value tile) { return tiles[tile]; }
  void setRegs(Value tile, Regs r) { tiles[tile] = std::move(r); }
  Value scalar(Value v) { return scalars.lookupOrDefault(v); }
  void setScalar(Value from, Value to) { scalars.map(from, to); }

  /// Layout map of a laid-out tile type.
  FailureOr<::tessel::layout::LayoutMap> mapOf(Operation *op, Type tileType);
  /// coords[reg][dim] of a tile as i32 values (masked where the layout wraps).
  SmallVector<SmallVector<Value>> coords(Location loc,
                                         const ::tessel::layout::LayoutMap &m);
  /// The thread part of a coordinate along `dim` (memoized per map).
  Value threadOffset(Location loc, const ::tessel::layout::LayoutMap &m,
                     unsigned dim);

  // Helpers.
  Value i32(Location loc, int64_t v);
  Value add(Location loc, Value a, Value c) {
    return arith::AddIOp::create(b, loc, a, c);
  }
  Value mul(Location loc, Value a, Value c) {
    return arith::MulIOp::create(b, loc, a, c);
  }
  /// Shared-memory pointer at `byteOffset` (an i32 value) from the base.
  Value smemPtr(Location loc, Value byteOffset);
  /// Reserves `bytes` of shared memory (16-byte aligned); returns its offset.
  int64_t allocShared(int64_t bytes);
  int64_t sharedBytes() const { return sharedTop; }
  void barrier(Location loc) { mlir::gpu::BarrierOp::create(b, loc); }

  /// Type of one register of a tile with element type `e`.
  Type registerType(Type e);

  OpBuilder &b;
  int64_t numWarps;
  Value tid, lane, warp; // i32
  /// The PTX target (the module's tessel.target; "" when absent).
  std::string target;
  /// The module opts into wgmma (tessel.wgmma).
  bool wgmma = false;

private:
  LogicalResult lowerFor(scf::ForOp op);
  LogicalResult lowerIf(scf::IfOp op);
  LogicalResult lowerTileConstruction(Operation *op);
  LogicalResult lowerElementwise(Operation *op);

  Value smemBase;
  int64_t sharedTop = 0;
  llvm::DenseMap<Value, Regs> tiles;
  IRMapping scalars;
};

// Per-op-family emitters (one file each).
LogicalResult lowerAddPtr(KernelLowering &k, AddPtrOp op);
LogicalResult lowerLoad(KernelLowering &k, LoadOp op);
LogicalResult lowerStore(KernelLowering &k, StoreOp op);
LogicalResult lowerDotMMAv2(KernelLowering &k, DotOp op);
LogicalResult lowerDotWGMMA(KernelLowering &k, DotOp op);
/// True when lowerDotWGMMA takes `op` (target, shapes, layout).
bool usesWGMMA(KernelLowering &k, DotOp op);
LogicalResult lowerReduce(KernelLowering &k, ReduceOp op);
LogicalResult lowerConvertLayout(KernelLowering &k, tgpu::ConvertLayoutOp op);

} // namespace mlir::tessel

#endif // TESSEL_CONVERSION_TESSELTONVVM_KERNELLOWERING_H
