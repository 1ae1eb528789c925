// Every verifier message of the tessel dialect (TesselDialect.cpp), every
// parser error of load/store, and the ODS constraints a kernel author can hit.
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// !tessel.ptr
//===----------------------------------------------------------------------===//

// expected-error @+1 {{!tessel.ptr must point to an integer or float scalar, not 'index'}}
func.func @ptr_to_index(%p: !tessel.ptr<index>) {
  return
}

// -----

// expected-error @+1 {{!tessel.ptr must point to an integer or float scalar, not 'tensor<4xf32>'}}
func.func @ptr_to_tensor(%p: !tessel.ptr<tensor<4xf32>>) {
  return
}

// -----

// expected-error @+1 {{!tessel.ptr must point to an integer or float scalar, not '!tessel.ptr<f32>'}}
func.func @ptr_to_ptr(%p: !tessel.ptr<!tessel.ptr<f32>>) {
  return
}

//===----------------------------------------------------------------------===//
// tessel.param
//===----------------------------------------------------------------------===//

// -----

func.func @param_empty_name() {
  // expected-error @+1 {{'tessel.param' op needs a non-empty name}}
  %0 = tessel.param "" : index
  return
}

// -----

func.func @param_no_values() {
  // expected-error @+1 {{'tessel.param' op lists no values for 'B'}}
  %0 = tessel.param "B" {values = array<i64>} : index
  return
}

// -----

func.func @param_value_not_positive() {
  // expected-error @+1 {{'tessel.param' op value 0 of 'B' is not positive}}
  %0 = tessel.param "B" {values = array<i64: 16, 0>} : index
  return
}

// -----

func.func @param_default_not_listed() {
  // expected-error @+1 {{'tessel.param' op default 48 of 'B' is not among its values}}
  %0 = tessel.param "B" {default_value = 48 : i64, values = array<i64: 32, 64>} : index
  return
}

// -----

func.func @param_default_not_positive() {
  // expected-error @+1 {{'tessel.param' op default 0 of 'B' is not positive}}
  %0 = tessel.param "B" {default_value = 0 : i64} : index
  return
}

// -----

func.func @param_not_index() {
  // expected-error @+1 {{custom op 'tessel.param' invalid kind of type specified: expected builtin.index, but found 'i32'}}
  %0 = tessel.param "B" {default_value = 4 : i64} : i32
  return
}

//===----------------------------------------------------------------------===//
// tessel.program_id / tessel.num_programs
//===----------------------------------------------------------------------===//

// -----

func.func @program_id_axis_too_large() {
  // expected-error @+1 {{'tessel.program_id' op attribute 'axis' failed to satisfy constraint: 32-bit signless integer attribute whose minimum value is 0 whose maximum value is 2}}
  %0 = tessel.program_id 3 : i32
  return
}

// -----

func.func @program_id_axis_negative() {
  // expected-error @+1 {{'tessel.program_id' op attribute 'axis' failed to satisfy constraint}}
  %0 = tessel.program_id -1 : i32
  return
}

// -----

func.func @program_id_not_i32() {
  // expected-error @+1 {{custom op 'tessel.program_id' invalid kind of type specified: expected builtin.integer, but found 'index'}}
  %0 = tessel.program_id 0 : index
  return
}

// -----

func.func @num_programs_axis_too_large() {
  // expected-error @+1 {{'tessel.num_programs' op attribute 'axis' failed to satisfy constraint}}
  %0 = tessel.num_programs 7 : i32
  return
}

//===----------------------------------------------------------------------===//
// tessel.range
//===----------------------------------------------------------------------===//

// -----

func.func @range_not_pow2() {
  // expected-error @+1 {{'tessel.range' op result dimension 0 is 48; tile dimensions must be powers of two}}
  %0 = tessel.range : tensor<48xi32>
  return
}

// -----

func.func @range_zero() {
  // expected-error @+1 {{'tessel.range' op result dimension 0 is 0; tile dimensions must be powers of two}}
  %0 = tessel.range : tensor<0xi32>
  return
}

// -----

func.func @range_missing_size() {
  // expected-error @+1 {{'tessel.range' op has 0 size operand(s) but its result 'tensor<?xi32>' has 1 dynamic dimension(s)}}
  %0 = tessel.range : tensor<?xi32>
  return
}

