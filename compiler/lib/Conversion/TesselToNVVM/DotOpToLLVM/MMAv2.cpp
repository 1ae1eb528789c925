//===- MMAv2.cpp - tessel.dot as ldmatrix + mma.sync (sm_80 and later) ----===//
//
// The operand tiles go to padded shared memory (row pitch + 16 bytes, so the
// eight rows one ldmatrix reads fall in distinct banks); each warp then loads
// m16k16 A fragments with ldmatrix.x4, k16n8 B fragments with
// ldmatrix.x2.trans, and issues mma.sync.m16n8k16 into its accumulators.
//
//===----------------------------------------------------------------------===//
#include "../KernelLowering.h"

using namespace mlir;
using namespace mlir::tessel;
namespace layout = ::tessel::layout;

/// Padding of each shared-memory row in elements (16 bytes of 16-bit values).
static constexpr int64_t kRowPad = 8;

/// The widest run (8, 4, 2 or 1 elements) that every thread's column
/// coordinates allow: thread offsets along columns a multiple of it, no
/// wrap-around along columns.
static int64_t runAlignment(const layout::LayoutMap &m) {
  if (m.shape.size() != 2 || m.wraps(1))
    return 1;
  int64_t width = 8;
  for (const layout::ThreadTerm &t : m.threadTerms[1])
    if (t.mod > 1)
      while (width > 1 && t.mul % width)
        width /= 2;
  return width;
}

/// Stores a tile's registers to shared memory as a row-major [rows][pitch]
/// array of 16-bit elements starting at byte `base` (16-byte aligned, pitch
/// a multiple of 8). A thread's registers at adjacent columns of one row go
/// out as one vector store of up to 16 bytes where their first column is
/// aligned for it; the rest one element at a time.
static void stageTile(KernelLowering &k, Location loc,
                      const layout::LayoutMap &m, const Regs &regs,
                      int64_t base, int64_t pitch) {
  auto coords = k.coords(loc, m);
  const int64_t align = runAlignment(m);
  auto storeAt = [&](int64_t r, Value v, int64_t bytes) {
    Value idx = k.add(loc, k.mul(loc, coords[r][0], k.i32(loc, pitch)),
                      coords[r][1]);
    Value byte = k.add(loc, k.mul(loc, idx, k.i32(loc, 2)), k.i32(loc, base));
    LLVM::StoreOp::create(k.b, loc, v, k.smemPtr(loc, byte), bytes);
  };
  const int64_t n = (int64_t)regs.size();
  for (int64_t r = 0; r < n;) {
    // The run of registers r, r+1, ... at columns c, c+1, ... of one row.
    int64_t width = 1;
    const auto &first = m.regOffsets[r];
    for (int64_t w = align; w > 1; w /= 2) {
      if (first[1] % w || r + w > n)
        continue;
      bool run = true;
      for (int64_t i = 1; i < w && run; ++i)
        run = m.regOffsets[r + i][0] == first[0] &&
              m.regOffsets[r + i][1] == first[1] + i;
      if (run) {
        width = w;
        break;
      }
    }
    if (width == 1) {
      storeAt(r, regs[r], 2);
      ++r;
      continue;
    }
    auto vecType = VectorType::get({width}, regs[r].getType());
    Value vec = LLVM::UndefOp::create(k.b, loc, vecType);
    for (int64_t i = 0; i < width; ++i)
      vec = LLVM::InsertElementOp::create(k.b, loc, vec, regs[r + i],
                                          k.i32(loc, i));
    storeAt(r, vec, 2 * width);
    r += width;
  }
}

/// ldmatrix of `num` 8x8 b16 matrices at byte `byte`; returns num i32s.
static SmallVector<Value> ldmatrix(KernelLowering &k, Location loc, Value byte,
                                   int num, bool trans) {
  MLIRContext *ctx = k.b.getContext();
  Type i32 = k.b.getI32Type();
  Type resType = num == 1 ? i32
                          : (Type)LLVM::LLVMStructType::getLiteral(
                                ctx, SmallVector<Type>(num, i32));
  auto ld = NVVM::LdMatrixOp::create(
      k.b, loc, resType, k.smemPtr(loc, byte), num,
      trans ? NVVM::MMALayout::col : NVVM::MMALayout::row,
      NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8), NVVM::LdStMatrixEltType::B16);
  if (num == 1)
    return {ld.getResult()};
  SmallVector<Value> out;
  for (int i = 0; i < num; ++i)
    out.push_back(LLVM::ExtractValueOp::create(k.b, loc, ld.getResult(), i));
  return out;
}

