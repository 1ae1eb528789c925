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

/// scf.if %cond { llvm.load %p } else { %other }: a false lane reads nothing.
static Value maskedLoad(OpBuilder &b, Location loc, Type elem, Value p,
                        unsigned align, Value cond, Value other) {
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &b, Location l) {
        scf::YieldOp::create(
            b, l, ValueRange{LLVM::LoadOp::create(b, l, elem, p, align)});
      },
      [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, other); });
  return ifOp.getResult(0);
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
    out.push_back(maskedLoad(k.b, loc, elem, p, align, k.regs(op.getMask())[i],
                             other));
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

// block_load(base, offsets, shape, strides) -> per register: the element's
// 64-bit offset and its in-bounds test, then a masked load as above. (On
// sm_90a, block loads feeding a pipelined dot never get here: TmaPipeline.cpp
// turns them into TMA copies.)
LogicalResult mlir::tessel::lowerBlockLoad(KernelLowering &k, BlockLoadOp op) {
  Location loc = op.getLoc();
  auto m = k.mapOf(op, op.getType());
  if (failed(m))
    return failure();
  Type i64 = k.b.getI64Type(), elem = op.getType().getElementType();
  auto wide = [&](Value v) -> Value {
    if (v.getType() == i64)
      return v;
    return arith::ExtSIOp::create(k.b, loc, i64, v);
  };
  auto c64 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(k.b, loc, i64, v);
  };
  auto inside = [&](Value x, Value bound) -> Value {
    Value lo = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::sge, x,
                                     c64(0));
    Value hi = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::slt, x,
                                     bound);
    return arith::AndIOp::create(k.b, loc, lo, hi);
  };
  size_t rank = op.getShape().size();
  SmallVector<Value> off, shape, stride;
  for (size_t d = 0; d < rank; ++d) {
    off.push_back(wide(k.scalar(op.getOffsets()[d])));
    shape.push_back(wide(k.scalar(op.getShape()[d])));
    stride.push_back(wide(k.scalar(op.getStrides()[d])));
  }
  // The box's leading (batch) coordinates: one base offset and one test.
  Value start = c64(0);
  Value leadOk = arith::ConstantIntOp::create(k.b, loc, k.b.getI1Type(), 1);
  for (size_t d = 0; d + 2 < rank; ++d) {
    start = arith::AddIOp::create(
        k.b, loc, start, arith::MulIOp::create(k.b, loc, off[d], stride[d]));
    leadOk = arith::AndIOp::create(k.b, loc, leadOk, inside(off[d], shape[d]));
  }
  auto ptrType = LLVM::LLVMPointerType::get(op.getContext(), 1);
  Value base = LLVM::GEPOp::create(k.b, loc, ptrType, elem,
                                   k.scalar(op.getBase()), ValueRange{start});
  unsigned align = std::max(1u, elem.getIntOrFloatBitWidth() / 8);
  Value zero = zeroOf(k.b, loc, elem);
  Regs out;
  for (auto &c : k.coords(loc, *m)) {
    Value row = arith::AddIOp::create(k.b, loc, off[rank - 2], wide(c[0]));
    Value col = arith::AddIOp::create(k.b, loc, off[rank - 1], wide(c[1]));
    Value ok = arith::AndIOp::create(
        k.b, loc, leadOk,
        arith::AndIOp::create(k.b, loc, inside(row, shape[rank - 2]),
                              inside(col, shape[rank - 1])));
    Value at = arith::AddIOp::create(
        k.b, loc, arith::MulIOp::create(k.b, loc, row, stride[rank - 2]),
        arith::MulIOp::create(k.b, loc, col, stride[rank - 1]));
    Value p = LLVM::GEPOp::create(k.b, loc, ptrType, elem, base, ValueRange{at});
    out.push_back(maskedLoad(k.b, loc, elem, p, align, ok, zero));
  }
  k.setRegs(op.getResult(), out);
  return success();
}
