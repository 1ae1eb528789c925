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

// A block_store through shared memory, so that threads write whole runs of
// memory rows. Used where the tile's own registers would write a few bytes
// per memory row:
//  - a transposed store (the tile's rows are the unit-stride dimension:
//    element (i, j) at base + i + j * stride; by tile rows, each of a warp's
//    stores would touch a different memory row): line dimension 1;
//  - on the TMA ring's path, an accumulator-layout tile into a row-major
//    box (the accumulator holds column pairs, 4 bytes per row per thread:
//    half of every 32-byte sector a warp's store touches): line dimension 0.
// A line is one memory row of the box (tile row or tile column):
//   barrier; smem[line * pitch + pos] = value (each register at its
//   coordinates); barrier;
//   each thread takes runs of `width` elements along one line (16 bytes),
//   consecutive threads consecutive runs, so a warp writes whole stretches
//   of a memory row: one vector load from shared memory and one vector
//   store where the run is inside the tensor and aligned, else element
//   stores under their own tests.
// The pitch pads each line by 16 bytes: runs stay 16-byte aligned and a
// line's neighbours start in other banks.
static LogicalResult storeStaged(KernelLowering &k, BlockStoreOp op,
                                 const ::tessel::layout::LayoutMap &m, Box &box,
                                 int64_t bytes, unsigned lineDim) {
  Location loc = op.getLoc();
  Type elem = box.elem;
  const unsigned posDim = 1 - lineDim;
  auto tile = cast<RankedTensorType>(op.getValue().getType());
  const int64_t lines = tile.getDimSize(lineDim),
                lineLength = tile.getDimSize(posDim);
  const int64_t width = std::min<int64_t>(16 / bytes, lineLength);
  const int64_t pitch = lineLength + 16 / bytes;
  const Regs &vals = k.regs(op.getValue());
  OpBuilder &b = k.b;
  auto i32c = [&](int64_t v) { return k.i32(loc, v); };

  // The staging may take a finished TMA ring's memory: the barrier below
  // comes before any write to it.
  const int64_t stagingBytes = lines * pitch * bytes;
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
        sharedAt(k.add(loc, k.mul(loc, c[lineDim], i32c(pitch)), c[posDim])),
        bytes);
  k.barrier(loc);

  auto vecType = VectorType::get({width}, elem);
  forEachRun(k, loc, lines, lineLength, width, [&](Value line, Value pos0) {
    Value run = LLVM::LoadOp::create(
        b, loc, vecType,
        sharedAt(k.add(loc, k.mul(loc, line, i32c(pitch)), pos0)),
        width * bytes);
    // Memory row `line` of the box; along it, positions pos0 .. pos0 +
    // width (the unit-stride dimension).
    Box::Run at = box.runAt(lineDim, line, pos0, width, bytes);
    scf::IfOp::create(
        b, loc, at.whole,
        [&](OpBuilder &ob, Location l) {
          LLVM::StoreOp::create(ob, l, run, at.ptr, width * bytes);
          scf::YieldOp::create(ob, l);
        },
        [&](OpBuilder &ob, Location l) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
          for (int64_t e = 0; e < width; ++e) {
            Value pos = box.add(at.start, box.c64(e));
            Value ok = box.andi(at.lineOk, box.inside(pos, box.shape2(posDim)));
            Value v = LLVM::ExtractElementOp::create(b, loc, run, i32c(e));
            Value pe = box.gep(at.ptr, box.c64(e));
            scf::IfOp::create(b, loc, ok, [&](OpBuilder &eb, Location el) {
              LLVM::StoreOp::create(eb, el, v, pe, bytes);
              scf::YieldOp::create(eb, el);
            });
          }
          scf::YieldOp::create(ob, l);
        });
  });
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
          op.getStrides(),
          splitOffset(op.getOffsets(), op.getSecondHalf(), tile.getDimSize(1)),
          tile.getDimSize(1));
  auto columnStride = knownConstant(op.getStrides().back());
  auto rowStride = knownConstant(op.getStrides()[op.getStrides().size() - 2]);
  bool transposed = rowStride && rowStride->isOne() &&
                    !(columnStride && columnStride->isOne());
  if (transposed)
    return storeStaged(k, op, *m, box, bytes, /*lineDim=*/1);
  // An accumulator tile after a TMA ring, into a unit-stride row: staged in
  // the ring's freed memory, 16 bytes per thread per memory row.
  if (!stagesInRing(k, tile, bytes) || (columnStride && !columnStride->isOne()))
    return storeByRows(k, op, *m, box, bytes);
  if (columnStride)
    return storeStaged(k, op, *m, box, bytes, /*lineDim=*/0);
  // A column stride passed at run time (NS line 3 writes the caller's
  // output, which may be transposed, at its last step): staged where it is
  // 1, by rows elsewhere. The test is the same in every thread.
  Value unit = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::eq,
                                     box.stride2(1), box.c64(1));
  LogicalResult result = success();
  scf::IfOp::create(
      k.b, loc, unit,
      [&](OpBuilder &ob, Location) {
        OpBuilder::InsertionGuard guard(k.b);
        k.b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        if (failed(storeStaged(k, op, *m, box, bytes, /*lineDim=*/0)))
          result = failure();
        scf::YieldOp::create(k.b, loc);
      },
      [&](OpBuilder &ob, Location) {
        OpBuilder::InsertionGuard guard(k.b);
        k.b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        if (failed(storeByRows(k, op, *m, box, bytes)))
          result = failure();
        scf::YieldOp::create(k.b, loc);
      });
  return result;
}
