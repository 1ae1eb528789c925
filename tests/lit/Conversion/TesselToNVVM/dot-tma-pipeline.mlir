// convert-tessel-to-nvvm, a dot loop fed by two block loads on sm_90a with
// wgmma (DotOpToLLVM/TmaPipeline.cpp): the loop becomes a ring of
// tessel.num_stages shared-memory stages filled by TMA copies that complete
// on "full" mbarriers, wgmma reads each stage through swizzled descriptors,
// and every warpgroup releases the stage on its "empty" mbarrier. The tensor
// maps are hidden kernel arguments described by tessel.tma.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// 4 warps, 64 x 64 x 64 tiles, 2 stages; A row-major (K contiguous), B
// row-major (N contiguous: MN-major, wgmma's transposed-B flag).
// Stage = A 64 x 128 B + B 64 x 128 B = 16 KiB; barriers after the ring.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @ring(
// Two hidden map pointers after the kernel's eight arguments.
// CHECK-SAME: %[[MAPA:arg8]]: !llvm.ptr<1>, %[[MAPB:arg9]]: !llvm.ptr<1>)
// CHECK-SAME: tessel.shared_bytes = 32800 : i64
// A: base arg 0, shape [M (arg 3), K (arg 5)], strides [lda (arg 6), 1].
// CHECK-SAME: tessel.tma = [{base = 0 : i64, box = array<i64: 64, 64>, element_bytes = 2 : i64, shape_args = array<i64: 3, 5>, shape_values = array<i64: 0, 0>, stride_args = array<i64: 6, -1>, stride_values = array<i64: 0, 1>, swizzle = 128 : i64},
// B: base arg 1, shape [K (arg 5), N (arg 4)], strides [ldb (arg 7), 1].
// CHECK-SAME: {base = 1 : i64, box = array<i64: 64, 64>, element_bytes = 2 : i64, shape_args = array<i64: 5, 4>, shape_values = array<i64: 0, 0>, stride_args = array<i64: 7, -1>, stride_values = array<i64: 0, 1>, swizzle = 128 : i64}]
// Barrier init by thread 0: full (1 arrival), empty (1 warpgroup), per stage.
// CHECK: scf.if
// CHECK-COUNT-4: "mbarrier.init.shared::cta.b64 [$0], $1;"
// CHECK: "fence.mbarrier_init.release.cluster;\0Afence.proxy.async.shared::cta;"
// CHECK: gpu.barrier
// Prologue: both stages' copies (16384 bytes expected on each full barrier).
// CHECK: scf.if
// CHECK-COUNT-2: "{\0A.reg .b64 state;\0Ambarrier.arrive.expect_tx.shared::cta.b64 state, [$0], $1;\0A}", "r,r,~{memory}" %{{.*}}, %c16384_i32
// The loop over K tiles: refill the stage of iteration j - 2 (j >= 2), wait
// for this one's, issue its wgmmas, wait for the previous ones, release the
// previous stage.
// CHECK: scf.for %[[J:.*]] = %{{.*}} to
// CHECK: %[[OLD:.*]] = arith.subi %[[J]], %c2_i32
// CHECK: scf.if
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// CHECK: "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3}], [$4];", "r,l,r,r,r,~{memory}" %{{.*}}, %[[MAPA]],
// CHECK: "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3}], [$4];", "r,l,r,r,r,~{memory}" %{{.*}}, %[[MAPB]],
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// Four k16 steps, transposed B (last flag 1), committed, not waited for.
// CHECK: wgmma.fence.sync.aligned;
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 1;
// CHECK-SAME: wgmma.commit_group.sync.aligned;\0A}"
// CHECK-NOT: wgmma.mma_async
// CHECK: "wgmma.wait_group.sync.aligned 1;", "=f,
// CHECK: "{\0A.reg .b64 state;\0Ambarrier.arrive.shared::cta.b64 state, [$0];\0A}"
// CHECK: scf.yield
// After the loop, the last wgmmas are waited for before the epilogue.
// CHECK: "wgmma.wait_group.sync.aligned 0;", "=f,
// No per-element loads of the operands.
// CHECK-NOT: llvm.load
func.func @ring(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x64xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %b[%k32, %m0] shape [%K, %N] strides [%ldb, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x64xbf16, #blk> -> tensor<64x64xf32, #mma>
    scf.yield %d : tensor<64x64xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// Batched X * X^T (the NS line 1 shape): B is X's rows read along K (strides
// [.., 1, ld]), so its map is [batch, N, K] in memory order, its box
// [1, 64, 64], and wgmma reads it K-major (last flag 0). 3-D copies take
// coordinates (k, row, batch).
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @batched_syrk(
// CHECK-SAME: tessel.tma = [{base = 0 : i64, box = array<i64: 1, 64, 64>, element_bytes = 2 : i64, shape_args = array<i64: 4, 1, 2>, shape_values = array<i64: 0, 0, 0>, stride_args = array<i64: 5, 3, -1>, stride_values = array<i64: 0, 0, 1>, swizzle = 128 : i64},
// CHECK-SAME: {base = 0 : i64, box = array<i64: 1, 64, 64>, element_bytes = 2 : i64, shape_args = array<i64: 4, 1, 2>, shape_values = array<i64: 0, 0, 0>, stride_args = array<i64: 5, 3, -1>, stride_values = array<i64: 0, 0, 1>, swizzle = 128 : i64}]
// CHECK: "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4}], [$5];"
// CHECK: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
func.func @batched_syrk(%x: !tessel.ptr<bf16>, %M: i32, %K: i32, %ld: i32, %B: i32, %bs: i32, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 3 : i64} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %n0 = tessel.program_id 1 : i32
  %bi = tessel.program_id 2 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x64xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %x[%bi, %m0, %k32] shape [%B, %M, %K] strides [%bs, %ld, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %x[%bi, %k32, %n0] shape [%B, %K, %M] strides [%bs, %one, %ld] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x64xbf16, #blk> -> tensor<64x64xf32, #mma>
    scf.yield %d : tensor<64x64xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// Without the wgmma opt-in the same loop stays a loop of masked loads (the
// block loads' generic lowering) and mma.sync: no hidden arguments.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a"} {
// CHECK-LABEL: gpu.func @no_wgmma(
// CHECK-SAME: %arg7: i32) kernel
// CHECK-NOT: tessel.tma
// CHECK-NOT: cp.async.bulk.tensor
// CHECK: scf.for
// CHECK: llvm.load
// CHECK: nvvm.mma.sync
func.func @no_wgmma(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x64xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %b[%k32, %m0] shape [%K, %N] strides [%ldb, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x64xbf16, #blk> -> tensor<64x64xf32, #mma>
    scf.yield %d : tensor<64x64xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// BLOCK_K = 128: A (K-major) takes two 64-wide boxes per stage, at k and
// k + 64 (16 KiB for 64 rows), B (N-contiguous) one box of 128 k rows; a
// stage is 32 KiB and each iteration issues eight k16 wgmmas.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @deep_k(
// CHECK: "{\0A.reg .b64 state;\0Ambarrier.arrive.expect_tx.shared::cta.b64 state, [$0], $1;\0A}", "r,r,~{memory}" %{{.*}}, %c32768_i32
// CHECK: cp.async.bulk.tensor.2d{{.*}} %{{.*}}, %arg8, %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: %[[K64:.*]] = arith.addi %[[K:.*]], %c64_i32{{[_0-9]*}} : i32
// CHECK: cp.async.bulk.tensor.2d{{.*}} %{{.*}}, %arg8, %[[K64]], %{{.*}}, %{{.*}} :
// CHECK: cp.async.bulk.tensor.2d{{.*}} %{{.*}}, %arg9, %{{.*}}, %[[K]], %{{.*}} :
// CHECK: scf.for
// CHECK: wgmma.fence.sync.aligned;
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16{{.*}}wgmma.mma_async.sync.aligned.m64n64k16
// CHECK-SAME: wgmma.commit_group
func.func @deep_k(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c128 iter_args(%acc_i = %acc0) -> (tensor<64x64xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x128xbf16, #blk>
    %tb = tessel.block_load %b[%k32, %m0] shape [%K, %N] strides [%ldb, %one] : !tessel.ptr<bf16> -> tensor<128x64xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x128xbf16, #blk>, tensor<128x64xbf16, #blk> -> tensor<64x64xf32, #mma>
    scf.yield %d : tensor<64x64xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}