// -----

func.func @range_extra_size(%n: index) {
  // expected-error @+1 {{'tessel.range' op has 1 size operand(s) but its result 'tensor<64xi32>' has 0 dynamic dimension(s)}}
  %0 = tessel.range %n : tensor<64xi32>
  return
}

// -----

func.func @range_2d() {
  // expected-error @+1 {{'tessel.range' op result #0 must be 1D tensor of 32-bit signless integer values}}
  %0 = tessel.range : tensor<4x4xi32>
  return
}

// -----

func.func @range_i64() {
  // expected-error @+1 {{'tessel.range' op result #0 must be 1D tensor of 32-bit signless integer values}}
  %0 = tessel.range : tensor<8xi64>
  return
}

//===----------------------------------------------------------------------===//
// tessel.splat
//===----------------------------------------------------------------------===//

// -----

func.func @splat_element_type(%x: f32) {
  // expected-error @+1 {{'tessel.splat' op splats 'f32' into a tile of 'i32'}}
  %0 = tessel.splat %x : f32 -> tensor<64xi32>
  return
}

// -----

func.func @splat_ptr_element_type(%p: !tessel.ptr<f32>) {
  // expected-error @+1 {{'tessel.splat' op splats '!tessel.ptr<f32>' into a tile of '!tessel.ptr<bf16>'}}
  %0 = tessel.splat %p : !tessel.ptr<f32> -> tensor<64x!tessel.ptr<bf16>>
  return
}

// -----

func.func @splat_sizes(%x: f32, %n: index) {
  // expected-error @+1 {{'tessel.splat' op has 1 size operand(s) but its result 'tensor<?x?xf32>' has 2 dynamic dimension(s)}}
  %0 = tessel.splat %x [%n] : f32 -> tensor<?x?xf32>
  return
}

// -----

func.func @splat_not_pow2(%x: f32) {
  // expected-error @+1 {{'tessel.splat' op result dimension 1 is 24; tile dimensions must be powers of two}}
  %0 = tessel.splat %x : f32 -> tensor<16x24xf32>
  return
}

// -----

