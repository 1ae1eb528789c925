//===- SharedMemoryOpsToLLVM.cpp - reduce, convert_layout, trans ---------===//
//
// The ops that move elements between threads, both through shared memory:
// every thread writes its registers at their coordinates, a barrier, then
// every thread reads what its destination layout gives it. They use the
// kernel's scratch region (KernelLowering::allocScratch).
//
//===----------------------------------------------------------------------===//
#include "KernelLowering.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::tessel;
namespace layout = ::tessel::layout;

/// Bytes one element takes in shared memory (pointers as i64, i1 as i8).
static int64_t sharedBytesOf(Type e) {
  if (isa<PtrType>(e))
    return 8;
  return std::max(1u, e.getIntOrFloatBitWidth() / 8);
}

/// Row-major linear index of `coords` in `shape`, as i32.
static Value linearIndex(KernelLowering &k, Location loc,
                         ArrayRef<Value> coords, ArrayRef<int64_t> shape) {
  Value idx = coords[0];
  for (unsigned d = 1; d < coords.size(); ++d)
    idx = k.add(loc, k.mul(loc, idx, k.i32(loc, shape[d])), coords[d]);
  return idx;
}

/// Pointer to element `idx` of a shared array of `bytes`-wide elements.
static Value elementPtr(KernelLowering &k, Location loc, int64_t base,
                        Value idx, int64_t bytes) {
  Value byte = k.add(loc, k.mul(loc, idx, k.i32(loc, bytes)), k.i32(loc, base));
  return k.smemPtr(loc, byte);
}

static void storeShared(KernelLowering &k, Location loc, Value v, Type e,
                        Value ptr) {
  if (isa<PtrType>(e))
    v = LLVM::PtrToIntOp::create(k.b, loc, k.b.getI64Type(), v);
  else if (e.isInteger(1))
    v = arith::ExtUIOp::create(k.b, loc, k.b.getI8Type(), v);
  LLVM::StoreOp::create(k.b, loc, v, ptr, sharedBytesOf(e));
}

static Value loadShared(KernelLowering &k, Location loc, Type e, Value ptr) {
  Type stored = isa<PtrType>(e)  ? k.b.getI64Type()
                : e.isInteger(1) ? k.b.getI8Type()
                                 : e;
  Value v = LLVM::LoadOp::create(k.b, loc, stored, ptr, sharedBytesOf(e));
  if (isa<PtrType>(e))
    return LLVM::IntToPtrOp::create(k.b, loc, k.registerType(e), v);
  if (e.isInteger(1))
    return arith::TruncIOp::create(k.b, loc, e, v);
  return v;
}

/// Moves the registers of `src` (in `srcMap`) to the layout `dstMap` of the
/// result `dst` through shared memory: barrier; smem[coords_src(t, r)] =
/// x[r]; barrier; y[r] = smem[coords_dst(t, r)]. With `transpose`, the
/// source's coordinates are written swapped, so y = x^T.
static LogicalResult exchange(KernelLowering &k, Operation *op, Value src,
                              Value dst, bool transpose) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(dst.getType());
  Type e = type.getElementType();
  auto srcMap = k.mapOf(op, src.getType()), dstMap = k.mapOf(op, type);
  if (failed(srcMap) || failed(dstMap))
    return failure();
  int64_t bytes = sharedBytesOf(e);
  int64_t base = k.allocScratch(type.getNumElements() * bytes);
  k.barrier(loc);
  auto srcCoords = k.coords(loc, *srcMap);
  for (auto [r, v] : llvm::enumerate(k.regs(src))) {
    SmallVector<Value> at = srcCoords[r];
    if (transpose)
      std::swap(at[0], at[1]);
    storeShared(k, loc, v, e,
                elementPtr(k, loc, base,
                           linearIndex(k, loc, at, type.getShape()), bytes));
  }
  k.barrier(loc);
  Regs out;
  for (auto &c : k.coords(loc, *dstMap))
    out.push_back(
        loadShared(k, loc, e,
                   elementPtr(k, loc, base,
                              linearIndex(k, loc, c, type.getShape()), bytes)));
  k.setRegs(dst, out);
  return success();
}

