// convert-tessel-to-nvvm, tessel.block_load's generic lowering (every target;
// on sm_90a dot loops of block loads take the TMA path instead, see
// dot-tma-pipeline.mlir): offsets, shape and strides widen to 64 bits; the
// batch coordinate gives one base offset and one in-bounds test; then per
// row: row = offset + coordinate tested against the shape (>= 0 and <
// extent) and a row pointer at the thread's first column; a thread's 4
// adjacent columns (column stride the constant 1) are one 8-byte vector load
// where all 4 are inside and the address aligned, else 4 masked loads that
// yield 0 outside.
// RUN: tessel-opt %s -convert-tessel-to-nvvm | FileCheck %s

// One warp, 8 x 16 bf16 tile, 4 registers per thread.
// CHECK-LABEL: gpu.func @block(
// CHECK-SAME: %[[X:arg0]]: !llvm.ptr<1>, %[[B:arg1]]: i32, %[[R:arg2]]: i32, %[[C:arg3]]: i32, %[[NB:arg4]]: i32, %[[M:arg5]]: i32, %[[K:arg6]]: i32, %[[SB:arg7]]: i32, %[[LD:arg8]]: i32
// CHECK: %[[B64:.*]] = arith.extsi %[[B]] : i32 to i64
// CHECK: %[[NB64:.*]] = arith.extsi %[[NB]] : i32 to i64
// CHECK: %[[SB64:.*]] = arith.extsi %[[SB]] : i32 to i64
// CHECK: %[[BOFF:.*]] = arith.muli %[[B64]], %[[SB64]] : i64
// CHECK: arith.cmpi sge, %[[B64]]
// CHECK: arith.cmpi slt, %[[B64]], %[[NB64]] : i64
// CHECK: %[[BASE:.*]] = llvm.getelementptr %[[X]][%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// CHECK: %[[ROW:.*]] = llvm.getelementptr %[[BASE]][%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// CHECK: arith.andi %{{.*}}, %c7_i64
// CHECK: %[[V:.*]] = scf.if %{{.*}} -> (vector<4xbf16>) {
// CHECK: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<1> -> vector<4xbf16>
// CHECK: } else {
// CHECK-COUNT-4: scf.if %{{.*}} -> (bf16) {
// CHECK-NOT: scf.if %{{.*}} -> (bf16) {
// CHECK-COUNT-4: llvm.extractelement %[[V]]
// CHECK: llvm.store
#blk = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
module {
func.func @block(%x: !tessel.ptr<bf16>, %b: i32, %r: i32, %c: i32, %nb: i32, %m: i32, %k: i32, %sb: i32, %ld: i32, %out: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %one = arith.constant 1 : i32
  %t = tessel.block_load %x[%b, %r, %c] shape [%nb, %m, %k] strides [%sb, %ld, %one] : !tessel.ptr<bf16> -> tensor<8x16xbf16, #blk>
  %p = tessel.splat %out : !tessel.ptr<bf16> -> tensor<8x16x!tessel.ptr<bf16>, #blk>
  tessel.store %p, %t : tensor<8x16x!tessel.ptr<bf16>, #blk>
  return
}
}