func.func @splat_of_tile(%x: tensor<4xf32>) {
  // expected-error @+1 {{'tessel.splat' op operand #0 must be integer or floating-point or index or}}
  %0 = tessel.splat %x : tensor<4xf32> -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// tessel.broadcast
//===----------------------------------------------------------------------===//

// -----

func.func @broadcast_element_type(%x: tensor<64x1xi32>) {
  // expected-error @+1 {{'tessel.broadcast' op changes the element type from 'i32' to 'f32'}}
  %0 = tessel.broadcast %x : tensor<64x1xi32> -> tensor<64x32xf32>
  return
}

// -----

func.func @broadcast_rank(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.broadcast' op broadcasts rank 1 to rank 2; use tessel.expand_dims to add dimensions}}
  %0 = tessel.broadcast %x : tensor<64xi32> -> tensor<64x32xi32>
  return
}

// -----

func.func @broadcast_non_unit(%x: tensor<4x1xi32>) {
  // expected-error @+1 {{'tessel.broadcast' op dimension 0 of size 4 cannot broadcast to 8}}
  %0 = tessel.broadcast %x : tensor<4x1xi32> -> tensor<8x16xi32>
  return
}

// -----

func.func @broadcast_sizes(%x: tensor<?x1xi32>, %n: index) {
  // expected-error @+1 {{'tessel.broadcast' op has 1 size operand(s) but its result 'tensor<?x?xi32>' has 2 dynamic dimension(s)}}
  %0 = tessel.broadcast %x [%n] : tensor<?x1xi32> -> tensor<?x?xi32>
  return
}

// -----

func.func @broadcast_not_pow2(%x: tensor<1x1xi32>) {
  // expected-error @+1 {{'tessel.broadcast' op result dimension 0 is 3; tile dimensions must be powers of two}}
  %0 = tessel.broadcast %x : tensor<1x1xi32> -> tensor<3x4xi32>
  return
}

//===----------------------------------------------------------------------===//
// tessel.trans
//===----------------------------------------------------------------------===//

// -----

func.func @trans_not_swapped(%x: tensor<64x32xbf16>) {
  // expected-error @+1 {{'tessel.trans' op result 'tensor<64x32xbf16>' is not the transpose of 'tensor<64x32xbf16>'}}
  %0 = tessel.trans %x : tensor<64x32xbf16> -> tensor<64x32xbf16>
  return
}

// -----

func.func @trans_rank_one(%x: tensor<64xf32>) {
  // expected-error @+1 {{'tessel.trans' op transposes 2-D tiles; the source has rank 1}}
  %0 = tessel.trans %x : tensor<64xf32> -> tensor<64xf32>
  return
}

// -----

func.func @trans_element_type(%x: tensor<64x32xbf16>) {
  // expected-error @+1 {{'tessel.trans' op result 'tensor<32x64xf32>' is not the transpose of 'tensor<64x32xbf16>'}}
  %0 = tessel.trans %x : tensor<64x32xbf16> -> tensor<32x64xf32>
  return
}

//===----------------------------------------------------------------------===//
// tessel.expand_dims
//===----------------------------------------------------------------------===//

// -----

func.func @expand_dims_axis_too_large(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.expand_dims' op axis 2 is out of range for rank 1}}
  %0 = tessel.expand_dims %x {axis = 2 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  return
}

// -----

func.func @expand_dims_no_unit(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.expand_dims' op result must be the source with a 1 inserted at axis 0}}
  %0 = tessel.expand_dims %x {axis = 0 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  return
}

// -----

func.func @expand_dims_rank(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.expand_dims' op result must be the source with a 1 inserted at axis 1}}
  %0 = tessel.expand_dims %x {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1x1xi32>
  return
}

// -----

func.func @expand_dims_shape(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.expand_dims' op result 'tensor<32x1xi32>' does not match 'tensor<64xi32>' with a 1 at axis 1}}
  %0 = tessel.expand_dims %x {axis = 1 : i32} : tensor<64xi32> -> tensor<32x1xi32>
  return
}

// -----

func.func @expand_dims_element_type(%x: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.expand_dims' op result 'tensor<64x1xi64>' does not match 'tensor<64xi32>' with a 1 at axis 1}}
  %0 = tessel.expand_dims %x {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi64>
  return
}

//===----------------------------------------------------------------------===//
// tessel.addptr
//===----------------------------------------------------------------------===//

// -----

func.func @addptr_scalar_and_tile(%p: !tessel.ptr<f32>, %o: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.addptr' op pointer and offset must both be scalars or both be tiles}}
  %0 = tessel.addptr %p, %o : !tessel.ptr<f32>, tensor<64xi32>
  return
}

// -----

func.func @addptr_shape(%p: tensor<64x!tessel.ptr<f32>>, %o: tensor<32xi32>) {
  // expected-error @+1 {{'tessel.addptr' op offset shape 'tensor<32xi32>' differs from pointer shape 'tensor<64x!tessel.ptr<f32>>'}}
  %0 = tessel.addptr %p, %o : tensor<64x!tessel.ptr<f32>>, tensor<32xi32>
  return
}

// -----

func.func @addptr_float_offset(%p: !tessel.ptr<f32>, %o: f32) {
  // expected-error @+1 {{'tessel.addptr' op operand #1 must be signless integer or ranked tensor of signless integer values}}
  %0 = tessel.addptr %p, %o : !tessel.ptr<f32>, f32
  return
}

// -----

func.func @addptr_result_type(%p: !tessel.ptr<f32>, %o: i32) {
  // expected-error @+1 {{'tessel.addptr' op failed to verify that all of {ptr, result} have same type}}
  %0 = "tessel.addptr"(%p, %o) : (!tessel.ptr<f32>, i32) -> !tessel.ptr<f16>
  return
}

// -----

func.func @addptr_not_ptr(%p: i64, %o: i32) {
  // expected-error @+1 {{'tessel.addptr' op operand #0 must be}}
  %0 = tessel.addptr %p, %o : i64, i32
  return
}

//===----------------------------------------------------------------------===//
// tessel.load (the custom syntax derives mask/other/result types from the
// pointer type, so type mismatches are reachable through the generic form)
//===----------------------------------------------------------------------===//

// -----

func.func @load_result_type(%p: tensor<64x!tessel.ptr<f32>>) {
  // expected-error @+1 {{'tessel.load' op loads 'f16' through pointers to 'f32'}}
  %0 = "tessel.load"(%p) <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<64x!tessel.ptr<f32>>) -> tensor<64xf16>
  return
}

// -----

func.func @load_result_shape(%p: tensor<64x!tessel.ptr<f32>>) {
  // expected-error @+1 {{'tessel.load' op result shape differs from pointer shape}}
  %0 = "tessel.load"(%p) <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<64x!tessel.ptr<f32>>) -> tensor<32xf32>
  return
}

// -----

func.func @load_mask_shape(%p: tensor<64x!tessel.ptr<f32>>, %m: tensor<32xi1>) {
  // expected-error @+1 {{'tessel.load' op mask 'tensor<32xi1>' does not have the pointers' shape 'tensor<64x!tessel.ptr<f32>>'}}
  %0 = "tessel.load"(%p, %m) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<64x!tessel.ptr<f32>>, tensor<32xi1>) -> tensor<64xf32>
  return
}

// -----

func.func @load_other_without_mask(%p: tensor<64x!tessel.ptr<f32>>, %o: tensor<64xf32>) {
  // expected-error @+1 {{'tessel.load' op 'other' needs a mask}}
  %0 = "tessel.load"(%p, %o) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<64x!tessel.ptr<f32>>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @load_other_type(%p: tensor<64x!tessel.ptr<f32>>, %m: tensor<64xi1>, %o: tensor<64xf16>) {
  // expected-error @+1 {{'tessel.load' op 'other' 'tensor<64xf16>' differs from the result 'tensor<64xf32>'}}
  %0 = "tessel.load"(%p, %m, %o) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<64x!tessel.ptr<f32>>, tensor<64xi1>, tensor<64xf16>) -> tensor<64xf32>
  return
}

// -----

func.func @load_mask_not_i1(%p: tensor<64x!tessel.ptr<f32>>, %m: tensor<64xi32>) {
  // expected-error @+1 {{'tessel.load' op operand #1 must be ranked tensor of 1-bit signless integer values}}
  %0 = "tessel.load"(%p, %m) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<64x!tessel.ptr<f32>>, tensor<64xi32>) -> tensor<64xf32>
  return
}

// -----

func.func @load_not_ptr_tile(%p: !tessel.ptr<f32>) {
  // expected-error @+1 {{tessel.load needs a tile of !tessel.ptr, got '!tessel.ptr<f32>'}}
  %0 = tessel.load %p : !tessel.ptr<f32>
  return
}

// -----

func.func @load_too_many_operands(%p: tensor<64x!tessel.ptr<f32>>, %m: tensor<64xi1>, %o: tensor<64xf32>) {
  // expected-error @+1 {{expected 'tessel.load %ptr[, %mask[, %other]] : tensor<...x!tessel.ptr<T>>'}}
  %0 = tessel.load %p, %m, %o, %o : tensor<64x!tessel.ptr<f32>>
  return
}

// -----

func.func @load_mask_wrong_shape(%p: tensor<64x!tessel.ptr<f32>>, %m: tensor<32xi1>) {
  // expected-note @-1 {{prior use here}}
  // expected-error @+1 {{use of value '%m' expects different type than prior uses: 'tensor<64xi1>' vs 'tensor<32xi1>'}}
  %0 = tessel.load %p, %m : tensor<64x!tessel.ptr<f32>>
  return
}

//===----------------------------------------------------------------------===//
// tessel.store
//===----------------------------------------------------------------------===//

// -----

func.func @store_value_type(%p: tensor<64x!tessel.ptr<f32>>, %v: tensor<64xf16>) {
  // expected-error @+1 {{'tessel.store' op stores 'f16' through pointers to 'f32'}}
  "tessel.store"(%p, %v) : (tensor<64x!tessel.ptr<f32>>, tensor<64xf16>) -> ()
  return
}

// -----

func.func @store_value_shape(%p: tensor<64x!tessel.ptr<f32>>, %v: tensor<32xf32>) {
  // expected-error @+1 {{'tessel.store' op value 'tensor<32xf32>' does not have the pointers' shape 'tensor<64x!tessel.ptr<f32>>'}}
  "tessel.store"(%p, %v) : (tensor<64x!tessel.ptr<f32>>, tensor<32xf32>) -> ()
  return
}

// -----

func.func @store_mask_shape(%p: tensor<64x!tessel.ptr<f32>>, %v: tensor<64xf32>, %m: tensor<32xi1>) {
  // expected-error @+1 {{'tessel.store' op mask 'tensor<32xi1>' does not have the pointers' shape 'tensor<64x!tessel.ptr<f32>>'}}
  "tessel.store"(%p, %v, %m) : (tensor<64x!tessel.ptr<f32>>, tensor<64xf32>, tensor<32xi1>) -> ()
  return
}

// -----

func.func @store_not_ptr_tile(%p: tensor<64xf32>, %v: tensor<64xf32>) {
  // expected-error @+1 {{tessel.store needs a tile of !tessel.ptr, got 'tensor<64xf32>'}}
  tessel.store %p, %v : tensor<64xf32>
  return
}

// -----

func.func @store_missing_value(%p: tensor<64x!tessel.ptr<f32>>) {
  // expected-error @+1 {{expected 'tessel.store %ptr, %value[, %mask] : tensor<...x!tessel.ptr<T>>'}}
  tessel.store %p : tensor<64x!tessel.ptr<f32>>
  return
}

//===----------------------------------------------------------------------===//
// tessel.dot
//===----------------------------------------------------------------------===//

// -----

func.func @dot_rank(%a: tensor<16xbf16>, %b: tensor<16x16xbf16>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op operands must be 2-D tiles}}
  %0 = tessel.dot %a, %b, %c : tensor<16xbf16>, tensor<16x16xbf16> -> tensor<16x16xf32>
  return
}