// convert_layout %x : L1 -> L2 (the same elements, other threads)
LogicalResult mlir::tessel::lowerConvertLayout(KernelLowering &k,
                                               tgpu::ConvertLayoutOp op) {
  return exchange(k, op, op.getSrc(), op.getResult(), /*transpose=*/false);
}

// trans %x : [M, N] -> [N, M]
LogicalResult mlir::tessel::lowerTrans(KernelLowering &k, TransOp op) {
  return exchange(k, op, op.getSrc(), op.getResult(), /*transpose=*/true);
}

// reduce<kind> %x {axis} : [M, N] -> [M] (axis 1)
//   barrier; smem[i][j] = (abs) x; barrier;
//   y[r] = fold(kind, smem[i_r][0..N)) for each distinct result register
LogicalResult mlir::tessel::lowerReduce(KernelLowering &k, ReduceOp op) {
  Location loc = op.getLoc();
  auto srcType = op.getSrc().getType();
  Type e = srcType.getElementType();
  auto src = k.mapOf(op, srcType), dst = k.mapOf(op, op.getType());
  if (failed(src) || failed(dst))
    return failure();
  int64_t bytes = sharedBytesOf(e);
  int64_t base = k.allocScratch(srcType.getNumElements() * bytes);
  unsigned axis = op.getAxis();
  int64_t len = srcType.getDimSize(axis);
  int64_t cols = srcType.getDimSize(1);

  k.barrier(loc);
  auto srcCoords = k.coords(loc, *src);
  for (auto [r, v] : llvm::enumerate(k.regs(op.getSrc()))) {
    Value x = op.getAbs() ? (Value)math::AbsFOp::create(k.b, loc, v) : v;
    storeShared(
        k, loc, x, e,
        elementPtr(k, loc, base,
                   linearIndex(k, loc, srcCoords[r], srcType.getShape()),
                   bytes));
  }
  k.barrier(loc);

  auto floatType = cast<FloatType>(e);
  APFloat identity = op.getKind() == ReduceKind::sum
                         ? APFloat::getZero(floatType.getFloatSemantics())
                         : APFloat::getInf(floatType.getFloatSemantics(),
                                           op.getKind() == ReduceKind::max);
  Value init =
      arith::ConstantOp::create(k.b, loc, k.b.getFloatAttr(e, identity));
  Value lb = arith::ConstantIndexOp::create(k.b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(k.b, loc, len);
  Value step = arith::ConstantIndexOp::create(k.b, loc, 1);

  auto dstCoords = k.coords(loc, *dst);
  std::map<std::vector<int64_t>, Value>
      done; // same register offset, same value
  Regs out;
  for (int64_t r = 0; r < dst->numRegs(); ++r) {
    auto key = dst->regOffsets[r];
    if (auto it = done.find(key); it != done.end()) {
      out.push_back(it->second);
      continue;
    }
    Value keep = dstCoords[r][0];
    auto loop = scf::ForOp::create(
        k.b, loc, lb, ub, step, ValueRange{init},
        [&](OpBuilder &b, Location l, Value j, ValueRange iter) {
          OpBuilder::InsertionGuard g(k.b);
          k.b.setInsertionPoint(b.getInsertionBlock(), b.getInsertionPoint());
          Value j32 = arith::IndexCastOp::create(k.b, l, k.b.getI32Type(), j);
          Value idx = axis == 1 ? k.add(l, k.mul(l, keep, k.i32(l, cols)), j32)
                                : k.add(l, k.mul(l, j32, k.i32(l, cols)), keep);
          Value x = loadShared(k, l, e, elementPtr(k, l, base, idx, bytes));
          Value acc = iter[0];
          Value next;
          switch (op.getKind()) {
          case ReduceKind::sum:
            next = arith::AddFOp::create(k.b, l, acc, x);
            break;
          case ReduceKind::max:
            next = arith::MaximumFOp::create(k.b, l, acc, x);
            break;
          case ReduceKind::min:
            next = arith::MinimumFOp::create(k.b, l, acc, x);
            break;
          }
          scf::YieldOp::create(k.b, l, next);
        });
    done[key] = loop.getResult(0);
    out.push_back(loop.getResult(0));
  }
  k.setRegs(op.getResult(), out);
  return success();
}
