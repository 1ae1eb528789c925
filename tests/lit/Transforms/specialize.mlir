// tessel-specialize: knobs become constants (bound with params=, else their
// default_value), tile types become static through ops, loops and ifs, and the
// kernel records tessel.num_warps. Each part below runs with its own options.
// RUN: split-file --leading-lines %s %t
// RUN: tessel-opt %t/defaults.mlir -split-input-file -tessel-specialize | FileCheck %t/defaults.mlir
// RUN: tessel-opt %t/bound.mlir -tessel-specialize="params=BLOCK=256,num_warps=8" | FileCheck %t/bound.mlir
// RUN: tessel-opt %t/bound.mlir -pass-pipeline="builtin.module(tessel-specialize{params=BLOCK=256,num_warps=8})" | FileCheck %t/bound.mlir
// RUN: tessel-opt %t/errors.mlir -split-input-file -tessel-specialize -verify-diagnostics
// RUN: tessel-opt %t/not-in-values.mlir -tessel-specialize="params=BLOCK=48" -verify-diagnostics
// RUN: tessel-opt %t/not-pow2.mlir -tessel-specialize="params=BLOCK=48" -verify-diagnostics
// RUN: tessel-opt %t/bad-warps.mlir -tessel-specialize="params=num_warps=3" -verify-diagnostics
// RUN: tessel-opt %t/unknown-binding.mlir -tessel-specialize="params=BLOCK=64,BLOKC=32" -verify-diagnostics
// RUN: tessel-opt %t/malformed.mlir -tessel-specialize="params=BLOCK" -verify-diagnostics
// RUN: tessel-opt %t/malformed-value.mlir -tessel-specialize="params=BLOCK=big" -verify-diagnostics
// RUN: tessel-opt %t/malformed-name.mlir -tessel-specialize="params==64" -verify-diagnostics
// RUN: tessel-opt %t/not-a-kernel.mlir -tessel-specialize="params=BLOCK=256" | FileCheck %t/not-a-kernel.mlir

//--- defaults.mlir

