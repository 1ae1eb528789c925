//===- TmaPipeline.cpp - a dot loop fed by TMA through an mbarrier ring ---===//
//
// On sm_90a (with wgmma on), a loop whose body is two block loads feeding one
// tessel.dot that accumulates into the loop's only iter_arg:
//
//   %acc = scf.for %k = ... iter_args(%c = %init) {
//     %a = tessel.block_load %A[...]   // [BM, 64], K contiguous
//     %b = tessel.block_load %B[...]   // [64, BN], N or K contiguous
//     %d = tessel.dot %a, %b, %c
//     scf.yield %d }
//
// becomes a ring of NUM_STAGES shared-memory stages. One thread issues TMA
// copies (cp.async.bulk.tensor) of both operand boxes into a stage; the copy
// completes on that stage's "full" mbarrier. Every warpgroup waits for it,
// issues wgmma.mma_async straight from the stage (descriptors of the 128-byte
// swizzled boxes TMA wrote) without waiting for them, waits only for the
// previous iteration's (wgmma.wait_group 1) and then arrives on that stage's
// "empty" mbarrier; the issuing thread refills a stage once every warpgroup
// has released it (iteration j refills iteration j - 2's stage). Copies of
// NUM_STAGES - 1 iterations ahead are in flight, and the loads' edges are
// TMA's bounds (outside reads zero).
//
// With WARP_ROLES = 2 (tessel.warp_spec) the copies come from a producer
// warpgroup launched after the num_warps consumers: it hands most of its
// registers to them (setmaxnreg), its first thread fills stage j % S as soon
// as the consumers release iteration j - S, and it exits once its last
// copies have landed. The consumers only wait, compute and release; later
// CTA barriers are named barriers over the consumers alone.
//
// The tensor maps are hidden kernel arguments (one device pointer per block
// load, after the kernel's own); the gpu.func's tessel.tma attribute tells
// the runtime what each describes in terms of the kernel's arguments
// (rt::appendTensorMaps builds them at launch).
//
// Shared-memory layouts (128-byte swizzle, 16-bit elements, 64-element rows):
//   K-major operand ([rows][64 k] box; BLOCK_K = 128 takes two boxes, the
//     second k half after the first): row r at r * 128 bytes; the
//     descriptor's stride (8-row groups) is 1024, a 16-wide k step adds 32
//     bytes to the start address (and steps 4..7 start in the second box).
//   MN-major operand ([k][64 n] boxes, one per 64 columns, each k * 128
//     bytes): a k step of 16 adds 16 rows (2048 bytes); the leading offset
//     is the distance between 64-column boxes, the stride 1024 (8 k rows).
//
//===----------------------------------------------------------------------===//
#include "../KernelLowering.h"
#include "tessel/Dialect/TesselGPU/Wgmma.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::tessel;
namespace layout = ::tessel::layout;

namespace {

/// Elements per 128-byte swizzled row (16-bit elements).
constexpr int64_t kRowElems = 64;
constexpr int64_t kRowBytes = 128;
/// Bytes between 8-row groups of a swizzled box.
constexpr int64_t kGroupBytes = 8 * kRowBytes;
/// Ring stages are 1024-byte aligned: the swizzle pattern repeats every 1024
/// bytes and the descriptors assume it starts at a stage's base.
constexpr int64_t kStageAlign = 1024;


bool isConstantOne(Value v) {
  auto value = knownConstant(v);
  return value && value->isOne();
}

/// The kernel-argument index of `v`, or -1 when it is a constant (its value
/// in `constant`); failure for anything else. Sees through integer casts of
/// an argument (the runtime reads the argument itself) and selects whose
/// condition the knobs decide.
FailureOr<int64_t> argOrConstant(Value v, int64_t &constant) {
  if (auto arg = dyn_cast<BlockArgument>(v);
      arg && isa<func::FuncOp>(arg.getOwner()->getParentOp())) {
    constant = 0;
    return (int64_t)arg.getArgNumber();
  }
  if (auto c = knownConstant(v)) {
    constant = c->getSExtValue();
    return -1;
  }
  Operation *def = v.getDefiningOp();
  if (def && isa<arith::ExtSIOp, arith::TruncIOp>(def))
    return argOrConstant(def->getOperand(0), constant);
  if (auto sel = dyn_cast_or_null<arith::SelectOp>(def))
    if (auto c = knownConstant(sel.getCondition()))
      return argOrConstant(c->isOne() ? sel.getTrueValue()
                                      : sel.getFalseValue(),
                           constant);
  return failure();
}

/// Emits `asm` (no results) with `operands` under `constraints`.
void emitAsm(KernelLowering &k, Location loc, StringRef asmText,
             ValueRange operands, StringRef constraints) {
  LLVM::InlineAsmOp::create(k.b, loc, TypeRange{}, operands, asmText,
                            constraints, /*has_side_effects=*/true,
                            /*is_align_stack=*/false,
                            LLVM::tailcallkind::TailCallKind::None,
                            LLVM::AsmDialectAttr(), ArrayAttr());
}

} // namespace

