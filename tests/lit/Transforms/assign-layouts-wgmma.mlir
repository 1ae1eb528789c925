// tessel-assign-layouts on a module compiled for sm_90a (tessel.target) that
// opts into wgmma (tessel.wgmma): a dot that fits wgmma (whole warpgroups, m a multiple of 16 * num_warps, n a
// multiple of 8 up to 256, k a multiple of 16) gets the warpgroup-shaped
// accumulator mma<warpsPerCTA = [num_warps, 1]>; one that does not keeps the
// default split, as does every dot without a target, for sm_80, or without
// the opt-in.
// RUN: tessel-opt %s -split-input-file -tessel-assign-layouts | FileCheck %s

module attributes {tessel.target = "sm_90a", tessel.wgmma} {
// CHECK-LABEL: func.func @fits_4_warps
// CHECK: tessel.dot {{.*}} -> tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 1]>>
func.func @fits_4_warps(%a: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>>
  %pb = tessel.splat %a : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>>
  %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<64x64xf32>
  %d = tessel.dot %ta, %tb, %acc : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
  return
}
// CHECK-LABEL: func.func @fits_8_warps
// CHECK: tessel.dot {{.*}} -> tensor<128x128xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [8, 1]>>
func.func @fits_8_warps(%a: !tessel.ptr<f16>) attributes {tessel.kernel, tessel.num_warps = 8 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<f16> -> tensor<128x16x!tessel.ptr<f16>>
  %pb = tessel.splat %a : !tessel.ptr<f16> -> tensor<16x128x!tessel.ptr<f16>>
  %ta = tessel.load %pa : tensor<128x16x!tessel.ptr<f16>>
  %tb = tessel.load %pb : tensor<16x128x!tessel.ptr<f16>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<128x128xf32>
  %d = tessel.dot %ta, %tb, %acc : tensor<128x16xf16>, tensor<16x128xf16> -> tensor<128x128xf32>
  return
}
// 32 rows cannot fill a warpgroup's 64: the default split.
// CHECK-LABEL: func.func @too_few_rows
// CHECK: tessel.dot {{.*}} -> tensor<32x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
func.func @too_few_rows(%a: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<32x32x!tessel.ptr<bf16>>
  %pb = tessel.splat %a : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>>
  %ta = tessel.load %pa : tensor<32x32x!tessel.ptr<bf16>>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<32x64xf32>
  %d = tessel.dot %ta, %tb, %acc : tensor<32x32xbf16>, tensor<32x64xbf16> -> tensor<32x64xf32>
  return
}
}

// -----

module attributes {tessel.target = "sm_80"} {
// CHECK-LABEL: func.func @sm80
// CHECK: tessel.dot {{.*}} -> tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
func.func @sm80(%a: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>>
  %pb = tessel.splat %a : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>>
  %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<64x64xf32>
  %d = tessel.dot %ta, %tb, %acc : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
  return
}
}

// -----

// sm_90a without the opt-in (tessel.wgmma): the default split.
module attributes {tessel.target = "sm_90a"} {
// CHECK-LABEL: func.func @not_opted_in
// CHECK: tessel.dot {{.*}} -> tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
func.func @not_opted_in(%a: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>>
  %pb = tessel.splat %a : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>>
  %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<64x64xf32>
  %d = tessel.dot %ta, %tb, %acc : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
  return
}
}
