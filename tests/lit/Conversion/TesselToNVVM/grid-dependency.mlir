// convert-tessel-to-nvvm: from sm_90 on, every kernel starts by waiting for
// the previous kernel on its stream (griddepcontrol.wait) before its first
// memory access, and says so (tessel.grid_dependency) so the runtime may
// launch it as a programmatic dependent. Before sm_90 neither.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm | FileCheck %s

#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @copy_sm90
// CHECK-SAME: tessel.grid_dependency
// CHECK: llvm.inline_asm has_side_effects "griddepcontrol.wait;", ""  : () -> ()
// CHECK-NOT: griddepcontrol
// CHECK: llvm.load %{{.*}} : !llvm.ptr<1> -> f32
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr<1>
// CHECK-NOT: griddepcontrol
// CHECK: gpu.return
module attributes {tessel.target = "sm_90a"} {
  func.func @copy_sm90(%x: !tessel.ptr<f32>, %o: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
    %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>, #b>
    %v = tessel.load %px : tensor<32x!tessel.ptr<f32>, #b>
    %po = tessel.splat %o : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>, #b>
    tessel.store %po, %v : tensor<32x!tessel.ptr<f32>, #b>
    return
  }
}

// -----

#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
// CHECK-LABEL: gpu.func @copy_sm80
// CHECK-NOT: tessel.grid_dependency
// CHECK-NOT: griddepcontrol
// CHECK: gpu.return
module attributes {tessel.target = "sm_80"} {
  func.func @copy_sm80(%x: !tessel.ptr<f32>, %o: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
    %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>, #b>
    %v = tessel.load %px : tensor<32x!tessel.ptr<f32>, #b>
    %po = tessel.splat %o : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>, #b>
    tessel.store %po, %v : tensor<32x!tessel.ptr<f32>, #b>
    return
  }
}
