//===- Specialize.cpp - bind knobs and make tile shapes static ------------===//
//
// tessel-specialize: every tessel.param becomes a constant, size operands
// fold away, and static tile types are inferred through ops, loops and ifs.
// A kernel's `tessel.constraints` are checked against the bound knobs.
//
//===----------------------------------------------------------------------===//
#include "tessel/Transforms/Passes.h"
#include "tessel/autotune/ConfigSpace.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>
#include <optional>
#include <string>

namespace mlir::tessel {
#define GEN_PASS_DEF_TESSELSPECIALIZE
#include "tessel/Transforms/Passes.h.inc"
} // namespace mlir::tessel

using namespace mlir;
using namespace mlir::tessel;

namespace {

/// The kernel attribute that lists its config space's constraints.
constexpr llvm::StringLiteral kConstraintsAttr = "tessel.constraints";

/// Checks `tessel.constraints = ["expr", ...]` on `func`: each parses (see
/// tessel/autotune/ConfigSpace.h for the grammar), reads only the kernel's
/// knobs and device limit names, and, when it reads no limit, holds for the
/// bound knob values (those naming a limit need a device: the autotuner
/// checks them).
LogicalResult checkConstraints(func::FuncOp func,
                               const std::map<std::string, int64_t> &knobs) {
  Attribute attr = func->getAttr(kConstraintsAttr);
  if (!attr)
    return success();
  auto list = dyn_cast<ArrayAttr>(attr);
  if (!list)
    return func.emitOpError("'") << kConstraintsAttr
                                 << "' must be an array of strings";
  for (auto [index, element] : llvm::enumerate(list)) {
    auto text = dyn_cast<StringAttr>(element);
    if (!text)
      return func.emitOpError("'")
             << kConstraintsAttr << "' entry " << index << " is not a string";
    auto constraint = ::tessel::tune::Constraint::parse(text.getValue());
    if (!constraint)
      return func.emitOpError("constraint '")
             << text.getValue() << "': " << constraint.status().message();
    bool readsLimit = false;
    for (const std::string &name : constraint->names()) {
      if (knobs.count(name))
        continue;
      if (llvm::is_contained(::tessel::tune::limitNames(), name)) {
        readsLimit = true;
        continue;
      }
      return func.emitOpError("constraint '")
             << text.getValue() << "' reads '" << name
             << "', which is neither a knob of this kernel nor a device "
                "limit ("
             << llvm::join(::tessel::tune::limitNames(), ", ") << ")";
    }
    if (readsLimit)
      continue;
    auto value = constraint->evaluate(
        [&](std::string_view name) -> std::optional<int64_t> {
          auto it = knobs.find(std::string(name));
          if (it == knobs.end())
            return std::nullopt;
          return it->second;
        });
    if (!value)
      return func.emitOpError("constraint '")
             << text.getValue() << "': " << value.status().message();
    if (*value == 0) {
      std::string bound;
      for (const auto &[name, v] : knobs)
        bound += (bound.empty() ? "" : ", ") + name + "=" + std::to_string(v);
      return func.emitOpError("knob values ")
             << bound << " violate constraint '" << text.getValue() << "'";
    }
  }
  return success();
}

/// Static type for a tile whose `?` dimensions are given by constant sizes.
static FailureOr<RankedTensorType>
staticType(Operation *op, RankedTensorType type, ValueRange sizes) {
  SmallVector<int64_t> shape(type.getShape());
  unsigned next = 0;
  for (int64_t &d : shape) {
    if (!ShapedType::isDynamic(d))
      continue;
    APInt value;
    if (next >= sizes.size() ||
        !matchPattern(sizes[next++], m_ConstantInt(&value)))
      return op->emitOpError("size operand ")
             << next - 1
             << " is not a constant knob; tile sizes must be "
                "bound at compile time";
    d = value.getSExtValue();
    if (d <= 0 || (d & (d - 1)))
      return op->emitOpError("tile dimension is ")
             << d << " after specialization; it must be a power of two";
  }
  return type.clone(shape);
}

/// Sets the result type of `op` to a tile of `shape` keeping its element type.
static void setShape(Value v, ArrayRef<int64_t> shape) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    v.setType(
        RankedTensorType::get(shape, t.getElementType(), t.getEncoding()));
}

