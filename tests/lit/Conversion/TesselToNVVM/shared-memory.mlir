// convert-tessel-to-nvvm, ops that move elements between threads
// (SharedMemoryOpsToLLVM.cpp): every thread writes its registers to shared
// memory between two barriers, then reads what the destination layout gives
// it; a reduce folds one row or column per distinct result register.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// 8 x 16 f32 min-reduced over axis 0 (identity +inf), then converted to a
// blocked 1-D layout. Both take turns in one scratch region (each begins
// with a barrier and reads back all it wrote): 8 x 16 x 4 = 512 bytes for the
// reduce, and the conversion's 16 x 4 at the same offset 0.
#b = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
#b1 = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @reduce_then_convert
// CHECK-SAME: tessel.shared_bytes = 512 : i64
// CHECK: %[[SMEM:.*]] = llvm.mlir.addressof @__tessel_smem : !llvm.ptr<3>
// CHECK-COUNT-4: llvm.load %{{.*}} : !llvm.ptr<1> -> f32
// CHECK: gpu.barrier
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[R0:.*]] = scf.for %{{.*}} = %{{.*}} to %[[C8]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INF]]) -> (f32) {
// CHECK:   %[[P:.*]] = llvm.getelementptr %[[SMEM]][%{{.*}}] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i8
// CHECK:   %[[X:.*]] = llvm.load %[[P]] {alignment = 4 : i64} : !llvm.ptr<3> -> f32
// CHECK:   %[[M:.*]] = arith.minimumf %[[ACC]], %[[X]] : f32
// CHECK:   scf.yield %[[M]] : f32
// CHECK: }
// CHECK-COUNT-3: scf.for
// CHECK: gpu.barrier
// CHECK: %[[Q:.*]] = llvm.getelementptr %[[SMEM]]
// CHECK-NEXT: llvm.store %[[R0]], %[[Q]] {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK-COUNT-3: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[Y:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<3> -> f32
// CHECK: llvm.store %[[Y]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: gpu.return
func.func @reduce_then_convert(%x: !tessel.ptr<f32>, %o: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<8x16x!tessel.ptr<f32>, #b>
  %v = tessel.load %px : tensor<8x16x!tessel.ptr<f32>, #b>
  %r = tessel.reduce min %v {axis = 0 : i32} : tensor<8x16xf32, #b> -> tensor<16xf32, #tessel_gpu.slice<dim = 0, parent = #b>>
  %c = tessel_gpu.convert_layout %r : tensor<16xf32, #tessel_gpu.slice<dim = 0, parent = #b>> -> tensor<16xf32, #b1>
  %po = tessel.splat %o : !tessel.ptr<f32> -> tensor<16x!tessel.ptr<f32>, #b1>
  tessel.store %po, %c : tensor<16x!tessel.ptr<f32>, #b1>
  return
}

// -----

// Sum over axis 1 starts from 0; max from -inf; `abs` takes |x| before the
// store to shared memory. (The math.absf on %s only loads the math dialect:
// see reduce-abs-no-math.mlir.)
#b = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>
// CHECK-LABEL: gpu.func @reduce_kinds
// CHECK: gpu.barrier
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %{{.*}} iter_args(%[[A:.*]] = %[[ZERO]]) -> (f32) {
// CHECK:   %[[X:.*]] = llvm.load %{{.*}} : !llvm.ptr<3> -> f32
// CHECK:   arith.addf %[[A]], %[[X]] : f32
// CHECK: gpu.barrier
// CHECK: %[[ABS:.*]] = math.absf %{{.*}} : f32
// CHECK: llvm.store %[[ABS]], %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: scf.for %{{.*}} iter_args(%[[B:.*]] = %[[NINF]]) -> (f32) {
// CHECK:   %[[Y:.*]] = llvm.load %{{.*}} : !llvm.ptr<3> -> f32
// CHECK:   arith.maximumf %[[B]], %[[Y]] : f32
func.func @reduce_kinds(%x: !tessel.ptr<f32>, %s: f32) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %unused = math.absf %s : f32
  %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<4x8x!tessel.ptr<f32>, #b>
  %v = tessel.load %px : tensor<4x8x!tessel.ptr<f32>, #b>
  %r0 = tessel.reduce sum %v {axis = 1 : i32} : tensor<4x8xf32, #b> -> tensor<4xf32, #tessel_gpu.slice<dim = 1, parent = #b>>
  %r1 = tessel.reduce max %v {axis = 1 : i32, abs} : tensor<4x8xf32, #b> -> tensor<4xf32, #tessel_gpu.slice<dim = 1, parent = #b>>
  return
}

// -----

// Pointers and masks cross shared memory as i64 and i8, both conversions in
// the one scratch region: 32 x 8 bytes, not 32 x 8 + 32 x 1.
#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
#b2 = #tessel_gpu.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @convert_ptr_and_mask
// CHECK-SAME: tessel.shared_bytes = 256 : i64
// CHECK: %[[PI:.*]] = llvm.ptrtoint %{{.*}} : !llvm.ptr<1> to i64
// CHECK: llvm.store %[[PI]], %{{.*}} {alignment = 8 : i64} : i64, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[LI:.*]] = llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<3> -> i64
// CHECK: llvm.inttoptr %[[LI]] : i64 to !llvm.ptr<1>
// CHECK: gpu.barrier
// CHECK: %[[MI:.*]] = arith.extui %{{.*}} : i1 to i8
// CHECK: llvm.store %[[MI]], %{{.*}} {alignment = 1 : i64} : i8, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[LM:.*]] = llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr<3> -> i8
// CHECK: arith.trunci %[[LM]] : i8 to i1
func.func @convert_ptr_and_mask(%x: !tessel.ptr<f32>, %m: i1) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %p = tessel.splat %x : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>, #b>
  %q = tessel_gpu.convert_layout %p : tensor<32x!tessel.ptr<f32>, #b> -> tensor<32x!tessel.ptr<f32>, #b2>
  %ms = tessel.splat %m : i1 -> tensor<32xi1, #b>
  %mq = tessel_gpu.convert_layout %ms : tensor<32xi1, #b> -> tensor<32xi1, #b2>
  %v = tessel.load %q, %mq : tensor<32x!tessel.ptr<f32>, #b2>
  return
}

