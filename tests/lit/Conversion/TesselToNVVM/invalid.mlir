// convert-tessel-to-nvvm errors: input that skipped a stage, kernels it
// cannot express, and ops it does not lower (yet), each with a located message.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm -verify-diagnostics

func.func @unbound_knob() attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  // expected-error @+1 {{'tessel.param' op knob 'BLOCK' is unbound; run tessel-specialize}}
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}

// -----

func.func @no_layout(%o: !tessel.ptr<i32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  // expected-error @+1 {{'tessel.range' op has a tile without a layout: 'tensor<64xi32>'; run tessel-assign-layouts first}}
  %r = tessel.range : tensor<64xi32>
  return
}

// -----

// expected-error @+1 {{'func.func' op has no tessel.num_warps; run tessel-specialize first}}
func.func @no_warps() attributes {tessel.kernel} {
  return
}

// -----

#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [8], order = [0]>
func.func @wrong_thread_count() attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  // expected-error @+1 {{'tessel.range' op layout is for 256 threads but the kernel has 128}}
  %r = tessel.range : tensor<256xi32, #b>
  return
}

// -----

#ba = #tessel_gpu.blocked<sizePerThread = [1, 16], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [1, 1]>
func.func @dot_fp8(%a: !tessel.ptr<f8E4M3FN>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<f8E4M3FN> -> tensor<32x32x!tessel.ptr<f8E4M3FN>, #ba>
  %ta = tessel.load %pa : tensor<32x32x!tessel.ptr<f8E4M3FN>, #ba>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<32x32xf32, #mma>
  // expected-error @+1 {{'tessel.dot' op the mma.sync lowering takes bf16 or f16 operands; 'f8E4M3FN' is not lowered yet}}
  %d = "tessel.dot"(%ta, %ta, %acc) : (tensor<32x32xf8E4M3FN, #ba>, tensor<32x32xf8E4M3FN, #ba>, tensor<32x32xf32, #mma>) -> tensor<32x32xf32, #mma>
  return
}

// -----

#b = #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
#mma = #tessel_gpu.mma<version = 2, warpsPerCTA = [1, 1]>
func.func @dot_f32(%a: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<f32> -> tensor<16x16x!tessel.ptr<f32>, #b>
  %ta = tessel.load %pa : tensor<16x16x!tessel.ptr<f32>, #b>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<16x16xf32, #mma>
  // expected-error @+1 {{'tessel.dot' op the mma.sync lowering takes bf16 or f16 operands; 'f32' is not lowered yet}}
  %d = tessel.dot %ta, %ta, %acc : tensor<16x16xf32, #b>, tensor<16x16xf32, #b> -> tensor<16x16xf32, #mma>
  return
}

// -----

#b = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [16, 2], warpsPerCTA = [1, 1], order = [1, 0]>
func.func @dot_not_mma(%a: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<16x16x!tessel.ptr<bf16>, #b>
  %ta = tessel.load %pa : tensor<16x16x!tessel.ptr<bf16>, #b>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<16x16xf32, #b>
  // expected-error @+1 {{'tessel.dot' op result must have the mma layout}}
  %d = tessel.dot %ta, %ta, %acc : tensor<16x16xbf16, #b>, tensor<16x16xbf16, #b> -> tensor<16x16xf32, #b>
  return
}

// -----

// expected-error @+1 {{'func.func' op kernel argument of type 'tensor<4xf32>' is not supported; pass scalars and !tessel.ptr}}
func.func @tile_argument(%t: tensor<4xf32>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{'func.func' op kernels return nothing}}
func.func @returns_value(%x: i32) -> i32 attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  return %x : i32
}

// -----

// expected-error @+1 {{'func.func' op kernel bodies must be a single block (use scf ops)}}
func.func @branches(%c: i1) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  cf.cond_br %c, ^a, ^b
^a:
  return
^b:
  return
}

// -----

#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
func.func @dense_constant() attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  // expected-error @+1 {{'arith.constant' op tile constants must be splats}}
  %c = arith.constant dense<[0, 1]> : tensor<2xi32, #b>
  return
}

// -----

#b = #tessel_gpu.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
func.func @tile_op_with_region(%i: index) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %z = arith.constant dense<0> : tensor<32xi32, #b>
  // expected-error @+1 {{'scf.index_switch' op is not supported on tiles by the Tessel lowering}}
  %r = scf.index_switch %i -> tensor<32xi32, #b>
  default {
    scf.yield %z : tensor<32xi32, #b>
  }
  return
}

// -----

func.func @scalar_op_with_region(%n: i32) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  // expected-error @+1 {{'scf.while' op cannot be lowered by convert-tessel-to-nvvm}}
  %r = scf.while (%x = %n) : (i32) -> i32 {
    %c = arith.cmpi sgt, %x, %n : i32
    scf.condition(%c) %x : i32
  } do {
  ^bb0(%y: i32):
    scf.yield %y : i32
  }
  return
}

// -----

#b2 = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
#b1 = #tessel_gpu.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>
func.func @expand_dims_wrong_layout() attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %r = tessel.range : tensor<64xi32, #b1>
  // expected-error @+1 {{'tessel.expand_dims' op source layout is not the slice of the result's}}
  %e = tessel.expand_dims %r {axis = 1 : i32} : tensor<64xi32, #b1> -> tensor<64x1xi32, #b2>
  return
}

// -----

#rows = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [32, 1], warpsPerCTA = [1, 1], order = [1, 0]>
#cols = #tessel_gpu.blocked<sizePerThread = [1, 1], threadsPerWarp = [1, 32], warpsPerCTA = [1, 1], order = [1, 0]>
func.func @broadcast_wrong_layout(%x: i32) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %s = tessel.splat %x : i32 -> tensor<32x1xi32, #rows>
  // expected-error @+1 {{'tessel.broadcast' op source and result layouts do not line up}}
  %b = tessel.broadcast %s : tensor<32x1xi32, #rows> -> tensor<32x32xi32, #cols>
  return
}
