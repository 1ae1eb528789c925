// convert-tessel-to-nvvm, tessel.block_store: a thread's registers grouped by
// row; each row's 64-bit address and bounds test once; a run of registers on
// adjacent columns of a unit-stride row is one vector store when the run is
// inside the tensor and its address aligned (else element stores under their
// own tests); a column stride passed at run time adds a test that it is 1; a
// tile whose rows are the unit-stride dimension goes through shared memory
// so that threads store runs along memory rows; otherwise element stores.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// One warp, 8 x 16 bf16 tile, 4 adjacent columns per thread (8 bytes), one
// row each; batched (rank 3), the column stride the constant 1.
// CHECK-LABEL: gpu.func @rows(
// CHECK-SAME: %[[X:arg0]]: !llvm.ptr<1>
// The batch: one base offset and one test.
// CHECK: %[[BASE:.*]] = llvm.getelementptr %[[X]][%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// The row pointer, at the thread's first column.
// CHECK: %[[ROW:.*]] = llvm.getelementptr %[[BASE]][%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// Alignment of the run (8 bytes) and both ends inside the row.
// CHECK: %[[ADDR:.*]] = llvm.ptrtoint %{{.*}} : !llvm.ptr<1> to i64
// CHECK: arith.andi %[[ADDR]], %c7_i64
// CHECK: scf.if
// CHECK-COUNT-4: llvm.insertelement
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : vector<4xbf16>, !llvm.ptr<1>
// CHECK: } else {
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<1>
// CHECK: }
// CHECK-NOT: llvm.store
// CHECK: gpu.return
#blk = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
module {
func.func @rows(%x: !tessel.ptr<bf16>, %b: i32, %r: i32, %c: i32, %nb: i32, %m: i32, %k: i32, %sb: i32, %ld: i32, %v: bf16) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %one = arith.constant 1 : i32
  %t = tessel.splat %v : bf16 -> tensor<8x16xbf16, #blk>
  tessel.block_store %x[%b, %r, %c] shape [%nb, %m, %k] strides [%sb, %ld, %one], %t : !tessel.ptr<bf16>, tensor<8x16xbf16, #blk>
  return
}
}

// -----

// The same tile stored transposed (rows unit-stride, columns 64 apart):
// through shared memory (each column padded by 16 bytes to 16 elements),
// then each thread takes an 8-element run down one tile column: a 16-byte
// load from shared memory and a 16-byte store where the run is inside and
// aligned, else element stores. 16 runs for 32 threads: threads 16 and up
// have none.
// CHECK-LABEL: gpu.func @transposed(
// CHECK-SAME: tessel.shared_bytes = 512 : i64
// CHECK: gpu.barrier
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[Q:.*]] = arith.addi %{{.*}}, %c0_i32
// CHECK: %[[HAS:.*]] = arith.cmpi slt, %[[Q]], %c16_i32
// CHECK: scf.if %[[HAS]] {
// CHECK: %[[SEG:.*]] = llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK: scf.if
// CHECK: llvm.store %[[SEG]], %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: } else {
// CHECK-COUNT-8: llvm.extractelement %[[SEG]]
// CHECK: gpu.return
#blk = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
module {
func.func @transposed(%x: !tessel.ptr<bf16>, %r: i32, %c: i32, %m: i32, %k: i32, %ld: i32, %v: bf16) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %one = arith.constant 1 : i32
  %c64 = arith.constant 64 : i32
  %t = tessel.splat %v : bf16 -> tensor<8x16xbf16, #blk>
  tessel.block_store %x[%r, %c] shape [%m, %k] strides [%one, %c64], %t : !tessel.ptr<bf16>, tensor<8x16xbf16, #blk>
  return
}
}

// -----

// Neither stride known to be 1 (rows 64 apart, columns 2): element stores
// only, each under its own column test, at row pointer + column * stride.
// CHECK-LABEL: gpu.func @strided(
// CHECK-NOT: vector<
// CHECK-NOT: gpu.barrier
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<1>
// CHECK-NOT: llvm.store
// CHECK: gpu.return
#blk = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
module {
func.func @strided(%x: !tessel.ptr<bf16>, %r: i32, %c: i32, %m: i32, %k: i32, %ld: i32, %v: bf16) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %c2 = arith.constant 2 : i32
  %c64 = arith.constant 64 : i32
  %t = tessel.splat %v : bf16 -> tensor<8x16xbf16, #blk>
  tessel.block_store %x[%r, %c] shape [%m, %k] strides [%c64, %c2], %t : !tessel.ptr<bf16>, tensor<8x16xbf16, #blk>
  return
}
}

// -----

