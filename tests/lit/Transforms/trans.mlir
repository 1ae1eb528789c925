// tessel.trans through the passes: tessel-specialize makes its result the
// swapped static shape; tessel-assign-layouts gives its source the default
// blocked layout of the source's own shape (contiguous along its last
// dimension, as loaded) and its result that layout transposed, with no
// convert_layout, also when the result feeds a dot.
// RUN: tessel-opt %s -tessel-specialize | FileCheck %s --check-prefix=SPEC
// RUN: tessel-opt %s -tessel-specialize -tessel-assign-layouts | FileCheck %s --check-prefix=LAYOUT

// SPEC-LABEL: func.func @xxt
// SPEC: tessel.load
// SPEC: %[[R:.*]] = tessel.load %{{.*}} : tensor<64x32x!tessel.ptr<bf16>>
// SPEC: tessel.trans %[[R]] : tensor<64x32xbf16> -> tensor<32x64xbf16>
// LAYOUT-LABEL: func.func @xxt
// LAYOUT: tessel.load
// LAYOUT: %[[R:.*]] = tessel.load %{{.*}} : tensor<64x32x!tessel.ptr<bf16>, #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [4, 1], order = [1, 0]>>
// LAYOUT: %[[T:.*]] = tessel.trans %[[R]] : tensor<64x32xbf16, #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [4, 1], order = [1, 0]>> -> tensor<32x64xbf16, #tessel_gpu.blocked<sizePerThread = [8, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 4], order = [0, 1]>>
// LAYOUT-NOT: convert_layout
// LAYOUT: tessel.dot %{{.*}}, %[[T]], %{{.*}}
func.func @xxt(%x: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>) attributes {tessel.kernel} {
  %B = tessel.param "BLOCK" {default_value = 64 : i64} : index
  %K = tessel.param "BLOCK_K" {default_value = 32 : i64} : index
  %w = tessel.param "num_warps" {default_value = 4 : i64} : index
  %pl = tessel.splat %x [%B, %K] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %l = tessel.load %pl : tensor<?x?x!tessel.ptr<bf16>>
  %pr = tessel.splat %x [%B, %K] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %r = tessel.load %pr : tensor<?x?x!tessel.ptr<bf16>>
  %rt = tessel.trans %r : tensor<?x?xbf16> -> tensor<?x?xbf16>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z [%B, %B] : f32 -> tensor<?x?xf32>
  %d = tessel.dot %l, %rt, %acc : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
  %pc = tessel.splat %c [%B, %B] : !tessel.ptr<f32> -> tensor<?x?x!tessel.ptr<f32>>
  tessel.store %pc, %d : tensor<?x?x!tessel.ptr<f32>>
  return
}
