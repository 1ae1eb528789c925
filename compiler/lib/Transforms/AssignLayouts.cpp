//===- AssignLayouts.cpp - give every tile a thread layout ----------------===//
//
// tessel-assign-layouts: dot results anchor the mma layout, everything else
// gets the blocked layout for its shape, chosen users-first so producers (the
// ranges and splats that build pointers) follow their consumers; conversions
// are inserted only where two requirements really disagree.
//
//===----------------------------------------------------------------------===//
#include "tessel/Transforms/Passes.h"
#include "tessel/Dialect/TesselGPU/Wgmma.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>

namespace mlir::tessel {
#define GEN_PASS_DEF_TESSELASSIGNLAYOUTS
#include "tessel/Transforms/Passes.h.inc"
} // namespace mlir::tessel

using namespace mlir;
using namespace mlir::tessel;
using ::tessel::layout::Layout;

namespace {

bool isTile(Value v) { return isa<RankedTensorType>(v.getType()); }

/// One requirement: operand `operand` of `user` must have `expected(L)`, where
/// L is the layout of `anchor`. `kind` says how L maps to the operand's layout.
struct Requirement {
  enum Kind { Same, SliceOfAnchor, ParentOfAnchorSlice } kind;
  Operation *user;
  unsigned operand;
  Value anchor;
  unsigned axis = 0;
};

class LayoutAssigner {
public:
  LayoutAssigner(func::FuncOp func, int64_t numWarps, bool wgmma)
      : func(func), numWarps(numWarps), wgmma(wgmma) {}

  LogicalResult run();

private:
  void collect();
  void require(Requirement::Kind k, Operation *user, unsigned operand,
               Value anchor, unsigned axis = 0) {
    Requirement r{k, user, operand, anchor, axis};
    reqs.push_back(r);
  }
  std::optional<Layout> expected(const Requirement &r) const;
  std::optional<Layout> anchorFrom(const Requirement &r,
                                   const Layout &operandL) const;
  void assign(Value v, const Layout &l);
  void propagate();
  Layout defaultFor(Value v) const;
  Value rematerialize(Value v, const Layout &want, int depth);

  func::FuncOp func;
  int64_t numWarps;
  /// The target has wgmma: dots that fit it get warpgroup-shaped fragments.
  bool wgmma;
  std::vector<Requirement> reqs;
  llvm::DenseMap<Value, Layout> layouts;
  llvm::DenseMap<Value, SmallVector<unsigned>>
      reqsOf; // value -> requirement ids
  SmallVector<Value> worklist;
  SmallVector<Operation *> order; // program order
  std::map<std::pair<void *, std::string>, Value>
      remats; // (value, layout) -> clone
};

void LayoutAssigner::collect() {
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    order.push_back(op);
    auto tileOperands = [&](Value anchor) {
      for (OpOperand &o : op->getOpOperands())
        if (isTile(o.get()))
          require(Requirement::Same, op, o.getOperandNumber(), anchor);
    };
    llvm::TypeSwitch<Operation *>(op)
        .Case<StoreOp>([&](StoreOp s) {
          require(Requirement::Same, op, 1, s.getPtr());
          if (s.getMask())
            require(Requirement::Same, op, 2, s.getPtr());
        })
        .Case<DotOp>(
            [&](DotOp d) { require(Requirement::Same, op, 2, d.getResult()); })
        .Case<ExpandDimsOp>([&](ExpandDimsOp e) {
          require(Requirement::SliceOfAnchor, op, 0, e.getResult(),
                  e.getAxis());
        })
        .Case<ReduceOp>([&](ReduceOp r) {
          require(Requirement::ParentOfAnchorSlice, op, 0, r.getResult(),
                  r.getAxis());
        })
        .Case<scf::ForOp>([&](scf::ForOp f) {
          for (auto [i, arg] : llvm::enumerate(f.getRegionIterArgs()))
            if (isTile(arg))
              require(Requirement::Same, op, f.getNumControlOperands() + i,
                      arg);
        })
        .Case<scf::YieldOp>([&](scf::YieldOp y) {
          Operation *parent = y->getParentOp();
          for (auto [i, v] : llvm::enumerate(y.getOperands())) {
            if (!isTile(v))
              continue;
            if (auto f = dyn_cast<scf::ForOp>(parent))
              require(Requirement::Same, op, i, f.getRegionIterArgs()[i]);
            else
              require(Requirement::Same, op, i, parent->getResult(i));
          }
        })
        .Case<LoadOp, AddPtrOp, BroadcastOp>(
            [&](Operation *o) { tileOperands(o->getResult(0)); })
        .Default([&](Operation *o) {
          if (o->getNumResults() == 1 && isTile(o->getResult(0)) &&
              OpTrait::hasElementwiseMappableTraits(o))
            tileOperands(o->getResult(0));
        });
  });
  for (auto [i, r] : llvm::enumerate(reqs)) {
    reqsOf[r.anchor].push_back(i);
    reqsOf[r.user->getOperand(r.operand)].push_back(i);
  }
}

