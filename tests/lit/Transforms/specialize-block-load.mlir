// tessel-specialize on block loads and the ring depth: a block load's `?`
// tile takes its size operands' values, and NUM_STAGES is recorded on the
// kernel as tessel.num_stages (read by the TMA pipeline), within 1..8;
// WARP_ROLES = 2 (a producer warpgroup) as the unit tessel.warp_spec;
// CLUSTER = 2 (programs in pairs) as tessel.cluster_size = 2, and nothing for 1.
// RUN: split-file --leading-lines %s %t
// RUN: tessel-opt %t/stages.mlir -tessel-specialize="params=NUM_STAGES=3" | FileCheck %t/stages.mlir
// RUN: tessel-opt %t/stages.mlir -tessel-specialize | FileCheck %t/stages.mlir --check-prefix=DEFAULT
// RUN: tessel-opt %t/bad-stages.mlir -tessel-specialize -verify-diagnostics
// RUN: tessel-opt %t/roles.mlir -tessel-specialize="params=WARP_ROLES=2" | FileCheck %t/roles.mlir
// RUN: tessel-opt %t/roles.mlir -tessel-specialize | FileCheck %t/roles.mlir --check-prefix=ONE-ROLE
// RUN: tessel-opt %t/bad-roles.mlir -tessel-specialize -verify-diagnostics
// RUN: tessel-opt %t/cluster.mlir -tessel-specialize="params=CLUSTER=2" | FileCheck %t/cluster.mlir
// RUN: tessel-opt %t/cluster.mlir -tessel-specialize | FileCheck %t/cluster.mlir --check-prefix=ALONE
// RUN: tessel-opt %t/bad-cluster.mlir -tessel-specialize -verify-diagnostics

//--- stages.mlir
// CHECK-LABEL: func.func @ring
// CHECK-SAME: tessel.num_stages = 3 : i64
// CHECK: tessel.block_load %arg0[%arg2, %arg2] shape [%arg3, %arg3] strides [%arg3, %{{.*}}] : !tessel.ptr<bf16> -> tensor<64x32xbf16>
// DEFAULT: tessel.num_stages = 4 : i64
func.func @ring(%a: !tessel.ptr<bf16>, %c: !tessel.ptr<bf16>, %i: i32, %n: i32) attributes {tessel.kernel} {
  %S = tessel.param "NUM_STAGES" {default_value = 4 : i64, values = array<i64: 2, 3, 4>} : index
  %BM = tessel.param "BLOCK_M" {default_value = 64 : i64} : index
  %BK = tessel.param "BLOCK_K" {default_value = 32 : i64} : index
  %one = arith.constant 1 : i32
  %t = tessel.block_load %a[%i, %i] shape [%n, %n] strides [%n, %one] sizes [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
  %p = tessel.splat %c [%BM, %BK] : !tessel.ptr<bf16> -> tensor<?x?x!tessel.ptr<bf16>>
  tessel.store %p, %t : tensor<?x?x!tessel.ptr<bf16>>
  return
}

//--- bad-stages.mlir
func.func @too_deep() attributes {tessel.kernel} {
  // expected-error @+1 {{NUM_STAGES must be 1 to 8, not 9}}
  %S = tessel.param "NUM_STAGES" {default_value = 9 : i64} : index
  return
}

//--- roles.mlir
// CHECK-LABEL: func.func @roles
// CHECK-SAME: tessel.warp_spec
// ONE-ROLE-LABEL: func.func @roles
// ONE-ROLE-NOT: tessel.warp_spec
func.func @roles() attributes {tessel.kernel} {
  %r = tessel.param "WARP_ROLES" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  return
}

//--- bad-roles.mlir
func.func @three_roles() attributes {tessel.kernel} {
  // expected-error @+1 {{WARP_ROLES must be 1 or 2, not 3}}
  %r = tessel.param "WARP_ROLES" {default_value = 3 : i64} : index
  return
}

//--- cluster.mlir
// CHECK-LABEL: func.func @pairs
// CHECK-SAME: tessel.cluster_size = 2 : i64
// ALONE-LABEL: func.func @pairs
// ALONE-NOT: tessel.cluster_size
func.func @pairs() attributes {tessel.kernel} {
  %c = tessel.param "CLUSTER" {default_value = 1 : i64, values = array<i64: 1, 2>} : index
  return
}

//--- bad-cluster.mlir
func.func @quads() attributes {tessel.kernel} {
  // expected-error @+1 {{CLUSTER must be 1 or 2, not 4}}
  %c = tessel.param "CLUSTER" {default_value = 4 : i64} : index
  return
}
