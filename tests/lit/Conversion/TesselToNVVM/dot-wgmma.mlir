// convert-tessel-to-nvvm, tessel.dot on sm_90a with the wgmma opt-in
// (tessel.wgmma; DotOpToLLVM/WGMMA.cpp): with a warpgroup-shaped accumulator (mma, warpsPerCTA = [num_warps, 1]) the
// operands go to shared memory as K-major 8x16-byte core matrices, an async
// proxy fence and a barrier follow, and one inline-asm block issues
// wgmma.fence, a wgmma.mma_async.m64nNk16 per 16-wide K step (A and B through
// shared-memory descriptors), commit and wait. Elsewhere mma.sync stays.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// 4 warps (one warpgroup), M x N x K = 64 x 64 x 32: two K steps, one 64-row
// slice; 32 accumulators per thread. Shared memory: A and B 64 x 32 x 2 B.
#ba = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [4, 1], order = [1, 0]>
#bb = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @dot_wgmma
// CHECK-SAME: tessel.shared_bytes = 8192 : i64
// CHECK: gpu.barrier
// CHECK-COUNT-32: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<3>
// CHECK-NOT: llvm.store
// CHECK: llvm.inline_asm has_side_effects "fence.proxy.async.shared::cta;"
// CHECK-NEXT: gpu.barrier
// CHECK: %[[W:.*]] = llvm.inline_asm has_side_effects "{\0A.reg .pred p;\0Asetp.ne.b32 p, 1, 0;\0Awgmma.fence.sync.aligned;\0A
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31}, $34, $32, p, 1, 1, 0, 0;
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, $35, $33, p, 1, 1, 0, 0;
// CHECK-SAME: wgmma.commit_group.sync.aligned;\0Awgmma.wait_group.sync.aligned 0;\0A}"
// CHECK-SAME: "=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,l,l,l,l,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,~{memory}"
// CHECK-SAME: (i64, i64, i64, i64, f32, {{.*}}) -> !llvm.struct<(f32, {{.*}})>
// CHECK: %[[C0:.*]] = llvm.extractvalue %[[W]][0]
// CHECK-NOT: nvvm.mma.sync
// CHECK: llvm.store %[[C0]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
func.func @dot_wgmma(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>, #ba>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>, #bb>
  %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>, #ba>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>, #bb>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %d = tessel.dot %ta, %tb, %acc : tensor<64x32xbf16, #ba>, tensor<32x64xbf16, #bb> -> tensor<64x64xf32, #mma>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %d : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// The same kernel for sm_80 (or without a target, or without the opt-in):
// mma.sync.
#ba = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [4, 1], order = [1, 0]>
#bb = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>
module attributes {tessel.target = "sm_80"} {
// CHECK-LABEL: gpu.func @dot_sm80
// CHECK-NOT: wgmma
// CHECK: nvvm.mma.sync
func.func @dot_sm80(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>, #ba>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>, #bb>
  %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>, #ba>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>, #bb>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %d = tessel.dot %ta, %tb, %acc : tensor<64x32xbf16, #ba>, tensor<32x64xbf16, #bb> -> tensor<64x64xf32, #mma>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %d : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}

// -----

// sm_90a, but warps split along N ([2, 2]): not warpgroup-shaped, mma.sync.
#ba = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [4, 1], order = [1, 0]>
#bb = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>
module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: gpu.func @dot_split_n
// CHECK-NOT: wgmma
// CHECK: nvvm.mma.sync
func.func @dot_split_n(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>, #ba>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>, #bb>
  %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>, #ba>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>, #bb>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<64x64xf32, #mma>
  %d = tessel.dot %ta, %tb, %acc : tensor<64x32xbf16, #ba>, tensor<32x64xbf16, #bb> -> tensor<64x64xf32, #mma>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, #mma>
  tessel.store %pc, %d : tensor<64x64x!tessel.ptr<f32>, #mma>
  return
}
}
