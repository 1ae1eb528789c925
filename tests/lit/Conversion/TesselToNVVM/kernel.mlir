// convert-tessel-to-nvvm, the kernel frame and tile construction: each kernel
// becomes a gpu.func in gpu.module @tessel_kernels with its block size and
// shared-memory need; every tile becomes one SSA value per register, computed
// from the thread id through the tile's layout.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @tessel_kernels {
// CHECK: llvm.mlir.global external @__tessel_smem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK: gpu.func @frame(%[[P:.*]]: !llvm.ptr<1>, %[[N:.*]]: i32, %[[F:.*]]: f32, %[[I:.*]]: index) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: tessel.num_warps = 8 : i64
// CHECK-SAME: tessel.shared_bytes = 0 : i64
// CHECK: %[[BX:.*]] = gpu.block_id  y
// CHECK: arith.index_cast %[[BX]] : index to i32
// CHECK: %[[GX:.*]] = gpu.grid_dim  z
// CHECK: arith.index_cast %[[GX]] : index to i32
// CHECK: gpu.return
// CHECK-NOT: func.func @frame
func.func @frame(%p: !tessel.ptr<f32>, %n: i32, %f: f32, %i: index) attributes {tessel.kernel, tessel.num_warps = 8 : i64} {
  %pid = tessel.program_id 1 : i32
  %np = tessel.num_programs 2 : i32
  return
}

// -----

// Range over blocked<[2], [32], [2]>: thread t holds elements
// 2 * (lane % 32) + 64 * (warp % 2) + {0, 1}.
#b = #tessel_gpu.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [2], order = [0]>
// CHECK-LABEL: gpu.func @range
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>
// CHECK: %[[TIDX:.*]] = gpu.thread_id  x
// CHECK: %[[TID:.*]] = arith.index_cast %[[TIDX]] : index to i32
// CHECK: %[[C31:.*]] = arith.constant 31 : i32
// CHECK: %[[LANE:.*]] = arith.andi %[[TID]], %[[C31]] : i32
// CHECK: %[[C5:.*]] = arith.constant 5 : i32
// CHECK: %[[WARP:.*]] = arith.shrui %[[TID]], %[[C5]] : i32
// CHECK: %[[C32:.*]] = arith.constant 32 : i32
// CHECK: %[[L:.*]] = arith.remui %[[LANE]], %[[C32]] : i32
// CHECK: %[[C2:.*]] = arith.constant 2 : i32
// CHECK: %[[L2:.*]] = arith.muli %[[L]], %[[C2]] : i32
// CHECK: %[[T0:.*]] = arith.addi %{{.*}}, %[[L2]] : i32
// CHECK: %[[W:.*]] = arith.remui %[[WARP]], %{{.*}} : i32
// CHECK: %[[C64:.*]] = arith.constant 64 : i32
// CHECK: %[[W64:.*]] = arith.muli %[[W]], %[[C64]] : i32
// CHECK: %[[BASE:.*]] = arith.addi %[[T0]], %[[W64]] : i32
// CHECK: %[[R0:.*]] = arith.addi %[[BASE]], %{{.*}} : i32
// CHECK: %[[C1:.*]] = arith.constant 1 : i32
// CHECK: %[[R1:.*]] = arith.addi %[[BASE]], %[[C1]] : i32
// CHECK: %[[G0:.*]] = llvm.getelementptr %{{.*}}[%[[R0]]] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
// CHECK: %[[G1:.*]] = llvm.getelementptr %{{.*}}[%[[R1]]] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
// CHECK: llvm.store %[[R0]], %[[G0]] {alignment = 4 : i64} : i32, !llvm.ptr<1>
// CHECK: llvm.store %[[R1]], %[[G1]] {alignment = 4 : i64} : i32, !llvm.ptr<1>
func.func @range(%o: !tessel.ptr<i32>) attributes {tessel.kernel, tessel.num_warps = 2 : i64} {
  %r = tessel.range : tensor<128xi32, #b>
  %p = tessel.splat %o : !tessel.ptr<i32> -> tensor<128x!tessel.ptr<i32>, #b>
  %q = tessel.addptr %p, %r : tensor<128x!tessel.ptr<i32>, #b>, tensor<128xi32, #b>
  tessel.store %q, %r : tensor<128x!tessel.ptr<i32>, #b>
  return
}

// -----

// A tile smaller than its layout wraps: coordinates are masked to the shape.
#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>
// CHECK-LABEL: gpu.func @range_wraps
// CHECK: %[[C63:.*]] = arith.constant 63 : i32
// CHECK: %[[R:.*]] = arith.andi %{{.*}}, %[[C63]] : i32
// CHECK: llvm.getelementptr %{{.*}}[%[[R]]]
func.func @range_wraps(%o: !tessel.ptr<i32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %r = tessel.range : tensor<64xi32, #b>
  %p = tessel.splat %o : !tessel.ptr<i32> -> tensor<64x!tessel.ptr<i32>, #b>
  %q = tessel.addptr %p, %r : tensor<64x!tessel.ptr<i32>, #b>, tensor<64xi32, #b>
  tessel.store %q, %r : tensor<64x!tessel.ptr<i32>, #b>
  return
}