// A knob takes its default; size operands fold away; num_warps defaults to 4.
// CHECK-LABEL: func.func @defaults
// CHECK-SAME: attributes {tessel.kernel, tessel.num_warps = 4 : i64}
// CHECK-NOT: tessel.param
// CHECK-DAG: arith.constant 128 : index
// CHECK-DAG: arith.constant 32 : index
// CHECK: %[[R:.*]] = tessel.range : tensor<128xi32>
// CHECK: %[[S:.*]] = tessel.splat %{{.*}} : i32 -> tensor<128xi32>
// CHECK: arith.addi %[[S]], %[[R]] : tensor<128xi32>
// CHECK: %[[E:.*]] = tessel.expand_dims %{{.*}} {axis = 1 : i32} : tensor<128xi32> -> tensor<128x1xi32>
// CHECK: tessel.broadcast %[[E]] : tensor<128x1xi32> -> tensor<128x32xi32>
// CHECK: tessel.splat %{{.*}} : !tessel.ptr<f32> -> tensor<128x32x!tessel.ptr<f32>>
// CHECK: tessel.addptr %{{.*}}, %{{.*}} : tensor<128x32x!tessel.ptr<f32>>, tensor<128x32xi32>
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : tensor<128x32xi32>
// CHECK: tessel.load %{{.*}}, %{{.*}} : tensor<128x32x!tessel.ptr<f32>>
// CHECK: tessel.reduce sum %{{.*}} {axis = 1 : i32} : tensor<128x32xf32> -> tensor<128xf32>
// CHECK: tessel.store %{{.*}}, %{{.*}} : tensor<128x!tessel.ptr<f32>>
func.func @defaults(%p: !tessel.ptr<f32>, %q: !tessel.ptr<f32>, %n: i32) attributes {tessel.kernel} {
  %bm = tessel.param "BLOCK_M" {default_value = 128 : i64, values = array<i64: 64, 128>} : index
  %bn = tessel.param "BLOCK_N" {default_value = 32 : i64} : index
  %pid = tessel.program_id 0 : i32
  %r = tessel.range %bm : tensor<?xi32>
  %s = tessel.splat %pid [%bm] : i32 -> tensor<?xi32>
  %rows = arith.addi %s, %r : tensor<?xi32>
  %e = tessel.expand_dims %rows {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %off = tessel.broadcast %e [%bm, %bn] : tensor<?x1xi32> -> tensor<?x?xi32>
  %base = tessel.splat %p [%bm, %bn] : !tessel.ptr<f32> -> tensor<?x?x!tessel.ptr<f32>>
  %ptr = tessel.addptr %base, %off : tensor<?x?x!tessel.ptr<f32>>, tensor<?x?xi32>
  %ns = tessel.splat %n [%bm, %bn] : i32 -> tensor<?x?xi32>
  %m = arith.cmpi slt, %off, %ns : tensor<?x?xi32>
  %x = tessel.load %ptr, %m : tensor<?x?x!tessel.ptr<f32>>
  %sum = tessel.reduce sum %x {axis = 1 : i32} : tensor<?x?xf32> -> tensor<?xf32>
  %qb = tessel.splat %q [%bm] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  tessel.store %qb, %sum : tensor<?x!tessel.ptr<f32>>
  return
}

// -----

// trans takes its source's shape with the dimensions swapped.
// CHECK-LABEL: func.func @trans_shape
// CHECK: %[[X:.*]] = tessel.load %{{.*}} : tensor<64x16x!tessel.ptr<f32>>
// CHECK: tessel.trans %[[X]] : tensor<64x16xf32> -> tensor<16x64xf32>
// CHECK: tessel.store %{{.*}}, %{{.*}} : tensor<16x64x!tessel.ptr<f32>>
func.func @trans_shape(%p: !tessel.ptr<f32>) attributes {tessel.kernel} {
  %bm = tessel.param "BLOCK_M" {default_value = 64 : i64} : index
  %bn = tessel.param "BLOCK_N" {default_value = 16 : i64} : index
  %base = tessel.splat %p [%bm, %bn] : !tessel.ptr<f32> -> tensor<?x?x!tessel.ptr<f32>>
  %x = tessel.load %base : tensor<?x?x!tessel.ptr<f32>>
  %t = tessel.trans %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %tb = tessel.splat %p [%bn, %bm] : !tessel.ptr<f32> -> tensor<?x?x!tessel.ptr<f32>>
  tessel.store %tb, %t : tensor<?x?x!tessel.ptr<f32>>
  return
}

// -----

// num_warps is a knob like any other; its value is recorded on the kernel.
// CHECK-LABEL: func.func @warps_default
// CHECK-SAME: tessel.num_warps = 2 : i64
func.func @warps_default() attributes {tessel.kernel} {
  %w = tessel.param "num_warps" {default_value = 2 : i64, values = array<i64: 2, 4>} : index
  return
}

// -----

// Types flow into loop-carried values and results, and out of scf.if yields.
// CHECK-LABEL: func.func @control_flow
// CHECK: %[[INIT:.*]] = tessel.splat %{{.*}} : f32 -> tensor<64xf32>
// CHECK: %[[FOR:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[A:.*]] = %[[INIT]]) -> (tensor<64xf32>) {
// CHECK:   %[[X:.*]] = arith.addf %[[A]], %[[A]] : tensor<64xf32>
// CHECK:   scf.yield %[[X]] : tensor<64xf32>
// CHECK: }
// CHECK: %[[IF:.*]] = scf.if %{{.*}} -> (tensor<64xf32>) {
// CHECK:   arith.mulf %[[FOR]], %[[FOR]] : tensor<64xf32>
// CHECK: } else {
// CHECK:   scf.yield %[[FOR]] : tensor<64xf32>
// CHECK: }
// CHECK: tessel.store %{{.*}}, %[[IF]] : tensor<64x!tessel.ptr<f32>>
func.func @control_flow(%p: !tessel.ptr<f32>, %n: index, %c: i1) attributes {tessel.kernel} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %init = tessel.splat %z [%b] : f32 -> tensor<?xf32>
  %acc = scf.for %i = %c0 to %n step %c1 iter_args(%a = %init) -> (tensor<?xf32>) {
    %x = arith.addf %a, %a : tensor<?xf32>
    scf.yield %x : tensor<?xf32>
  }
  %r = scf.if %c -> (tensor<?xf32>) {
    %y = arith.mulf %acc, %acc : tensor<?xf32>
    scf.yield %y : tensor<?xf32>
  } else {
    scf.yield %acc : tensor<?xf32>
  }
  %base = tessel.splat %p [%b] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  tessel.store %base, %r : tensor<?x!tessel.ptr<f32>>
  return
}

// -----