// A wgmma accumulator (4 warps, 64 x 32 f32): pairs of adjacent columns, so
// 8-byte stores; 16 registers per thread on 2 rows -> 8 vector stores.
// CHECK-LABEL: gpu.func @accumulator(
// CHECK-COUNT-8: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : vector<2xf32>, !llvm.ptr<1>
// CHECK-NOT: vector<2xf32>, !llvm.ptr<1>
// CHECK: gpu.return
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
func.func @accumulator(%x: !tessel.ptr<f32>, %r: i32, %c: i32, %m: i32, %n: i32, %ld: i32, %v: f32) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %one = arith.constant 1 : i32
  %t = tessel.splat %v : f32 -> tensor<64x32xf32, #mma>
  tessel.block_store %x[%r, %c] shape [%m, %n] strides [%ld, %one], %t : !tessel.ptr<f32>, tensor<64x32xf32, #mma>
  return
}
}

// -----

// A column stride passed at run time (an output that may be transposed):
// the vector store also needs the stride to be 1.
// CHECK-LABEL: gpu.func @runtime_stride(
// CHECK-SAME: %[[LD:arg5]]: i32
// CHECK: %[[LD64:.*]] = arith.extsi %[[LD]] : i32 to i64
// CHECK: %[[UNIT:.*]] = arith.cmpi eq, %[[LD64]], %c1_i64
// CHECK: arith.andi %{{.*}}, %[[UNIT]]
// CHECK: scf.if
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : vector<4xbf16>, !llvm.ptr<1>
// CHECK: } else {
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<1>
#blk = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
module {
func.func @runtime_stride(%x: !tessel.ptr<bf16>, %r: i32, %c: i32, %m: i32, %k: i32, %ld: i32, %v: bf16) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %t = tessel.splat %v : bf16 -> tensor<8x16xbf16, #blk>
  tessel.block_store %x[%r, %c] shape [%m, %k] strides [%k, %ld], %t : !tessel.ptr<bf16>, tensor<8x16xbf16, #blk>
  return
}
}

// -----

// After a TMA-pipelined loop (no producer), a transposed store stages its
// tile in the finished ring: the kernel's shared memory stays the ring's
// (2 stages of 16 KiB and 4 mbarriers), with no extra staging area.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @staged_in_ring(
// CHECK-SAME: tessel.shared_bytes = 32800 : i64
// CHECK: "wgmma.wait_group.sync.aligned 0;"
// CHECK: gpu.barrier
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
func.func @staged_in_ring(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64} {
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
  tessel.block_store %c[%m0, %m0] shape [%M, %M] strides [%one, %M], %acc : !tessel.ptr<f32>, tensor<64x64xf32, #mma>
  return
}
}

// -----

// After the ring, the accumulator into a row-major box (unit column
// stride) is staged in the ring too, 16 bytes per thread along a memory
// row: row r of the tile at r * (64 + 4) floats, then 4-float vector reads
// and 16-byte global stores (no 4-byte column-pair stores). A column stride
// known only at run time tests it once: staged where it is 1, else by rows.
// A block load of the accumulator's layout after the ring (the epilogue's
// C tile) is staged the same way: 16-byte global loads into the ring, then
// each register reads its element.
#blk = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @rows_in_ring(
// CHECK-SAME: tessel.shared_bytes = 32800 : i64
// CHECK: "wgmma.wait_group.sync.aligned 0;"
// The C tile: 16-byte loads from global into the ring, then per register.
// CHECK: gpu.barrier
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xf32>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<3> -> f32
// The sum's store, staged: registers into the ring, 16-byte runs out.
// CHECK: gpu.barrier
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<1>
// CHECK-NOT: vector<2xf32>, !llvm.ptr<1>
// The run-time column stride: one test, staged or by rows.
// CHECK: %[[UNIT:.*]] = arith.cmpi eq, %{{.*}}, %c1_i64
// CHECK: scf.if %[[UNIT]] {
// CHECK: gpu.barrier
// CHECK: vector<4xf32>, !llvm.ptr<1>
// CHECK: } else {
// CHECK: vector<2xf32>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @rows_in_ring(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %M: i32, %N: i32, %K: i32, %lda: i32, %ldb: i32, %sc: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64, tessel.num_stages = 2 : i64} {
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
  %old = tessel.block_load %c[%m0, %m0] shape [%M, %M] strides [%M, %one] : !tessel.ptr<f32> -> tensor<64x64xf32, #mma>
  %sum = arith.addf %acc, %old : tensor<64x64xf32, #mma>
  tessel.block_store %c[%m0, %m0] shape [%M, %M] strides [%M, %one], %sum : !tessel.ptr<f32>, tensor<64x64xf32, #mma>
  tessel.block_store %c[%m0, %m0] shape [%M, %M] strides [%M, %sc], %sum : !tessel.ptr<f32>, tensor<64x64xf32, #mma>
  return
}
}
