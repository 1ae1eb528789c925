//===- KernelLowering.cpp - tiles to per-thread registers -----------------===//
//
// The core of convert-tessel-to-nvvm: thread ids, layout coordinates, the
// walk over ops with scf.for/scf.if carrying flattened registers, and the ops
// that build tiles (range, splat, broadcast, expand_dims, elementwise math).
//
//===----------------------------------------------------------------------===//
#include "KernelLowering.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tessel;
namespace layout = ::tessel::layout;

/// The value of `v` when the bound knobs decide it: a constant, or casts,
/// comparisons and selects of such (tessel-specialize leaves `select(knob ==
/// 1, 1, %stride)` unfolded).
std::optional<APInt> mlir::tessel::knownConstant(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value;
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (isa<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp>(def)) {
    auto in = knownConstant(def->getOperand(0));
    unsigned bits = isa<IndexType>(v.getType())
                        ? 64
                        : v.getType().getIntOrFloatBitWidth();
    if (in)
      return in->sextOrTrunc(bits);
    return std::nullopt;
  }
  if (auto cmp = dyn_cast<arith::CmpIOp>(def)) {
    auto l = knownConstant(cmp.getLhs()), r = knownConstant(cmp.getRhs());
    if (!l || !r || l->getBitWidth() != r->getBitWidth())
      return std::nullopt;
    return APInt(1, arith::applyCmpPredicate(cmp.getPredicate(), *l, *r));
  }
  if (auto sel = dyn_cast<arith::SelectOp>(def))
    if (auto c = knownConstant(sel.getCondition()))
      return knownConstant(c->isOne() ? sel.getTrueValue()
                                      : sel.getFalseValue());
  return std::nullopt;
}

/// `v` past the selects whose condition the knobs decide.
static Value decided(Value v) {
  while (auto sel = v.getDefiningOp<arith::SelectOp>()) {
    auto c = knownConstant(sel.getCondition());
    if (!c)
      break;
    v = c->isOne() ? sel.getTrueValue() : sel.getFalseValue();
  }
  return v;
}

Value mlir::tessel::splitOffset(ValueRange offsets, Value secondHalf,
                                int64_t columns) {
  if (!secondHalf)
    return {};
  auto add = decided(secondHalf).getDefiningOp<arith::AddIOp>();
  if (!add)
    return secondHalf;
  Value first = decided(offsets.back());
  for (auto [x, step] : {std::pair(add.getLhs(), add.getRhs()),
                         std::pair(add.getRhs(), add.getLhs())}) {
    auto c = knownConstant(step);
    if (decided(x) == first && c && c->getSExtValue() == columns / 2)
      return {};
  }
  return secondHalf;
}

Value KernelLowering::i32(Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 32);
}

void KernelLowering::emitPrologue(Location loc) {
  Value x = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  tid = arith::IndexCastOp::create(b, loc, b.getI32Type(), x);
  lane = arith::AndIOp::create(b, loc, tid, i32(loc, layout::kWarpSize - 1));
  warp = arith::ShRUIOp::create(b, loc, tid, i32(loc, 5));
}

void KernelLowering::reloadThreadIds(Location loc) {
  // A side-effecting copy: LLVM may neither hoist nor merge it.
  tid = LLVM::InlineAsmOp::create(
            b, loc, b.getI32Type(), ValueRange{tid}, "mov.b32 $0, $1;", "=r,r",
            /*has_side_effects=*/true, /*is_align_stack=*/false,
            LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
            ArrayAttr())
            .getResult(0);
  lane = arith::AndIOp::create(b, loc, tid, i32(loc, layout::kWarpSize - 1));
  warp = arith::ShRUIOp::create(b, loc, tid, i32(loc, 5));
}

