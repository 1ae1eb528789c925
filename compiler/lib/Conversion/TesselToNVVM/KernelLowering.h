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

/// What the runtime needs to build one tensor map: the gpu.func's tessel.tma
/// entry (read by the compile driver into KernelInfo::tma). Dimensions in
/// memory order, outermost first; an *Args entry is a kernel-argument index,
/// or -1 for the matching *Values constant.
struct TmaSpec {
  int64_t base = -1;
  SmallVector<int64_t> shapeArgs, shapeValues, strideArgs, strideValues, box;
  int64_t elementBytes = 2, swizzle = 128;
  DictionaryAttr toAttr(MLIRContext *ctx) const;
};

/// One operand of a TMA-pipelined dot loop (TmaPipeline.cpp).
struct TmaOperandPlan {
  BlockLoadOp load;
  int64_t contiguousDim = 1; ///< tile dimension with stride 1
  bool kMajor = true;        ///< contiguous along K
  int64_t boxes = 1;    ///< TMA copies per stage (64 contiguous elements each)
  int64_t boxBytes = 0; ///< bytes of one copy
  int64_t bytes = 0;    ///< bytes per stage
  TmaSpec spec;
  Value descriptor; ///< the hidden kernel argument holding its tensor map
  /// A split box's second half offset (splitOffset), else null.
  Value secondHalf;
};

/// A dot loop lowered as a TMA + mbarrier ring feeding wgmma.
struct TmaPipelinePlan {
  scf::ForOp loop;
  DotOp dot;
  int64_t stages = 3;
  TmaOperandPlan a, b;
  /// One more warpgroup, after the num_warps consumers, issues the copies
  /// and then exits (tessel.warp_spec). The loop is at the kernel's top
  /// level, or directly inside `tileLoop`, a top-level loop over tiles (a
  /// persistent kernel) that the producer then walks on its own, running
  /// ahead into the next tile while the consumers finish the last one.
  bool producerWarpgroup = false;
  scf::ForOp tileLoop;
  /// In a cluster of two programs (tessel.cluster_size), the operand both
  /// load alike (0: a, 1: b, -1: none): each copies half of every box of it,
  /// by rows, and multicasts that half to both programs' rings.
  int sharedOperand = -1;
  bool isShared(const TmaOperandPlan &p) const {
    return sharedOperand == 0 ? &p == &a : sharedOperand == 1 && &p == &b;
  }
};
/// Where a producer-fed ring lives once its producer is emitted.
struct TmaRingState {
  int64_t ring = 0, bars = 0;
  Value counter; ///< the consumers' count of iterations run (an alloca)
};

/// The plan for `loop` when it is two block loads feeding one accumulating
/// dot and the target and layouts allow it; failure (no diagnostic) if not.
FailureOr<TmaPipelinePlan> matchTmaPipeline(scf::ForOp loop, StringRef target,
                                            bool wgmma, int64_t numWarps,
                                            int64_t numStages);

class KernelLowering {
public:
  KernelLowering(OpBuilder &b, int64_t numWarps, Value smemBase)
      : b(b), numWarps(numWarps), smemBase(smemBase) {}

  /// Emits thread/lane/warp ids at the current insertion point.
  void emitPrologue(Location loc);
  /// tid, lane and warp again from an opaque copy of tid (for a loop body
  /// whose thread-dependent values must not be hoisted out of it).
  void reloadThreadIds(Location loc);
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
  /// Reserves `bytes` of shared memory aligned to `align` (a power of two,
  /// at most the window's 1024); returns its offset.
  int64_t allocShared(int64_t bytes, int64_t align = 16);
  /// Shared memory for an op that begins with a barrier and has read back
  /// into registers all it wrote before it returns (convert_layout, reduce,
  /// trans, the mma.sync dot's operands). Such ops take turns in one region:
  /// each one's first barrier orders its writes after the previous one's
  /// reads. Grows the region when it is the last allocation.
  int64_t allocScratch(int64_t bytes);
  int64_t sharedBytes() const { return sharedTop; }
  /// A CTA barrier; once a producer warpgroup has exited, named barrier 1
  /// over the barrierThreads consumers.
  void barrier(Location loc);

  /// Type of one register of a tile with element type `e`.
  Type registerType(Type e);