DictionaryAttr TmaSpec::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  return b.getDictionaryAttr({
      b.getNamedAttr("base", b.getI64IntegerAttr(base)),
      b.getNamedAttr("shape_args", b.getDenseI64ArrayAttr(shapeArgs)),
      b.getNamedAttr("shape_values", b.getDenseI64ArrayAttr(shapeValues)),
      b.getNamedAttr("stride_args", b.getDenseI64ArrayAttr(strideArgs)),
      b.getNamedAttr("stride_values", b.getDenseI64ArrayAttr(strideValues)),
      b.getNamedAttr("box", b.getDenseI64ArrayAttr(box)),
      b.getNamedAttr("element_bytes", b.getI64IntegerAttr(elementBytes)),
      b.getNamedAttr("swizzle", b.getI64IntegerAttr(swizzle)),
  });
}

/// Fills `op`'s copy plan; failure when it cannot be a TMA operand.
static LogicalResult planOperand(BlockLoadOp op, bool isA, TmaOperandPlan &p) {
  p.load = op;
  auto tile = op.getType();
  if (!tile.getElementType().isBF16() && !tile.getElementType().isF16())
    return failure();
  size_t rank = op.getShape().size();
  bool lastUnit = isConstantOne(op.getStrides()[rank - 1]);
  bool rowUnit = isConstantOne(op.getStrides()[rank - 2]);
  if (!lastUnit && !rowUnit)
    return failure();
  // The tile's contiguous dimension (its box rows are 64 of those).
  p.contiguousDim = lastUnit ? 1 : 0;
  int64_t kDim = isA ? 1 : 0;
  p.kMajor = p.contiguousDim == kDim;
  if (isA && !p.kMajor)
    return failure(); // an M-contiguous A: not yet
  int64_t contiguous = tile.getDimSize(p.contiguousDim);
  int64_t other = tile.getDimSize(1 - p.contiguousDim);
  if (contiguous % kRowElems || other > 256 || other % 8)
    return failure();
  if (p.kMajor && contiguous != kRowElems && contiguous != 2 * kRowElems)
    return failure(); // one or two swizzle atoms along K (BLOCK_K 64 or 128)
  // A split box (second_half) along the strided dimension: two copies of
  // half the rows each, the second into the stage's second half (128-byte
  // rows; halves of whole 8-row groups keep the swizzle's layout).
  p.secondHalf =
      splitOffset(op.getOffsets(), op.getSecondHalf(), tile.getDimSize(1));
  const bool split = (bool)p.secondHalf;
  if (split && (p.contiguousDim != 0 || other % 16))
    return failure();
  p.boxes = contiguous / kRowElems;
  p.boxBytes = other * kRowBytes;
  p.bytes = p.boxes * p.boxBytes;

  // The tensor in memory order: leading dims, the strided tile dim, the
  // contiguous one.
  auto dimOrder = [&](ValueRange values) {
    SmallVector<Value> out(values.take_front(rank - 2));
    out.push_back(values[rank - 2 + (1 - p.contiguousDim)]);
    out.push_back(values[rank - 2 + p.contiguousDim]);
    return out;
  };
  TmaSpec &s = p.spec;
  int64_t constant = 0;
  auto base = argOrConstant(op.getBase(), constant);
  if (failed(base) || *base < 0)
    return failure();
  s.base = *base;
  for (Value v : dimOrder(op.getShape())) {
    auto a = argOrConstant(v, constant);
    if (failed(a))
      return failure();
    s.shapeArgs.push_back(*a);
    s.shapeValues.push_back(constant);
  }
  for (Value v : dimOrder(op.getStrides())) {
    auto a = argOrConstant(v, constant);
    if (failed(a))
      return failure();
    s.strideArgs.push_back(*a);
    s.strideValues.push_back(constant);
  }
  s.box.assign(rank - 2, 1);
  s.box.push_back(split ? other / 2 : other);
  s.box.push_back(kRowElems);
  s.elementBytes = 2;
  s.swizzle = kRowBytes;
  return success();
}