void KernelLowering::barrier(Location loc) {
  if (!barrierThreads) {
    mlir::gpu::BarrierOp::create(b, loc);
    return;
  }
  // Barrier 0 would wait for the whole CTA as launched; naming the consumer
  // count keeps the wait to the threads that are still running.
  NVVM::BarrierOp::create(b, loc, Type{}, i32(loc, 1), i32(loc, barrierThreads),
                          {}, Value{});
}

Type KernelLowering::registerType(Type e) {
  if (isa<PtrType>(e))
    return LLVM::LLVMPointerType::get(b.getContext(), 1);
  return e;
}

Value KernelLowering::smemPtr(Location loc, Value byteOffset) {
  return LLVM::GEPOp::create(b, loc, smemBase.getType(), b.getI8Type(),
                             smemBase, ValueRange{byteOffset});
}

int64_t KernelLowering::allocShared(int64_t bytes, int64_t align) {
  int64_t offset = (sharedTop + align - 1) / align * align;
  sharedTop = offset + (bytes + 15) / 16 * 16;
  return offset;
}

int64_t KernelLowering::allocScratch(int64_t bytes) {
  bytes = (bytes + 15) / 16 * 16;
  if (scratch && scratch->first + scratch->second == sharedTop) {
    scratch->second = std::max(scratch->second, bytes);
    sharedTop = scratch->first + scratch->second;
    return scratch->first;
  }
  if (!scratch || scratch->second < bytes)
    scratch = std::make_pair(allocShared(bytes), bytes);
  return scratch->first;
}

FailureOr<layout::LayoutMap> KernelLowering::mapOf(Operation *op, Type type) {
  auto tile = dyn_cast<RankedTensorType>(type);
  auto l = tgpu::layoutOf(type);
  if (!tile || failed(l))
    return op->emitOpError("has a tile without a layout: ")
           << type << "; run tessel-assign-layouts first";
  if (l->numThreads() != numWarps * layout::kWarpSize)
    return op->emitOpError("layout is for ")
           << l->numThreads() << " threads but the kernel has "
           << numWarps * layout::kWarpSize;
  std::vector<int64_t> shape(tile.getShape().begin(), tile.getShape().end());
  return layout::applyLayout(*l, shape);
}

Value KernelLowering::threadOffset(Location loc, const layout::LayoutMap &m,
                                   unsigned dim) {
  Value acc = i32(loc, 0);
  for (const layout::ThreadTerm &t : m.threadTerms[dim]) {
    Value x = t.warp ? warp : lane;
    if (t.div > 1)
      x = arith::DivUIOp::create(b, loc, x, i32(loc, t.div));
    x = arith::RemUIOp::create(b, loc, x, i32(loc, t.mod));
    if (t.mul > 1)
      x = mul(loc, x, i32(loc, t.mul));
    acc = add(loc, acc, x);
  }
  return acc;
}

SmallVector<SmallVector<Value>>
KernelLowering::coords(Location loc, const layout::LayoutMap &m) {
  unsigned rank = m.shape.size();
  SmallVector<Value> base;
  SmallVector<bool> wraps;
  for (unsigned d = 0; d < rank; ++d) {
    base.push_back(threadOffset(loc, m, d));
    wraps.push_back(m.wraps(d));
  }
  SmallVector<SmallVector<Value>> out(m.numRegs());
  for (int64_t r = 0; r < m.numRegs(); ++r)
    for (unsigned d = 0; d < rank; ++d) {
      Value c = add(loc, base[d], i32(loc, m.regOffsets[r][d]));
      if (wraps[d])
        c = arith::AndIOp::create(b, loc, c, i32(loc, m.shape[d] - 1));
      out[r].push_back(c);
    }
  return out;
}

LogicalResult KernelLowering::lowerBlock(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(lowerOp(&op)))
      return failure();
  return success();
}

/// Flattens values into registers (tiles) or single scalars.
static SmallVector<Value> flatten(KernelLowering &k, ValueRange values) {
  SmallVector<Value> out;
  for (Value v : values) {
    if (isa<RankedTensorType>(v.getType()))
      llvm::append_range(out, k.regs(v));
    else
      out.push_back(k.scalar(v));
  }
  return out;
}

