// tessel-assign-layouts: dot results anchor the mma layout, everything else
// takes the default blocked layout for its shape, expanded 1-D tiles take a
// slice of their 2-D layout, a reduce yields a slice of its source's layout;
// cheap index tiles are recomputed in a second layout, anything else is
// converted with tessel_gpu.convert_layout.
// RUN: split-file --leading-lines %s %t
// RUN: tessel-opt %t/layouts.mlir -split-input-file -tessel-assign-layouts | FileCheck %t/layouts.mlir
// RUN: tessel-opt %t/errors.mlir -split-input-file -tessel-assign-layouts -verify-diagnostics

//--- layouts.mlir

// 1-D f32, 4 warps: 16 bytes (4 elements) per thread, 32 lanes, 4 warps.
// CHECK-LABEL: func.func @blocked_1d
// CHECK: tessel.range : tensor<1024xi32, [[B:#tessel_gpu.blocked<sizePerThread = \[4\], threadsPerWarp = \[32\], warpsPerCTA = \[4\], order = \[0\]>]]>
// CHECK: tessel.splat %{{.*}} : !tessel.ptr<f32> -> tensor<1024x!tessel.ptr<f32>, [[B]]>
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : tensor<1024xi32, [[B]]>
// CHECK: tessel.load %{{.*}}, %{{.*}} : tensor<1024x!tessel.ptr<f32>, [[B]]>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : tensor<1024xf32, [[B]]>
// CHECK: tessel.store %{{.*}}, %{{.*}}, %{{.*}} : tensor<1024x!tessel.ptr<f32>, [[B]]>
// CHECK-NOT: tessel_gpu.convert_layout
func.func @blocked_1d(%x: !tessel.ptr<f32>, %n: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %r = tessel.range : tensor<1024xi32>
  %xb = tessel.splat %x : !tessel.ptr<f32> -> tensor<1024x!tessel.ptr<f32>>
  %xp = tessel.addptr %xb, %r : tensor<1024x!tessel.ptr<f32>>, tensor<1024xi32>
  %ns = tessel.splat %n : i32 -> tensor<1024xi32>
  %m = arith.cmpi slt, %r, %ns : tensor<1024xi32>
  %v = tessel.load %xp, %m : tensor<1024x!tessel.ptr<f32>>
  %w = arith.mulf %v, %v : tensor<1024xf32>
  tessel.store %xp, %w, %m : tensor<1024x!tessel.ptr<f32>>
  return
}

// -----

// 2-D: row-major, 16 bytes along the last dimension; bf16 packs 8 per thread.
// num_warps comes from the kernel attribute.
// CHECK-LABEL: func.func @blocked_2d
// CHECK: tensor<64x64x!tessel.ptr<f32>, #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>>
// CHECK: tensor<64x64x!tessel.ptr<bf16>, #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [4, 8], warpsPerCTA = [4, 1], order = [1, 0]>>
// CHECK: tensor<16x256x!tessel.ptr<f16>, #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [1, 32], warpsPerCTA = [4, 1], order = [1, 0]>>
func.func @blocked_2d(%f: !tessel.ptr<f32>, %b: !tessel.ptr<bf16>, %h: !tessel.ptr<f16>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %pf = tessel.splat %f : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>>
  %vf = tessel.load %pf : tensor<64x64x!tessel.ptr<f32>>
  tessel.store %pf, %vf : tensor<64x64x!tessel.ptr<f32>>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<64x64x!tessel.ptr<bf16>>
  %vb = tessel.load %pb : tensor<64x64x!tessel.ptr<bf16>>
  tessel.store %pb, %vb : tensor<64x64x!tessel.ptr<bf16>>
  %ph = tessel.splat %h : !tessel.ptr<f16> -> tensor<16x256x!tessel.ptr<f16>>
  %vh = tessel.load %ph : tensor<16x256x!tessel.ptr<f16>>
  tessel.store %ph, %vh : tensor<16x256x!tessel.ptr<f16>>
  return
}

// -----

