// tessel-specialize checks a kernel's tessel.constraints: each must parse,
// read only the kernel's knobs and device limits (SMEM, REGS, ...), and hold
// for the bound knobs when it reads no device limit.
// RUN: split-file --leading-lines %s %t
// RUN: tessel-opt %t/holds.mlir -tessel-specialize | FileCheck %t/holds.mlir
// RUN: tessel-opt %t/holds.mlir -tessel-specialize="params=BLOCK=128,num_warps=8" | FileCheck %t/holds.mlir --check-prefix=BIG
// RUN: tessel-opt %t/violated.mlir -tessel-specialize="params=BLOCK=128,num_warps=4" -verify-diagnostics
// RUN: tessel-opt %t/errors.mlir -split-input-file -tessel-specialize -verify-diagnostics

//--- holds.mlir
// The constraints hold (the one naming SMEM is left to the autotuner), so
// the pass specializes as usual and keeps the attribute for it.
// CHECK-LABEL: func.func @tile
// CHECK-SAME: tessel.constraints = ["BLOCK * BLOCK <= 64 * 32 * num_warps", "BLOCK * 4 <= SMEM"]
// CHECK: arith.constant 64 : index
// BIG: arith.constant 128 : index
func.func @tile() attributes {tessel.kernel, tessel.constraints = [
    "BLOCK * BLOCK <= 64 * 32 * num_warps", "BLOCK * 4 <= SMEM"]} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64, values = array<i64: 64, 128>} : index
  %w = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 4, 8>} : index
  %r = tessel.range %b : tensor<?xi32>
  return
}

//--- violated.mlir
// expected-error @+1 {{'func.func' op knob values BLOCK=128, num_warps=4 violate constraint 'BLOCK * BLOCK <= 64 * 32 * num_warps'}}
func.func @tile() attributes {tessel.kernel, tessel.constraints = [
    "BLOCK * BLOCK <= 64 * 32 * num_warps"]} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64, values = array<i64: 64, 128>} : index
  %w = tessel.param "num_warps" {default_value = 4 : i64, values = array<i64: 4, 8>} : index
  %r = tessel.range %b : tensor<?xi32>
  return
}

//--- errors.mlir
// expected-error @+1 {{'func.func' op constraint 'BLOCK <= (64': column 13: expected ')'}}
func.func @unbalanced() attributes {tessel.kernel, tessel.constraints = ["BLOCK <= (64"]} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}

// -----

// expected-error @+1 {{'func.func' op constraint 'BLOKC <= 64' reads 'BLOKC', which is neither a knob of this kernel nor a device limit (CC, REGS, SMEM, SMEM_SM, SMS, THREADS, WARP)}}
func.func @typo() attributes {tessel.kernel, tessel.constraints = ["BLOKC <= 64"]} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}

// -----

// expected-error @+1 {{'func.func' op 'tessel.constraints' must be an array of strings}}
func.func @not_array() attributes {tessel.kernel, tessel.constraints = "BLOCK <= 64"} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}

// -----

// expected-error @+1 {{'func.func' op 'tessel.constraints' entry 1 is not a string}}
func.func @not_string() attributes {tessel.kernel, tessel.constraints = ["BLOCK <= 64", 3]} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}

// -----

// expected-error @+1 {{'func.func' op constraint 'BLOCK / (BLOCK - 64) > 0': division by zero}}
func.func @divide_by_zero() attributes {tessel.kernel, tessel.constraints = ["BLOCK / (BLOCK - 64) > 0"]} {
  %b = tessel.param "BLOCK" {default_value = 64 : i64} : index
  return
}