/// Maps `originals` onto consecutive slices of `lowered`.
static void unflatten(KernelLowering &k, ValueRange originals,
                      ValueRange lowered, ArrayRef<int64_t> counts) {
  unsigned pos = 0;
  for (auto [v, n] : llvm::zip(originals, counts)) {
    if (isa<RankedTensorType>(v.getType()))
      k.setRegs(v, Regs(lowered.slice(pos, n)));
    else
      k.setScalar(v, lowered[pos]);
    pos += n;
  }
}

static SmallVector<int64_t> countsOf(KernelLowering &k, ValueRange values) {
  SmallVector<int64_t> counts;
  for (Value v : values)
    counts.push_back(isa<RankedTensorType>(v.getType()) ? k.regs(v).size() : 1);
  return counts;
}

/// Builders may pre-fill a region with an empty yield; we emit our own.
static void dropTerminator(Block *block) {
  if (!block->empty() && isa<scf::YieldOp>(block->back()))
    block->back().erase();
}

/// A loop marked tessel.no_hoist: LLVM must not hoist its thread-dependent
/// values. Its body takes the thread ids afresh each iteration, opaque to
/// LLVM; else LICM takes every per-register address of a big epilogue or
/// staged load out of the loop (hundreds: thread-dependent, iteration-
/// independent), where they stay live beside the accumulator and ptxas
/// spills (the stream-K TMA syrk's tile loop: 1.3 KB). Not the default:
/// for a small epilogue (matmul's) the hoisted form is the better one.
static bool noHoist(scf::ForOp op) { return op->hasAttr(kNoHoistAttr); }

LogicalResult KernelLowering::lowerFor(scf::ForOp op) {
  if (auto plan = tmaPlans.find(op); plan != tmaPlans.end())
    return lowerTmaPipeline(*this, plan->second);
  if (auto plan = tmaProducers.find(op); plan != tmaProducers.end())
    if (failed(lowerTmaProducer(*this, plan->second)))
      return failure();
  Location loc = op.getLoc();
  SmallVector<Value> inits = flatten(*this, op.getInitArgs());
  SmallVector<int64_t> counts = countsOf(*this, op.getInitArgs());
  auto newFor = scf::ForOp::create(b, loc, scalar(op.getLowerBound()),
                                   scalar(op.getUpperBound()),
                                   scalar(op.getStep()), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    Block *body = newFor.getBody();
    dropTerminator(body);
    b.setInsertionPointToEnd(body);
    setScalar(op.getInductionVar(), newFor.getInductionVar());
    unflatten(*this, op.getRegionIterArgs(), newFor.getRegionIterArgs(),
              counts);
    auto ids = std::make_tuple(tid, lane, warp);
    if (noHoist(op))
      reloadThreadIds(loc);
    if (failed(lowerBlock(*op.getBody())))
      return failure();
    std::tie(tid, lane, warp) = ids;
    auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
    scf::YieldOp::create(b, yield.getLoc(),
                         flatten(*this, yield.getOperands()));
  }
  unflatten(*this, op.getResults(), newFor.getResults(), counts);
  return success();
}

