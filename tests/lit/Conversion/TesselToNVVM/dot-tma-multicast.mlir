// convert-tessel-to-nvvm with programs in clusters of two (CLUSTER = 2,
// recorded as tessel.cluster_size): the dot loop's block load marked
// tessel.cluster_shared is the same box in both programs, so each copies
// half of its rows (the tensor map's box halves) into both programs' stages
// at once (.multicast::cluster, mask 0b11), at its half's place; the other
// operand is copied whole by each. Either program's copies write into a
// stage, so its empty barrier waits for both programs' warpgroups (each
// arrives locally and, through mapa, on the other's), and the pair meets
// (barrier.cluster) after the barriers are set and again after the loop.
// The arrivals and waits keep their default CTA-scope order: a cluster-scope
// release made ptxas fence (MEMBAR.ALL.GPU) before every remote arrival.
// RUN: tessel-opt %s -split-input-file -verify-diagnostics -convert-tessel-to-nvvm | FileCheck %s

// 4 warps, 64 x 128 x 64 tiles, 2 stages; B (K x N, N contiguous) shared:
// two [64 k][64 n] boxes per stage, each split into two 32-row halves.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @pairs(
// A's box is whole (64 rows), B's half (32 of 64 k rows).
// CHECK-SAME: tessel.cluster_size = 2 : i64
// CHECK-SAME: tessel.tma = [{base = 0 : i64, box = array<i64: 64, 64>
// CHECK-SAME: {base = 1 : i64, box = array<i64: 32, 64>
// This program's rank in the pair.
// CHECK: %[[RANK:.*]] = llvm.inline_asm "mov.u32 $0, %cluster_ctarank;", "=r"
// Empty barriers count both programs' warpgroups (2 x 1), then the pair meets.
// CHECK-COUNT-2: "mbarrier.init.shared::cta.b64 [$0], $1;"
// CHECK-SAME: %c2_i32
// CHECK: "fence.mbarrier_init.release.cluster;
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// The whole stage's bytes are expected (A 8 KiB + B 16 KiB) though only
// half of B comes from this program's copies.
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64 state, [$0], $1;{{.*}}%c24576_i32
// A: a plain copy. B: this program's half, 32 k rows down (rank * 32), at
// rank * 32 * 128 bytes into its box, multicast to both.
// CHECK: "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3}], [$4];", "r,l,r,r,r,~{memory}"
// CHECK: %[[HALF:.*]] = arith.muli %[[RANK]], %c32_i32
// CHECK: %[[ROW:.*]] = arith.addi %{{.*}}, %[[HALF]]
// CHECK: %[[BYTES:.*]] = arith.muli %[[HALF]], %c128_i32
// CHECK: arith.addi %{{.*}}, %[[BYTES]]
// CHECK: "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [$0], [$1, {$2, $3}], [$4], $5;", "r,l,r,r,r,h,~{memory}" %{{.*}}, %{{.*}}, %{{.*}}, %[[ROW]], %{{.*}}, %[[MASK:.*]] :
// CHECK: "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster
// The loop: refills wait for the release by both programs.
// CHECK: scf.for
// CHECK-NOT: .cluster.shared::cta
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// CHECK: wgmma.mma_async
// A warpgroup's release: here, then on the other program's barrier.
// CHECK: "{\0A.reg .b64 state;\0Ambarrier.arrive.shared::cta.b64 state, [$0];\0A}"
// CHECK: %[[PEER:.*]] = arith.xori %[[RANK]], %c1_i32
// CHECK: "{\0A.reg .b32 remote;\0Amapa.shared::cluster.u32 remote, $0, $1;\0Ambarrier.arrive.shared::cluster.b64 _, [remote];\0A}", "r,r,~{memory}" %{{.*}}, %[[PEER]]
// CHECK: scf.yield
// After the loop the pair meets once more before the epilogue.
// CHECK: "wgmma.wait_group.sync.aligned 0;"
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK: gpu.return
func.func @pairs(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64, tessel.cluster_size = 2 : i64} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %n0 = tessel.program_id 1 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x128xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x128xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %b[%k32, %n0] shape [%K, %N] strides [%ldb, %one] {tessel.cluster_shared} : !tessel.ptr<bf16> -> tensor<64x128xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x128xbf16, #blk> -> tensor<64x128xf32, #mma>
    scf.yield %d : tensor<64x128xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x128x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x128x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// CLUSTER = 2 with no load marked shared: an error (the knob would only add
// a launch constraint).
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// expected-error @+1 {{CLUSTER = 2 needs exactly one of the dot loop's block loads marked tessel.cluster_shared, not 0}}
func.func @unmarked(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64, tessel.cluster_size = 2 : i64} {
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

// With a producer warpgroup (tessel.warp_spec) each program's producer
// issues its copies (the shared operand's half multicast), waiting for both
// programs' releases; the consumers release locally and
// remotely, the last stage too, and only then does the pair meet (the
// exited producers do not take part).
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @producer_pairs(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: tessel.cluster_size = 2 : i64
// CHECK: %[[RANK:.*]] = llvm.inline_asm "mov.u32 $0, %cluster_ctarank;"
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// The producer: threads 128 and up.
// CHECK: arith.cmpi sge, %{{.*}}, %c128_i32
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// CHECK: cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [$0]
// CHECK: cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster
// CHECK: "exit;"
// The consumers: no copies; each release also reaches the other program.
// CHECK: scf.for
// CHECK-NOT: cp.async.bulk.tensor
// CHECK: wgmma.mma_async
// CHECK: mapa.shared::cluster.u32
// CHECK: scf.yield
// CHECK: "wgmma.wait_group.sync.aligned 0;"
// The last stage's release (local and remote), then the pair meets.
// CHECK: mbarrier.arrive.shared::cta.b64
// CHECK: mapa.shared::cluster.u32
// CHECK: llvm.store
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK: gpu.return
func.func @producer_pairs(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64, tessel.cluster_size = 2 : i64, tessel.warp_spec} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %n0 = tessel.program_id 1 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x128xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x128xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %tb = tessel.block_load %b[%k32, %n0] shape [%K, %N] strides [%ldb, %one] {tessel.cluster_shared} : !tessel.ptr<bf16> -> tensor<64x128xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x128xbf16, #blk> -> tensor<64x128xf32, #mma>
    scf.yield %d : tensor<64x128xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x128x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x128x!tessel.ptr<f32>, #mma>
  return
}
}
