//===- WGMMA.cpp - tessel.dot as wgmma.mma_async (sm_90a) -----------------===//
//
// Opt-in (module attribute tessel.wgmma, CompileOptions::wgmma): correct,
// but synchronous and register-staged, so slower than MMAv2.cpp on the H100.
// Dot loops over block loads skip this and read TMA-filled stages directly
// (TmaPipeline.cpp).
// For dots whose accumulator layout is warpgroup-shaped (mma with
// warpsPerCTA = [numWarps, 1], chosen by tessel-assign-layouts where
// wgmmaFits): the operand tiles go to shared memory as 8 x 16-byte "core
// matrices", K-major for both A (rows of A) and B (columns of B), without
// swizzle; each warpgroup then issues, per 16-wide K step and per 64-row
// slice it owns, one wgmma.mma_async.m64nNk16 reading both operands through
// shared-memory descriptors, and waits for them. The accumulator registers of
// that layout are exactly the instruction's fragments, so they go in and out
// unchanged. All of one dot's wgmmas are one inline-asm block (fence, the
// instructions, commit, wait) so no register copy can slip between an
// asynchronous instruction and its wait.
//
// Byte offset of element (r, c) of a K-major operand with K extent kd:
//   ((r / 8) * (kd / 8) + c / 8) * 128 + (r % 8) * 16 + (c % 8) * 2
// Descriptor (64 bits): start address >> 4 in bits 0-13, the byte distance
// between core matrices along K (128) >> 4 in bits 16-29, along M or N
// (kd / 8 * 128) >> 4 in bits 32-45, layout 0 (no swizzle) in bits 62-63.
//
//===----------------------------------------------------------------------===//
#include "../KernelLowering.h"
#include "tessel/Dialect/TesselGPU/Wgmma.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::tessel;
namespace layout = ::tessel::layout;

/// Bytes of one core matrix: 8 rows of 16 bytes.
static constexpr int64_t kCoreBytes = 128;

bool mlir::tessel::usesWGMMA(KernelLowering &k, DotOp op) {
  if (!k.wgmma || !layout::hasWgmma(k.target))
    return false;
  auto aType = op.getA().getType(), bType = op.getB().getType();
  Type elem = aType.getElementType();
  if (!elem.isBF16() && !elem.isF16())
    return false;
  auto acc = tgpu::layoutOf(op.getType());
  return succeeded(acc) && acc->kind == layout::Layout::Kind::Mma &&
         acc->warpsPerCTA[0] == (unsigned)k.numWarps &&
         acc->warpsPerCTA[1] == 1 &&
         layout::wgmmaFits(aType.getDimSize(0), bType.getDimSize(1),
                           aType.getDimSize(1), k.numWarps);
}

/// Stores a K-major operand: element (r, c) of the [rows][kd] view (for B,
/// r is the column of B and c its row) at the core-matrix offset above.
static void stageKMajor(KernelLowering &k, Location loc,
                        const layout::LayoutMap &m, const Regs &regs,
                        int64_t base, int64_t kd, bool transposed) {
  auto coords = k.coords(loc, m);
  auto shr = [&](Value v, int64_t s) -> Value {
    return arith::ShRUIOp::create(k.b, loc, v, k.i32(loc, s));
  };
  auto low = [&](Value v, int64_t mask) -> Value {
    return arith::AndIOp::create(k.b, loc, v, k.i32(loc, mask));
  };
  for (auto [i, v] : llvm::enumerate(regs)) {
    Value r = coords[i][transposed ? 1 : 0], c = coords[i][transposed ? 0 : 1];
    Value core = k.add(loc, k.mul(loc, shr(r, 3), k.i32(loc, kd / 8)),
                       shr(c, 3));
    Value byte = k.add(loc, k.mul(loc, core, k.i32(loc, kCoreBytes)),
                       k.add(loc, k.mul(loc, low(r, 7), k.i32(loc, 16)),
                             k.mul(loc, low(c, 7), k.i32(loc, 2))));
    byte = k.add(loc, byte, k.i32(loc, base));
    LLVM::StoreOp::create(k.b, loc, v, k.smemPtr(loc, byte), 2);
  }
}