LogicalResult KernelLowering::lowerIf(scf::IfOp op) {
  Location loc = op.getLoc();
  SmallVector<Type> types;
  SmallVector<int64_t> counts;
  for (Value r : op.getResults()) {
    auto t = dyn_cast<RankedTensorType>(r.getType());
    if (!t) {
      types.push_back(r.getType());
      counts.push_back(1);
      continue;
    }
    auto m = mapOf(op, t);
    if (failed(m))
      return failure();
    counts.push_back(m->numRegs());
    types.append(m->numRegs(), registerType(t.getElementType()));
  }
  bool hasElse = !op.getElseRegion().empty();
  auto newIf = scf::IfOp::create(b, loc, types, scalar(op.getCondition()),
                                 /*withElseRegion=*/hasElse);
  OpBuilder::InsertionGuard guard(b);
  auto lowerRegion = [&](Region &from, Region &to) -> LogicalResult {
    Block *block = &to.front();
    dropTerminator(block);
    b.setInsertionPointToEnd(block);
    if (failed(lowerBlock(from.front())))
      return failure();
    auto yield = cast<scf::YieldOp>(from.front().getTerminator());
    scf::YieldOp::create(b, yield.getLoc(),
                         flatten(*this, yield.getOperands()));
    return success();
  };
  if (failed(lowerRegion(op.getThenRegion(), newIf.getThenRegion())))
    return failure();
  if (hasElse && failed(lowerRegion(op.getElseRegion(), newIf.getElseRegion())))
    return failure();
  unflatten(*this, op.getResults(), newIf.getResults(), counts);
  return success();
}

LogicalResult KernelLowering::lowerTileConstruction(Operation *op) {
  Location loc = op->getLoc();
  auto m = mapOf(op, op->getResult(0).getType());
  if (failed(m))
    return failure();
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<RangeOp>([&](RangeOp) {
        Regs out;
        for (auto &c : coords(loc, *m))
          out.push_back(c[0]);
        setRegs(op->getResult(0), out);
        return success();
      })
      .Case<SplatOp>([&](SplatOp s) {
        setRegs(s.getResult(), Regs(m->numRegs(), scalar(s.getValue())));
        return success();
      })
      .Case<arith::ConstantOp>([&](arith::ConstantOp c) -> LogicalResult {
        auto dense = dyn_cast<SplatElementsAttr>(c.getValue());
        if (!dense)
          return c.emitOpError("tile constants must be splats");
        Value v =
            arith::ConstantOp::create(b, loc, dense.getSplatValue<TypedAttr>());
        setRegs(c.getResult(), Regs(m->numRegs(), v));
        return success();
      })
      .Case<ExpandDimsOp>([&](ExpandDimsOp e) -> LogicalResult {
        const Regs &src = regs(e.getSrc());
        if ((int64_t)src.size() != m->numRegs())
          return e.emitOpError(
              "source layout is not the slice of the result's");
        setRegs(e.getResult(), src);
        return success();
      })
      .Case<BroadcastOp>([&](BroadcastOp bc) -> LogicalResult {
        auto sm = mapOf(op, bc.getSrc().getType());
        if (failed(sm))
          return failure();
        // For each result register, the source register holding the same
        // element in every thread (layouts are the same attribute, so one
        // exists); found by checking all threads.
        const Regs &src = regs(bc.getSrc());
        Regs out;
        int64_t threads = numWarps * layout::kWarpSize;
        for (int64_t r = 0; r < m->numRegs(); ++r) {
          std::optional<int64_t> found;
          for (int64_t s = 0; s < sm->numRegs() && !found; ++s) {
            bool all = true;
            for (int64_t t = 0; t < threads && all; ++t) {
              auto dc = m->coords(t, r), sc = sm->coords(t, s);
              for (unsigned d = 0; d < dc.size(); ++d)
                if (sm->shape[d] != 1 && dc[d] != sc[d])
                  all = false;
                else if (sm->shape[d] == 1 && sc[d] != 0)
                  all = false;
            }
            if (all)
              found = s;
          }
          if (!found)
            return bc.emitOpError("source and result layouts do not line up");
          out.push_back(src[*found]);
        }
        setRegs(bc.getResult(), out);
        return success();
      })
      .Default([&](Operation *) { return lowerElementwise(op); });
}

