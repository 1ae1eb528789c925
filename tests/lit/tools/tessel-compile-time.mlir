// `tessel compile --time` (each stage's wall time on stderr, or the cache
// hit) and the LLVM IR pipeline $TESSEL_LLVM_PASSES picks: O2 (default),
// light (libdevice still inlined: no call is left), a pipeline text, and a
// located error for a bad one. The pipeline is part of the cache key.
// RUN: split-file --leading-lines %s %t
//
// RUN: tessel compile %t/rsqrt.mlir --no-cache --time -o %t/o2.ptx 2>&1 | FileCheck %s --check-prefix=TIME
// RUN: FileCheck %s --check-prefix=PTX < %t/o2.ptx
// RUN: env TESSEL_LLVM_PASSES=light tessel compile %t/rsqrt.mlir --no-cache | FileCheck %s --check-prefix=PTX
// RUN: env TESSEL_LLVM_PASSES=O2 tessel compile %t/rsqrt.mlir --no-cache -o %t/o2-named.ptx
// RUN: diff %t/o2.ptx %t/o2-named.ptx
// RUN: env "TESSEL_LLVM_PASSES=always-inline,function(instcombine)" tessel compile %t/rsqrt.mlir --no-cache | FileCheck %s --check-prefix=PTX
// RUN: not env TESSEL_LLVM_PASSES=bogus tessel compile %t/rsqrt.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=BAD
//
// RUN: rm -rf %t/cache
// RUN: env TESSEL_CACHE_DIR=%t/cache tessel compile %t/rsqrt.mlir --time -o %t/a.ptx 2>&1 | FileCheck %s --check-prefixes=TIME,CUBIN
// RUN: env TESSEL_CACHE_DIR=%t/cache tessel compile %t/rsqrt.mlir --time -o %t/b.ptx 2>&1 | FileCheck %s --check-prefix=HIT
// RUN: env TESSEL_CACHE_DIR=%t/cache TESSEL_LLVM_PASSES=light tessel compile %t/rsqrt.mlir --time -o %t/c.ptx 2>&1 | FileCheck %s --check-prefixes=TIME,CUBIN

// TIME:      time: parse {{[0-9]+\.[0-9]}} ms
// TIME-NEXT: time: specialize
// TIME-NEXT: time: layouts
// TIME-NEXT: time: lower to LLVM dialect
// TIME-NEXT: time: translate
// TIME-NEXT: time: libdevice
// TIME-NEXT: time: LLVM IR passes
// TIME-NEXT: time: NVPTX codegen
// CUBIN-NEXT: time: PTX to cubin
// TIME-NEXT: time: total {{[0-9]+\.[0-9]}} ms
// HIT: time: cache hit (nothing compiled; --no-cache to time a compile)

// PTX: .visible .entry inv_sqrt(
// PTX-NOT: call
// PTX: ret;

// BAD: rsqrt.mlir: error: LLVM pass pipeline 'bogus' ($TESSEL_LLVM_PASSES): unknown pass name 'bogus'

//--- rsqrt.mlir
func.func @inv_sqrt(%x: !tessel.ptr<f32>, %n: i32) attributes {tessel.kernel} {
  %block = tessel.param "BLOCK" {default_value = 256 : i64} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64} : index
  %r = tessel.range %block : tensor<?xi32>
  %ns = tessel.splat %n [%block] : i32 -> tensor<?xi32>
  %m = arith.cmpi slt, %r, %ns : tensor<?xi32>
  %xb = tessel.splat %x [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %xp = tessel.addptr %xb, %r : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %v = tessel.load %xp, %m : tensor<?x!tessel.ptr<f32>>
  %w = math.rsqrt %v : tensor<?xf32>
  tessel.store %xp, %w, %m : tensor<?x!tessel.ptr<f32>>
  return
}