// -----

func.func @dot_mixed_types(%a: tensor<16x16xbf16>, %b: tensor<16x16xf16>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op operand element types differ: 'bf16' and 'f16'}}
  %0 = tessel.dot %a, %b, %c : tensor<16x16xbf16>, tensor<16x16xf16> -> tensor<16x16xf32>
  return
}

// -----

func.func @dot_f64(%a: tensor<16x16xf64>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op operands of 'f64' are not supported; use bf16, f16, f8E4M3FN, f8E5M2 or f32}}
  %0 = tessel.dot %a, %a, %c : tensor<16x16xf64>, tensor<16x16xf64> -> tensor<16x16xf32>
  return
}

// -----

func.func @dot_integer(%a: tensor<16x16xi8>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op operand #0 must be ranked tensor of floating-point values}}
  %0 = tessel.dot %a, %a, %c : tensor<16x16xi8>, tensor<16x16xi8> -> tensor<16x16xf32>
  return
}

// -----

func.func @dot_acc_f16(%a: tensor<16x16xf16>, %c: tensor<16x16xf16>) {
  // expected-error @+1 {{'tessel.dot' op accumulates in 'f16'; the accumulator must be f32}}
  %0 = tessel.dot %a, %a, %c : tensor<16x16xf16>, tensor<16x16xf16> -> tensor<16x16xf16>
  return
}