// dot results take the accumulator's type; the knob may also be the loop step.
// CHECK-LABEL: func.func @dot_in_loop
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32 iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<64x64xf32>)
// CHECK: tessel.dot %{{.*}}, %{{.*}}, %[[ACC]] : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
func.func @dot_in_loop(%a: !tessel.ptr<bf16>, %b: !tessel.ptr<bf16>, %k: index) attributes {tessel.kernel} {
  %BM = tessel.param "BM" {default_value = 64 : i64} : index
  %BK = tessel.param "BK" {default_value = 32 : i64} : index
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f32
  %acc0 = tessel.splat %z [%BM, %BM] : f32 -> tensor<?x?xf32>
  %pa = tessel.splat %a [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %pb = tessel.splat %b [%BK, %BM] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  %acc = scf.for %i = %c0 to %k step %BK iter_args(%c = %acc0) -> (tensor<?x?xf32>) {
    %ta = tessel.load %pa : tensor<?x?x!tessel.ptr<bf16>>
    %tb = tessel.load %pb : tensor<?x?x!tessel.ptr<bf16>>
    %d = tessel.dot %ta, %tb, %c : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
    scf.yield %d : tensor<?x?xf32>
  }
  return
}

//--- bound.mlir

// Bindings win over defaults; num_warps comes from its knob.
// CHECK-LABEL: func.func @bound
// CHECK-SAME: tessel.num_warps = 8 : i64
// CHECK-DAG: arith.constant 256 : index
// CHECK-DAG: arith.constant 8 : index
// CHECK: tessel.range : tensor<256xi32>
// CHECK-NOT: tensor<1024
func.func @bound() attributes {tessel.kernel} {
  %b = tessel.param "BLOCK" {default_value = 1024 : i64, values = array<i64: 256, 1024>} : index
  %w = tessel.param "num_warps" {default_value = 4 : i64} : index
  %r = tessel.range %b : tensor<?xi32>
  return
}

//--- errors.mlir

func.func @no_value() attributes {tessel.kernel} {
  // expected-error @+1 {{'tessel.param' op knob 'BLOCK' has no value: bind it with -D BLOCK=<value> or give it a default_value}}
  %b = tessel.param "BLOCK" : index
  return
}

// -----

func.func @duplicate() attributes {tessel.kernel} {
  // expected-note @+1 {{first declared here}}
  %a = tessel.param "BLOCK" {default_value = 64 : i64} : index
  // expected-error @+1 {{'tessel.param' op declares knob 'BLOCK' twice}}
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}

// -----

func.func @size_not_constant(%n: index) attributes {tessel.kernel} {
  // expected-error @+1 {{'tessel.range' op size operand 0 is not a constant knob; tile sizes must be bound at compile time}}
  %r = tessel.range %n : tensor<?xi32>
  return
}

// -----

func.func @still_dynamic(%t: tensor<?xi32>) attributes {tessel.kernel} {
  // expected-error @+1 {{'arith.addi' op result 'tensor<?xi32>' is still dynamic after specialization}}
  %x = arith.addi %t, %t : tensor<?xi32>
  return
}

// -----

func.func @loop_yield_type(%n: index) attributes {tessel.kernel} {
  %a = tessel.param "A" {default_value = 64 : i64} : index
  %b = tessel.param "B" {default_value = 128 : i64} : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %init = tessel.splat %z [%a] : f32 -> tensor<?xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%x = %init) -> (tensor<?xf32>) {
    %y = tessel.splat %z [%b] : f32 -> tensor<?xf32>
    // expected-error @+1 {{'scf.yield' op yields 'tensor<128xf32>' for a loop value of 'tensor<64xf32>'}}
    scf.yield %y : tensor<?xf32>
  }
  return
}

//--- not-in-values.mlir

func.func @not_in_values() attributes {tessel.kernel} {
  // expected-error @+1 {{'tessel.param' op value 48 for knob 'BLOCK' is not among its values}}
  %b = tessel.param "BLOCK" {default_value = 64 : i64, values = array<i64: 32, 64>} : index
  return
}

//--- not-pow2.mlir

func.func @not_pow2() attributes {tessel.kernel} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  // expected-error @+1 {{'tessel.range' op tile dimension is 48 after specialization; it must be a power of two}}
  %r = tessel.range %b : tensor<?xi32>
  return
}

//--- bad-warps.mlir

func.func @bad_warps() attributes {tessel.kernel} {
  // expected-error @+1 {{'tessel.param' op num_warps must be 1, 2, 4, 8 or 16, not 3}}
  %w = tessel.param "num_warps" {default_value = 4 : i64} : index
  return
}

//--- unknown-binding.mlir

module {
  // expected-error @+1 {{no kernel declares a knob named 'BLOKC'}}
  func.func @typo() attributes {tessel.kernel} {
    %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
    return
  }
}

//--- malformed.mlir

module {
  // expected-error @+1 {{malformed knob binding 'BLOCK'; expected NAME=VALUE with an integer VALUE}}
  func.func @k() attributes {tessel.kernel} {
    return
  }
}

//--- malformed-value.mlir

module {
  // expected-error @+1 {{malformed knob binding 'BLOCK=big'; expected NAME=VALUE with an integer VALUE}}
  func.func @k() attributes {tessel.kernel} {
    return
  }
}

//--- malformed-name.mlir

module {
  // expected-error @+1 {{malformed knob binding '=64'; expected NAME=VALUE with an integer VALUE}}
  func.func @k() attributes {tessel.kernel} {
    return
  }
}

//--- not-a-kernel.mlir

// Without tessel.kernel the pass touches nothing (and no binding is unknown).
// CHECK-LABEL: func.func @helper
// CHECK-NOT: tessel.num_warps
// CHECK: tessel.param "BLOCK" {default_value = 64 : i64} : index
// CHECK: tessel.range %{{.*}} : tensor<?xi32>
func.func @helper() {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  %r = tessel.range %b : tensor<?xi32>
  return
}
