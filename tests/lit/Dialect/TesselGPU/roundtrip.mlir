// The layout attributes and tessel_gpu.convert_layout survive
// parse -> print -> parse (and the generic form) unchanged.
// RUN: tessel-opt %s -split-input-file | tessel-opt -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -mlir-print-op-generic | tessel-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @blocked
// CHECK-SAME: tensor<1024xf32, #tessel_gpu.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [8], order = [0]>>
// CHECK-SAME: tensor<64x64xbf16, #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>>
// CHECK-SAME: tensor<16x16x!tessel.ptr<f16>, #tessel_gpu.blocked<sizePerThread = [2, 1], threadsPerWarp = [16, 2], warpsPerCTA = [1, 2], order = [0, 1]>>
// CHECK-SAME: tensor<2x4x8xi1, #tessel_gpu.blocked<sizePerThread = [1, 1, 1], threadsPerWarp = [2, 2, 8], warpsPerCTA = [1, 1, 1], order = [2, 1, 0]>>
func.func @blocked(
    %a: tensor<1024xf32, #tessel_gpu.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [8], order = [0]>>,
    %b: tensor<64x64xbf16, #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>>,
    %c: tensor<16x16x!tessel.ptr<f16>, #tessel_gpu.blocked<sizePerThread = [2, 1], threadsPerWarp = [16, 2], warpsPerCTA = [1, 2], order = [0, 1]>>,
    %d: tensor<2x4x8xi1, #tessel_gpu.blocked<sizePerThread = [1, 1, 1], threadsPerWarp = [2, 2, 8], warpsPerCTA = [1, 1, 1], order = [2, 1, 0]>>) {
  return
}

// -----

// CHECK-LABEL: func.func @mma
// CHECK-SAME: tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
// CHECK-SAME: tensor<128x128xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [8, 1]>>
func.func @mma(%a: tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>,
               %b: tensor<128x128xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [8, 1]>>) {
  return
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-SAME: tensor<64xf32, #tessel_gpu.slice<dim = 1, parent = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>>
// CHECK-SAME: tensor<64xi32, #tessel_gpu.slice<dim = 0, parent = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>>>
// CHECK-SAME: tensor<8xi32, #tessel_gpu.slice<dim = 0, parent = #tessel_gpu.slice<dim = 2, parent = #tessel_gpu.blocked<sizePerThread = [1, 1, 1], threadsPerWarp = [2, 2, 8], warpsPerCTA = [1, 1, 1], order = [2, 1, 0]>>>>
func.func @slice(
    %a: tensor<64xf32, #tessel_gpu.slice<dim = 1, parent = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>>,
    %b: tensor<64xi32, #tessel_gpu.slice<dim = 0, parent = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>>>,
    %c: tensor<8xi32, #tessel_gpu.slice<dim = 0, parent = #tessel_gpu.slice<dim = 2, parent = #tessel_gpu.blocked<sizePerThread = [1, 1, 1], threadsPerWarp = [2, 2, 8], warpsPerCTA = [1, 1, 1], order = [2, 1, 0]>>>>) {
  return
}

// -----

#blocked = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [4, 8], warpsPerCTA = [2, 2], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

// CHECK-LABEL: func.func @convert_layout
// CHECK: %[[B:.*]] = tessel_gpu.convert_layout %{{.*}} : tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>> -> tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [4, 8], warpsPerCTA = [2, 2], order = [1, 0]>>
// CHECK: tessel_gpu.convert_layout %[[B]] : tensor<64x64xf32, #tessel_gpu.blocked<{{.*}}>> -> tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
// CHECK: tessel_gpu.convert_layout %{{.*}} : tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>> -> tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = #tessel_gpu.blocked<{{.*}}>>>
func.func @convert_layout(%a: tensor<64x64xf32, #mma>,
                          %s: tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = #mma>>) {
  %0 = tessel_gpu.convert_layout %a : tensor<64x64xf32, #mma> -> tensor<64x64xf32, #blocked>
  %1 = tessel_gpu.convert_layout %0 : tensor<64x64xf32, #blocked> -> tensor<64x64xf32, #mma>
  %2 = tessel_gpu.convert_layout %s : tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = #mma>> -> tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = #blocked>>
  return
}

// -----

// The tile ops accept laid-out tiles.
#bl = #tessel_gpu.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>
// CHECK-LABEL: func.func @laid_out_tessel_ops
// CHECK: tessel.range : tensor<512xi32, #tessel_gpu.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
// CHECK: tessel.load %{{.*}}, %{{.*}} : tensor<512x!tessel.ptr<f32>, #tessel_gpu.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
func.func @laid_out_tessel_ops(%p: tensor<512x!tessel.ptr<f32>, #bl>, %m: tensor<512xi1, #bl>) {
  %0 = tessel.range : tensor<512xi32, #bl>
  %1 = tessel.load %p, %m : tensor<512x!tessel.ptr<f32>, #bl>
  return
}
