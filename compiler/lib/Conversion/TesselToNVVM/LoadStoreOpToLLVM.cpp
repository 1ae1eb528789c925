//===- LoadStoreOpToLLVM.cpp - addptr, masked load and store --------------===//
//
// Pointer tiles are registers of !llvm.ptr<1>; a masked element is an
// scf.if around its llvm.load / llvm.store, so a false lane touches nothing.
//
//===----------------------------------------------------------------------===//
#include "KernelLowering.h"

using namespace mlir;
using namespace mlir::tessel;

static Type pointeeOf(Type t) {
  return cast<PtrType>(elementTypeOf(t)).getPointee();
}

// addptr(p, o) -> llvm.getelementptr p[o] : pointee   (per register)
LogicalResult mlir::tessel::lowerAddPtr(KernelLowering &k, AddPtrOp op) {
  Location loc = op.getLoc();
  Type elem = pointeeOf(op.getType());
  auto ptrType = LLVM::LLVMPointerType::get(op.getContext(), 1);
  if (!isa<RankedTensorType>(op.getType())) {
    k.setScalar(op.getResult(),
                LLVM::GEPOp::create(k.b, loc, ptrType, elem,
                                    k.scalar(op.getPtr()),
                                    ValueRange{k.scalar(op.getOffset())}));
    return success();
  }
  const Regs &ptrs = k.regs(op.getPtr()), &offs = k.regs(op.getOffset());
  Regs out;
  for (auto [p, o] : llvm::zip(ptrs, offs))
    out.push_back(
        LLVM::GEPOp::create(k.b, loc, ptrType, elem, p, ValueRange{o}));
  k.setRegs(op.getResult(), out);
  return success();
}

static Value zeroOf(OpBuilder &b, Location loc, Type t) {
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(t)));
}

// load(p, m, other) -> scf.if %m { llvm.load %p } else { %other }
LogicalResult mlir::tessel::lowerLoad(KernelLowering &k, LoadOp op) {
  Location loc = op.getLoc();
  Type elem = op.getType().getElementType();
  unsigned align = std::max(1u, elem.getIntOrFloatBitWidth() / 8);
  const Regs &ptrs = k.regs(op.getPtr());
  Regs out;
  for (auto [i, p] : llvm::enumerate(ptrs)) {
    if (!op.getMask()) {
      out.push_back(LLVM::LoadOp::create(k.b, loc, elem, p, align));
      continue;
    }
    Value other =
        op.getOther() ? k.regs(op.getOther())[i] : zeroOf(k.b, loc, elem);
    auto ifOp = scf::IfOp::create(
        k.b, loc, k.regs(op.getMask())[i],
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(
              b, l, ValueRange{LLVM::LoadOp::create(b, l, elem, p, align)});
        },
        [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, other); });
    out.push_back(ifOp.getResult(0));
  }
  k.setRegs(op.getResult(), out);
  return success();
}

// store(p, v, m) -> scf.if %m { llvm.store %v, %p }
LogicalResult mlir::tessel::lowerStore(KernelLowering &k, StoreOp op) {
  Location loc = op.getLoc();
  Type elem = pointeeOf(op.getPtr().getType());
  unsigned align = std::max(1u, elem.getIntOrFloatBitWidth() / 8);
  const Regs &ptrs = k.regs(op.getPtr()), &vals = k.regs(op.getValue());
  for (auto [i, p] : llvm::enumerate(ptrs)) {
    Value v = vals[i];
    if (!op.getMask()) {
      LLVM::StoreOp::create(k.b, loc, v, p, align);
      continue;
    }
    scf::IfOp::create(k.b, loc, k.regs(op.getMask())[i],
                      [&](OpBuilder &b, Location l) {
                        LLVM::StoreOp::create(b, l, v, p, align);
                        scf::YieldOp::create(b, l);
                      });
  }
  return success();
}