// -----

// expand_dims and broadcast only rename registers; loops and ifs carry the
// flattened registers; splat constants become one scalar constant.
#b2 = #tessel_gpu.blocked<sizePerThread = [1, 2], threadsPerWarp = [8, 4], warpsPerCTA = [2, 1], order = [1, 0]>
// CHECK-LABEL: gpu.func @registers
// CHECK-SAME: (%[[O:.*]]: !llvm.ptr<1>, %[[N:.*]]: index, %[[C:.*]]: i1)
// CHECK: %[[FOR:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[X0:[^ ]*]] = %[[ROW:[0-9]+]], %[[X1:[^ ]*]] = %[[ROW]]) -> (i32, i32) {
// CHECK:   %[[Y0:.*]] = arith.addi %[[X0]], %[[ROW]] : i32
// CHECK:   %[[Y1:.*]] = arith.addi %[[X1]], %[[ROW]] : i32
// CHECK:   scf.yield %[[Y0]], %[[Y1]] : i32, i32
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[IF:.*]]:2 = scf.if %[[C]] -> (i32, i32) {
// CHECK:   scf.yield %[[FOR]]#0, %[[FOR]]#1 : i32, i32
// CHECK: } else {
// CHECK:   scf.yield %[[ZERO]], %[[ZERO]] : i32, i32
// CHECK: llvm.store %[[IF]]#0, %[[O]]
// CHECK: llvm.store %[[IF]]#1, %[[O]]
func.func @registers(%o: !tessel.ptr<i32>, %n: index, %c: i1) attributes {tessel.kernel, tessel.num_warps = 2 : i64} {
  %r = tessel.range : tensor<16xi32, #tessel_gpu.slice<dim = 1, parent = #b2>>
  %e = tessel.expand_dims %r {axis = 1 : i32} : tensor<16xi32, #tessel_gpu.slice<dim = 1, parent = #b2>> -> tensor<16x1xi32, #b2>
  %bc = tessel.broadcast %e : tensor<16x1xi32, #b2> -> tensor<16x8xi32, #b2>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%x = %bc) -> (tensor<16x8xi32, #b2>) {
    %y = arith.addi %x, %bc : tensor<16x8xi32, #b2>
    scf.yield %y : tensor<16x8xi32, #b2>
  }
  %z = arith.constant dense<0> : tensor<16x8xi32, #b2>
  %t = scf.if %c -> (tensor<16x8xi32, #b2>) {
    scf.yield %s : tensor<16x8xi32, #b2>
  } else {
    scf.yield %z : tensor<16x8xi32, #b2>
  }
  %p = tessel.splat %o : !tessel.ptr<i32> -> tensor<16x8x!tessel.ptr<i32>, #b2>
  tessel.store %p, %t : tensor<16x8x!tessel.ptr<i32>, #b2>
  return
}

// -----

// Scalar code is cloned; elementwise math on tiles is applied per register.
#b = #tessel_gpu.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @elementwise
// CHECK-SAME: (%[[X:.*]]: f32, %[[O:.*]]: !llvm.ptr<1>)
// CHECK: %[[SQ:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK: %[[E0:.*]] = math.exp %[[SQ]] : f32
// CHECK: %[[E1:.*]] = math.exp %[[SQ]] : f32
// CHECK: llvm.store %[[E0]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: llvm.store %[[E1]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
func.func @elementwise(%x: f32, %o: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %sq = arith.mulf %x, %x : f32
  %t = tessel.splat %sq : f32 -> tensor<64xf32, #b>
  %e = math.exp %t : tensor<64xf32, #b>
  %p = tessel.splat %o : !tessel.ptr<f32> -> tensor<64x!tessel.ptr<f32>, #b>
  tessel.store %p, %e : tensor<64x!tessel.ptr<f32>, #b>
  return
}

// -----

// A module without kernels is left alone: no gpu.module, helpers stay.
// CHECK-LABEL: module {
// CHECK-NOT: gpu.module
// CHECK: func.func @helper
// CHECK: tessel.program_id 0 : i32
func.func @helper() -> i32 {
  %0 = tessel.program_id 0 : i32
  return %0 : i32
}

// -----

// tessel.min_programs_per_sm becomes nvvm.minctasm (PTX .minnctapersm), so
// ptxas budgets registers for that many programs per SM; without it, nothing.
// CHECK-LABEL: gpu.func @one_per_sm
// CHECK-SAME: nvvm.minctasm = 1 : i32
// CHECK-LABEL: gpu.func @any_per_sm
// CHECK-NOT: nvvm.minctasm
// CHECK: gpu.return
func.func @one_per_sm(%n: i32) attributes {tessel.kernel, tessel.num_warps = 16 : i64, tessel.min_programs_per_sm = 1 : i64} {
  return
}
func.func @any_per_sm(%n: i32) attributes {tessel.kernel, tessel.num_warps = 16 : i64} {
  return
}
