// Regression: lowering `tessel.reduce ... {abs}` creates math.absf, so the
// pass loads the math dialect even when the input has no math op.
// RUN: tessel-opt %s -convert-tessel-to-nvvm | FileCheck %s

#b = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>
// CHECK-LABEL: gpu.func @reduce_abs
// CHECK: math.absf %{{.*}} : f32
// CHECK: arith.addf
func.func @reduce_abs(%x: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<4x8x!tessel.ptr<f32>, #b>
  %v = tessel.load %px : tensor<4x8x!tessel.ptr<f32>, #b>
  %r = tessel.reduce sum %v {axis = 1 : i32, abs} : tensor<4x8xf32, #b> -> tensor<4xf32, #tessel_gpu.slice<dim = 1, parent = #b>>
  return
}