/// The first tile operand's shape (elementwise ops keep it).
static std::optional<SmallVector<int64_t>> firstTileShape(Operation *op) {
  for (Value v : op->getOperands())
    if (auto t = dyn_cast<RankedTensorType>(v.getType()))
      return SmallVector<int64_t>(t.getShape());
  return std::nullopt;
}

/// Infers static result types of one op from its (already static) operands.
static LogicalResult inferOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<RangeOp, SplatOp, BroadcastOp, BlockLoadOp>(
          [&](auto o) -> LogicalResult {
        auto type = staticType(o, o.getType(), o.getSizes());
        if (failed(type))
          return failure();
        o.getResult().setType(*type);
        o.getSizesMutable().clear();
        return success();
      })
      .Case<ExpandDimsOp>([](ExpandDimsOp o) {
        SmallVector<int64_t> shape(o.getSrc().getType().getShape());
        shape.insert(shape.begin() + o.getAxis(), 1);
        setShape(o.getResult(), shape);
        return success();
      })
      .Case<AddPtrOp>([](AddPtrOp o) {
        o.getResult().setType(o.getPtr().getType());
        return success();
      })
      .Case<LoadOp>([](LoadOp o) {
        setShape(o.getResult(), o.getPtr().getType().getShape());
        return success();
      })
      .Case<DotOp>([](DotOp o) {
        o.getResult().setType(o.getAcc().getType());
        return success();
      })
      .Case<TransOp>([](TransOp o) {
        auto src = o.getSrc().getType();
        setShape(o.getResult(), {src.getDimSize(1), src.getDimSize(0)});
        return success();
      })
      .Case<ReduceOp>([](ReduceOp o) {
        auto src = o.getSrc().getType();
        setShape(o.getResult(), {src.getDimSize(1 - o.getAxis())});
        return success();
      })
      .Case<scf::ForOp>([](scf::ForOp o) {
        for (auto [init, arg, res] : llvm::zip(
                 o.getInitArgs(), o.getRegionIterArgs(), o.getResults())) {
          arg.setType(init.getType());
          res.setType(init.getType());
        }
        return success();
      })
      .Default([](Operation *o) {
        if (o->getNumResults() == 0 ||
            !OpTrait::hasElementwiseMappableTraits(o))
          return success();
        if (auto shape = firstTileShape(o))
          for (Value r : o->getResults())
            setShape(r, *shape);
        return success();
      });
}

/// Walks a region in program order; scf.if results follow their yields.
static LogicalResult inferRegion(Region &region) {
  for (Block &block : region)
    for (Operation &op : block) {
      if (failed(inferOp(&op)))
        return failure();
      for (Region &r : op.getRegions())
        if (failed(inferRegion(r)))
          return failure();
      if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
        for (auto [i, res] : llvm::enumerate(ifOp.getResults())) {
          Type then = ifOp.thenYield().getOperand(i).getType();
          if (!ifOp.getElseRegion().empty()) {
            Type other = ifOp.elseYield().getOperand(i).getType();
            if (other != then)
              return ifOp.emitOpError("result ")
                     << i << " is " << then << " in the then branch but "
                     << other << " in the else branch after specialization";
          }
          res.setType(then);
        }
      }
      if (auto yield = dyn_cast<scf::YieldOp>(op)) {
        auto parent = yield->getParentOp();
        if (isa<scf::ForOp, scf::IfOp>(parent))
          for (auto [y, r] :
               llvm::zip(yield.getOperands(), parent->getResults()))
            if (isa<RankedTensorType>(r.getType()) &&
                y.getType() != r.getType() && isa<scf::ForOp>(parent))
              return yield.emitOpError("yields ")
                     << y.getType() << " for a loop value of " << r.getType();
      }
    }
  return success();
}