// -----

func.func @dot_acc_result(%a: tensor<16x16xbf16>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op failed to verify that all of {acc, result} have same type}}
  %0 = "tessel.dot"(%a, %a, %c) : (tensor<16x16xbf16>, tensor<16x16xbf16>, tensor<16x16xf32>) -> tensor<32x16xf32>
  return
}

// -----

func.func @dot_k(%a: tensor<16x32xbf16>, %b: tensor<16x16xbf16>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op contracts K = 32 of a with K = 16 of b}}
  %0 = tessel.dot %a, %b, %c : tensor<16x32xbf16>, tensor<16x16xbf16> -> tensor<16x16xf32>
  return
}

// -----

func.func @dot_mn(%a: tensor<32x16xbf16>, %b: tensor<16x16xbf16>, %c: tensor<16x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op result 'tensor<16x16xf32>' is not M x N of a 'tensor<32x16xbf16>' and b 'tensor<16x16xbf16>'}}
  %0 = tessel.dot %a, %b, %c : tensor<32x16xbf16>, tensor<16x16xbf16> -> tensor<16x16xf32>
  return
}

// -----

func.func @dot_too_small(%a: tensor<8x16xbf16>, %b: tensor<16x16xbf16>, %c: tensor<8x16xf32>) {
  // expected-error @+1 {{'tessel.dot' op dimension 0 of a is 8; tensor-core tiles need powers of two of at least 16}}
  %0 = tessel.dot %a, %b, %c : tensor<8x16xbf16>, tensor<16x16xbf16> -> tensor<8x16xf32>
  return
}

