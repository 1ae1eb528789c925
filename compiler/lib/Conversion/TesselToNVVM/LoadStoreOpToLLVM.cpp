//===- LoadStoreOpToLLVM.cpp - addptr, masked load and store --------------===//
//
// Pointer tiles are registers of !llvm.ptr<1>; a masked element is an
// scf.if around its llvm.load / llvm.store, so a false lane touches nothing.
//
//===----------------------------------------------------------------------===//
#include "KernelLowering.h"

#include <map>

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

namespace {
/// The 64-bit addressing of a block load or store's box: the tensor's shape
/// and strides widened once, the base advanced past the leading (batch)
/// coordinates, and whether those are inside the tensor.
struct Box {
  Box(KernelLowering &k, Location loc, Value basePtr, Type elem,
      ValueRange offsets, ValueRange shapeIn, ValueRange strides)
      : k(k), loc(loc), elem(elem), rank(shapeIn.size()) {
    for (size_t d = 0; d < rank; ++d) {
      off.push_back(wide(k.scalar(offsets[d])));
      shape.push_back(wide(k.scalar(shapeIn[d])));
      stride.push_back(wide(k.scalar(strides[d])));
    }
    Value start = c64(0);
    leadOk = arith::ConstantIntOp::create(k.b, loc, k.b.getI1Type(), 1);
    for (size_t d = 0; d + 2 < rank; ++d) {
      start = add(start, mul(off[d], stride[d]));
      leadOk = andi(leadOk, inside(off[d], shape[d]));
    }
    base = gep(basePtr, start);
  }
  Value wide(Value v) {
    Type i64 = k.b.getI64Type();
    return v.getType() == i64 ? v : arith::ExtSIOp::create(k.b, loc, i64, v);
  }
  Value c64(int64_t v) {
    return arith::ConstantIntOp::create(k.b, loc, k.b.getI64Type(), v);
  }
  Value add(Value a, Value b) { return arith::AddIOp::create(k.b, loc, a, b); }
  Value mul(Value a, Value b) { return arith::MulIOp::create(k.b, loc, a, b); }
  Value andi(Value a, Value b) { return arith::AndIOp::create(k.b, loc, a, b); }
  /// 0 <= x < bound.
  Value inside(Value x, Value bound) {
    Value lo =
        arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::sge, x, c64(0));
    Value hi =
        arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::slt, x, bound);
    return andi(lo, hi);
  }
  Value gep(Value p, Value elems) {
    return LLVM::GEPOp::create(k.b, loc, p.getType(), elem, p,
                               ValueRange{elems});
  }
  /// The tile's dimension `d` (0 rows, 1 columns) in the tensor's terms.
  Value off2(unsigned d) { return off[rank - 2 + d]; }
  Value shape2(unsigned d) { return shape[rank - 2 + d]; }
  Value stride2(unsigned d) { return stride[rank - 2 + d]; }

  KernelLowering &k;
  Location loc;
  Type elem;
  size_t rank;
  SmallVector<Value> off, shape, stride;
  Value base, leadOk;
};
} // namespace

// block_load(base, offsets, shape, strides) -> per register: the element's
// 64-bit offset and its in-bounds test, then a masked load as above. (On
// sm_90a, block loads feeding a pipelined dot never get here: TmaPipeline.cpp
// turns them into TMA copies.)
LogicalResult mlir::tessel::lowerBlockLoad(KernelLowering &k, BlockLoadOp op) {
  Location loc = op.getLoc();
  auto m = k.mapOf(op, op.getType());
  if (failed(m))
    return failure();
  Type elem = op.getType().getElementType();
  Box box(k, loc, k.scalar(op.getBase()), elem, op.getOffsets(), op.getShape(),
          op.getStrides());
  unsigned align = std::max(1u, elem.getIntOrFloatBitWidth() / 8);
  Value zero = zeroOf(k.b, loc, elem);
  Regs out;
  for (auto &c : k.coords(loc, *m)) {
    Value row = box.add(box.off2(0), box.wide(c[0]));
    Value col = box.add(box.off2(1), box.wide(c[1]));
    Value rowOk = box.inside(row, box.shape2(0));
    Value colOk = box.inside(col, box.shape2(1));
    Value ok = box.andi(box.leadOk, box.andi(rowOk, colOk));
    Value rowAt = box.mul(row, box.stride2(0));
    Value at = box.add(rowAt, box.mul(col, box.stride2(1)));
    out.push_back(
        maskedLoad(k.b, loc, elem, box.gep(box.base, at), align, ok, zero));
  }
  k.setRegs(op.getResult(), out);
  return success();
}

