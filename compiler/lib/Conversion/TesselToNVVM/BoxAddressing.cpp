//===- BoxAddressing.cpp - row runs of a block load/store ------------------===//
#include "BoxAddressing.h"

#include <map>

using namespace mlir;
using namespace mlir::tessel;

RowRuns::RowRuns(KernelLowering &k, Location loc,
                 const ::tessel::layout::LayoutMap &m, Box &box,
                 std::optional<APInt> columnStride, int64_t bytes)
    : k(k), loc(loc), m(m), box(box), bytes(bytes) {
  // (A split box's columns jump at its middle: element by element.)
  runs =
      !m.wraps(1) && (!columnStride || columnStride->isOne()) && !box.split();
  if (runs && !columnStride)
    unitStride = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::eq,
                                       box.stride2(1), box.c64(1));
  threadPart[0] = k.threadOffset(loc, m, 0);
  threadPart[1] = k.threadOffset(loc, m, 1);
  // Without wrapping, a column is the thread's part plus the register's
  // offset, and an element's address the row pointer (at the thread's first
  // column) plus offset * stride: a constant when the stride is 1.
  if (runs)
    colStart = box.add(box.off2(1), box.wide(threadPart[1]));
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> byRow;
  for (int64_t r = 0; r < m.numRegs(); ++r)
    byRow[m.regOffsets[r][0]].push_back({m.regOffsets[r][1], r});
  for (auto &[rowOffset, cols] : byRow) {
    llvm::sort(cols);
    Row row;
    Value at = coord(0, rowOffset);
    row.ok = box.andi(box.leadOk, box.inside(at, box.shape2(0)));
    Value rowAt = box.mul(at, box.stride2(0));
    row.ptr = box.gep(
        box.base,
        runs ? box.add(rowAt, box.mul(colStart, box.stride2(1))) : rowAt);
    for (size_t i = 0; i < cols.size();) {
      // The longest run of adjacent columns from here, cut to a power of two
      // of at most 16 bytes that its first column is a multiple of (so its
      // address is aligned whenever the row pointer is).
      size_t n = 1;
      while (runs && i + n < cols.size() &&
             cols[i + n].first == cols[i].first + (int64_t)n)
        ++n;
      int64_t width = 1;
      while (width * 2 <= (int64_t)n && width * 2 * bytes <= 16 &&
             cols[i].first % (width * 2) == 0)
        width *= 2;
      Run run{cols[i].first, {}};
      for (int64_t e = 0; e < width; ++e)
        run.regs.push_back(cols[i + e].second);
      row.runs.push_back(std::move(run));
      i += width;
    }
    rowList.push_back(std::move(row));
  }
}

Value RowRuns::coord(unsigned d, int64_t regOffset) {
  Value c = k.add(loc, threadPart[d], k.i32(loc, regOffset));
  if (m.wraps(d))
    c = arith::AndIOp::create(k.b, loc, c, k.i32(loc, m.shape[d] - 1));
  return box.at(d, box.wide(c));
}

std::pair<Value, Value> RowRuns::element(const Row &row, int64_t column) {
  Value col = runs ? box.add(colStart, box.c64(column)) : coord(1, column);
  Value ok = box.andi(row.ok, box.inside(col, box.shape2(1)));
  Value p =
      box.gep(row.ptr, box.mul(runs ? box.c64(column) : col, box.stride2(1)));
  return {ok, p};
}

std::pair<Value, Value> RowRuns::vector(const Row &row, const Run &run) {
  const int64_t width = run.regs.size();
  Value first = box.add(colStart, box.c64(run.column));
  Value last = box.add(first, box.c64(width - 1));
  Value p = box.gep(row.ptr, box.c64(run.column));
  Value addr = LLVM::PtrToIntOp::create(k.b, loc, k.b.getI64Type(), p);
  Value aligned = arith::CmpIOp::create(
      k.b, loc, arith::CmpIPredicate::eq,
      arith::AndIOp::create(k.b, loc, addr, box.c64(width * bytes - 1)),
      box.c64(0));
  Value firstOk = box.inside(first, box.shape2(1));
  Value lastOk = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::slt,
                                       last, box.shape2(1));
  Value ready = box.andi(row.ok, aligned);
  if (unitStride)
    ready = box.andi(ready, unitStride);
  return {p, box.andi(ready, box.andi(firstOk, lastOk))};
}

Box::Run Box::runAt(unsigned lineDim, Value line, Value pos0, int64_t width,
                    int64_t bytes) {
  const unsigned posDim = 1 - lineDim;
  // (A run never crosses a split box's middle: halves are whole runs.)
  Value lineAt = at(lineDim, wide(line));
  Run r;
  r.lineOk = andi(leadOk, inside(lineAt, shape2(lineDim)));
  r.start = at(posDim, wide(pos0));
  r.ptr = gep(base, add(mul(lineAt, stride2(lineDim)), r.start));
  Value last = add(r.start, c64(width - 1));
  Value lastOk = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::slt,
                                       last, shape2(posDim));
  Value addr = LLVM::PtrToIntOp::create(k.b, loc, k.b.getI64Type(), r.ptr);
  Value aligned = arith::CmpIOp::create(
      k.b, loc, arith::CmpIPredicate::eq,
      arith::AndIOp::create(k.b, loc, addr, c64(width * bytes - 1)), c64(0));
  r.whole = andi(r.lineOk,
                 andi(inside(r.start, shape2(posDim)), andi(lastOk, aligned)));
  return r;
}

void mlir::tessel::forEachRun(
    KernelLowering &k, Location loc, int64_t lines, int64_t length,
    int64_t width, llvm::function_ref<void(Value line, Value pos0)> body) {
  OpBuilder &b = k.b;
  const int64_t threads = k.numWarps * ::tessel::layout::kWarpSize;
  const int64_t runsPerLine = length / width, runs = lines * runsPerLine;
  for (int64_t first = 0; first < runs; first += threads) {
    Value q = k.add(loc, k.tid, k.i32(loc, first));
    auto one = [&] {
      Value line = arith::DivUIOp::create(b, loc, q, k.i32(loc, runsPerLine));
      Value pos0 =
          k.mul(loc, arith::RemUIOp::create(b, loc, q, k.i32(loc, runsPerLine)),
                k.i32(loc, width));
      body(line, pos0);
    };
    if (first + threads <= runs) {
      one();
      continue;
    }
    auto guard = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, q,
                              k.i32(loc, runs)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    one();
  }
}

bool mlir::tessel::stagesInRing(KernelLowering &k, RankedTensorType tile,
                                int64_t bytes) {
  auto layout = tgpu::layoutOf(tile);
  const int64_t rowBytes = tile.getDimSize(1) * bytes;
  const int64_t stagingBytes =
      tile.getDimSize(0) * (tile.getDimSize(1) + 16 / bytes) * bytes;
  return succeeded(layout) &&
         layout->kind == ::tessel::layout::Layout::Kind::Mma &&
         rowBytes >= 16 && rowBytes % 16 == 0 && k.freeAfterBarrier &&
         k.freeAfterBarrier->second >= stagingBytes;
}