// -----

func.func @dot_not_pow2(%a: tensor<16x16xbf16>, %b: tensor<16x48xbf16>, %c: tensor<16x48xf32>) {
  // expected-error @+1 {{'tessel.dot' op dimension 1 of b is 48; tensor-core tiles need powers of two of at least 16}}
  %0 = tessel.dot %a, %b, %c : tensor<16x16xbf16>, tensor<16x48xbf16> -> tensor<16x48xf32>
  return
}

//===----------------------------------------------------------------------===//
// tessel.reduce
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_rank(%x: tensor<64xf32>) {
  // expected-error @+1 {{'tessel.reduce' op reduces a 2-D tile; got rank 1}}
  %0 = tessel.reduce sum %x {axis = 0 : i32} : tensor<64xf32> -> tensor<1xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<64x32xf32>) {
  // expected-error @+1 {{'tessel.reduce' op axis 2 is out of range for a 2-D tile}}
  %0 = tessel.reduce sum %x {axis = 2 : i32} : tensor<64x32xf32> -> tensor<64xf32>
  return
}

// -----

func.func @reduce_result_shape(%x: tensor<64x32xf32>) {
  // expected-error @+1 {{'tessel.reduce' op result 'tensor<32xf32>' must be 'tensor<64x32xf32>' without axis 1}}
  %0 = tessel.reduce sum %x {axis = 1 : i32} : tensor<64x32xf32> -> tensor<32xf32>
  return
}

// -----

func.func @reduce_result_rank(%x: tensor<64x32xf32>) {
  // expected-error @+1 {{'tessel.reduce' op result 'tensor<64x1xf32>' must be 'tensor<64x32xf32>' without axis 1}}
  %0 = tessel.reduce max %x {axis = 1 : i32} : tensor<64x32xf32> -> tensor<64x1xf32>
  return
}

// -----

func.func @reduce_element_type(%x: tensor<64x32xf32>) {
  // expected-error @+1 {{'tessel.reduce' op changes the element type}}
  %0 = tessel.reduce sum %x {axis = 0 : i32} : tensor<64x32xf32> -> tensor<32xf16>
  return
}

// -----

func.func @reduce_integer(%x: tensor<64x32xi32>) {
  // expected-error @+1 {{'tessel.reduce' op operand #0 must be ranked tensor of floating-point values}}
  %0 = tessel.reduce sum %x {axis = 0 : i32} : tensor<64x32xi32> -> tensor<32xi32>
  return
}

// -----

func.func @reduce_unknown_kind(%x: tensor<64x32xf32>) {
  // expected-error @+1 {{custom op 'tessel.reduce' expected string or keyword containing one of the following enum values for attribute 'kind' [sum, max, min]}}
  %0 = tessel.reduce prod %x {axis = 0 : i32} : tensor<64x32xf32> -> tensor<32xf32>
  return
}

//===----------------------------------------------------------------------===//
// tessel.block_load
//===----------------------------------------------------------------------===//

// -----

func.func @block_load_rank(%p: !tessel.ptr<bf16>, %i: i32) {
  // expected-error @+1 {{describes a tensor of rank 1; block loads take rank 2 or 3 (batch, rows, cols)}}
  %0 = tessel.block_load %p[%i] shape [%i] strides [%i] : !tessel.ptr<bf16> -> tensor<64x64xbf16>
  return
}

// -----

func.func @block_load_counts(%p: !tessel.ptr<bf16>, %i: i32) {
  // expected-error @+1 {{has 1 offset(s) and 2 stride(s) for a rank-2 shape}}
  %0 = tessel.block_load %p[%i] shape [%i, %i] strides [%i, %i] : !tessel.ptr<bf16> -> tensor<64x64xbf16>
  return
}

// -----

// Halves of whole 16-element runs: 16 columns are too few to split.
func.func @block_load_second_half(%p: !tessel.ptr<bf16>, %i: i32) {
  // expected-error @+1 {{second_half needs a multiple of 32 columns (two halves of whole 16-element runs), not 16}}
  %0 = tessel.block_load %p[%i, %i] shape [%i, %i] strides [%i, %i] second_half [%i] : !tessel.ptr<bf16> -> tensor<64x16xbf16>
  return
}