// The accumulator of a dot lives in mma fragments: its initial value, the
// loop-carried value and the loop result follow it; the epilogue's pointers
// follow the stored value; the operands keep their blocked layouts.
// CHECK-LABEL: func.func @mma_loop
// CHECK: %[[INIT:.*]] = tessel.splat %{{.*}} : f32 -> tensor<64x64xf32, [[MMA:#tessel_gpu.mma<version = 2, warpsPerCTA = \[2, 2\]>]]>
// CHECK: %[[PA:.*]] = tessel.splat %{{.*}} : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>, [[BA:#tessel_gpu.blocked<sizePerThread = \[1, 8\], threadsPerWarp = \[8, 4\], warpsPerCTA = \[4, 1\], order = \[1, 0\]>]]>
// CHECK: %[[PB:.*]] = tessel.splat %{{.*}} : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>, [[BB:#tessel_gpu.blocked<sizePerThread = \[1, 8\], threadsPerWarp = \[4, 8\], warpsPerCTA = \[4, 1\], order = \[1, 0\]>]]>
// CHECK: %[[FOR:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<64x64xf32, [[MMA]]>) {
// CHECK:   %[[A:.*]] = tessel.load %[[PA]] : tensor<64x32x!tessel.ptr<bf16>, [[BA]]>
// CHECK:   %[[B:.*]] = tessel.load %[[PB]] : tensor<32x64x!tessel.ptr<bf16>, [[BB]]>
// CHECK:   %[[D:.*]] = tessel.dot %[[A]], %[[B]], %[[ACC]] : tensor<64x32xbf16, [[BA]]>, tensor<32x64xbf16, [[BB]]> -> tensor<64x64xf32, [[MMA]]>
// CHECK:   scf.yield %[[D]] : tensor<64x64xf32, [[MMA]]>
// CHECK: %[[PC:.*]] = tessel.splat %{{.*}} : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>, [[MMA]]>
// CHECK: tessel.store %[[PC]], %[[FOR]] : tensor<64x64x!tessel.ptr<f32>, [[MMA]]>
// CHECK-NOT: tessel_gpu.convert_layout
func.func @mma_loop(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %c: !tessel.ptr<f32>, %k: index) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z : f32 -> tensor<64x64xf32>
  %pa = tessel.splat %a : !tessel.ptr<bf16> -> tensor<64x32x!tessel.ptr<bf16>>
  %pb = tessel.splat %b : !tessel.ptr<bf16> -> tensor<32x64x!tessel.ptr<bf16>>
  %acc = scf.for %i = %c0 to %k step %c32 iter_args(%x = %acc0) -> (tensor<64x64xf32>) {
    %ta = tessel.load %pa : tensor<64x32x!tessel.ptr<bf16>>
    %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<bf16>>
    %d = tessel.dot %ta, %tb, %x : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
    scf.yield %d : tensor<64x64xf32>
  }
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>>
  tessel.store %pc, %acc : tensor<64x64x!tessel.ptr<f32>>
  return
}

// -----

// 8 warps over a 128x64 accumulator: split M (the longer side) first, then N.
// CHECK-LABEL: func.func @mma_8_warps
// CHECK: tessel.dot {{.*}} -> tensor<128x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [4, 2]>>
func.func @mma_8_warps(%a: !tessel.ptr<f16>, %b: !tessel.ptr<f16>) attributes {tessel.kernel, tessel.num_warps = 8 : i64} {
  %pa = tessel.splat %a : !tessel.ptr<f16> -> tensor<128x32x!tessel.ptr<f16>>
  %pb = tessel.splat %b : !tessel.ptr<f16> -> tensor<32x64x!tessel.ptr<f16>>
  %ta = tessel.load %pa : tensor<128x32x!tessel.ptr<f16>>
  %tb = tessel.load %pb : tensor<32x64x!tessel.ptr<f16>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<128x64xf32>
  %d = tessel.dot %ta, %tb, %acc : tensor<128x32xf16>, tensor<32x64xf16> -> tensor<128x64xf32>
  return
}

// -----

