//===- SignalWaitOpsToLLVM.cpp - tessel.signal and tessel.wait ------------===//
//
// Programs handing work to each other through i32 flags in global memory
// (stream-K's partial tiles). The pattern is the PTX memory model's release
// and acquire at GPU scope, with the CTA barrier carrying them to the
// program's other threads:
//   signal: barrier; thread 0: fence.acq_rel.gpu; st.relaxed.gpu flag
//   wait:   thread 0: ld.acquire.gpu flag until it holds the value; barrier
//
//===----------------------------------------------------------------------===//
#include "KernelLowering.h"

using namespace mlir;
using namespace mlir::tessel;

/// flags + index (an i32 element index), as a global pointer.
static Value flagAddress(KernelLowering &k, Location loc, Value flags,
                         Value index) {
  return LLVM::GEPOp::create(
      k.b, loc, LLVM::LLVMPointerType::get(k.b.getContext(), 1),
      k.b.getI32Type(), k.scalar(flags), ValueRange{k.scalar(index)});
}

/// Runs `body` in thread 0 of the program only.
static void inThreadZero(KernelLowering &k, Location loc,
                         llvm::function_ref<void(OpBuilder &, Location)> body) {
  Value first = arith::CmpIOp::create(k.b, loc, arith::CmpIPredicate::eq, k.tid,
                                      k.i32(loc, 0));
  scf::IfOp::create(k.b, loc, first, [&](OpBuilder &b, Location l) {
    body(b, l);
    scf::YieldOp::create(b, l);
  });
}

LogicalResult mlir::tessel::lowerSignal(KernelLowering &k, SignalOp op) {
  Location loc = op.getLoc();
  Value flag = flagAddress(k, loc, op.getFlags(), op.getIndex());
  Value value = k.scalar(op.getValue());
  // Every thread's earlier writes happen before thread 0's release.
  k.barrier(loc);
  inThreadZero(k, loc, [&](OpBuilder &b, Location l) {
    LLVM::InlineAsmOp::create(
        b, l, TypeRange{}, ValueRange{flag, value},
        "fence.acq_rel.gpu;\n\tst.relaxed.gpu.global.b32 [$0], $1;",
        "l,r,~{memory}", /*has_side_effects=*/true, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
        ArrayAttr());
  });
  return success();
}

LogicalResult mlir::tessel::lowerWait(KernelLowering &k, WaitOp op) {
  Location loc = op.getLoc();
  Value flag = flagAddress(k, loc, op.getFlags(), op.getIndex());
  Value value = k.scalar(op.getValue());
  inThreadZero(k, loc, [&](OpBuilder &b, Location l) {
    auto poll = scf::WhileOp::create(b, l, TypeRange{}, ValueRange{});
    b.createBlock(&poll.getBefore());
    Value seen = LLVM::InlineAsmOp::create(
                     b, l, b.getI32Type(), ValueRange{flag},
                     "ld.acquire.gpu.global.b32 $0, [$1];", "=r,l,~{memory}",
                     /*has_side_effects=*/true, /*is_align_stack=*/false,
                     LLVM::tailcallkind::TailCallKind::None,
                     LLVM::AsmDialectAttr(), ArrayAttr())
                     .getResult(0);
    Value pending =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, seen, value);
    scf::ConditionOp::create(b, l, pending, ValueRange{});
    Block *after = b.createBlock(&poll.getAfter());
    b.setInsertionPointToEnd(after);
    scf::YieldOp::create(b, l);
    b.setInsertionPointAfter(poll);
  });
  // The other threads read what the signalling program wrote only after
  // thread 0 has acquired it.
  k.barrier(loc);
  return success();
}