FailureOr<TmaPipelinePlan>
mlir::tessel::matchTmaPipeline(scf::ForOp loop, StringRef target, bool wgmma,
                               int64_t numWarps, int64_t numStages) {
  if (!wgmma || !layout::hasWgmma(target) || numWarps % 4)
    return failure();
  if (loop.getNumRegionIterArgs() != 1)
    return failure();
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  auto dot = yield.getOperand(0).getDefiningOp<DotOp>();
  if (!dot || dot->getBlock() != body ||
      dot.getAcc() != loop.getRegionIterArgs()[0] || !dot->hasOneUse())
    return failure();
  auto a = dot.getA().getDefiningOp<BlockLoadOp>();
  auto b = dot.getB().getDefiningOp<BlockLoadOp>();
  if (!a || !b || a == b || a->getBlock() != body || b->getBlock() != body ||
      !a->hasOneUse() || !b->hasOneUse())
    return failure();
  // Everything else in the body is scalar arithmetic (the loads' offsets).
  for (Operation &op : body->without_terminator()) {
    if (&op == dot || &op == a || &op == b)
      continue;
    if (op.getNumRegions() || op.getDialect()->getNamespace() == "tessel" ||
        llvm::any_of(op.getResultTypes(),
                     [](Type t) { return isa<RankedTensorType>(t); }))
      return failure();
  }
  // The accumulator is in wgmma's fragments (tessel-assign-layouts).
  auto acc = tgpu::layoutOf(dot.getType());
  auto aType = dot.getA().getType(), bType = dot.getB().getType();
  if (failed(acc) || acc->kind != layout::Layout::Kind::Mma ||
      acc->warpsPerCTA[0] != (unsigned)numWarps || acc->warpsPerCTA[1] != 1 ||
      !layout::wgmmaFits(aType.getDimSize(0), bType.getDimSize(1),
                         aType.getDimSize(1), numWarps))
    return failure();
  TmaPipelinePlan plan;
  plan.loop = loop;
  plan.dot = dot;
  plan.stages = numStages;
  if (failed(planOperand(a, true, plan.a)) ||
      failed(planOperand(b, false, plan.b)))
    return failure();
  return plan;
}

