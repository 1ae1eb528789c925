// Block loads and stores whose box is split in two halves along the tile's
// columns (second_half): on sm_90a a split dot operand becomes two TMA
// copies per stage, each of half the rows, the second into the stage's
// second half; elsewhere each column past the middle is shifted to the
// second half's offset (a select on the column). A second half that only
// continues the first (offset + N / 2) lowers as one box.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// X * X^T with a 64 x 128 tile whose right operand is X's row blocks at n0
// and n1: B's map has a box of 64 rows (half of 128); a stage holds A
// (64 x 64: 8 KiB) and B (128 x 64: 16 KiB, its halves 8 KiB apart).
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @split_operand(
// CHECK-SAME: tessel.tma = [{base = 0 : i64, box = array<i64: 1, 64, 64>
// CHECK-SAME: {base = 0 : i64, box = array<i64: 1, 64, 64>, element_bytes = 2 : i64, shape_args = array<i64: 4, 1, 2>
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64 state, [$0], $1;\0A}", "r,r,~{memory}" %{{.*}}, %c24576_i32
// In the loop: A's copy, then B's two halves: the first at row n0 (arg 7),
// the second at row n1 (arg 8), 8192 bytes further into the stage.
// (Stage offsets: A at 0, B's halves at 8192 and 16384.)
// CHECK: scf.for
// CHECK: "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4}], [$5];", "r,l,r,r,r,r,~{memory}" %{{.*}}, %arg9,
// CHECK: arith.addi %{{.*}}, %c8192_i32
// CHECK: "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4}], [$5];", "r,l,r,r,r,r,~{memory}" %{{.*}}, %arg10, %{{.*}}, %arg7,
// CHECK: arith.addi %{{.*}}, %c16384_i32
// CHECK: "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4}], [$5];", "r,l,r,r,r,r,~{memory}" %{{.*}}, %arg10, %{{.*}}, %arg8,
// CHECK-NOT: cp.async.bulk.tensor
// CHECK: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
func.func @split_operand(%x: !tessel.ptr<bf16>, %M: i32, %K: i32, %ld: i32, %B: i32, %bs: i32, %c: !tessel.ptr<f32>, %n0: i32, %n1: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 3 : i64} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %bi = tessel.program_id 2 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x128xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x128xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %x[%bi, %m0, %k32] shape [%B, %M, %K] strides [%bs, %ld, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %x[%bi, %k32, %n0] shape [%B, %K, %M] strides [%bs, %one, %ld] second_half [%n1] : !tessel.ptr<bf16> -> tensor<64x128xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x128xbf16, #blk> -> tensor<64x128xf32, #mma>
    scf.yield %d : tensor<64x128xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x128x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x128x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// The second half right after the first (n0 + 64): one box of 128 rows, one
// copy per stage for B.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @continued_operand(
// CHECK-SAME: tessel.tma = [{base = 0 : i64, box = array<i64: 1, 64, 64>
// CHECK-SAME: {base = 0 : i64, box = array<i64: 1, 128, 64>
// CHECK: scf.for
// CHECK-COUNT-2: "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes
// CHECK-NOT: cp.async.bulk.tensor
// CHECK: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
func.func @continued_operand(%x: !tessel.ptr<bf16>, %M: i32, %K: i32, %ld: i32, %B: i32, %bs: i32, %c: !tessel.ptr<f32>, %n0: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 3 : i64} {
  %one = arith.constant 1 : i32
  %half = arith.constant 64 : i32
  %n1 = arith.addi %n0, %half : i32
  %m0 = tessel.program_id 0 : i32
  %bi = tessel.program_id 2 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x128xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x128xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %x[%bi, %m0, %k32] shape [%B, %M, %K] strides [%bs, %ld, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %x[%bi, %k32, %n0] shape [%B, %K, %M] strides [%bs, %one, %ld] second_half [%n1] : !tessel.ptr<bf16> -> tensor<64x128xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x128xbf16, #blk> -> tensor<64x128xf32, #mma>
    scf.yield %d : tensor<64x128xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x128x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x128x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// Without TMA (sm_80) a split load and store address each element: the
// column's tensor coordinate is offset + j, plus (second - offset - 16)
// where j >= 16 (a select on the column), and no vector access spans the
// middle (element accesses).
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
module attributes {tessel.target = "sm_80"} {
// CHECK-LABEL: gpu.func @split_masked(
// CHECK: %[[SHIFT:.*]] = arith.subi %{{.*}}, %{{.*}} : i64
// CHECK: %[[PAST:.*]] = arith.cmpi sge, %{{.*}}, %c16_i64{{.*}} : i64
// CHECK: arith.select %[[PAST]], %[[SHIFT]], %c0_i64{{.*}} : i64
// CHECK: llvm.load %{{.*}} : !llvm.ptr<1> -> bf16
// CHECK-NOT: vector<
// CHECK: arith.select %{{.*}}, %{{.*}}, %c0_i64{{.*}} : i64
// CHECK: llvm.store %{{.*}} : bf16, !llvm.ptr<1>
// CHECK-NOT: vector<
func.func @split_masked(%p: !tessel.ptr<bf16>, %q: !tessel.ptr<bf16>, %M: i32, %N: i32, %ld: i32, %r: i32, %c1: i32, %c2: i32) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %one = arith.constant 1 : i32
  %t = tessel.block_load %p[%r, %c1] shape [%M, %N] strides [%ld, %one] second_half [%c2] : !tessel.ptr<bf16> -> tensor<8x32xbf16, #blk>
  tessel.block_store %q[%r, %c1] shape [%M, %N] strides [%ld, %one], %t second_half [%c2] : !tessel.ptr<bf16>, tensor<8x32xbf16, #blk>
  return
}
}