LogicalResult mlir::tessel::lowerDotWGMMA(KernelLowering &k, DotOp op) {
  Location loc = op.getLoc();
  auto aType = op.getA().getType(), bType = op.getB().getType();
  Type elem = aType.getElementType();
  int64_t m = aType.getDimSize(0), kd = aType.getDimSize(1),
          n = bType.getDimSize(1);
  int64_t wm = k.numWarps;
  int64_t repM = m / (16 * wm); // 64-row slices per warpgroup
  int64_t steps = kd / 16;
  auto aMap = k.mapOf(op, aType), bMap = k.mapOf(op, bType);
  if (failed(aMap) || failed(bMap))
    return failure();
  Regs acc = k.regs(op.getAcc());
  if ((int64_t)acc.size() != repM * n / 2)
    return op.emitOpError("accumulator has ")
           << acc.size() << " registers, expected " << repM * n / 2;

  int64_t offA = k.allocShared(m * kd * 2);
  int64_t offB = k.allocShared(n * kd * 2);
  // Readers of the previous use of these buffers (the last loop iteration)
  // must be done before they are overwritten.
  k.barrier(loc);
  stageKMajor(k, loc, *aMap, k.regs(op.getA()), offA, kd, false);
  stageKMajor(k, loc, *bMap, k.regs(op.getB()), offB, kd, true);
  // wgmma reads shared memory through the async proxy: make the generic
  // stores above visible to it, then wait for every thread's stores.
  LLVM::InlineAsmOp::create(
      k.b, loc, TypeRange{}, ValueRange{}, "fence.proxy.async.shared::cta;",
      "", /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
  k.barrier(loc);

  // Descriptor of the core-matrix array at shared byte offset `byte`.
  Type i64 = k.b.getI64Type();
  auto i64c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(k.b, loc, i64, v);
  };
  const int64_t strideMN = kd / 8 * kCoreBytes;
  const int64_t fixedBits = ((kCoreBytes >> 4) << 16) | ((strideMN >> 4) << 32);
  auto descriptor = [&](Value byte) -> Value {
    Value addr = LLVM::PtrToIntOp::create(k.b, loc, i64, k.smemPtr(loc, byte));
    Value start = arith::AndIOp::create(
        k.b, loc, arith::ShRUIOp::create(k.b, loc, addr, i64c(4)),
        i64c(0x3FFF));
    return arith::OrIOp::create(k.b, loc, start, i64c(fixedBits));
  };
  // This warpgroup's first row: 64 per warpgroup.
  Value group =
      arith::DivUIOp::create(k.b, loc, k.warp, k.i32(loc, 4)).getResult();
  Value groupRow = k.mul(loc, group, k.i32(loc, 64));

  const int64_t outputs = repM * n / 2;
  const char *ty = elem.isBF16() ? "bf16" : "f16";
  // Descriptors of B per K step (shared by every row slice), then A's.
  SmallVector<Value> descriptors;
  for (int64_t s = 0; s < steps; ++s)
    descriptors.push_back(descriptor(k.i32(loc, offB + 2 * s * kCoreBytes)));
  std::string body;
  for (int64_t im = 0; im < repM; ++im) {
    // Rows im * 16 * wm + 64 * group ..: core-matrix row (row / 8).
    Value row = k.add(loc, groupRow, k.i32(loc, im * 16 * wm));
    Value rowByte =
        k.add(loc, k.mul(loc, arith::ShRUIOp::create(k.b, loc, row,
                                                     k.i32(loc, 3)),
                         k.i32(loc, strideMN)),
              k.i32(loc, offA));
    for (int64_t s = 0; s < steps; ++s) {
      int64_t aIndex = outputs + (int64_t)descriptors.size();
      descriptors.push_back(
          descriptor(k.add(loc, rowByte, k.i32(loc, 2 * s * kCoreBytes))));
      body += wgmmaInstruction(n, ty, im * n / 2, aIndex, outputs + s,
                               /*transB=*/false);
    }
  }
  Regs out = emitWgmmaBlock(k, loc, body, descriptors, acc);
  k.setRegs(op.getResult(), out);
  return success();
}

std::string mlir::tessel::wgmmaInstruction(int64_t n, StringRef ty,
                                           int64_t firstAcc, int64_t aOperand,
                                           int64_t bOperand, bool transB) {
  std::string regs;
  for (int64_t r = 0; r < n / 2; ++r)
    regs += (r ? ", $" : "$") + std::to_string(firstAcc + r);
  return llvm::formatv("wgmma.mma_async.sync.aligned.m64n{0}k16.f32.{1}.{1} "
                       "{{{2}}, ${3}, ${4}, p, 1, 1, 0, {5};\n",
                       n, ty, regs, aOperand, bOperand, transB ? 1 : 0)
      .str();
}

/// `text` as inline asm whose outputs are the accumulators, tied to the
/// inputs after `descriptors`.
static Regs accumulatorAsm(KernelLowering &k, Location loc,
                           const std::string &text, ValueRange descriptors,
                           const Regs &acc) {
  const int64_t outputs = acc.size();
  // Accumulators out ($0..), descriptors in, accumulators in (tied).
  std::string constraints;
  for (int64_t r = 0; r < outputs; ++r)
    constraints += "=f,";
  for (size_t d = 0; d < descriptors.size(); ++d)
    constraints += "l,";
  for (int64_t r = 0; r < outputs; ++r)
    constraints += std::to_string(r) + ",";
  constraints += "~{memory}";
  SmallVector<Value> operands(descriptors.begin(), descriptors.end());
  operands.append(acc.begin(), acc.end());
  Type f32 = k.b.getF32Type();
  auto asmOp = LLVM::InlineAsmOp::create(
      k.b, loc,
      LLVM::LLVMStructType::getLiteral(k.b.getContext(),
                                       SmallVector<Type>(outputs, f32)),
      operands, text, constraints, /*has_side_effects=*/true,
      /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr(), ArrayAttr());
  Regs out;
  for (int64_t r = 0; r < outputs; ++r)
    out.push_back(LLVM::ExtractValueOp::create(k.b, loc, asmOp.getResult(0), r));
  return out;
}

Regs mlir::tessel::emitWgmmaBlock(KernelLowering &k, Location loc,
                                  StringRef instructions,
                                  ValueRange descriptors, const Regs &acc,
                                  bool wait) {
  std::string text = "{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"
                     "wgmma.fence.sync.aligned;\n" +
                     instructions.str() + "wgmma.commit_group.sync.aligned;\n" +
                     (wait ? "wgmma.wait_group.sync.aligned 0;\n" : "") + "}";
  return accumulatorAsm(k, loc, text, descriptors, acc);
}

Regs mlir::tessel::emitWgmmaWait(KernelLowering &k, Location loc,
                                 int64_t pending, const Regs &acc) {
  return accumulatorAsm(
      k, loc,
      "wgmma.wait_group.sync.aligned " + std::to_string(pending) + ";",
      ValueRange{}, acc);
}