namespace {
/// What the ring's copies are addressed by: both loads' offsets and their
/// second halves.
SmallVector<Value> copyCoordinates(const TmaPipelinePlan &plan) {
  SmallVector<Value> values;
  for (const TmaOperandPlan *p : {&plan.a, &plan.b}) {
    llvm::append_range(values, BlockLoadOp(p->load).getOffsets());
    if (p->secondHalf)
      values.push_back(p->secondHalf);
  }
  return values;
}

/// The ring of one TMA-pipelined dot loop: its shared memory, barriers and
/// copies. One exists per loop; with a producer warpgroup it is created where
/// the producer is emitted (before the loop, or before the persistent tile
/// loop around it) and found again when the loop itself is lowered.
class Ring {
public:
  /// Allocates the ring's shared memory, or takes `existing`'s.
  Ring(KernelLowering &k, const TmaPipelinePlan &plan, Location loc,
       const TmaRingState *existing = nullptr)
      : k(k), plan(plan), loc(loc), b(k.b), S(plan.stages) {
    stageBytes = (plan.a.bytes + plan.b.bytes + kStageAlign - 1) / kStageAlign *
                 kStageAlign;
    if (plan.sharedOperand >= 0) {
      auto rankOp = LLVM::InlineAsmOp::create(
          b, loc, b.getI32Type(), ValueRange{}, "mov.u32 $0, %cluster_ctarank;",
          "=r", /*has_side_effects=*/false, /*is_align_stack=*/false,
          LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
          ArrayAttr());
      ctaRank = rankOp.getResult(0);
    }
    if (existing) {
      ring = existing->ring;
      bars = existing->bars;
      return;
    }
    ring = k.allocShared(S * stageBytes, kStageAlign);
    bars = k.allocShared(2 * S * 8);
  }
  bool multicast() const { return plan.sharedOperand >= 0; }
  /// All threads of both programs of the cluster meet (and the writes
  /// before, shared memory and barrier arrivals included, are visible). The
  /// NVVM ops are convergent intrinsics: unlike inline asm, LLVM does not
  /// copy them into both arms of a branch, which .aligned forbids.
  void clusterBarrier() {
    NVVM::ClusterArriveOp::create(b, loc, b.getUnitAttr());
    NVVM::ClusterWaitOp::create(b, loc, b.getUnitAttr());
  }
  Value c32(int64_t v) { return k.i32(loc, v); }
  Value addr32(Value byte) {
    return LLVM::PtrToIntOp::create(b, loc, b.getI32Type(), k.smemPtr(loc, byte));
  }
  Value fullBar(Value s) {
    return addr32(k.add(loc, c32(bars), k.mul(loc, s, c32(8))));
  }
  Value emptyBar(Value s) {
    return addr32(k.add(loc, c32(bars + 8 * S), k.mul(loc, s, c32(8))));
  }
  Value stageBase(Value s) {
    return k.add(loc, c32(ring), k.mul(loc, s, c32(stageBytes)));
  }
  Value stageOf(Value g) { return arith::RemSIOp::create(b, loc, g, c32(S)); }
  /// Parity of use `g / S` of a stage.
  Value parityOf(Value g) {
    return arith::AndIOp::create(
        b, loc, arith::DivSIOp::create(b, loc, g, c32(S)), c32(1));
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  void ifThen(Value cond, llvm::function_ref<void()> body) {
    auto op = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    body();
  }
  /// for (i = from; i < to; i += step) body(i), carrying `init` (yield the
  /// new); step 1 (i32) unless given.
  SmallVector<Value> forEach(Value from, Value to, ValueRange init,
                             llvm::function_ref<SmallVector<Value>(
                                 Value, ValueRange)> body,
                             Value step = {}) {
    auto op = scf::ForOp::create(b, loc, from, to, step ? step : c32(1), init);
    OpBuilder::InsertionGuard guard(b);
    Block *blk = op.getBody();
    if (!blk->empty() && isa<scf::YieldOp>(blk->back()))
      blk->back().erase();
    b.setInsertionPointToEnd(blk);
    scf::YieldOp::create(b, loc,
                         body(op.getInductionVar(), op.getRegionIterArgs()));
    return SmallVector<Value>(op.getResults());
  }
  /// Waits for phase `parity` of `bar` (the default acquire at CTA scope,
  /// also for an empty barrier the other program of a cluster arrives on:
  /// see arriveEmpty).
  void wait(Value bar, Value parity) {
    emitAsm(k, loc,
            "{\n.reg .pred ready;\nwait_again:\n"
            "mbarrier.try_wait.parity.shared::cta.b64 ready, [$0], $1;\n"
            "@!ready bra wait_again;\n}",
            {bar, parity}, "r,r,~{memory}");
  }
  void waitEmpty(Value s, Value parity) { wait(emptyBar(s), parity); }
  /// This warpgroup is done with stage `s`; with multicast the other
  /// program's copies write into it too, so its empty barrier hears of it.
  /// What the arrival orders is the wgmmas' reads of the stage, complete
  /// (wgmma.wait_group) before it, against the other program's later copy
  /// into it, which that program issues only once it has seen the barrier's
  /// phase flip: the order rests on that causality, as in CUTLASS's cluster
  /// pipelines, not on a cluster-scope release/acquire pair. A
  /// `.release.cluster` arrival (and an `.acquire.cluster` wait) made ptxas
  /// put MEMBAR.ALL.GPU and ERRBAR before every remote arrival (and
  /// CCTL.IVALL after the wait): the K loop ran 1.5-3.5x slower
  /// (bench/results/experiments/cluster-release-fence-h100.txt).
  void arriveEmpty(Value s) {
    emitAsm(k, loc,
            "{\n.reg .b64 state;\n"
            "mbarrier.arrive.shared::cta.b64 state, [$0];\n}",
            {emptyBar(s)}, "r,~{memory}");
    if (multicast())
      emitAsm(k, loc,
              "{\n.reg .b32 remote;\n"
              "mapa.shared::cluster.u32 remote, $0, $1;\n"
              "mbarrier.arrive.shared::cluster.b64 _, "
              "[remote];\n}",
              {emptyBar(s), arith::XOrIOp::create(b, loc, ctaRank, c32(1))},
              "r,r,~{memory}");
  }
  /// Barrier init by `leader`: full completes when a stage's bytes have
  /// landed (one arrival, the issuing thread's expect_tx); empty when every
  /// consumer warpgroup is done with it (with multicast, both programs'
  /// warpgroups: either program's copies write into it). Then the whole CTA
  /// meets, or the whole cluster: no copy may reach a barrier not yet set.
  void init(Value leader) {
    const int64_t users = k.numWarps / 4 * (multicast() ? 2 : 1);
    ifThen(leader, [&] {
      for (int64_t s = 0; s < S; ++s) {
        emitAsm(k, loc, "mbarrier.init.shared::cta.b64 [$0], $1;",
                {fullBar(c32(s)), c32(1)}, "r,r,~{memory}");
        emitAsm(k, loc, "mbarrier.init.shared::cta.b64 [$0], $1;",
                {emptyBar(c32(s)), c32(users)}, "r,r,~{memory}");
      }
      emitAsm(k, loc,
              "fence.mbarrier_init.release.cluster;\n"
              "fence.proxy.async.shared::cta;",
              {}, "~{memory}");
    });
    if (multicast())
      clusterBarrier();
    else
      k.barrier(loc);
  }

  /// `v` as the code at hand sees it: values of the loop body (and, for a
  /// producer ahead of a persistent tile loop, of that loop's body) are
  /// cloned with the induction variables `map` gives; anything else was
  /// lowered already.
  Value value(Value v, IRMapping &map) {
    if (Value known = map.lookupOrNull(v))
      return known;
    Operation *def = v.getDefiningOp();
    bool local = def && (def->getBlock() == plan.loop.getBody() ||
                         (cloneTileLoop && plan.tileLoop &&
                          def->getBlock() == plan.tileLoop.getBody()));
    if (!local)
      return k.scalar(v);
    for (Value operand : def->getOperands())
      map.map(operand, value(operand, map));
    Operation *clone = b.clone(*def, map);
    for (auto [from, to] : llvm::zip(def->getResults(), clone->getResults()))
      map.map(from, to);
    return map.lookup(v);
  }
  /// Clones here, once per tile, the values of the tile loop's body that the
  /// copies' coordinates use, so that the dot loop's copies find them in
  /// `map`. Cloned inside the dot loop they would be recomputed every
  /// iteration: LLVM does not hoist a division (a tile's row and column)
  /// past the loop's inline asm, and the producer's thread then takes about
  /// as long per iteration as the consumers' wgmmas.
  void cloneTileValues(IRMapping &map) {
    if (!plan.tileLoop)
      return;
    SmallVector<Value> work = copyCoordinates(plan);
    llvm::DenseSet<Value> seen;
    while (!work.empty()) {
      Value v = work.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def || !seen.insert(v).second)
        continue;
      if (def->getBlock() == plan.loop.getBody())
        llvm::append_range(work, def->getOperands());
      else if (def->getBlock() == plan.tileLoop.getBody())
        value(v, map);
    }
  }
  /// The loop's lower bound, step and trip count ceil((ub - lb) / step) >= 0.
  std::tuple<Value, Value, Value> bounds(IRMapping &map) {
    scf::ForOp loop = plan.loop;
    Type i32 = b.getI32Type();
    Value lb = arith::IndexCastOp::create(
        b, loc, i32, value(loop.getLowerBound(), map));
    Value ub = arith::IndexCastOp::create(
        b, loc, i32, value(loop.getUpperBound(), map));
    Value step =
        arith::IndexCastOp::create(b, loc, i32, value(loop.getStep(), map));
    Value span = arith::MaxSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, ub, lb), c32(0));
    Value trips = arith::DivSIOp::create(
        b, loc, k.add(loc, span, arith::SubIOp::create(b, loc, step, c32(1))),
        step);
    return {lb, step, trips};
  }
  /// Issues iteration `j`'s copies into stage `s` (one thread).
  void issue(Value j, Value s, Value lb, Value step, const IRMapping &outer) {
    Value ivI32 = k.add(loc, lb, k.mul(loc, j, step));
    IRMapping local = outer;
    local.map(plan.loop.getInductionVar(),
              arith::IndexCastOp::create(b, loc, b.getIndexType(), ivI32));
    Value full = fullBar(s);
    emitAsm(k, loc,
            "{\n.reg .b64 state;\n"
            "mbarrier.arrive.expect_tx.shared::cta.b64 state, [$0], $1;\n}",
            {full, c32(plan.a.bytes + plan.b.bytes)}, "r,r,~{memory}");
    int64_t offsetInStage = 0;
    for (const TmaOperandPlan *p : {&plan.a, &plan.b}) {
      BlockLoadOp load = p->load;
      size_t rank = load.getOffsets().size();
      SmallVector<Value> offs;
      for (Value o : load.getOffsets())
        offs.push_back(value(o, local));
      Value inner = offs[rank - 2 + p->contiguousDim];
      Value outerCoord = offs[rank - 2 + (1 - p->contiguousDim)];
      // A shared operand: this program's half of each box's rows, at the
      // same place in both programs' stages.
      const bool half = plan.isShared(*p);
      Value halfRow = c32(0);
      if (half) {
        halfRow = k.mul(loc, ctaRank, c32(p->spec.box[rank - 2]));
        outerCoord = k.add(loc, outerCoord, halfRow);
      }
      // A split box: each half is its own copy, the second from its own
      // offset into the second half of the box's rows.
      SmallVector<std::pair<Value, int64_t>> pieces = {{outerCoord, 0}};
      if (p->secondHalf)
        pieces.push_back({value(p->secondHalf, local), p->boxBytes / 2});
      for (int64_t box = 0; box < p->boxes; ++box)
        for (auto [outerAt, pieceBytes] : pieces) {
          // Coordinates innermost first: contiguous, strided, then batch.
          SmallVector<Value> coords = {k.add(loc, inner, c32(box * kRowElems)),
                                       outerAt};
          for (size_t d = rank - 2; d-- > 0;)
            coords.push_back(offs[d]);
          Value dst = addr32(
              k.add(loc,
                    k.add(loc, stageBase(s),
                          c32(offsetInStage + box * p->boxBytes + pieceBytes)),
                    k.mul(loc, halfRow, c32(kRowBytes))));
          std::string text = llvm::formatv(
              "cp.async.bulk.tensor.{0}d.shared::cluster.global.mbarrier::"
              "complete_tx::bytes{1} [$0], [$1, {{",
              rank, half ? ".multicast::cluster" : "");
          std::string constraints = "r,l";
          SmallVector<Value> operands = {dst, p->descriptor};
          for (size_t c = 0; c < coords.size(); ++c) {
            text += (c ? ", $" : "$") + std::to_string(2 + c);
            constraints += ",r";
            operands.push_back(coords[c]);
          }
          text += "}], [$" + std::to_string(2 + coords.size()) + "]";
          constraints += ",r";
          operands.push_back(full);
          if (half) {
            // Both programs of the cluster receive it.
            text += ", $" + std::to_string(3 + coords.size());
            constraints += ",h";
            operands.push_back(
                arith::ConstantIntOp::create(b, loc, b.getI16Type(), 0b11));
          }
          text += ";";
          constraints += ",~{memory}";
          emitAsm(k, loc, text, operands, constraints);
        }
      offsetInStage += p->bytes;
    }
  }

  KernelLowering &k;
  TmaPipelinePlan plan; // a copy: its ops' accessors are not const
  Location loc;
  OpBuilder &b;
  const int64_t S;
  int64_t stageBytes = 0, ring = 0, bars = 0;
  /// The producer clones the tile loop's scalars too (it runs that loop on
  /// its own); elsewhere they are lowered already.
  bool cloneTileLoop = false;
  /// This program's rank in its cluster (with multicast only).
  Value ctaRank;
};
} // namespace

