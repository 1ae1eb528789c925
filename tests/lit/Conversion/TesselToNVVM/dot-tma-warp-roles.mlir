// convert-tessel-to-nvvm with a producer warpgroup (WARP_ROLES = 2, recorded
// as tessel.warp_spec): the TMA-pipelined dot loop's copies come from one
// more warpgroup after the num_warps consumers. It gives registers back
// (setmaxnreg, with two or more consumer warpgroups), its first thread
// fills stage j % S once the consumers released iteration j - S, waits for
// its last copies and exits; the consumers only wait, compute and release,
// and barriers after the loop count the consumers alone (named barrier 1).
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// 8 consumer warps (two warpgroups), 128 x 64 x 64 tiles, 2 stages: 384
// threads launched; a layout change after the loop needs a barrier.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [8, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [8, 1]>
#row = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [1, 32], warpsPerCTA = [8, 1], order = [1, 0]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @producer(
// CHECK-SAME: known_block_size = array<i32: 384, 1, 1>
// CHECK-SAME: tessel.num_warps = 12 : i64
// Barrier init, then the whole CTA meets once.
// CHECK: "mbarrier.init.shared::cta.b64 [$0], $1;"
// CHECK: gpu.barrier
// The producer warpgroup: threads 256 and up.
// CHECK: %[[PROD:.*]] = arith.cmpi sge, %{{.*}}, %c256_i32{{[_0-9]*}} : i32
// CHECK: scf.if %[[PROD]]
// CHECK: "setmaxnreg.dec.sync.aligned.u32 40;"
// Its leader's loop: wait for the release of iteration j - S (j >= S)...
// (g counts iterations across runs of the loop: here one run from 0.)
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[G:.*]] = arith.addi %{{.*}}, %[[J]] : i32
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[G]], %c2_i32{{[_0-9]*}} : i32
// CHECK: scf.if %[[GE]]
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// ...then copy iteration j into stage j % S.
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK-COUNT-2: cp.async.bulk.tensor.2d.shared::cluster.global
// The tail: wait for the last S iterations' copies to land, then exit.
// CHECK: %[[TAIL:.*]] = arith.maxsi
// CHECK: scf.for %{{.*}} = %[[TAIL]] to %{{.*}} step
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// CHECK: "exit;"
// The consumers take the registers and compute: no copies in their loop.
// CHECK: "setmaxnreg.inc.sync.aligned.u32 232;"
// CHECK: scf.for
// CHECK-NOT: cp.async.bulk.tensor
// CHECK: mbarrier.try_wait.parity.shared::cta.b64
// CHECK: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// CHECK: "wgmma.wait_group.sync.aligned 1;"
// CHECK: mbarrier.arrive.shared::cta.b64
// CHECK: scf.yield
// CHECK: "wgmma.wait_group.sync.aligned 0;"
// The last stage is released too (a later run would reuse it) and the
// consumers' count advances.
// CHECK: mbarrier.arrive.shared::cta.b64
// CHECK: llvm.store %{{.*}}, %{{.*}} : i32, !llvm.ptr
// The epilogue's layout change: a barrier over the 256 consumers only.
// CHECK-NOT: gpu.barrier
// CHECK: nvvm.barrier id = %c1_i32{{[_0-9]*}} number_of_threads = %c256_i32{{[_0-9]*}}
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @producer(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 8 : i64, tessel.num_stages = 2 : i64, tessel.warp_spec} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<128x64xf32, #mma>
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<128x64xf32, #mma>) {
    %k32 = arith.index_cast %k : index to i32
    %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<128x64xbf16, #blk>
    %tb = tessel.block_load %b[%k32, %m0] shape [%K, %N] strides [%ldb, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
    %d = tessel.dot %ta, %tb, %acc_i : tensor<128x64xbf16, #blk>, tensor<64x64xbf16, #blk> -> tensor<128x64xf32, #mma>
    scf.yield %d : tensor<128x64xf32, #mma>
  }
  %r = tessel_gpu.convert_layout %acc : tensor<128x64xf32, #mma> -> tensor<128x64xf32, #row>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<128x64x!tessel.ptr<f32>, #row>
  tessel.store %pc, %r : tensor<128x64x!tessel.ptr<f32>, #row>
  return
}
}

// -----