struct SpecializePass
    : public mlir::tessel::impl::TesselSpecializeBase<SpecializePass> {
  using TesselSpecializeBase::TesselSpecializeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Binding errors point at the first kernel (the module has no location
    // of its own in a file).
    Operation *anchor = module;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(kKernelAttr)) {
        anchor = func;
        break;
      }
    llvm::StringMap<int64_t> bound;
    for (const std::string &p : params) {
      StringRef text(p), name, value;
      std::tie(name, value) = text.split('=');
      int64_t v;
      if (name.empty() || value.getAsInteger(10, v)) {
        anchor->emitError("malformed knob binding '")
            << p << "'; expected NAME=VALUE with an integer VALUE";
        return signalPassFailure();
      }
      bound[name] = v;
    }
    llvm::StringSet<> used;
    bool anyKernel = false;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func->hasAttr(kKernelAttr))
        continue;
      anyKernel = true;
      if (failed(specialize(func, bound, used)))
        return signalPassFailure();
    }
    for (auto &entry : bound)
      if (!used.contains(entry.getKey()) && anyKernel) {
        anchor->emitError("no kernel declares a knob named '")
            << entry.getKey() << "'";
        return signalPassFailure();
      }
  }

  LogicalResult specialize(func::FuncOp func,
                           const llvm::StringMap<int64_t> &bound,
                           llvm::StringSet<> &used) {
    llvm::StringMap<ParamOp> seen;
    SmallVector<ParamOp> knobs;
    func.walk([&](ParamOp p) { knobs.push_back(p); });
    int64_t numWarps = 4;
    std::optional<int64_t> numStages, warpRoles, cluster;
    std::map<std::string, int64_t> values;
    for (ParamOp p : knobs) {
      auto [it, inserted] = seen.try_emplace(p.getName(), p);
      if (!inserted) {
        auto diag = p.emitOpError("declares knob '")
                    << p.getName() << "' twice";
        diag.attachNote(it->second.getLoc()) << "first declared here";
        return failure();
      }
      std::optional<int64_t> value;
      if (auto b = bound.find(p.getName()); b != bound.end()) {
        value = b->second;
        used.insert(p.getName());
      } else if (auto d = p.getDefaultValueAttr()) {
        value = d.getInt();
      }
      if (!value)
        return p.emitOpError("knob '")
               << p.getName() << "' has no value: bind it with -D "
               << p.getName() << "=<value> or give it a default_value";
      if (auto values = p.getValues();
          values && !llvm::is_contained(*values, *value))
        return p.emitOpError("value ") << *value << " for knob '" << p.getName()
                                       << "' is not among its values";
      if (p.getName() == kNumWarpsParam) {
        if (*value < 1 || *value > 16 || (*value & (*value - 1)))
          return p.emitOpError("num_warps must be 1, 2, 4, 8 or 16, not ")
                 << *value;
        numWarps = *value;
      }
      if (p.getName() == kNumStagesParam) {
        if (*value < 1 || *value > 8)
          return p.emitOpError("NUM_STAGES must be 1 to 8, not ") << *value;
        numStages = *value;
      }
      if (p.getName() == kWarpRolesParam) {
        if (*value != 1 && *value != 2)
          return p.emitOpError("WARP_ROLES must be 1 or 2, not ") << *value;
        warpRoles = *value;
      }
      if (p.getName() == kClusterParam) {
        if (*value != 1 && *value != 2)
          return p.emitOpError("CLUSTER must be 1 or 2, not ") << *value;
        cluster = *value;
      }
      values[p.getName().str()] = *value;
      OpBuilder b(p);
      auto c = arith::ConstantIndexOp::create(b, p.getLoc(), *value);
      p.replaceAllUsesWith(c.getResult());
      p.erase();
    }
    if (failed(checkConstraints(func, values)))
      return failure();
    func->setAttr("tessel.num_warps",
                  OpBuilder(func).getI64IntegerAttr(numWarps));
    // The pipelined lowering reads the ring depth (TmaPipeline.cpp).
    if (numStages)
      func->setAttr("tessel.num_stages",
                    OpBuilder(func).getI64IntegerAttr(*numStages));
    if (warpRoles == 2)
      func->setAttr("tessel.warp_spec", OpBuilder(func).getUnitAttr());
    if (cluster == 2)
      func->setAttr("tessel.cluster_size",
                    OpBuilder(func).getI64IntegerAttr(2));
    if (failed(inferRegion(func.getBody())))
      return failure();
    WalkResult r = func.walk([](Operation *op) {
      for (Value v : op->getResults())
        if (auto t = dyn_cast<RankedTensorType>(v.getType());
            t && !t.hasStaticShape())
          return op->emitOpError("result ")
                     << t << " is still dynamic after specialization",
                 WalkResult::interrupt();
      return WalkResult::advance();
    });
    return failure(r.wasInterrupted());
  }
};

} // namespace