/// The producer warpgroup, emitted before the dot loop (or before the
/// persistent tile loop around it): barrier init, then the threads past the
/// consumers give back registers (setmaxnreg, with two or more consumer
/// warpgroups) and their first thread walks every tile's iterations in the
/// consumers' order, a global count g running across tiles: it fills stage
/// g % S once the consumers have released use g - S, waits for its last
/// copies to land, and the warpgroup exits. The consumers take the registers
/// and from here on barriers count only them. Their own global count lives
/// in `counter` (a local that each run of the dot loop reads and advances).
static void emitProducer(KernelLowering &k, const TmaPipelinePlan &plan,
                         Ring &ring, Value counter) {
  Location loc = ring.loc;
  OpBuilder &b = k.b;
  const int64_t consumerThreads = k.numWarps * layout::kWarpSize;
  const int64_t groups = k.numWarps / 4;
  Value isLeader = ring.cmp(arith::CmpIPredicate::eq, k.tid,
                            ring.c32(consumerThreads));
  ring.init(isLeader);
  LLVM::StoreOp::create(b, loc, ring.c32(0), counter);
  const int64_t producerRegs = 40;
  const int64_t consumerRegs = std::min<int64_t>(
      256, (65536 - 128 * producerRegs) / consumerThreads / 8 * 8);
  const bool shareRegs = groups >= 2;
  auto setmaxnreg = [&](StringRef dir, int64_t regs) {
    emitAsm(k, loc,
            llvm::formatv("setmaxnreg.{0}.sync.aligned.u32 {1};", dir, regs)
                .str(),
            {}, "~{memory}");
  };
  ring.ifThen(
      ring.cmp(arith::CmpIPredicate::sge, k.tid, ring.c32(consumerThreads)),
      [&] {
        if (shareRegs)
          setmaxnreg("dec", producerRegs);
        ring.ifThen(isLeader, [&] {
          ring.cloneTileLoop = true;
          // One run of the dot loop, after `done` iterations before it.
          auto run = [&](IRMapping &map, Value done) -> Value {
            auto [lb, step, trips] = ring.bounds(map);
            ring.cloneTileValues(map);
            ring.forEach(
                ring.c32(0), trips, {},
                [&](Value j, ValueRange) -> SmallVector<Value> {
                  Value g = k.add(loc, done, j);
                  Value s = ring.stageOf(g);
                  ring.ifThen(
                      ring.cmp(arith::CmpIPredicate::sge, g, ring.c32(ring.S)),
                      [&] {
                        ring.waitEmpty(s, ring.parityOf(arith::SubIOp::create(
                                              b, loc, g, ring.c32(ring.S))));
                      });
                  ring.issue(j, s, lb, step, map);
                  return {};
                });
            return k.add(loc, done, trips);
          };
          Value total;
          if (scf::ForOp tiles = plan.tileLoop) {
            total = ring.forEach(
                k.scalar(tiles.getLowerBound()),
                k.scalar(tiles.getUpperBound()), ValueRange{ring.c32(0)},
                [&](Value t, ValueRange done) -> SmallVector<Value> {
                  IRMapping map;
                  map.map(tiles.getInductionVar(), t);
                  return {run(map, done[0])};
                },
                k.scalar(tiles.getStep()))[0];
          } else {
            IRMapping map;
            total = run(map, ring.c32(0));
          }
          ring.cloneTileLoop = false;
          // Copies still in flight when the producer exits would land in a
          // CTA that no longer tracks them: wait for the last S.
          Value tail = arith::MaxSIOp::create(
              b, loc, arith::SubIOp::create(b, loc, total, ring.c32(ring.S)),
              ring.c32(0));
          ring.forEach(tail, total, {},
                       [&](Value g, ValueRange) -> SmallVector<Value> {
                         ring.wait(ring.fullBar(ring.stageOf(g)),
                                   ring.parityOf(g));
                         return {};
                       });
        });
        emitAsm(k, loc, "exit;", {}, "~{memory}");
      });
  if (shareRegs)
    setmaxnreg("inc", consumerRegs);
  k.barrierThreads = consumerThreads;
}