// -----

// trans: each thread writes its registers at swapped coordinates, then reads
// what the result layout gives it. A 4 x 8 f32 source: register (r, c) goes to
// element c * 4 + r of the 8 x 4 result, in the scratch region at offset 0.
#b = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>
#t = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
// CHECK-LABEL: gpu.func @trans
// CHECK-SAME: tessel.shared_bytes = 128 : i64
// CHECK: %[[C31:.*]] = arith.constant 31 : i32
// CHECK: %[[LANE:.*]] = arith.andi %{{.*}}, %[[C31]] : i32
// CHECK: %[[V:.*]] = llvm.load %{{.*}} : !llvm.ptr<1> -> f32
// CHECK: gpu.barrier
// CHECK: %[[RD:.*]] = arith.divui %[[LANE]], %{{.*}} : i32
// CHECK: %[[R:.*]] = arith.remui %[[RD]], %{{.*}} : i32
// CHECK: %[[R1:.*]] = arith.addi %{{.*}}, %[[R]] : i32
// CHECK: %[[C:.*]] = arith.remui %[[LANE]], %{{.*}} : i32
// CHECK: %[[C1:.*]] = arith.addi %{{.*}}, %[[C]] : i32
// CHECK: %[[R2:.*]] = arith.addi %[[R1]], %{{.*}} : i32
// CHECK: %[[C2:.*]] = arith.addi %[[C1]], %{{.*}} : i32
// CHECK-NEXT: %[[FOUR:.*]] = arith.constant 4 : i32
// CHECK-NEXT: %[[T:.*]] = arith.muli %[[C2]], %[[FOUR]] : i32
// CHECK-NEXT: %[[IDX:.*]] = arith.addi %[[T]], %[[R2]] : i32
// CHECK: %[[BYTE:.*]] = arith.muli %[[IDX]], %{{.*}} : i32
// CHECK: llvm.store %[[V]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: %[[Y:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<3> -> f32
// CHECK: llvm.store %[[Y]], %{{.*}} : f32, !llvm.ptr<1>
func.func @trans(%x: !tessel.ptr<f32>, %o: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<4x8x!tessel.ptr<f32>, #b>
  %v = tessel.load %px : tensor<4x8x!tessel.ptr<f32>, #b>
  %t = tessel.trans %v : tensor<4x8xf32, #b> -> tensor<8x4xf32, #t>
  %po = tessel.splat %o : !tessel.ptr<f32> -> tensor<8x4x!tessel.ptr<f32>, #t>
  tessel.store %po, %t : tensor<8x4x!tessel.ptr<f32>, #t>
  return
}
