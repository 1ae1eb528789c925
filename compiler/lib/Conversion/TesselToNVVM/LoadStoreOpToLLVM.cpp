//===- LoadStoreOpToLLVM.cpp - addptr, masked load and store --------------===//
//
// Pointer tiles are registers of !llvm.ptr<1>; a masked element is an
// scf.if around its llvm.load / llvm.store, so a false lane touches nothing.
//
//===----------------------------------------------------------------------===//
#include "BoxAddressing.h"

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

// block_load(base, offsets, shape, strides): the registers grouped into row
// runs (BoxAddressing.h): each row's address and bounds test once; a run of
// adjacent columns of a unit-stride row is one vector load where the whole
// run is inside the tensor and aligned, else element loads that read 0
// outside. (On sm_90a, block loads feeding a pipelined dot never get here:
// TmaPipeline.cpp turns them into TMA copies.)
/// block_load of an accumulator-layout tile after a TMA ring, from a box
/// with unit column stride, through the ring's freed shared memory: read by
/// its own registers, each thread would fetch 4-byte column pairs (half of
/// every 32-byte sector a warp touches). Instead:
///   barrier; each thread loads runs of 16 bytes along one box row
///   (consecutive threads consecutive runs; one vector load where the run
///   is inside the tensor and aligned, else element loads reading zero
///   outside) into smem[row * pitch + col]; barrier; each register reads its
///   element back. The pitch pads each row by 16 bytes.
static void loadStaged(KernelLowering &k, BlockLoadOp op,
                       const ::tessel::layout::LayoutMap &m, Box &box,
                       int64_t bytes, int64_t staging) {
  Location loc = op.getLoc();
  OpBuilder &b = k.b;
  Type elem = box.elem;
  auto tile = op.getType();
  const int64_t rows = tile.getDimSize(0), cols = tile.getDimSize(1);
  const int64_t width = 16 / bytes, pitch = cols + width;
  auto i32c = [&](int64_t v) { return k.i32(loc, v); };
  auto sharedAt = [&](Value element) {
    return k.smemPtr(
        loc, k.add(loc, i32c(staging), k.mul(loc, element, i32c(bytes))));
  };
  Value zero = zeroOf(b, loc, elem);
  auto vecType = VectorType::get({width}, elem);
  k.barrier(loc);
  forEachRun(k, loc, rows, cols, width, [&](Value row, Value col0) {
    Box::Run at = box.runAt(/*lineDim=*/0, row, col0, width, bytes);
    auto ifOp = scf::IfOp::create(
        b, loc, at.whole,
        [&](OpBuilder &ob, Location l) {
          scf::YieldOp::create(
              ob, l,
              ValueRange{LLVM::LoadOp::create(ob, l, vecType, at.ptr, 16)});
        },
        [&](OpBuilder &ob, Location l) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
          Value v = LLVM::PoisonOp::create(b, l, vecType);
          for (int64_t e = 0; e < width; ++e) {
            Value pos = box.add(at.start, box.c64(e));
            Value ok = box.andi(at.lineOk, box.inside(pos, box.shape2(1)));
            v = LLVM::InsertElementOp::create(
                b, l, v,
                maskedLoad(b, l, elem, box.gep(at.ptr, box.c64(e)), bytes, ok,
                           zero),
                i32c(e));
          }
          scf::YieldOp::create(b, l, ValueRange{v});
        });
    LLVM::StoreOp::create(
        b, loc, ifOp.getResult(0),
        sharedAt(k.add(loc, k.mul(loc, row, i32c(pitch)), col0)), 16);
  });
  k.barrier(loc);
  Regs out;
  for (const auto &c : k.coords(loc, m))
    out.push_back(LLVM::LoadOp::create(
        b, loc, elem, sharedAt(k.add(loc, k.mul(loc, c[0], i32c(pitch)), c[1])),
        bytes));
  k.setRegs(op.getResult(), out);
}

LogicalResult mlir::tessel::lowerBlockLoad(KernelLowering &k, BlockLoadOp op) {
  Location loc = op.getLoc();
  auto m = k.mapOf(op, op.getType());
  if (failed(m))
    return failure();
  Type elem = op.getType().getElementType();
  const int64_t bytes = std::max(1u, elem.getIntOrFloatBitWidth() / 8);
  Box box(k, loc, k.scalar(op.getBase()), elem, op.getOffsets(), op.getShape(),
          op.getStrides(),
          splitOffset(op.getOffsets(), op.getSecondHalf(),
                      op.getType().getDimSize(1)),
          op.getType().getDimSize(1));
  // After a TMA ring (its memory free once the CTA next meets), an
  // accumulator-layout tile of a unit-stride box goes through shared memory.
  auto columnStride = knownConstant(op.getStrides().back());
  if (columnStride && columnStride->isOne() &&
      stagesInRing(k, op.getType(), bytes)) {
    loadStaged(k, op, *m, box, bytes, k.freeAfterBarrier->first);
    return success();
  }
  RowRuns rows(k, loc, *m, box, columnStride, bytes);
  Value zero = zeroOf(k.b, loc, elem);
  auto loadElement = [&](const RowRuns::Row &row, int64_t column) {
    auto [ok, p] = rows.element(row, column);
    return maskedLoad(k.b, loc, elem, p, bytes, ok, zero);
  };
  Regs out(m->numRegs());
  for (const RowRuns::Row &row : rows.rows())
    for (const RowRuns::Run &run : row.runs) {
      const int64_t width = run.regs.size();
      if (width == 1) {
        out[run.regs[0]] = loadElement(row, run.column);
        continue;
      }
      auto [p, whole] = rows.vector(row, run);
      auto vecType = VectorType::get({width}, elem);
      auto ifOp = scf::IfOp::create(
          k.b, loc, whole,
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(
                b, l,
                ValueRange{LLVM::LoadOp::create(b, l, vecType, p,
                                                width * bytes)});
          },
          [&](OpBuilder &b, Location l) {
            OpBuilder::InsertionGuard guard(k.b);
            k.b.setInsertionPoint(b.getInsertionBlock(),
                                  b.getInsertionPoint());
            Value v = LLVM::PoisonOp::create(k.b, l, vecType);
            for (int64_t e = 0; e < width; ++e)
              v = LLVM::InsertElementOp::create(
                  k.b, l, v, loadElement(row, run.column + e),
                  k.i32(l, e));
            scf::YieldOp::create(k.b, l, ValueRange{v});
          });
      for (int64_t e = 0; e < width; ++e)
        out[run.regs[e]] = LLVM::ExtractElementOp::create(
            k.b, loc, ifOp.getResult(0), k.i32(loc, e));
    }
  k.setRegs(op.getResult(), out);
  return success();
}