// -----

func.func @block_store_second_half(%p: !tessel.ptr<bf16>, %i: i32, %x: tensor<64x16xbf16>) {
  // expected-error @+1 {{second_half needs a multiple of 32 columns (two halves of whole 16-element runs), not 16}}
  tessel.block_store %p[%i, %i] shape [%i, %i] strides [%i, %i], %x second_half [%i] : !tessel.ptr<bf16>, tensor<64x16xbf16>
  return
}

// -----

func.func @block_load_type(%p: !tessel.ptr<f32>, %i: i32) {
  // expected-error @+1 {{loads 'bf16' from a pointer to 'f32'}}
  %0 = tessel.block_load %p[%i, %i] shape [%i, %i] strides [%i, %i] : !tessel.ptr<f32> -> tensor<64x64xbf16>
  return
}

// -----

func.func @block_load_rank1_tile(%p: !tessel.ptr<bf16>, %i: i32) {
  // expected-error @+1 {{result 'tensor<64xbf16>' is not a 2-D tile}}
  %0 = tessel.block_load %p[%i, %i] shape [%i, %i] strides [%i, %i] : !tessel.ptr<bf16> -> tensor<64xbf16>
  return
}

// -----

func.func @block_load_sizes(%p: !tessel.ptr<bf16>, %i: i32) {
  // expected-error @+1 {{has 0 size operand(s) but its result 'tensor<?x64xbf16>' has 1 dynamic dimension(s)}}
  %0 = tessel.block_load %p[%i, %i] shape [%i, %i] strides [%i, %i] : !tessel.ptr<bf16> -> tensor<?x64xbf16>
  return
}

//===----------------------------------------------------------------------===//
// tessel.block_store
//===----------------------------------------------------------------------===//

// -----

func.func @block_store_rank(%p: !tessel.ptr<bf16>, %i: i32, %x: tensor<64x64xbf16>) {
  // expected-error @+1 {{describes a tensor of rank 4; block stores take rank 2 or 3 (batch, rows, cols)}}
  tessel.block_store %p[%i, %i, %i, %i] shape [%i, %i, %i, %i] strides [%i, %i, %i, %i], %x : !tessel.ptr<bf16>, tensor<64x64xbf16>
  return
}

// -----

func.func @block_store_counts(%p: !tessel.ptr<bf16>, %i: i32, %x: tensor<64x64xbf16>) {
  // expected-error @+1 {{has 2 offset(s) and 1 stride(s) for a rank-2 shape}}
  tessel.block_store %p[%i, %i] shape [%i, %i] strides [%i], %x : !tessel.ptr<bf16>, tensor<64x64xbf16>
  return
}

// -----

func.func @block_store_type(%p: !tessel.ptr<f32>, %i: i32, %x: tensor<64x64xbf16>) {
  // expected-error @+1 {{stores 'bf16' through a pointer to 'f32'}}
  tessel.block_store %p[%i, %i] shape [%i, %i] strides [%i, %i], %x : !tessel.ptr<f32>, tensor<64x64xbf16>
  return
}

// -----

func.func @block_store_rank1_tile(%p: !tessel.ptr<bf16>, %i: i32, %x: tensor<64xbf16>) {
  // expected-error @+1 {{value 'tensor<64xbf16>' is not a 2-D tile}}
  tessel.block_store %p[%i, %i] shape [%i, %i] strides [%i, %i], %x : !tessel.ptr<bf16>, tensor<64xbf16>
  return
}

// -----

func.func @signal_f32_flags(%f: !tessel.ptr<f32>, %i: i32) {
  // expected-error @+1 {{'tessel.signal' op flags must be i32 words, not 'f32'}}
  tessel.signal %f[%i], %i : !tessel.ptr<f32>
  return
}

// -----

func.func @wait_i64_flags(%f: !tessel.ptr<i64>, %i: i32) {
  // expected-error @+1 {{'tessel.wait' op flags must be i32 words, not 'i64'}}
  tessel.wait %f[%i], %i : !tessel.ptr<i64>
  return
}
