// Every tessel op and the !tessel.ptr type, in static and `?` forms, survive
// parse -> print -> parse (and the generic form) unchanged.
// RUN: tessel-opt %s -split-input-file | tessel-opt -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -mlir-print-op-generic | tessel-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @param
// CHECK: tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
// CHECK: tessel.param "BARE" : index
// CHECK: tessel.param "ONLY_DEFAULT" {default_value = 8 : i64} : index
// CHECK: tessel.param "ONLY_VALUES" {values = array<i64: 1, 2>} : index
func.func @param() -> (index, index, index, index) {
  %0 = tessel.param "BLOCK_M" {default_value = 64 : i64, values = array<i64: 32, 64, 128>} : index
  %1 = tessel.param "BARE" : index
  %2 = tessel.param "ONLY_DEFAULT" {default_value = 8 : i64} : index
  %3 = tessel.param "ONLY_VALUES" {values = array<i64: 1, 2>} : index
  return %0, %1, %2, %3 : index, index, index, index
}

// -----

// CHECK-LABEL: func.func @program_ids
// CHECK: tessel.program_id 0 : i32
// CHECK: tessel.program_id 2 : i32
// CHECK: tessel.num_programs 1 : i32
func.func @program_ids() -> (i32, i32, i32) {
  %0 = tessel.program_id 0 : i32
  %1 = tessel.program_id 2 : i32
  %2 = tessel.num_programs 1 : i32
  return %0, %1, %2 : i32, i32, i32
}

// -----

// CHECK-LABEL: func.func @range
// CHECK-SAME: (%[[N:.*]]: index)
// CHECK: tessel.range : tensor<128xi32>
// CHECK: tessel.range %[[N]] : tensor<?xi32>
func.func @range(%n: index) -> (tensor<128xi32>, tensor<?xi32>) {
  %0 = tessel.range : tensor<128xi32>
  %1 = tessel.range %n : tensor<?xi32>
  return %0, %1 : tensor<128xi32>, tensor<?xi32>
}

// -----

// CHECK-LABEL: func.func @splat
// CHECK-SAME: (%[[X:.*]]: f32, %[[P:.*]]: !tessel.ptr<bf16>, %[[M:.*]]: index, %[[N:.*]]: index)
// CHECK: tessel.splat %[[X]] : f32 -> tensor<16x32xf32>
// CHECK: tessel.splat %[[X]][%[[M]], %[[N]]] : f32 -> tensor<?x?xf32>
// CHECK: tessel.splat %[[X]][%[[N]]] : f32 -> tensor<4x?xf32>
// CHECK: tessel.splat %[[P]] : !tessel.ptr<bf16> -> tensor<64x!tessel.ptr<bf16>>
// CHECK: tessel.splat %[[P]][%[[M]]] : !tessel.ptr<bf16> -> tensor<?x!tessel.ptr<bf16>>
func.func @splat(%x: f32, %p: !tessel.ptr<bf16>, %m: index, %n: index) {
  %0 = tessel.splat %x : f32 -> tensor<16x32xf32>
  %1 = tessel.splat %x [%m, %n] : f32 -> tensor<?x?xf32>
  %2 = tessel.splat %x [%n] : f32 -> tensor<4x?xf32>
  %3 = tessel.splat %p : !tessel.ptr<bf16> -> tensor<64x!tessel.ptr<bf16>>
  %4 = tessel.splat %p [%m] : !tessel.ptr<bf16> -> tensor<?x!tessel.ptr<bf16>>
  return
}

// -----