std::optional<Layout> LayoutAssigner::expected(const Requirement &r) const {
  auto it = layouts.find(r.anchor);
  if (it == layouts.end())
    return std::nullopt;
  const Layout &l = it->second;
  switch (r.kind) {
  case Requirement::Same:
    return l;
  case Requirement::SliceOfAnchor:
    return Layout::slice(r.axis, l);
  case Requirement::ParentOfAnchorSlice:
    if (l.kind == Layout::Kind::Slice && l.sliceDim == r.axis)
      return *l.parent;
    return std::nullopt;
  }
  return std::nullopt;
}

/// The anchor layout that would make `operandL` satisfy the requirement.
std::optional<Layout> LayoutAssigner::anchorFrom(const Requirement &r,
                                                 const Layout &operandL) const {
  switch (r.kind) {
  case Requirement::Same:
    return operandL;
  case Requirement::SliceOfAnchor:
    if (operandL.kind == Layout::Kind::Slice && operandL.sliceDim == r.axis)
      return *operandL.parent;
    return std::nullopt;
  case Requirement::ParentOfAnchorSlice:
    return Layout::slice(r.axis, operandL);
  }
  return std::nullopt;
}

void LayoutAssigner::assign(Value v, const Layout &l) {
  if (layouts.count(v))
    return;
  layouts[v] = l;
  worklist.push_back(v);
  // A loop's iter_arg and result are one value seen from two sides.
  if (auto arg = dyn_cast<BlockArgument>(v))
    if (auto f = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
      if (arg.getArgNumber() >= f.getNumInductionVars())
        assign(f.getResult(arg.getArgNumber() - f.getNumInductionVars()), l);
  if (auto res = dyn_cast<OpResult>(v))
    if (auto f = dyn_cast<scf::ForOp>(res.getOwner()))
      assign(f.getRegionIterArgs()[res.getResultNumber()], l);
}

void LayoutAssigner::propagate() {
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (unsigned id : reqsOf[v]) {
      const Requirement &r = reqs[id];
      Value operand = r.user->getOperand(r.operand);
      if (v == r.anchor) {
        if (auto e = expected(r))
          assign(operand, *e);
      } else if (v == operand) {
        if (auto a = anchorFrom(r, layouts.find(v)->second))
          assign(r.anchor, *a);
      }
    }
  }
}

Layout LayoutAssigner::defaultFor(Value v) const {
  auto t = cast<RankedTensorType>(v.getType());
  Type e = t.getElementType();
  if (auto p = dyn_cast<PtrType>(e))
    e = p.getPointee();
  int64_t bytes = e.isIntOrFloat()
                      ? std::max<int64_t>(1, e.getIntOrFloatBitWidth() / 8)
                      : 4;
  if (e.isInteger(1))
    bytes = 4;
  std::vector<int64_t> shape(t.getShape().begin(), t.getShape().end());
  return ::tessel::layout::defaultBlocked(shape, bytes, numWarps);
}

/// Recomputes `v` in layout `want` by cloning its defining ops, when they are
/// pure tile construction (range, splat, constants, expand_dims, broadcast,
/// elementwise math on those): cheaper than a trip through shared memory.
Value LayoutAssigner::rematerialize(Value v, const Layout &want, int depth) {
  constexpr int kMaxDepth = 8;
  auto have = tgpu::layoutOf(v.getType());
  if (succeeded(have) && *have == want)
    return v;
  Operation *op = v.getDefiningOp();
  if (!op || depth > kMaxDepth || op->getNumResults() != 1 ||
      op->getNumRegions())
    return {};
  bool pure =
      isa<RangeOp, SplatOp, ExpandDimsOp, BroadcastOp, arith::ConstantOp>(op) ||
      (OpTrait::hasElementwiseMappableTraits(op) && isMemoryEffectFree(op));
  if (!pure)
    return {};
  auto key = std::make_pair(v.getAsOpaquePointer(), want.str());
  if (auto it = remats.find(key); it != remats.end())
    return it->second;
  SmallVector<Value> operands;
  for (Value o : op->getOperands()) {
    if (!isTile(o)) {
      operands.push_back(o);
      continue;
    }
    Layout need = want;
    if (auto e = dyn_cast<ExpandDimsOp>(op))
      need = Layout::slice(e.getAxis(), want);
    Value r = rematerialize(o, need, depth + 1);
    if (!r)
      return {};
    operands.push_back(r);
  }
  OpBuilder b(op->getContext());
  b.setInsertionPointAfter(op);
  Operation *clone = b.clone(*op);
  clone->setOperands(operands);
  auto t = cast<RankedTensorType>(v.getType());
  clone->getResult(0).setType(
      RankedTensorType::get(t.getShape(), t.getElementType(),
                            tgpu::fromLayout(op->getContext(), want)));
  remats[key] = clone->getResult(0);
  return clone->getResult(0);
}