  OpBuilder &b;
  int64_t numWarps;
  Value tid, lane, warp; // i32
  /// Threads that reach barriers from here on: 0 for the whole CTA, else the
  /// consumer threads left after a producer warpgroup exited.
  int64_t barrierThreads = 0;
  /// Shared memory (offset, bytes) that is free to reuse once the CTA has
  /// met at a barrier: a TMA ring after its loop (without a producer).
  std::optional<std::pair<int64_t, int64_t>> freeAfterBarrier;
  /// The PTX target (the module's tessel.target; "" when absent).
  std::string target;
  /// The module opts into wgmma (tessel.wgmma).
  bool wgmma = false;
  /// Dot loops that become TMA pipelines, by their scf.for.
  llvm::DenseMap<Operation *, TmaPipelinePlan> tmaPlans;
  /// Persistent tile loops whose dot loop has a producer warpgroup: the
  /// producer is emitted before them.
  llvm::DenseMap<Operation *, TmaPipelinePlan> tmaProducers;
  /// Rings whose producer has been emitted, by their dot loop.
  llvm::DenseMap<Operation *, TmaRingState> tmaRings;

private:
  LogicalResult lowerFor(scf::ForOp op);
  LogicalResult lowerIf(scf::IfOp op);
  LogicalResult lowerTileConstruction(Operation *op);
  LogicalResult lowerElementwise(Operation *op);

  Value smemBase;
  int64_t sharedTop = 0;
  /// The scratch region (offset, bytes), once an op asked for one.
  std::optional<std::pair<int64_t, int64_t>> scratch;
  llvm::DenseMap<Value, Regs> tiles;
  IRMapping scalars;
};

/// The value of `v` when the bound knobs decide it: a constant, or casts,
/// comparisons and selects of such (tessel-specialize leaves `select(knob ==
/// 1, 1, %stride)` unfolded). `v` is a value of the kernel before lowering.
std::optional<APInt> knownConstant(Value v);
/// The offset of a block op's second half box (`second_half`) where the box
/// really is split; null without one, or where it just continues the first
/// half (offsets' last + columns / 2, as a knob that keeps the halves
/// together writes it): that box lowers whole.
Value splitOffset(ValueRange offsets, Value secondHalf, int64_t columns);

// Per-op-family emitters (one file each).
LogicalResult lowerAddPtr(KernelLowering &k, AddPtrOp op);
LogicalResult lowerLoad(KernelLowering &k, LoadOp op);
LogicalResult lowerBlockLoad(KernelLowering &k, BlockLoadOp op);
LogicalResult lowerStore(KernelLowering &k, StoreOp op);
LogicalResult lowerBlockStore(KernelLowering &k, BlockStoreOp op);
LogicalResult lowerDotMMAv2(KernelLowering &k, DotOp op);
LogicalResult lowerDotWGMMA(KernelLowering &k, DotOp op);
/// One wgmma.mma_async.m64nNk16 line: accumulators $firstAcc.., descriptors
/// $aOperand and $bOperand; transB for an N-contiguous (MN-major) B.
std::string wgmmaInstruction(int64_t n, StringRef ty, int64_t firstAcc,
                             int64_t aOperand, int64_t bOperand, bool transB);
/// `instructions` as one inline-asm block (fence, them, commit and, with
/// `wait`, wait for them), the accumulators tied in and out, `descriptors`
/// numbered after the accumulators; returns the new accumulators. Without
/// `wait` they are still being written: pass them through emitWgmmaWait
/// before reading them.
Regs emitWgmmaBlock(KernelLowering &k, Location loc, StringRef instructions,
                    ValueRange descriptors, const Regs &acc, bool wait = true);
/// wgmma.wait_group `pending` with the accumulators tied through it, so no
/// read of them moves above it.
Regs emitWgmmaWait(KernelLowering &k, Location loc, int64_t pending,
                   const Regs &acc);
/// True when lowerDotWGMMA takes `op` (target, shapes, layout).
bool usesWGMMA(KernelLowering &k, DotOp op);
LogicalResult lowerTmaPipeline(KernelLowering &k, const TmaPipelinePlan &plan);
/// Whether a producer warpgroup can walk `tiles` on its own for `plan`: the
/// dot loop's bounds and the block loads' offsets depend on the tile loop
/// only through its induction variable and scalar arithmetic.
bool producerCanWalk(const TmaPipelinePlan &plan, scf::ForOp tiles);
/// The producer warpgroup of `plan`, emitted before its tile loop.
LogicalResult lowerTmaProducer(KernelLowering &k, const TmaPipelinePlan &plan);
LogicalResult lowerReduce(KernelLowering &k, ReduceOp op);
LogicalResult lowerSignal(KernelLowering &k, SignalOp op);
LogicalResult lowerWait(KernelLowering &k, WaitOp op);
LogicalResult lowerConvertLayout(KernelLowering &k, tgpu::ConvertLayoutOp op);
LogicalResult lowerTrans(KernelLowering &k, TransOp op);

} // namespace mlir::tessel

#endif // TESSEL_CONVERSION_TESSELTONVVM_KERNELLOWERING_H