// CHECK-LABEL: func.func @trans
// CHECK: tessel.trans %{{.*}} : tensor<64x32xbf16> -> tensor<32x64xbf16>
// CHECK: tessel.trans %{{.*}} : tensor<?x?xf32> -> tensor<?x?xf32>
func.func @trans(%a: tensor<64x32xbf16>, %b: tensor<?x?xf32>) {
  %0 = tessel.trans %a : tensor<64x32xbf16> -> tensor<32x64xbf16>
  %1 = tessel.trans %b : tensor<?x?xf32> -> tensor<?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @broadcast_expand_dims
// CHECK: %[[E0:.*]] = tessel.expand_dims %{{.*}} {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
// CHECK: %[[E1:.*]] = tessel.expand_dims %{{.*}} {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
// CHECK: tessel.broadcast %[[E0]] : tensor<64x1xi32> -> tensor<64x32xi32>
// CHECK: tessel.broadcast %[[E1]][%{{.*}}, %{{.*}}] : tensor<1x?xi32> -> tensor<?x?xi32>
// CHECK: tessel.broadcast %{{.*}} : tensor<64x1xi1> -> tensor<64x32xi1>
func.func @broadcast_expand_dims(%a: tensor<64xi32>, %b: tensor<?xi32>, %m: index, %n: index,
                                 %c: tensor<64x1xi1>) {
  %0 = tessel.expand_dims %a {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  %1 = tessel.expand_dims %b {axis = 0 : i32} : tensor<?xi32> -> tensor<1x?xi32>
  %2 = tessel.broadcast %0 : tensor<64x1xi32> -> tensor<64x32xi32>
  %3 = tessel.broadcast %1 [%m, %n] : tensor<1x?xi32> -> tensor<?x?xi32>
  %4 = tessel.broadcast %c : tensor<64x1xi1> -> tensor<64x32xi1>
  return
}

// -----

// CHECK-LABEL: func.func @addptr
// CHECK: tessel.addptr %{{.*}}, %{{.*}} : !tessel.ptr<f32>, i32
// CHECK: tessel.addptr %{{.*}}, %{{.*}} : !tessel.ptr<i8>, i64
// CHECK: tessel.addptr %{{.*}}, %{{.*}} : tensor<64x!tessel.ptr<f32>>, tensor<64xi32>
// CHECK: tessel.addptr %{{.*}}, %{{.*}} : tensor<?x?x!tessel.ptr<f16>>, tensor<?x?xi64>
func.func @addptr(%p: !tessel.ptr<f32>, %q: !tessel.ptr<i8>, %i: i32, %l: i64,
                  %pt: tensor<64x!tessel.ptr<f32>>, %ot: tensor<64xi32>,
                  %pd: tensor<?x?x!tessel.ptr<f16>>, %od: tensor<?x?xi64>) {
  %0 = tessel.addptr %p, %i : !tessel.ptr<f32>, i32
  %1 = tessel.addptr %q, %l : !tessel.ptr<i8>, i64
  %2 = tessel.addptr %pt, %ot : tensor<64x!tessel.ptr<f32>>, tensor<64xi32>
  %3 = tessel.addptr %pd, %od : tensor<?x?x!tessel.ptr<f16>>, tensor<?x?xi64>
  return
}

// -----

// CHECK-LABEL: func.func @load_store
// CHECK-SAME: (%[[P:[^:]*]]: tensor<64x!tessel.ptr<f32>>, %[[M:[^:]*]]: tensor<64xi1>, %[[O:[^:]*]]: tensor<64xf32>, %[[PD:[^:]*]]: tensor<?x!tessel.ptr<bf16>>, %[[MD:[^:]*]]: tensor<?xi1>)
// CHECK: %[[L0:.*]] = tessel.load %[[P]] : tensor<64x!tessel.ptr<f32>>
// CHECK: tessel.load %[[P]], %[[M]] : tensor<64x!tessel.ptr<f32>>
// CHECK: tessel.load %[[P]], %[[M]], %[[O]] : tensor<64x!tessel.ptr<f32>>
// CHECK: %[[L3:.*]] = tessel.load %[[PD]], %[[MD]] : tensor<?x!tessel.ptr<bf16>>
// CHECK: tessel.store %[[P]], %[[L0]] : tensor<64x!tessel.ptr<f32>>
// CHECK: tessel.store %[[P]], %[[L0]], %[[M]] : tensor<64x!tessel.ptr<f32>>
// CHECK: tessel.store %[[PD]], %[[L3]], %[[MD]] : tensor<?x!tessel.ptr<bf16>>
func.func @load_store(%p: tensor<64x!tessel.ptr<f32>>, %m: tensor<64xi1>, %o: tensor<64xf32>,
                      %pd: tensor<?x!tessel.ptr<bf16>>, %md: tensor<?xi1>) {
  %0 = tessel.load %p : tensor<64x!tessel.ptr<f32>>
  %1 = tessel.load %p, %m : tensor<64x!tessel.ptr<f32>>
  %2 = tessel.load %p, %m, %o : tensor<64x!tessel.ptr<f32>>
  %3 = tessel.load %pd, %md : tensor<?x!tessel.ptr<bf16>>
  tessel.store %p, %0 : tensor<64x!tessel.ptr<f32>>
  tessel.store %p, %0, %m : tensor<64x!tessel.ptr<f32>>
  tessel.store %pd, %3, %md : tensor<?x!tessel.ptr<bf16>>
  return
}

// -----

// CHECK-LABEL: func.func @dot
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<128x32xbf16>, tensor<32x64xbf16> -> tensor<128x64xf32>
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x16xf16>, tensor<16x16xf16> -> tensor<16x16xf32>
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<32x32xf8E4M3FN>, tensor<32x32xf8E4M3FN> -> tensor<32x32xf32>
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<32x32xf8E5M2>, tensor<32x32xf8E5M2> -> tensor<32x32xf32>
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x16xf32>, tensor<16x16xf32> -> tensor<16x16xf32>
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
func.func @dot(%a: tensor<128x32xbf16>, %b: tensor<32x64xbf16>, %c: tensor<128x64xf32>,
               %h: tensor<16x16xf16>, %c16: tensor<16x16xf32>,
               %e4: tensor<32x32xf8E4M3FN>, %e5: tensor<32x32xf8E5M2>, %c32: tensor<32x32xf32>,
               %ad: tensor<?x?xbf16>, %bd: tensor<?x?xbf16>, %cd: tensor<?x?xf32>) {
  %0 = tessel.dot %a, %b, %c : tensor<128x32xbf16>, tensor<32x64xbf16> -> tensor<128x64xf32>
  %1 = tessel.dot %h, %h, %c16 : tensor<16x16xf16>, tensor<16x16xf16> -> tensor<16x16xf32>
  %2 = tessel.dot %e4, %e4, %c32 : tensor<32x32xf8E4M3FN>, tensor<32x32xf8E4M3FN> -> tensor<32x32xf32>
  %3 = tessel.dot %e5, %e5, %c32 : tensor<32x32xf8E5M2>, tensor<32x32xf8E5M2> -> tensor<32x32xf32>
  %4 = tessel.dot %c16, %c16, %c16 : tensor<16x16xf32>, tensor<16x16xf32> -> tensor<16x16xf32>
  %5 = tessel.dot %ad, %bd, %cd : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @reduce
// CHECK: tessel.reduce sum %{{.*}} {axis = 1 : i32} : tensor<64x32xf32> -> tensor<64xf32>
// CHECK: tessel.reduce max %{{.*}} {axis = 0 : i32} : tensor<64x32xf32> -> tensor<32xf32>
// CHECK: tessel.reduce min %{{.*}} {abs, axis = 1 : i32} : tensor<64x32xf32> -> tensor<64xf32>
// CHECK: tessel.reduce sum %{{.*}} {abs, axis = 0 : i32} : tensor<?x?xbf16> -> tensor<?xbf16>
func.func @reduce(%x: tensor<64x32xf32>, %d: tensor<?x?xbf16>) {
  %0 = tessel.reduce sum %x {axis = 1 : i32} : tensor<64x32xf32> -> tensor<64xf32>
  %1 = tessel.reduce max %x {axis = 0 : i32} : tensor<64x32xf32> -> tensor<32xf32>
  %2 = tessel.reduce min %x {axis = 1 : i32, abs} : tensor<64x32xf32> -> tensor<64xf32>
  %3 = tessel.reduce sum %d {axis = 0 : i32, abs} : tensor<?x?xbf16> -> tensor<?xbf16>
  return
}

// -----

// The pointer type over every scalar it may point to, and as a kernel argument.
// CHECK-LABEL: func.func @ptr_types
// CHECK-SAME: !tessel.ptr<i1>, %{{.*}}: !tessel.ptr<i8>, %{{.*}}: !tessel.ptr<i32>, %{{.*}}: !tessel.ptr<i64>, %{{.*}}: !tessel.ptr<f16>,
// CHECK-SAME: !tessel.ptr<bf16>, %{{.*}}: !tessel.ptr<f32>, %{{.*}}: !tessel.ptr<f64>, %{{.*}}: !tessel.ptr<f8E4M3FN>)
// CHECK-SAME: attributes {tessel.kernel}
func.func @ptr_types(%a: !tessel.ptr<i1>, %b: !tessel.ptr<i8>, %c: !tessel.ptr<i32>,
                     %d: !tessel.ptr<i64>, %e: !tessel.ptr<f16>, %f: !tessel.ptr<bf16>,
                     %g: !tessel.ptr<f32>, %h: !tessel.ptr<f64>, %i: !tessel.ptr<f8E4M3FN>)
    attributes {tessel.kernel} {
  return
}

// -----

// CHECK-LABEL: func.func @block_load
// CHECK: tessel.block_load %arg0[%arg1, %arg2] shape [%arg3, %arg4] strides [%arg5, %{{.*}}] sizes [%{{.*}}, %{{.*}}] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
// CHECK: tessel.block_load %arg0[%arg1, %arg2, %arg1] shape [%arg3, %arg4, %arg4] strides [%arg5, %arg5, %{{.*}}] : !tessel.ptr<bf16> -> tensor<64x32xbf16>
func.func @block_load(%p: !tessel.ptr<bf16>, %r: i32, %c: i32, %M: i32, %N: i32, %ld: i32) -> (tensor<?x?xbf16>, tensor<64x32xbf16>) {
  %one = arith.constant 1 : i32
  %bm = arith.constant 64 : index
  %bk = arith.constant 32 : index
  %0 = tessel.block_load %p[%r, %c] shape [%M, %N] strides [%ld, %one] sizes [%bm, %bk] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
  %1 = tessel.block_load %p[%r, %c, %r] shape [%M, %N, %N] strides [%ld, %ld, %one] : !tessel.ptr<bf16> -> tensor<64x32xbf16>
  return %0, %1 : tensor<?x?xbf16>, tensor<64x32xbf16>
}

// -----

// CHECK-LABEL: func.func @block_store
// CHECK: tessel.block_store %arg0[%arg1, %arg2] shape [%arg3, %arg4] strides [%arg5, %{{.*}}], %arg6 : !tessel.ptr<bf16>, tensor<64x32xbf16>
// CHECK: tessel.block_store %arg0[%arg1, %arg2, %arg1] shape [%arg3, %arg4, %arg4] strides [%arg5, %{{.*}}, %arg5], %arg6 : !tessel.ptr<bf16>, tensor<64x32xbf16>
func.func @block_store(%p: !tessel.ptr<bf16>, %r: i32, %c: i32, %M: i32, %N: i32, %ld: i32, %x: tensor<64x32xbf16>) {
  %one = arith.constant 1 : i32
  tessel.block_store %p[%r, %c] shape [%M, %N] strides [%ld, %one], %x : !tessel.ptr<bf16>, tensor<64x32xbf16>
  tessel.block_store %p[%r, %c, %r] shape [%M, %N, %N] strides [%ld, %one, %ld], %x : !tessel.ptr<bf16>, tensor<64x32xbf16>
  return
}

// -----

// A box split in two halves along the tile's columns (second_half).
// CHECK-LABEL: func.func @second_half
// CHECK: tessel.block_load %arg0[%arg1, %arg2] shape [%arg3, %arg4] strides [%arg5, %{{.*}}] sizes [%{{.*}}, %{{.*}}] second_half [%arg6] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
// CHECK: tessel.block_load %arg0[%arg1, %arg2] shape [%arg3, %arg4] strides [%arg5, %{{.*}}] second_half [%arg6] : !tessel.ptr<bf16> -> tensor<64x32xbf16>
// CHECK: tessel.block_store %arg0[%arg1, %arg2] shape [%arg3, %arg4] strides [%{{.*}}, %arg5], %{{.*}} second_half [%arg6] : !tessel.ptr<bf16>, tensor<64x32xbf16>
func.func @second_half(%p: !tessel.ptr<bf16>, %r: i32, %c: i32, %M: i32, %N: i32, %ld: i32, %c2: i32) {
  %one = arith.constant 1 : i32
  %bm = arith.constant 64 : index
  %bk = arith.constant 32 : index
  %0 = tessel.block_load %p[%r, %c] shape [%M, %N] strides [%ld, %one] sizes [%bm, %bk] second_half [%c2] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
  %1 = tessel.block_load %p[%r, %c] shape [%M, %N] strides [%ld, %one] second_half [%c2] : !tessel.ptr<bf16> -> tensor<64x32xbf16>
  tessel.block_store %p[%r, %c] shape [%M, %N] strides [%one, %ld], %1 second_half [%c2] : !tessel.ptr<bf16>, tensor<64x32xbf16>
  return
}

// -----

// CHECK-LABEL: func.func @signal_wait
// CHECK: tessel.wait %arg0[%arg1], %{{.*}} : !tessel.ptr<i32>
// CHECK: tessel.signal %arg0[%arg1], %{{.*}} : !tessel.ptr<i32>
func.func @signal_wait(%flags: !tessel.ptr<i32>, %slot: i32) {
  %one = arith.constant 1 : i32
  %zero = arith.constant 0 : i32
  tessel.wait %flags[%slot], %one : !tessel.ptr<i32>
  tessel.signal %flags[%slot], %zero : !tessel.ptr<i32>
  return
}
