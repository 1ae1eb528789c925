//===- BlockStoreOpToLLVM.cpp - tessel.block_store -------------------------===//
//
// A tile into a box of a strided tensor, nothing written outside it. Stores
// are grouped so that each row's address is computed once and adjacent
// elements of a unit-stride row go out as one vector store; a tile whose
// unit-stride dimension is its rows (a transposed store) goes through shared
// memory first, so that threads write whole runs of memory rows.
//
//===----------------------------------------------------------------------===//
#include "BoxAddressing.h"

using namespace mlir;
using namespace mlir::tessel;

// block_store(base, offsets, shape, strides, value): a thread's registers
// grouped by row. Each row's address and bounds test are computed once; a run
// of registers on adjacent columns of a unit-stride row (2 to 16 bytes) is one
// vector store where the whole run is inside the tensor and its address is
// aligned (and, for a column stride passed at run time, where it is 1), else
// element stores under their own tests. The accumulator of a
// dot holds pairs of adjacent columns, so its epilogue stores 4 bytes at a
// time at addresses that are constant offsets from a few row pointers.
static LogicalResult storeByRows(KernelLowering &k, BlockStoreOp op,
                                 const ::tessel::layout::LayoutMap &m,
                                 Box &box, int64_t bytes) {
  Location loc = op.getLoc();
  Type elem = box.elem;
  const Regs &vals = k.regs(op.getValue());
  RowRuns rows(k, loc, m, box, knownConstant(op.getStrides().back()), bytes);
  auto storeElement = [&](const RowRuns::Row &row, int64_t column,
                          int64_t reg) {
    auto [ok, p] = rows.element(row, column);
    scf::IfOp::create(k.b, loc, ok, [&](OpBuilder &b, Location l) {
      LLVM::StoreOp::create(b, l, vals[reg], p, bytes);
      scf::YieldOp::create(b, l);
    });
  };
  for (const RowRuns::Row &row : rows.rows())
    for (const RowRuns::Run &run : row.runs) {
      const int64_t width = run.regs.size();
      if (width == 1) {
        storeElement(row, run.column, run.regs[0]);
        continue;
      }
      auto [p, whole] = rows.vector(row, run);
      auto vecType = VectorType::get({width}, elem);
      scf::IfOp::create(
          k.b, loc, whole,
          [&](OpBuilder &b, Location l) {
            Value v = LLVM::PoisonOp::create(b, l, vecType);
            for (int64_t e = 0; e < width; ++e)
              v = LLVM::InsertElementOp::create(
                  b, l, v, vals[run.regs[e]],
                  arith::ConstantIntOp::create(b, l, b.getI32Type(), e));
            LLVM::StoreOp::create(b, l, v, p, width * bytes);
            scf::YieldOp::create(b, l);
          },
          [&](OpBuilder &b, Location l) {
            OpBuilder::InsertionGuard guard(k.b);
            k.b.setInsertionPoint(b.getInsertionBlock(),
                                  b.getInsertionPoint());
            for (int64_t e = 0; e < width; ++e)
              storeElement(row, run.column + e, run.regs[e]);
            scf::YieldOp::create(b, l);
          });
    }
  return success();
}

