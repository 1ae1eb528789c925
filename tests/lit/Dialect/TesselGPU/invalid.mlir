// Verifiers of the layout attributes and of tessel_gpu.convert_layout
// (TesselGPUDialect.cpp).
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{blocked layout parameters must all have rank 2}}
func.func @blocked_rank(%a: tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>>) {
  return
}

// -----

// expected-error @+1 {{blocked layout parameters must all have rank 1}}
func.func @blocked_order_rank(%a: tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [0]>>) {
  return
}

// -----

// expected-error @+1 {{blocked layout sizes must be powers of two}}
func.func @blocked_spt_pow2(%a: tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1, 3], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>>) {
  return
}

// -----

// expected-error @+1 {{blocked layout sizes must be powers of two}}
func.func @blocked_warps_zero(%a: tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [0, 1], order = [1, 0]>>) {
  return
}

// -----

// expected-error @+1 {{blocked layout sizes must be powers of two}}
func.func @blocked_tpw_pow2(%a: tensor<64xf32, #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [24], warpsPerCTA = [1], order = [0]>>) {
  return
}

// -----

// expected-error @+1 {{threadsPerWarp multiplies to 16, not 32}}
func.func @blocked_lanes(%a: tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 4], warpsPerCTA = [4, 1], order = [1, 0]>>) {
  return
}

// -----

// expected-error @+1 {{threadsPerWarp multiplies to 64, not 32}}
func.func @blocked_lanes_64(%a: tensor<64xf32, #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [64], warpsPerCTA = [1], order = [0]>>) {
  return
}

// -----

// expected-error @+1 {{order must be a permutation of 0..1}}
func.func @blocked_order_repeat(%a: tensor<64x64xf32, #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 1]>>) {
  return
}

// -----

// expected-error @+1 {{order must be a permutation of 0..2}}
func.func @blocked_order_range(%a: tensor<2x4x8xf32, #tessel_gpu.blocked<sizePerThread = [1, 1, 1], threadsPerWarp = [2, 2, 8], warpsPerCTA = [1, 1, 1], order = [3, 1, 0]>>) {
  return
}

// -----

// expected-error @+1 {{mma version 3 is not supported (2 = mma.sync)}}
func.func @mma_version(%a: tensor<64x64xf32, #tessel_gpu.mma<version = 3, warpsPerCTA = [2, 2]>>) {
  return
}

// -----

// expected-error @+1 {{mma warpsPerCTA must be two powers of two}}
func.func @mma_rank(%a: tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2, 1]>>) {
  return
}

// -----

// expected-error @+1 {{mma warpsPerCTA must be two powers of two}}
func.func @mma_pow2(%a: tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [3, 1]>>) {
  return
}

// -----

#blocked = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [4, 8], warpsPerCTA = [2, 2], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

func.func @convert_shape(%a: tensor<64x64xf32, #mma>) {
  // expected-error @+1 {{'tessel_gpu.convert_layout' op may change only the layout, not 'tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>' into 'tensor<64x32xf32, #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [4, 8], warpsPerCTA = [2, 2], order = [1, 0]>>'}}
  %0 = tessel_gpu.convert_layout %a : tensor<64x64xf32, #mma> -> tensor<64x32xf32, #blocked>
  return
}

// -----

#blocked = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [4, 8], warpsPerCTA = [2, 2], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

func.func @convert_element_type(%a: tensor<64x64xf32, #mma>) {
  // expected-error @+1 {{'tessel_gpu.convert_layout' op may change only the layout, not}}
  %0 = tessel_gpu.convert_layout %a : tensor<64x64xf32, #mma> -> tensor<64x64xf16, #blocked>
  return
}

// -----

#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

func.func @convert_to_no_layout(%a: tensor<64x64xf32, #mma>) {
  // expected-error @+1 {{'tessel_gpu.convert_layout' op needs layouts on both tile types}}
  %0 = tessel_gpu.convert_layout %a : tensor<64x64xf32, #mma> -> tensor<64x64xf32>
  return
}

// -----

#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

func.func @convert_from_no_layout(%a: tensor<64x64xf32>) {
  // expected-error @+1 {{'tessel_gpu.convert_layout' op needs layouts on both tile types}}
  %0 = tessel_gpu.convert_layout %a : tensor<64x64xf32> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

// A slice of something that is not a layout is not a layout.
// expected-error @+1 {{slice parent must be a layout (blocked, mma or slice), not 1 : i32}}
func.func @convert_slice_of_non_layout(%a: tensor<64xf32, #tessel_gpu.slice<dim = 0, parent = 1 : i32>>) {
  return
}

// -----

#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>

// expected-error @+1 {{slice dim 5 is out of range for a parent of rank 2}}
func.func @slice_dim_out_of_range(%a: tensor<64xf32, #tessel_gpu.slice<dim = 5, parent = #mma>>) {
  return
}

// -----

// expected-error @+1 {{is for tiles of rank 2, not 1}}
func.func @layout_rank_mismatch(%a: tensor<64xi32, #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>>) {
  return
}

// -----

// expected-error @+1 {{is for tiles of rank 2, not 1}}
func.func @mma_rank_mismatch(%a: tensor<64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>) {
  return
}

// -----

func.func @convert_not_tensor(%a: f32) {
  // expected-error @+1 {{custom op 'tessel_gpu.convert_layout' invalid kind of type specified: expected builtin.tensor, but found 'f32'}}
  %0 = tessel_gpu.convert_layout %a : f32 -> tensor<64xf32>
  return
}