// A 1-D tile that is expanded takes the slice of the 2-D layout it goes into.
// CHECK-LABEL: func.func @slice_for_expand_dims
// CHECK: %[[R:.*]] = tessel.range : tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = [[B:#tessel_gpu.blocked<sizePerThread = \[1, 4\], threadsPerWarp = \[2, 16\], warpsPerCTA = \[4, 1\], order = \[1, 0\]>]]>>
// CHECK: tessel.expand_dims %[[R]] {axis = 1 : i32} : tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = [[B]]>> -> tensor<64x1xi32, [[B]]>
// CHECK: tessel.broadcast %{{.*}} : tensor<64x1xi32, [[B]]> -> tensor<64x64xi32, [[B]]>
// CHECK-NOT: tessel_gpu.convert_layout
func.func @slice_for_expand_dims(%p: !tessel.ptr<i32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %r = tessel.range : tensor<64xi32>
  %e = tessel.expand_dims %r {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  %b = tessel.broadcast %e : tensor<64x1xi32> -> tensor<64x64xi32>
  %pb = tessel.splat %p : !tessel.ptr<i32> -> tensor<64x64x!tessel.ptr<i32>>
  tessel.store %pb, %b : tensor<64x64x!tessel.ptr<i32>>
  return
}

// -----

// A reduce yields the slice of its source's layout along the reduced axis;
// where its user wants another layout, a convert_layout follows the reduce.
// CHECK-LABEL: func.func @reduce_then_store
// CHECK: %[[V:.*]] = tessel.load %{{.*}} : tensor<32x128x!tessel.ptr<f32>, [[B2:#tessel_gpu.blocked<sizePerThread = \[1, 4\], threadsPerWarp = \[1, 32\], warpsPerCTA = \[4, 1\], order = \[1, 0\]>]]>
// CHECK: %[[S:.*]] = tessel.reduce max %[[V]] {abs, axis = 1 : i32} : tensor<32x128xf32, [[B2]]> -> tensor<32xf32, #tessel_gpu.slice<dim = 1, parent = [[B2]]>>
// CHECK: %[[C:.*]] = tessel_gpu.convert_layout %[[S]] : tensor<32xf32, #tessel_gpu.slice<dim = 1, parent = [[B2]]>> -> tensor<32xf32, [[B1:#tessel_gpu.blocked<sizePerThread = \[4\], threadsPerWarp = \[32\], warpsPerCTA = \[4\], order = \[0\]>]]>
// CHECK: tessel.store %{{.*}}, %[[C]] : tensor<32x!tessel.ptr<f32>, [[B1]]>
func.func @reduce_then_store(%x: !tessel.ptr<f32>, %out: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<32x128x!tessel.ptr<f32>>
  %v = tessel.load %px : tensor<32x128x!tessel.ptr<f32>>
  %s = tessel.reduce max %v {axis = 1 : i32, abs} : tensor<32x128xf32> -> tensor<32xf32>
  %r = tessel.range : tensor<32xi32>
  %po = tessel.splat %out : !tessel.ptr<f32> -> tensor<32x!tessel.ptr<f32>>
  %pp = tessel.addptr %po, %r : tensor<32x!tessel.ptr<f32>>, tensor<32xi32>
  tessel.store %pp, %s : tensor<32x!tessel.ptr<f32>>
  return
}

// -----

// A reduce whose result is expanded back along the same axis needs no
// conversion: the slice is exactly what expand_dims wants.
// CHECK-LABEL: func.func @reduce_then_expand
// CHECK: %[[S:.*]] = tessel.reduce sum %{{.*}} {axis = 0 : i32} : tensor<64x64xf32, [[B:#tessel_gpu.blocked<[^>]*>]]> -> tensor<64xf32, #tessel_gpu.slice<dim = 0, parent = [[B]]>>
// CHECK: tessel.expand_dims %[[S]] {axis = 0 : i32} : tensor<64xf32, #tessel_gpu.slice<dim = 0, parent = [[B]]>> -> tensor<1x64xf32, [[B]]>
// CHECK-NOT: tessel_gpu.convert_layout
func.func @reduce_then_expand(%x: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %px = tessel.splat %x : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>>
  %v = tessel.load %px : tensor<64x64x!tessel.ptr<f32>>
  %s = tessel.reduce sum %v {axis = 0 : i32} : tensor<64x64xf32> -> tensor<64xf32>
  %e = tessel.expand_dims %s {axis = 0 : i32} : tensor<64xf32> -> tensor<1x64xf32>
  %b = tessel.broadcast %e : tensor<1x64xf32> -> tensor<64x64xf32>
  %d = arith.subf %v, %b : tensor<64x64xf32>
  tessel.store %px, %d : tensor<64x64x!tessel.ptr<f32>>
  return
}

// -----

// A loaded tile needed as both slices of one layout cannot be recomputed:
// one use goes through a convert_layout.
// CHECK-LABEL: func.func @convert_loaded_tile
// CHECK: %[[V:.*]] = tessel.load %{{.*}} : tensor<64x!tessel.ptr<f32>, #tessel_gpu.slice<dim = 1, parent = [[B:#tessel_gpu.blocked<[^>]*>]]>>
// CHECK: %[[C:.*]] = tessel_gpu.convert_layout %[[V]] : tensor<64xf32, #tessel_gpu.slice<dim = 1, parent = [[B]]>> -> tensor<64xf32, #tessel_gpu.slice<dim = 0, parent = [[B]]>>
// CHECK: tessel.expand_dims %[[C]] {axis = 0 : i32}
// CHECK: tessel.expand_dims %[[V]] {axis = 1 : i32}
func.func @convert_loaded_tile(%p: !tessel.ptr<f32>, %q: !tessel.ptr<f32>) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %r = tessel.range : tensor<64xi32>
  %pb = tessel.splat %p : !tessel.ptr<f32> -> tensor<64x!tessel.ptr<f32>>
  %pp = tessel.addptr %pb, %r : tensor<64x!tessel.ptr<f32>>, tensor<64xi32>
  %v = tessel.load %pp : tensor<64x!tessel.ptr<f32>>
  %e0 = tessel.expand_dims %v {axis = 0 : i32} : tensor<64xf32> -> tensor<1x64xf32>
  %e1 = tessel.expand_dims %v {axis = 1 : i32} : tensor<64xf32> -> tensor<64x1xf32>
  %b0 = tessel.broadcast %e0 : tensor<1x64xf32> -> tensor<64x64xf32>
  %b1 = tessel.broadcast %e1 : tensor<64x1xf32> -> tensor<64x64xf32>
  %s = arith.addf %b0, %b1 : tensor<64x64xf32>
  %qb = tessel.splat %q : !tessel.ptr<f32> -> tensor<64x64x!tessel.ptr<f32>>
  tessel.store %qb, %s : tensor<64x64x!tessel.ptr<f32>>
  return
}

