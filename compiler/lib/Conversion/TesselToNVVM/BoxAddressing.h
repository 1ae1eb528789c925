//===- BoxAddressing.h - 64-bit addressing of a block load/store box ------===//
//
// Shared by tessel.block_load and tessel.block_store's lowerings: the box's
// 64-bit addressing, and a thread's registers grouped into row runs.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_CONVERSION_TESSELTONVVM_BOXADDRESSING_H
#define TESSEL_CONVERSION_TESSELTONVVM_BOXADDRESSING_H
#include "KernelLowering.h"

namespace mlir::tessel {
/// The 64-bit addressing of a block load or store's box: the tensor's shape
/// and strides widened once, the base advanced past the leading (batch)
/// coordinates, and whether those are inside the tensor.
/// With `secondHalf` (block ops' `second_half`), the box is two half boxes
/// along the tile's columns: tile column j >= columns / 2 is at tensor
/// coordinate secondHalf + j - columns / 2.
struct Box {
  Box(KernelLowering &k, Location loc, Value basePtr, Type elem,
      ValueRange offsets, ValueRange shapeIn, ValueRange strides,
      Value secondHalf = {}, int64_t columns = 0)
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
    if (secondHalf) {
      half = columns / 2;
      halfShift = arith::SubIOp::create(k.b, loc, wide(k.scalar(secondHalf)),
                                        add(off2(1), c64(half)));
    }
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
  /// A run of `width` elements of the box's memory line `line` (tile
  /// dimension `lineDim`) from tile position `pos0` along the other, unit
  /// stride, dimension: its pointer, its first position in the tensor,
  /// whether the line is inside the tensor, and whether the whole run is
  /// inside and aligned for one vector access of `width * bytes`.
  struct Run {
    Value ptr, start, lineOk, whole;
  };
  Run runAt(unsigned lineDim, Value line, Value pos0, int64_t width,
            int64_t bytes);
  /// The tile's dimension `d` (0 rows, 1 columns) in the tensor's terms.
  Value off2(unsigned d) { return off[rank - 2 + d]; }
  /// The tensor coordinate of tile position `pos` (64-bit) along tile
  /// dimension `d`: off2(d) + pos, past a split box's first half shifted to
  /// its second.
  Value at(unsigned d, Value pos) {
    Value c = add(off2(d), pos);
    if (d != 1 || !split())
      return c;
    Value second = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::sge,
                                         pos, c64(half));
    return add(c, arith::SelectOp::create(k.b, loc, second, halfShift, c64(0)));
  }
  bool split() const { return half != 0; }
  Value shape2(unsigned d) { return shape[rank - 2 + d]; }
  Value stride2(unsigned d) { return stride[rank - 2 + d]; }

  KernelLowering &k;
  Location loc;
  Type elem;
  size_t rank;
  SmallVector<Value> off, shape, stride;
  Value base, leadOk;
  /// A split box: the columns per half, and the second half's shift
  /// (secondHalf - off2(1) - half); 0 and null otherwise.
  int64_t half = 0;
  Value halfShift;
};
/// Whether an accumulator-layout `tile` (elements of `bytes`) is staged by
/// rows in a finished TMA ring's memory (KernelLowering::freeAfterBarrier)
/// when it moves through a unit-stride box: its rows are whole 16-byte
/// runs, and the ring holds them with each row padded by 16 bytes. Only
/// there: elsewhere the staging would add to the kernel's shared memory.
bool stagesInRing(KernelLowering &k, RankedTensorType tile, int64_t bytes);

/// Calls body(line, pos0) for each run of `width` elements of `lines` lines
/// of `length` elements, consecutive threads taking consecutive runs (all
/// of them, `lines * length / width` runs, in rounds of the CTA's threads).
void forEachRun(KernelLowering &k, Location loc, int64_t lines, int64_t length,
                int64_t width,
                llvm::function_ref<void(Value line, Value pos0)> body);

/// A thread's registers of a 2-D tile on a box, grouped for memory access by
/// tile rows: each row's bounds test and pointer are computed once; within a
/// row, registers on adjacent columns form runs (2 to 16 bytes, starting at
/// a multiple of their width) that a unit column stride lets go as one
/// vector access where the whole run is inside the tensor and aligned. The
/// column stride may be known (only 1 vectorizes) or a run-time value
/// (tested against 1).
class RowRuns {
public:
  struct Run {
    int64_t column;             ///< first column offset (layout's)
    SmallVector<int64_t> regs;  ///< registers, one per adjacent column
  };
  struct Row {
    Value ok, ptr;  ///< in bounds; pointer (thread's first column if runs)
    std::vector<Run> runs;
  };
  RowRuns(KernelLowering &k, Location loc,
          const ::tessel::layout::LayoutMap &m, Box &box,
          std::optional<APInt> columnStride, int64_t bytes);
  const std::vector<Row> &rows() const { return rowList; }
  /// Element `column` of `row`: its in-bounds test and its pointer.
  std::pair<Value, Value> element(const Row &row, int64_t column);
  /// The run's pointer, and whether it can be one vector access.
  std::pair<Value, Value> vector(const Row &row, const Run &run);

private:
  Value coord(unsigned d, int64_t regOffset);
  KernelLowering &k;
  Location loc;
  const ::tessel::layout::LayoutMap &m;
  Box &box;
  int64_t bytes;
  bool runs = false;
  Value unitStride, colStart;
  Value threadPart[2];
  std::vector<Row> rowList;
};

} // namespace mlir::tessel

#endif // TESSEL_CONVERSION_TESSELTONVVM_BOXADDRESSING_H