// One consumer warpgroup: 256 threads and no register trade (each thread
// may already hold 255).
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @one_consumer(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: tessel.num_warps = 8 : i64
// CHECK-NOT: setmaxnreg
// CHECK: arith.cmpi sge, %{{.*}}, %c128_i32{{[_0-9]*}} : i32
// CHECK: "exit;"
// CHECK-NOT: setmaxnreg
// CHECK: gpu.return
func.func @one_consumer(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64, tessel.warp_spec} {
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

// A loop inside scf.if is not at the kernel's top level: the producer could
// not leave after it, so the kernel keeps its num_warps and one issuing
// thread among the consumers.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @nested(
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: tessel.num_warps = 4 : i64
// CHECK-NOT: "exit;"
// CHECK: cp.async.bulk.tensor.2d
// CHECK-NOT: "exit;"
// CHECK: gpu.return
func.func @nested(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32, %go: i1) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64, tessel.warp_spec} {
  %one = arith.constant 1 : i32
  %m0 = tessel.program_id 0 : i32
  %z = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  scf.if %go {
    %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
    %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x64xf32, #mma>) {
      %k32 = arith.index_cast %k : index to i32
      %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
      %tb = tessel.block_load %b[%k32, %m0] shape [%K, %N] strides [%ldb, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
      %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x64xbf16, #blk> -> tensor<64x64xf32, #mma>
      scf.yield %d : tensor<64x64xf32, #mma>
    }
    %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
    tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  }
  return
}
}

// -----

// A persistent kernel: the dot loop sits in a top-level loop over tiles
// (program p takes tiles p, p + programs, ...). The producer is emitted
// before the tile loop and walks it on its own, cloning the tile's scalars
// (here m0 = t * 64) and counting iterations across tiles; the consumers'
// count lives in a local that each tile's loop reads and advances.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @persistent(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: %[[COUNT:.*]] = llvm.alloca %{{.*}} x i32 : (i64) -> !llvm.ptr
// CHECK: gpu.barrier
// CHECK: llvm.store %c0_i32{{[_0-9]*}}, %[[COUNT]]
// CHECK: scf.if
// The producer's own tile loop, carrying the iterations done so far.
// The tile's scalars are cloned once per tile, before its dot loop (inside
// it they would be recomputed every iteration: LLVM keeps a division there).
// CHECK: %{{.*}} = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[DONE:.*]] = %c0_i32{{[_0-9]*}}) -> (i32) {
// CHECK: %[[TI:.*]] = arith.index_cast %[[T]] : index to i32
// CHECK: %[[M0:.*]] = arith.muli %[[TI]], %c64_i32
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: arith.addi %[[DONE]], %[[J]] : i32
// CHECK-NOT: arith.muli %{{.*}}, %c64_i32
// CHECK: cp.async.bulk.tensor.2d.{{.*}}%[[M0]]
// CHECK: scf.yield
// CHECK: "exit;"
// The consumers' tile loop: each dot loop starts from the count.
// CHECK: scf.for
// CHECK: %[[BASE:.*]] = llvm.load %[[COUNT]] : !llvm.ptr -> i32
// CHECK: scf.for
// CHECK-NOT: cp.async.bulk.tensor
// CHECK: wgmma.mma_async
// CHECK: scf.yield
// CHECK: "wgmma.wait_group.sync.aligned 0;"
// CHECK: llvm.store %{{.*}}, %[[COUNT]] : i32, !llvm.ptr
// CHECK: gpu.return
func.func @persistent(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32, %tiles: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64, tessel.warp_spec} {
  %one = arith.constant 1 : i32
  %c64i = arith.constant 64 : i32
  %pid = tessel.program_id 0 : i32
  %np = tessel.num_programs 0 : i32
  %first = arith.index_cast %pid : i32 to index
  %step = arith.index_cast %np : i32 to index
  %last = arith.index_cast %tiles : i32 to index
  %z = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %kend = arith.index_cast %K : i32 to index
  scf.for %t = %first to %last step %step {
    %t32 = arith.index_cast %t : index to i32
    %m0 = arith.muli %t32, %c64i : i32
    %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
    %acc = scf.for %k = %c0 to %kend step %c64 iter_args(%acc_i = %acc0) -> (tensor<64x64xf32, #mma>) {
      %k32 = arith.index_cast %k : index to i32
      %ta = tessel.block_load %a[%m0, %k32] shape [%M, %K] strides [%lda, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
      %tb = tessel.block_load %b[%k32, %m0] shape [%K, %N] strides [%ldb, %one] : !tessel.ptr<bf16> -> tensor<64x64xbf16, #blk>
      %d = tessel.dot %ta, %tb, %acc_i : tensor<64x64xbf16, #blk>, tensor<64x64xbf16, #blk> -> tensor<64x64xf32, #mma>
      scf.yield %d : tensor<64x64xf32, #mma>
    }
    %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
    tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  }
  return
}
}
