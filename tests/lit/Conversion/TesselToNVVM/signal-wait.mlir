// convert-tessel-to-nvvm: programs handing work over through i32 flags
// (syrk's stream-K partial tiles). tessel.wait: thread 0 polls the flag with
// an acquire load at GPU scope until it holds the value, then the program
// meets at a barrier. tessel.signal: the program meets first (every
// thread's earlier writes), then thread 0 fences and stores the value.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

// CHECK-LABEL: gpu.func @hand_over(
// CHECK-SAME: %[[FLAGS:.*]]: !llvm.ptr<1>, %[[SLOT:.*]]: i32)
// CHECK: %[[TID:.*]] = arith.index_cast %thread_id_x : index to i32
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[FLAG:.*]] = llvm.getelementptr %[[FLAGS]][%[[SLOT]]] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[TID]], %{{.*}} : i32
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: scf.while : () -> () {
// CHECK-NEXT: %[[SEEN:.*]] = llvm.inline_asm has_side_effects "ld.acquire.gpu.global.b32 $0, [$1];", "=r,l,~{memory}" %[[FLAG]]
// CHECK-NEXT: %[[PENDING:.*]] = arith.cmpi ne, %[[SEEN]], %[[ONE]] : i32
// CHECK-NEXT: scf.condition(%[[PENDING]])
// CHECK: gpu.barrier
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[FLAG2:.*]] = llvm.getelementptr %[[FLAGS]][%[[SLOT]]]
// CHECK-NEXT: gpu.barrier
// CHECK: scf.if
// CHECK-NEXT: llvm.inline_asm has_side_effects "fence.acq_rel.gpu;\0A\09st.relaxed.gpu.global.b32 [$0], $1;", "l,r,~{memory}" %[[FLAG2]], %[[ZERO]]
// CHECK: gpu.return
module attributes {tessel.target = "sm_90a"} {
  func.func @hand_over(%flags: !tessel.ptr<i32>, %slot: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
    %c1 = arith.constant 1 : i32
    tessel.wait %flags[%slot], %c1 : !tessel.ptr<i32>
    %c0 = arith.constant 0 : i32
    tessel.signal %flags[%slot], %c0 : !tessel.ptr<i32>
    return
  }
}

// -----

// A loop marked tessel.no_hoist takes the thread id afresh in its body (an
// opaque copy LLVM can neither hoist nor merge), and its tile addresses
// from that copy; an unmarked loop uses the prologue's.
#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @no_hoist
// CHECK: %[[TID:.*]] = arith.index_cast %thread_id_x : index to i32
// CHECK-NEXT: arith.constant 31
// CHECK-NEXT: %[[LANE:.*]] = arith.andi %[[TID]]
// CHECK: scf.for
// CHECK-NEXT: %[[FRESH:.*]] = llvm.inline_asm has_side_effects "mov.b32 $0, $1;", "=r,r" %[[TID]] : (i32) -> i32
// CHECK-NEXT: arith.constant 31
// CHECK-NEXT: %[[FRESH_LANE:.*]] = arith.andi %[[FRESH]]
// CHECK: arith.remui %[[FRESH_LANE]]
// CHECK: llvm.store
// CHECK: scf.for
// CHECK-NOT: mov.b32
// CHECK: arith.remui %[[LANE]]
// CHECK: llvm.store
// CHECK: gpu.return
module attributes {tessel.target = "sm_80"} {
  func.func @no_hoist(%o: !tessel.ptr<f32>, %n: index) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %one = arith.constant 1.0 : f32
    %v = tessel.splat %one : f32 -> tensor<32xf32, #b>
    %po = tessel.splat %o : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>, #b>
    scf.for %i = %c0 to %n step %c1 {
      %r = tessel.range : tensor<32xi32, #b>
      %p = tessel.addptr %po, %r : tensor<32x!tessel.ptr<f32>, #b>, tensor<32xi32, #b>
      tessel.store %p, %v : tensor<32x!tessel.ptr<f32>, #b>
    } {tessel.no_hoist}
    scf.for %i = %c0 to %n step %c1 {
      %r = tessel.range : tensor<32xi32, #b>
      %p = tessel.addptr %po, %r : tensor<32x!tessel.ptr<f32>, #b>, tensor<32xi32, #b>
      tessel.store %p, %v : tensor<32x!tessel.ptr<f32>, #b>
    }
    return
  }
}
