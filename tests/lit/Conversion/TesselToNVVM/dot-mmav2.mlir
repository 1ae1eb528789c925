// convert-tessel-to-nvvm, tessel.dot (DotOpToLLVM/MMAv2.cpp): operands are
// staged in padded shared memory between two barriers, read back with
// ldmatrix (x4 for A, x2 transposed for B) and multiplied with
// mma.sync.m16n8k16 into the accumulator registers of the mma layout.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// One warp, M x N x K = 32 x 16 x 16: 2 x 2 fragments of 16x8, one k step.
// Shared memory: A 32 x (16 + 8) x 2 B = 1536, B 16 x (16 + 8) x 2 B = 768.
// Each thread's 8 adjacent columns of a row are one 16-byte store: two rows
// of A and one of B.
#ba = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
#bb = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [1, 1]>
// CHECK-LABEL: gpu.func @dot_bf16
// CHECK-SAME: known_block_size = array<i32: 32, 1, 1>
// CHECK-SAME: tessel.shared_bytes = 2304 : i64
// CHECK: %[[SMEM:.*]] = llvm.mlir.addressof @__tessel_smem : !llvm.ptr<3>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: gpu.barrier
// CHECK-COUNT-3: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<3>
// CHECK-NOT: llvm.store
// CHECK: gpu.barrier
// CHECK-COUNT-2: nvvm.ldmatrix %{{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-COUNT-2: nvvm.ldmatrix %{{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<col>, num = 2 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32)>
// CHECK: %[[M0:.*]] = nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[%[[ZERO]], %[[ZERO]], %[[ZERO]], %[[ZERO]]]
// CHECK-SAME: layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>
// CHECK-SAME: multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>
// CHECK-SAME: shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK-SAME: (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: %[[C0:.*]] = llvm.extractvalue %[[M0]][0] : !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-3: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: llvm.store %[[C0]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
func.func @dot_bf16(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<32x16x!tessel.ptr<bf16>, #ba>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<16x16x!tessel.ptr<bf16>, #bb>
  %ta = tessel.load %pa : tensor<32x16x!tessel.ptr<bf16>, #ba>
  %tb = tessel.load %pb : tensor<16x16x!tessel.ptr<bf16>, #bb>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<32x16xf32, #mma>
  %d = tessel.dot %ta, %tb, %acc : tensor<32x16xbf16, #ba>, tensor<16x16xbf16, #bb> -> tensor<32x16xf32, #mma>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<32x16x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %d : tensor<32x16x!tessel.ptr<f32>, #mma>
  return
}

// -----

// f16 operands go to mma.sync as vector<2xf16>.
#ba = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [1, 1]>
// CHECK-LABEL: gpu.func @dot_f16
// CHECK: %[[X:.*]] = llvm.extractvalue %{{.*}}[0] : !llvm.struct<(i32, i32, i32, i32)>
// CHECK: %[[H:.*]] = llvm.bitcast %[[X]] : i32 to vector<2xf16>
// CHECK: nvvm.mma.sync A[%[[H]], {{.*}}] B[{{.*}}] C[{{.*}}]
// CHECK-SAME: shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK-SAME: (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
func.func @dot_f16(%a: !tessel.ptr<f16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<f16> -> tensor<16x16x!tessel.ptr<f16>, #ba>
  %ta = tessel.load %pa : tensor<16x16x!tessel.ptr<f16>, #ba>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<16x16xf32, #mma>
  %d = tessel.dot %ta, %ta, %acc : tensor<16x16xf16, #ba>, tensor<16x16xf16, #ba> -> tensor<16x16xf32, #mma>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<16x16x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %d : tensor<16x16x!tessel.ptr<f32>, #mma>
  return
}

// -----

// In a K loop the accumulator registers are the loop's iter_args: 4 warps as
// 2 x 2 over 64 x 64 give each thread 2 x 4 fragments = 32 f32 registers;
// 2 k steps of 8 mma.sync each; a barrier guards the buffers each iteration.
#ba = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [4, 1], order = [1, 0]>
#bb = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>
// CHECK-LABEL: gpu.func @dot_loop
// CHECK-SAME: tessel.shared_bytes = 9728 : i64
// CHECK: %[[FOR:.*]]:32 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC0:[^ ]*]] = %{{.*}}, {{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK:   gpu.barrier
// CHECK:   gpu.barrier
// CHECK:   nvvm.ldmatrix
// CHECK:   nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[%[[ACC0]], {{.*}}]
// CHECK-COUNT-15: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK:   scf.yield {{.*}} : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32
// CHECK: }
// CHECK: llvm.store %[[FOR]]#0, %{{.*}} : f32, !llvm.ptr<1>
func.func @dot_loop(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %k: index) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>, #ba>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>, #bb>
  %acc = scf.for %i = %c0 to %k step %c32 iter_args(%x = %acc0) -> (tensor<64x64xf32, #mma>) {
    %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>, #ba>
    %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>, #bb>
    %d = tessel.dot %ta, %tb, %x : tensor<64x32xbf16, #ba>, tensor<32x64xbf16, #bb> -> tensor<64x64xf32, #mma>
    scf.yield %d : tensor<64x64xf32, #mma>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}

// -----

// An operand in the accumulator's layout (a product fed to the next dot, as
// small.mlir does) is staged in the column pairs each thread holds: 4-byte
// stores, four for the 16 x 16 tile's eight registers.
#bb = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [1, 1]>
// CHECK-LABEL: gpu.func @chained
// CHECK: nvvm.mma.sync
// CHECK: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<2xbf16>, !llvm.ptr<3>
// CHECK-NOT: gpu.barrier
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<3>
// CHECK-NEXT: gpu.barrier
func.func @chained(%b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<16x16x!tessel.ptr<bf16>, #bb>
  %tb = tessel.load %pb : tensor<16x16x!tessel.ptr<bf16>, #bb>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<16x16xf32, #mma>
  %d = tessel.dot %tb, %tb, %acc : tensor<16x16xbf16, #bb>, tensor<16x16xbf16, #bb> -> tensor<16x16xf32, #mma>
  %h = arith.truncf %d : tensor<16x16xf32, #mma> to tensor<16x16xbf16, #mma>
  %e = tessel.dot %h, %tb, %acc : tensor<16x16xbf16, #mma>, tensor<16x16xbf16, #bb> -> tensor<16x16xf32, #mma>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<16x16x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %e : tensor<16x16x!tessel.ptr<f32>, #mma>
  return
}