bool mlir::tessel::producerCanWalk(const TmaPipelinePlan &plan,
                                   scf::ForOp tiles) {
  scf::ForOp loop = plan.loop;
  SmallVector<Value> work = copyCoordinates(plan);
  llvm::append_range(work, ValueRange{loop.getLowerBound(),
                                      loop.getUpperBound(), loop.getStep()});
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      // The tile loop's iter_args are not the producer's to know.
      if (arg.getOwner() == tiles.getBody() && arg != tiles.getInductionVar())
        return false;
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != tiles.getBody() && def->getBlock() != loop.getBody())
      continue; // lowered before the tile loop
    if (def->getNumRegions() || def->getDialect()->getNamespace() == "tessel" ||
        llvm::any_of(def->getResultTypes(),
                     [](Type t) { return isa<RankedTensorType>(t); }))
      return false;
    llvm::append_range(work, def->getOperands());
  }
  return true;
}

/// The producer of `plan`'s loop, emitted before the persistent tile loop
/// around it (KernelLowering::lowerFor calls this when it reaches that loop).
LogicalResult mlir::tessel::lowerTmaProducer(KernelLowering &k,
                                             const TmaPipelinePlan &plan) {
  Location loc = plan.dot->getLoc();
  Ring ring(k, plan, loc);
  // The consumers' global count: a local, promoted to a register by LLVM.
  Value one = arith::ConstantIntOp::create(k.b, loc, k.b.getI64Type(), 1);
  Value counter = LLVM::AllocaOp::create(
      k.b, loc, LLVM::LLVMPointerType::get(k.b.getContext()),
      k.b.getI32Type(), one);
  emitProducer(k, plan, ring, counter);
  k.tmaRings[plan.loop] = {ring.ring, ring.bars, counter};
  return success();
}