// block_store whose rows are the unit-stride dimension (element (i, j) at
// base + i + j * stride: the tile lands transposed). Written by rows of the
// tile, a warp's stores would each touch a different memory row. Instead:
//   barrier; smem[j * pitch + i] = value[i, j] (each register at its
//   coordinates); barrier;
//   each consumer thread takes runs of `width` elements down one tile column
//   (16 bytes), consecutive threads consecutive runs, so a warp writes whole
//   stretches of a memory row: one vector load from shared memory and one
//   vector store where the run is inside the tensor and aligned, else element
//   stores under their own tests.
// The pitch pads each column by 16 bytes: runs stay 16-byte aligned and a
// column's neighbours start in other banks.
static LogicalResult storeTransposed(KernelLowering &k, BlockStoreOp op,
                                     const ::tessel::layout::LayoutMap &m,
                                     Box &box, int64_t bytes) {
  Location loc = op.getLoc();
  Type elem = box.elem;
  auto tile = cast<RankedTensorType>(op.getValue().getType());
  const int64_t rows = tile.getDimSize(0), cols = tile.getDimSize(1);
  const int64_t width = std::min<int64_t>(16 / bytes, rows);
  const int64_t pitch = rows + 16 / bytes;
  const Regs &vals = k.regs(op.getValue());
  OpBuilder &b = k.b;
  auto i32c = [&](int64_t v) { return k.i32(loc, v); };

  // The staging may take a finished TMA ring's memory: the barrier below
  // comes before any write to it.
  const int64_t stagingBytes = cols * pitch * bytes;
  const int64_t staging =
      k.freeAfterBarrier && k.freeAfterBarrier->second >= stagingBytes
          ? k.freeAfterBarrier->first
          : k.allocScratch(stagingBytes);
  auto sharedAt = [&](Value element) {
    return k.smemPtr(loc, k.add(loc, i32c(staging),
                                k.mul(loc, element, i32c(bytes))));
  };
  k.barrier(loc);
  for (auto [r, c] : llvm::enumerate(k.coords(loc, m)))
    LLVM::StoreOp::create(
        b, loc, vals[r],
        sharedAt(k.add(loc, k.mul(loc, c[1], i32c(pitch)), c[0])), bytes);
  k.barrier(loc);

  const int64_t threads = k.numWarps * ::tessel::layout::kWarpSize;
  const int64_t runsPerColumn = rows / width, runs = cols * runsPerColumn;
  auto vecType = VectorType::get({width}, elem);
  for (int64_t first = 0; first < runs; first += threads) {
    Value q = k.add(loc, k.tid, i32c(first));
    auto body = [&] {
      Value j = arith::DivUIOp::create(b, loc, q, i32c(runsPerColumn));
      Value i0 = k.mul(loc, arith::RemUIOp::create(b, loc, q,
                                                   i32c(runsPerColumn)),
                       i32c(width));
      Value run = LLVM::LoadOp::create(
          b, loc, vecType, sharedAt(k.add(loc, k.mul(loc, j, i32c(pitch)), i0)),
          width * bytes);
      // Memory row = tile column j; along it, tile rows i0 .. i0 + width.
      Value col = box.add(box.off2(1), box.wide(j));
      Value colOk = box.andi(box.leadOk, box.inside(col, box.shape2(1)));
      Value start = box.add(box.off2(0), box.wide(i0));
      Value colAt = box.mul(col, box.stride2(1));
      Value p = box.gep(box.base, box.add(colAt, start));
      Value startOk = box.inside(start, box.shape2(0));
      Value last = box.add(start, box.c64(width - 1));
      Value lastOk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                           last, box.shape2(0));
      Value addr = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), p);
      Value aligned = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::AndIOp::create(b, loc, addr, box.c64(width * bytes - 1)),
          box.c64(0));
      Value inside = box.andi(colOk, box.andi(startOk, lastOk));
      Value whole = box.andi(inside, aligned);
      scf::IfOp::create(
          b, loc, whole,
          [&](OpBuilder &ob, Location l) {
            LLVM::StoreOp::create(ob, l, run, p, width * bytes);
            scf::YieldOp::create(ob, l);
          },
          [&](OpBuilder &ob, Location l) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
            for (int64_t e = 0; e < width; ++e) {
              Value at = box.add(start, box.c64(e));
              Value ok = box.andi(colOk, box.inside(at, box.shape2(0)));
              Value v = LLVM::ExtractElementOp::create(b, loc, run, i32c(e));
              Value pe = box.gep(p, box.c64(e));
              scf::IfOp::create(b, loc, ok, [&](OpBuilder &eb, Location el) {
                LLVM::StoreOp::create(eb, el, v, pe, bytes);
                scf::YieldOp::create(eb, el);
              });
            }
            scf::YieldOp::create(ob, l);
          });
    };
    if (first + threads <= runs) {
      body();
      continue;
    }
    auto guard = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, q,
                              i32c(runs)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    body();
  }
  return success();
}

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
  auto columnStride = knownConstant(op.getStrides().back());
  auto rowStride = knownConstant(op.getStrides()[op.getStrides().size() - 2]);
  bool transposed = rowStride && rowStride->isOne() &&
                    !(columnStride && columnStride->isOne());
  return transposed ? storeTransposed(k, op, *m, box, bytes)
                    : storeByRows(k, op, *m, box, bytes);
}