LogicalResult LayoutAssigner::run() {
  collect();
  // 1. Anchors: accumulators live in mma fragments.
  for (Operation *op : order)
    if (auto d = dyn_cast<DotOp>(op)) {
      auto t = d.getType();
      int64_t m = t.getDimSize(0), n = t.getDimSize(1),
              k = d.getA().getType().getDimSize(1);
      assign(d.getResult(),
             wgmma && ::tessel::layout::wgmmaFits(m, n, k, numWarps)
                 ? ::tessel::layout::Layout::mma((unsigned)numWarps, 1)
                 : ::tessel::layout::defaultMma(m, n, numWarps));
      propagate();
    }
  // 2. Users first: what a store or a dot reads decides how it is built.
  for (Operation *op : llvm::reverse(order)) {
    SmallVector<Value> values(op->getResults());
    for (Region &region : op->getRegions())
      for (Block &b : region)
        for (BlockArgument a : b.getArguments())
          values.push_back(a);
    for (Value v : values)
      if (isTile(v) && !layouts.count(v)) {
        assign(v, defaultFor(v));
        propagate();
      }
  }
  // 3. Write the layouts into the types.
  MLIRContext *ctx = func.getContext();
  for (auto &[v, l] : layouts) {
    auto t = cast<RankedTensorType>(v.getType());
    v.setType(RankedTensorType::get(t.getShape(), t.getElementType(),
                                    tgpu::fromLayout(ctx, l)));
  }
  // A reduce produces a slice of its source's layout, whatever its users said.
  for (Operation *op : order)
    if (auto r = dyn_cast<ReduceOp>(op)) {
      Layout want =
          Layout::slice(r.getAxis(), layouts.find(r.getSrc())->second);
      if (layouts.find(r.getResult())->second == want)
        continue;
      OpBuilder b(ctx);
      b.setInsertionPointAfter(op);
      RankedTensorType old = r.getType();
      r.getResult().setType(RankedTensorType::get(
          old.getShape(), old.getElementType(), tgpu::fromLayout(ctx, want)));
      auto cvt =
          tgpu::ConvertLayoutOp::create(b, op->getLoc(), old, r.getResult());
      r.getResult().replaceAllUsesExcept(cvt.getResult(), cvt);
      layouts[cvt.getResult()] = layouts.find(r.getResult())->second;
      layouts[r.getResult()] = want;
    }
  // 4. Where an operand's layout is not the one its user needs, recompute it
  //    in that layout if it is cheap index arithmetic, else convert it.
  for (const Requirement &r : reqs) {
    Value operand = r.user->getOperand(r.operand);
    auto want = expected(r);
    auto have = tgpu::layoutOf(operand.getType());
    if (!want || failed(have))
      return r.user->emitOpError("has no layout for operand ") << r.operand;
    if (*have == *want)
      continue;
    if (Value v = rematerialize(operand, *want, 0)) {
      r.user->setOperand(r.operand, v);
      continue;
    }
    OpBuilder b(r.user);
    auto t = cast<RankedTensorType>(operand.getType());
    auto cvt = tgpu::ConvertLayoutOp::create(
        b, r.user->getLoc(),
        RankedTensorType::get(t.getShape(), t.getElementType(),
                              tgpu::fromLayout(ctx, *want)),
        operand);
    r.user->setOperand(r.operand, cvt.getResult());
  }
  return success();
}

struct AssignLayoutsPass
    : public mlir::tessel::impl::TesselAssignLayoutsBase<AssignLayoutsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func->hasAttr(kKernelAttr))
        continue;
      for (Type t : func.getArgumentTypes())
        if (isa<RankedTensorType>(t)) {
          func.emitOpError("kernel argument of type ")
              << t << " is not supported; pass scalars and !tessel.ptr";
          return signalPassFailure();
        }
      auto warps = func->getAttrOfType<IntegerAttr>("tessel.num_warps");
      if (!warps) {
        func.emitOpError(
            "has no tessel.num_warps; run tessel-specialize first");
        return signalPassFailure();
      }
      WalkResult dynamic = func.walk([](Operation *op) {
        for (Value v : op->getResults())
          if (auto t = dyn_cast<RankedTensorType>(v.getType());
              t && !t.hasStaticShape())
            return op->emitOpError("has a dynamic tile ")
                       << t << "; run tessel-specialize first",
                   WalkResult::interrupt();
        return WalkResult::advance();
      });
      if (dynamic.wasInterrupted())
        return signalPassFailure();
      auto target =
          getOperation()->getAttrOfType<StringAttr>(::tessel::layout::kTargetAttr);
      LayoutAssigner assigner(
          func, warps.getInt(),
          target && ::tessel::layout::hasWgmma(target.getValue()) &&
              getOperation()->hasAttr(::tessel::layout::kWgmmaAttr));
      if (failed(assigner.run()))
        return signalPassFailure();
    }
  }
};

} // namespace
