// convert-tessel-to-nvvm, memory: addptr is a getelementptr per register; a
// masked load is an scf.if around each llvm.load (yielding `other` or 0 when
// the lane is off); a masked store is an scf.if around each llvm.store.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

#b = #tessel_gpu.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @masked_load
// CHECK-SAME: (%[[X:.*]]: !llvm.ptr<1>, %[[N:.*]]: i32)
// CHECK: %[[G0:.*]] = llvm.getelementptr %[[X]][%[[I0:.*]]] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f32
// CHECK: %[[G1:.*]] = llvm.getelementptr %[[X]][%[[I1:.*]]] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f32
// CHECK: %[[M0:.*]] = arith.cmpi slt, %[[I0]], %[[N]] : i32
// CHECK: %[[M1:.*]] = arith.cmpi slt, %[[I1]], %[[N]] : i32
// CHECK: %[[Z0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[V0:.*]] = scf.if %[[M0]] -> (f32) {
// CHECK:   %[[L0:.*]] = llvm.load %[[G0]] {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK:   scf.yield %[[L0]] : f32
// CHECK: } else {
// CHECK:   scf.yield %[[Z0]] : f32
// CHECK: }
// CHECK: %[[V1:.*]] = scf.if %[[M1]] -> (f32) {
// CHECK:   llvm.load %[[G1]] {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[S0:.*]] = arith.mulf %[[V0]], %[[V0]] : f32
// CHECK: %[[S1:.*]] = arith.mulf %[[V1]], %[[V1]] : f32
// CHECK: scf.if %[[M0]] {
// CHECK:   llvm.store %[[S0]], %[[G0]] {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: }
// CHECK: scf.if %[[M1]] {
// CHECK:   llvm.store %[[S1]], %[[G1]] {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: }
// CHECK: gpu.return
func.func @masked_load(%x: !tessel.ptr<f32>, %n: i32) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %r = tessel.range : tensor<64xi32, #b>
  %xb = tessel.splat %x : !tessel.ptr<f32> -> tensor<64x!tessel.ptr<f32>, #b>
  %xp = tessel.addptr %xb, %r : tensor<64x!tessel.ptr<f32>, #b>, tensor<64xi32, #b>
  %ns = tessel.splat %n : i32 -> tensor<64xi32, #b>
  %m = arith.cmpi slt, %r, %ns : tensor<64xi32, #b>
  %v = tessel.load %xp, %m : tensor<64x!tessel.ptr<f32>, #b>
  %w = arith.mulf %v, %v : tensor<64xf32, #b>
  tessel.store %xp, %w, %m : tensor<64x!tessel.ptr<f32>, #b>
  return
}

// -----

// `other` fills the lanes that are off; bf16 accesses are 2-byte aligned.
#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @load_other
// CHECK-SAME: (%[[X:.*]]: !llvm.ptr<1>, %[[F:.*]]: bf16, %[[M:.*]]: i1)
// CHECK: scf.if %[[M]] -> (bf16) {
// CHECK:   llvm.load %[[X]] {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
// CHECK: } else {
// CHECK:   scf.yield %[[F]] : bf16
// CHECK: }
func.func @load_other(%x: !tessel.ptr<bf16>, %f: bf16, %m: i1) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %xb = tessel.splat %x : !tessel.ptr<bf16> -> tensor<32x!tessel.ptr<bf16>, #b>
  %ms = tessel.splat %m : i1 -> tensor<32xi1, #b>
  %fs = tessel.splat %f : bf16 -> tensor<32xbf16, #b>
  %v = tessel.load %xb, %ms, %fs : tensor<32x!tessel.ptr<bf16>, #b>
  tessel.store %xb, %v : tensor<32x!tessel.ptr<bf16>, #b>
  return
}

// -----

// Without a mask, loads and stores are unconditional; a scalar addptr is one
// getelementptr.
#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @unmasked
// CHECK-SAME: (%[[X:.*]]: !llvm.ptr<1>, %[[O:.*]]: i64)
// CHECK: %[[Q:.*]] = llvm.getelementptr %[[X]][%[[O]]] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i16
// CHECK-NOT: scf.if
// CHECK: %[[V:.*]] = llvm.load %[[Q]] {alignment = 2 : i64} : !llvm.ptr<1> -> i16
// CHECK-NOT: scf.if
// CHECK: llvm.store %[[V]], %[[Q]] {alignment = 2 : i64} : i16, !llvm.ptr<1>
func.func @unmasked(%x: !tessel.ptr<i16>, %o: i64) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %q = tessel.addptr %x, %o : !tessel.ptr<i16>, i64
  %qb = tessel.splat %q : !tessel.ptr<i16> -> tensor<32x!tessel.ptr<i16>, #b>
  %v = tessel.load %qb : tensor<32x!tessel.ptr<i16>, #b>
  tessel.store %qb, %v : tensor<32x!tessel.ptr<i16>, #b>
  return
}