LogicalResult mlir::tessel::lowerDotMMAv2(KernelLowering &k, DotOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto aType = op.getA().getType(), bType = op.getB().getType();
  Type elem = aType.getElementType();
  if (!elem.isBF16() && !elem.isF16())
    return op.emitOpError("the mma.sync lowering takes bf16 or f16 operands; ")
           << elem << " is not lowered yet";
  int64_t m = aType.getDimSize(0), kd = aType.getDimSize(1),
          n = bType.getDimSize(1);
  auto accLayout = tgpu::layoutOf(op.getType());
  if (failed(accLayout) || accLayout->kind != layout::Layout::Kind::Mma)
    return op.emitOpError("result must have the mma layout");
  int64_t wm = accLayout->warpsPerCTA[0], wn = accLayout->warpsPerCTA[1];
  auto aMap = k.mapOf(op, aType), bMap = k.mapOf(op, bType);
  if (failed(aMap) || failed(bMap))
    return failure();

  int64_t pitchA = kd + kRowPad, pitchB = n + kRowPad;
  int64_t bytesA = (m * pitchA * 2 + 15) / 16 * 16;
  int64_t offA = k.allocScratch(bytesA + kd * pitchB * 2);
  int64_t offB = offA + bytesA;
  // Readers of the previous use of these buffers (the last loop iteration)
  // must be done before they are overwritten.
  k.barrier(loc);
  stageTile(k, loc, *aMap, k.regs(op.getA()), offA, pitchA);
  stageTile(k, loc, *bMap, k.regs(op.getB()), offB, pitchB);
  k.barrier(loc);

  Value wi = arith::RemUIOp::create(
      k.b, loc, arith::DivUIOp::create(k.b, loc, k.warp, k.i32(loc, wn)),
      k.i32(loc, wm));
  Value wj = arith::RemUIOp::create(k.b, loc, k.warp, k.i32(loc, wn));
  Value laneRow = arith::AndIOp::create(k.b, loc, k.lane, k.i32(loc, 15));
  Value laneHalf = arith::ShRUIOp::create(k.b, loc, k.lane, k.i32(loc, 4));
  int64_t repM = std::max<int64_t>(1, m / (16 * wm));
  int64_t repN = std::max<int64_t>(1, n / (8 * wn));
  Regs acc = k.regs(op.getAcc());
  if ((int64_t)acc.size() != repM * repN * 4)
    return op.emitOpError("accumulator has ")
           << acc.size() << " registers, expected " << repM * repN * 4;

  Value aRowBase = k.add(loc, k.mul(loc, wi, k.i32(loc, 16)), laneRow);
  Value aColBase = k.mul(loc, laneHalf, k.i32(loc, 8));
  Value bColBase = k.mul(loc, wj, k.i32(loc, 8));
  auto byteAt = [&](int64_t base, Value row, Value col, int64_t pitch) {
    Value idx = k.add(loc, k.mul(loc, row, k.i32(loc, pitch)), col);
    return k.add(loc, k.mul(loc, idx, k.i32(loc, 2)), k.i32(loc, base));
  };
  auto mask = [&](Value v, int64_t size) -> Value {
    return arith::AndIOp::create(k.b, loc, v, k.i32(loc, size - 1));
  };
  Type f32 = k.b.getF32Type();
  Type accStruct = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  Type half2 = VectorType::get({2}, elem);
  auto operand = [&](Value v) -> Value {
    return elem.isF16() ? (Value)LLVM::BitcastOp::create(k.b, loc, half2, v)
                        : v;
  };
  NVVM::MMATypes ptxType =
      elem.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;

  for (int64_t kk = 0; kk < kd / 16; ++kk) {
    SmallVector<SmallVector<Value>> aFrag, bFrag;
    for (int64_t im = 0; im < repM; ++im) {
      Value row = mask(k.add(loc, aRowBase, k.i32(loc, im * 16 * wm)), m);
      Value col = k.add(loc, aColBase, k.i32(loc, kk * 16));
      aFrag.push_back(
          ldmatrix(k, loc, byteAt(offA, row, col, pitchA), 4, false));
    }
    for (int64_t in = 0; in < repN; ++in) {
      Value row = k.add(loc, laneRow, k.i32(loc, kk * 16));
      Value col = mask(k.add(loc, bColBase, k.i32(loc, in * 8 * wn)), n);
      bFrag.push_back(
          ldmatrix(k, loc, byteAt(offB, row, col, pitchB), 2, true));
    }
    for (int64_t im = 0; im < repM; ++im)
      for (int64_t in = 0; in < repN; ++in) {
        int64_t base = (im * repN + in) * 4;
        SmallVector<Value> a, bv, c(acc.begin() + base, acc.begin() + base + 4);
        for (Value v : aFrag[im])
          a.push_back(operand(v));
        for (Value v : bFrag[in])
          bv.push_back(operand(v));
        auto mma = NVVM::MmaOp::create(
            k.b, loc, accStruct, a, bv, c, ArrayRef<int64_t>{16, 8, 16},
            std::nullopt, std::nullopt,
            std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        for (int i = 0; i < 4; ++i)
          acc[base + i] =
              LLVM::ExtractValueOp::create(k.b, loc, mma.getResult(), i);
      }
  }
  k.setRegs(op.getResult(), acc);
  return success();
}