// block_store(base, offsets, shape, strides, value): a thread's registers
// grouped by row. Each row's address and bounds test are computed once; a run
// of registers on adjacent columns of a unit-stride row (2 to 16 bytes) is one
// vector store where the whole run is inside the tensor and its address is
// aligned (and, for a column stride passed at run time, where it is 1), else
// element stores under their own tests. The accumulator of a
// dot holds pairs of adjacent columns, so its epilogue stores 4 bytes at a
// time at addresses that are constant offsets from a few row pointers.
LogicalResult mlir::tessel::lowerBlockStore(KernelLowering &k,
                                            BlockStoreOp op) {
  Location loc = op.getLoc();
  auto tile = cast<RankedTensorType>(op.getValue().getType());
  auto m = k.mapOf(op, tile);
  if (failed(m))
    return failure();
  Type elem = tile.getElementType();
  const int64_t bytes = std::max(1u, elem.getIntOrFloatBitWidth() / 8);
  Box box(k, loc, k.scalar(op.getBase()), elem, op.getOffsets(), op.getShape(),
          op.getStrides());
  const Regs &vals = k.regs(op.getValue());
  // Vector stores need unit-stride columns: known from the knobs, or tested
  // at run time when the stride is an argument (a transposed output takes
  // the element stores).
  auto columnStride = knownConstant(op.getStrides().back());
  const bool vectorize =
      !m->wraps(1) && (!columnStride || columnStride->isOne());
  Value unitStride;
  if (vectorize && !columnStride)
    unitStride = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::eq,
                                       box.stride2(1), box.c64(1));

  // The thread's coordinate along each dimension for a register offset.
  Value threadPart[2] = {k.threadOffset(loc, *m, 0), k.threadOffset(loc, *m, 1)};
  auto coord = [&](unsigned d, int64_t regOffset) -> Value {
    Value c = k.add(loc, threadPart[d], k.i32(loc, regOffset));
    if (m->wraps(d))
      c = arith::AndIOp::create(k.b, loc, c, k.i32(loc, m->shape[d] - 1));
    return box.add(box.off2(d), box.wide(c));
  };
  // Registers by row offset, each row's sorted by column offset.
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> rows;
  for (int64_t r = 0; r < m->numRegs(); ++r)
    rows[m->regOffsets[r][0]].push_back({m->regOffsets[r][1], r});
  // Without wrapping, columns are the thread's part plus the offset, and a
  // register's address is the row pointer (at the thread's first column)
  // plus offset * stride: a constant when the stride is the constant 1.
  Value colStart = vectorize ? box.add(box.off2(1), box.wide(threadPart[1]))
                             : Value();
  auto storeElement = [&](Value rowOk, Value rowPtr, int64_t co, int64_t r) {
    Value col = vectorize ? box.add(colStart, box.c64(co)) : coord(1, co);
    Value ok = box.andi(rowOk, box.inside(col, box.shape2(1)));
    Value p = box.gep(rowPtr, box.mul(vectorize ? box.c64(co) : col,
                                      box.stride2(1)));
    scf::IfOp::create(k.b, loc, ok, [&](OpBuilder &b, Location l) {
      LLVM::StoreOp::create(b, l, vals[r], p, bytes);
      scf::YieldOp::create(b, l);
    });
  };
  auto ptrType = LLVM::LLVMPointerType::get(op.getContext(), 1);
  for (auto &[ro, cols] : rows) {
    llvm::sort(cols);
    Value row = coord(0, ro);
    Value rowOk = box.andi(box.leadOk, box.inside(row, box.shape2(0)));
    Value rowAt = box.mul(row, box.stride2(0));
    Value rowPtr = box.gep(
        box.base,
        vectorize ? box.add(rowAt, box.mul(colStart, box.stride2(1))) : rowAt);
    size_t i = 0;
    while (i < cols.size()) {
      // The longest run of adjacent columns from here, cut to a power of two
      // of at most 16 bytes that the run's first column is a multiple of
      // (so the address is aligned whenever the row pointer is).
      size_t n = 1;
      while (vectorize && i + n < cols.size() &&
             cols[i + n].first == cols[i].first + (int64_t)n)
        ++n;
      int64_t width = 1;
      while (width * 2 <= (int64_t)n && width * 2 * bytes <= 16 &&
             cols[i].first % (width * 2) == 0)
        width *= 2;
      if (width == 1) {
        storeElement(rowOk, rowPtr, cols[i].first, cols[i].second);
        ++i;
        continue;
      }
      int64_t co = cols[i].first;
      Value first = box.add(colStart, box.c64(co));
      Value last = box.add(first, box.c64(width - 1));
      Value addr = LLVM::PtrToIntOp::create(k.b, loc, k.b.getI64Type(),
                                            box.gep(rowPtr, box.c64(co)));
      Value aligned = arith::CmpIOp::create(
          k.b, loc, arith::CmpIPredicate::eq,
          arith::AndIOp::create(k.b, loc, addr, box.c64(width * bytes - 1)),
          box.c64(0));
      Value firstOk = box.inside(first, box.shape2(1));
      Value lastOk = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::slt,
                                           last, box.shape2(1));
      Value rowReady = box.andi(rowOk, aligned);
      if (unitStride)
        rowReady = box.andi(rowReady, unitStride);
      Value whole = box.andi(rowReady, box.andi(firstOk, lastOk));
      auto vecType = VectorType::get({width}, elem);
      scf::IfOp::create(
          k.b, loc, whole,
          [&](OpBuilder &b, Location l) {
            Value v = LLVM::PoisonOp::create(b, l, vecType);
            for (int64_t e = 0; e < width; ++e)
              v = LLVM::InsertElementOp::create(
                  b, l, v, vals[cols[i + e].second],
                  arith::ConstantIntOp::create(b, l, b.getI32Type(), e));
            Value p = LLVM::GEPOp::create(b, l, ptrType, elem, rowPtr,
                                          ValueRange{box.c64(co)});
            LLVM::StoreOp::create(b, l, v, p, width * bytes);
            scf::YieldOp::create(b, l);
          },
          [&](OpBuilder &b, Location l) {
            OpBuilder::InsertionGuard guard(k.b);
            k.b.setInsertionPoint(b.getInsertionBlock(),
                                  b.getInsertionPoint());
            for (int64_t e = 0; e < width; ++e)
              storeElement(rowOk, rowPtr, cols[i + e].first,
                           cols[i + e].second);
            scf::YieldOp::create(b, l);
          });
      i += width;
    }
  }
  return success();
}