LogicalResult mlir::tessel::lowerTmaPipeline(KernelLowering &k,
                                             const TmaPipelinePlan &plan) {
  scf::ForOp loop = plan.loop;
  DotOp dot = plan.dot;
  Location loc = loop.getLoc();
  OpBuilder &b = k.b;
  Type i64 = b.getI64Type();
  const int64_t S = plan.stages;
  auto c64 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, i64, v);
  };
  const bool producer = plan.producerWarpgroup;
  if (producer && !k.tmaRings.count(loop) &&
      failed(lowerTmaProducer(k, plan)))
    return failure();
  Ring ring(k, plan, loc, producer ? &k.tmaRings[loop] : nullptr);
  auto c32 = [&](int64_t v) { return ring.c32(v); };

  IRMapping none;
  auto [lb, step, trips] = ring.bounds(none);
  // Without a producer, thread 0 issues the copies.
  Value isLeader = ring.cmp(arith::CmpIPredicate::eq, k.tid, c32(0));
  Value done = c32(0); // iterations of earlier runs (producer mode)
  if (producer) {
    done = LLVM::LoadOp::create(b, loc, b.getI32Type(), k.tmaRings[loop].counter);
  } else {
    // Without a producer the ring is this loop's alone: a loop inside
    // another runs it afresh, so the CTA first finishes with the last run.
    if (loop->getParentOp() != loop->getParentOfType<func::FuncOp>())
      k.barrier(loc);
    ring.init(isLeader);
    // Prologue: the first S iterations in flight.
    ring.ifThen(isLeader, [&] {
      for (int64_t s = 0; s < S; ++s)
        ring.ifThen(ring.cmp(arith::CmpIPredicate::slt, c32(s), trips),
                    [&] { ring.issue(c32(s), c32(s), lb, step, none); });
    });
  }

  // Descriptor constants (see the file comment).
  auto fixedBits = [&](const TmaOperandPlan &p) -> int64_t {
    int64_t lbo = p.kMajor ? 16 : p.boxBytes;
    return ((lbo >> 4) << 16) | ((kGroupBytes >> 4) << 32) | (1ll << 62);
  };
  // A K-major stage holds one box per 64 k (BLOCK_K = 128: two), so k step
  // s is in box s / 4 at 32 bytes per step within it.
  auto stepBytes = [&](const TmaOperandPlan &p, int64_t s) -> int64_t {
    return p.kMajor ? s / 4 * p.boxBytes + s % 4 * 32 : s * 16 * kRowBytes;
  };

  auto aType = dot.getA().getType(), bType = dot.getB().getType();
  const int64_t m = aType.getDimSize(0), n = bType.getDimSize(1),
                kd = aType.getDimSize(1);
  const int64_t repM = m / (16 * k.numWarps);
  const int64_t steps = kd / 16;
  const int64_t outputs = repM * n / 2;
  Regs init = k.regs(loop.getInitArgs()[0]);
  if ((int64_t)init.size() != outputs)
    return dot.emitOpError("accumulator has ")
           << init.size() << " registers, expected " << outputs;
  Value group = arith::DivUIOp::create(b, loc, k.warp, c32(4));
  Value groupRow = k.mul(loc, group, c32(64));
  Value groupLeader = ring.cmp(arith::CmpIPredicate::eq,
                               arith::RemUIOp::create(b, loc, k.tid, c32(128)),
                               c32(0));

  // The consumers' loop: iteration j of this run is use g = done + j.
  auto body = [&](Value j, ValueRange accIn) -> SmallVector<Value> {
    Value g = k.add(loc, done, j);
    Value cS = c32(S), c1 = c32(1);
    // Refill the stage iteration j - 2 used (released at iteration j - 1,
    // once its wgmmas were known complete) with iteration j - 2 + S; a
    // producer warpgroup does this on its own.
    if (!producer) {
      Value old = arith::SubIOp::create(b, loc, j, c32(2));
      Value refill = arith::AndIOp::create(
          b, loc, isLeader,
          arith::AndIOp::create(
              b, loc, ring.cmp(arith::CmpIPredicate::sge, j, c32(2)),
              ring.cmp(arith::CmpIPredicate::slt, k.add(loc, old, cS),
                       trips)));
      ring.ifThen(refill, [&] {
        Value s = ring.stageOf(old);
        ring.waitEmpty(s, ring.parityOf(old));
        ring.issue(k.add(loc, old, cS), s, lb, step, none);
      });
    }
    Value s = ring.stageOf(g);
    ring.wait(ring.fullBar(s), ring.parityOf(g));

    // wgmma on the stage: descriptors from its base.
    Value base = ring.stageBase(s);
    auto descriptor = [&](Value byte, int64_t fixed) -> Value {
      Value addr = arith::ExtUIOp::create(b, loc, i64, ring.addr32(byte));
      Value start = arith::AndIOp::create(
          b, loc, arith::ShRUIOp::create(b, loc, addr, c64(4)), c64(0x3FFF));
      return arith::OrIOp::create(b, loc, start, c64(fixed));
    };
    // Descriptors: B's per K step, then A's per row slice and K step.
    SmallVector<Value> descriptors;
    Value bBase = k.add(loc, base, c32(plan.a.bytes));
    for (int64_t st = 0; st < steps; ++st)
      descriptors.push_back(descriptor(
          k.add(loc, bBase, c32(stepBytes(plan.b, st))), fixedBits(plan.b)));
    std::string text;
    const char *ty = aType.getElementType().isBF16() ? "bf16" : "f16";
    for (int64_t im = 0; im < repM; ++im) {
      Value row = k.add(loc, groupRow, c32(im * 16 * k.numWarps));
      Value rowBase = k.add(loc, base, k.mul(loc, row, c32(kRowBytes)));
      for (int64_t st = 0; st < steps; ++st) {
        int64_t aIndex = outputs + (int64_t)descriptors.size();
        descriptors.push_back(descriptor(
            k.add(loc, rowBase, c32(stepBytes(plan.a, st))), fixedBits(plan.a)));
        text += wgmmaInstruction(n, ty, im * n / 2, aIndex, outputs + st,
                                 /*transB=*/!plan.b.kMajor);
      }
    }
    Regs acc(accIn.begin(), accIn.end());
    // This iteration's wgmmas run on while the previous ones are waited
    // for: then the previous stage is free, and this warpgroup says so.
    Regs issued = emitWgmmaBlock(k, loc, text, descriptors, acc,
                                 /*wait=*/false);
    Regs out = emitWgmmaWait(k, loc, /*pending=*/1, issued);
    ring.ifThen(arith::AndIOp::create(
                    b, loc, groupLeader,
                    ring.cmp(arith::CmpIPredicate::sge, j, c1)),
                [&] {
                  ring.arriveEmpty(
                      ring.stageOf(arith::SubIOp::create(b, loc, g, c1)));
                });
    return SmallVector<Value>(out.begin(), out.end());
  };
  // The last iteration's wgmmas.
  Regs results = ring.forEach(c32(0), trips, init, body);
  k.setRegs(loop.getResult(0), emitWgmmaWait(k, loc, 0, results));
  // Without a producer nothing refills the ring after the loop (every copy
  // issued was waited for, and a later run starts behind a CTA barrier):
  // once the CTA next meets, its memory is free for the epilogue's staging.
  if (!producer)
    k.freeAfterBarrier = {ring.ring, S * ring.stageBytes};
  if (producer) {
    // The producer waits for this run's last stage too (the next run's
    // copies reuse it): release it, and advance the count.
    Value end = k.add(loc, done, trips);
    ring.ifThen(arith::AndIOp::create(
                    b, loc, groupLeader,
                    ring.cmp(arith::CmpIPredicate::sgt, trips, c32(0))),
                [&] {
                  ring.arriveEmpty(
                      ring.stageOf(arith::SubIOp::create(b, loc, end, c32(1))));
                });
    LLVM::StoreOp::create(b, loc, end, k.tmaRings[loop].counter);
  }
  // With multicast the other program may still arrive on this one's empty
  // barriers (its last releases included; and a later run re-inits them, or
  // the program exits): both finish the loop together. A producer that
  // has exited does not take part (barrier.cluster waits for the threads
  // that have not exited).
  if (ring.multicast())
    ring.clusterBarrier();
  return success();
}