LogicalResult KernelLowering::lowerElementwise(Operation *op) {
  if (!OpTrait::hasElementwiseMappableTraits(op) || op->getNumRegions())
    return op->emitOpError("is not supported on tiles by the Tessel lowering");
  auto m = mapOf(op, op->getResult(0).getType());
  if (failed(m))
    return failure();
  SmallVector<Regs> results(op->getNumResults());
  for (int64_t r = 0; r < m->numRegs(); ++r) {
    OperationState state(op->getLoc(), op->getName());
    for (Value v : op->getOperands())
      state.operands.push_back(isa<RankedTensorType>(v.getType()) ? regs(v)[r]
                                                                  : scalar(v));
    for (Value res : op->getResults())
      state.types.push_back(
          registerType(cast<RankedTensorType>(res.getType()).getElementType()));
    state.addAttributes(op->getAttrs());
    Operation *clone = b.create(state);
    for (auto [i, res] : llvm::enumerate(clone->getResults()))
      results[i].push_back(res);
  }
  for (auto [i, res] : llvm::enumerate(op->getResults()))
    setRegs(res, results[i]);
  return success();
}

LogicalResult KernelLowering::lowerOp(Operation *op) {
  Location loc = op->getLoc();
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ParamOp>([](ParamOp p) {
        return p.emitOpError("knob '")
               << p.getName() << "' is unbound; run tessel-specialize";
      })
      .Case<ProgramIdOp, NumProgramsOp>([&](Operation *o) {
        auto dim = static_cast<mlir::gpu::Dimension>(
            cast<IntegerAttr>(o->getAttr("axis")).getInt());
        Value idx = isa<ProgramIdOp>(o)
                        ? (Value)mlir::gpu::BlockIdOp::create(b, loc, dim)
                        : (Value)mlir::gpu::GridDimOp::create(b, loc, dim);
        setScalar(o->getResult(0),
                  arith::IndexCastOp::create(b, loc, b.getI32Type(), idx));
        return success();
      })
      .Case<AddPtrOp>([&](AddPtrOp o) { return lowerAddPtr(*this, o); })
      .Case<LoadOp>([&](LoadOp o) { return lowerLoad(*this, o); })
      .Case<BlockLoadOp>(
          [&](BlockLoadOp o) { return lowerBlockLoad(*this, o); })
      .Case<BlockStoreOp>(
          [&](BlockStoreOp o) { return lowerBlockStore(*this, o); })
      .Case<StoreOp>([&](StoreOp o) { return lowerStore(*this, o); })
      .Case<DotOp>([&](DotOp o) {
        return usesWGMMA(*this, o) ? lowerDotWGMMA(*this, o)
                                   : lowerDotMMAv2(*this, o);
      })
      .Case<ReduceOp>([&](ReduceOp o) { return lowerReduce(*this, o); })
      .Case<SignalOp>([&](SignalOp o) { return lowerSignal(*this, o); })
      .Case<WaitOp>([&](WaitOp o) { return lowerWait(*this, o); })
      .Case<TransOp>([&](TransOp o) { return lowerTrans(*this, o); })
      .Case<tgpu::ConvertLayoutOp>(
          [&](tgpu::ConvertLayoutOp o) { return lowerConvertLayout(*this, o); })
      .Case<scf::ForOp>([&](scf::ForOp o) { return lowerFor(o); })
      .Case<scf::IfOp>([&](scf::IfOp o) { return lowerIf(o); })
      .Default([&](Operation *o) -> LogicalResult {
        bool tiled = llvm::any_of(o->getResultTypes(), [](Type t) {
          return isa<RankedTensorType>(t);
        });
        if (tiled)
          return lowerTileConstruction(o);
        if (o->getNumRegions() != 0 ||
            o->getDialect()->getNamespace() == "tessel")
          return o->emitOpError("cannot be lowered by convert-tessel-to-nvvm");
        // A scalar op (arith, math, index casts): clone with mapped operands.
        Operation *clone = b.clone(*o, scalars);
        for (auto [from, to] : llvm::zip(o->getResults(), clone->getResults()))
          setScalar(from, to);
        return success();
      });
}