// -----

// The same with a range: index arithmetic is cloned in the second layout
// instead of going through shared memory.
// CHECK-LABEL: func.func @rematerialize_range
// CHECK-NOT: tessel_gpu.convert_layout
// CHECK-DAG: %[[R1:.*]] = tessel.range : tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = [[B:#tessel_gpu.blocked<[^>]*>]]>>
// CHECK-DAG: %[[R0:.*]] = tessel.range : tensor<64xi32, #tessel_gpu.slice<dim = 0, parent = [[B]]>>
// CHECK-DAG: %[[S1:.*]] = tessel.splat %{{.*}} : i32 -> tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = [[B]]>>
// CHECK-DAG: %[[S0:.*]] = tessel.splat %{{.*}} : i32 -> tensor<64xi32, #tessel_gpu.slice<dim = 0, parent = [[B]]>>
// CHECK-DAG: %[[A1:.*]] = arith.addi %[[R1]], %[[S1]] : tensor<64xi32, #tessel_gpu.slice<dim = 1, parent = [[B]]>>
// CHECK-DAG: %[[A0:.*]] = arith.addi %[[R0]], %[[S0]] : tensor<64xi32, #tessel_gpu.slice<dim = 0, parent = [[B]]>>
// CHECK-DAG: tessel.expand_dims %[[A0]] {axis = 0 : i32}
// CHECK-DAG: tessel.expand_dims %[[A1]] {axis = 1 : i32}
// CHECK-NOT: tessel_gpu.convert_layout
func.func @rematerialize_range(%q: !tessel.ptr<i32>, %o: i32) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  %r = tessel.range : tensor<64xi32>
  %os = tessel.splat %o : i32 -> tensor<64xi32>
  %v = arith.addi %r, %os : tensor<64xi32>
  %e0 = tessel.expand_dims %v {axis = 0 : i32} : tensor<64xi32> -> tensor<1x64xi32>
  %e1 = tessel.expand_dims %v {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  %b0 = tessel.broadcast %e0 : tensor<1x64xi32> -> tensor<64x64xi32>
  %b1 = tessel.broadcast %e1 : tensor<64x1xi32> -> tensor<64x64xi32>
  %s = arith.addi %b0, %b1 : tensor<64x64xi32>
  %qb = tessel.splat %q : !tessel.ptr<i32> -> tensor<64x64x!tessel.ptr<i32>>
  tessel.store %qb, %s : tensor<64x64x!tessel.ptr<i32>>
  return
}

// -----

// Functions that are not kernels keep their tiles as they are.
// CHECK-LABEL: func.func @not_a_kernel
// CHECK: tessel.range : tensor<64xi32>{{$}}
// CHECK: tessel.load %{{.*}} : tensor<64x!tessel.ptr<f32>>{{$}}
// CHECK-NOT: tessel_gpu
func.func @not_a_kernel(%p: !tessel.ptr<f32>) attributes {tessel.num_warps = 4 : i64} {
  %r = tessel.range : tensor<64xi32>
  %pb = tessel.splat %p : !tessel.ptr<f32> -> tensor<64x!tessel.ptr<f32>>
  %pp = tessel.addptr %pb, %r : tensor<64x!tessel.ptr<f32>>, tensor<64xi32>
  %v = tessel.load %pp : tensor<64x!tessel.ptr<f32>>
  return
}

//--- errors.mlir

// expected-error @+1 {{'func.func' op has no tessel.num_warps; run tessel-specialize first}}
func.func @unspecialized() attributes {tessel.kernel} {
  return
}

// -----

func.func @dynamic(%n: index) attributes {tessel.kernel, tessel.num_warps = 4 : i64} {
  // expected-error @+1 {{'tessel.range' op has a dynamic tile 'tensor<?xi32>'; run tessel-specialize first}}
  %r = tessel.range %n : tensor<?xi32>
  return
}
