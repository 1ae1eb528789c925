// `tessel cache ls|show|clear` on a cache of its own: entries with their
// kernels and target, one entry's stages and metadata (by key prefix), one
// stage's text, a damaged entry reported and removed, located errors for bad
// keys and arguments, and clear.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env TESSEL_CACHE_DIR=%t/c tessel compile %s --target=sm_90a -o %t/a.ptx
// RUN: env TESSEL_CACHE_DIR=%t/c tessel compile %s --target=sm_80 -D BLOCK=256 -o %t/b.ptx
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache ls | FileCheck %s --check-prefix=LS
// LS: key kernels target
// LS-DAG: scale sm_90a {{.*}} cubin gpu.mlir info.json llvm.ll ptx tessel.mlir
// LS-DAG: scale sm_80 {{.*}} cubin gpu.mlir info.json llvm.ll ptx tessel.mlir
// LS: 2 entries, {{[0-9]+}} bytes, under {{.*}}/c
//
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache ls | grep sm_80 | cut -c1-12 > %t/key
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache show $(cat %t/key) | FileCheck %s --check-prefix=SHOW
// SHOW: key: {{[0-9a-f]+}}
// SHOW: kernels: scale sm_80
// SHOW: stages:
// SHOW: ptx {{[0-9]+}} bytes
// SHOW: launch metadata:
// SHOW: "params": {"BLOCK": 256, "num_warps": 4}
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache show $(cat %t/key) --stage ptx | FileCheck %s --check-prefix=STAGE
// STAGE: .target sm_80
// STAGE: .entry scale
// RUN: not env TESSEL_CACHE_DIR=%t/c tessel cache show $(cat %t/key) --stage sass 2>&1 | FileCheck %s --check-prefix=NOSTAGE
// NOSTAGE: tessel: error: entry {{[0-9a-f]+}} has no stage 'sass'; it has: cubin gpu.mlir info.json llvm.ll ptx tessel.mlir
// RUN: not env TESSEL_CACHE_DIR=%t/c tessel cache show ffff 2>&1 | FileCheck %s --check-prefix=NOKEY
// NOKEY: tessel: error: no cache entry with key 'ffff' under {{.*}}/c
// RUN: not env TESSEL_CACHE_DIR=%t/c tessel cache show 2>&1 | FileCheck %s --check-prefix=USAGE
// RUN: not env TESSEL_CACHE_DIR=%t/c tessel cache frob 2>&1 | FileCheck %s --check-prefix=USAGE
// USAGE: tessel: error: cache: unexpected arguments
// USAGE: usage: tessel cache ls | clear | show KEY [--stage NAME]
//
// A truncated entry: reported by show, removed, and rebuilt by the next compile.
// RUN: f=$(ls %t/c/compile-v2/*/$(cat %t/key)*) && head -c 100 $f > %t/cut && cp %t/cut $f
// RUN: not env TESSEL_CACHE_DIR=%t/c tessel cache show $(cat %t/key) 2>&1 | FileCheck %s --check-prefix=CORRUPT
// CORRUPT: tessel: error: entry {{[0-9a-f]+}}: {{.*}} (removed; the next compile rebuilds it)
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache ls | FileCheck %s --check-prefix=ONE
// ONE: 1 entries
// RUN: env TESSEL_CACHE_DIR=%t/c tessel compile %s --target=sm_80 -D BLOCK=256 -o %t/b2.ptx
// RUN: cmp %t/b.ptx %t/b2.ptx
//
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache clear | FileCheck %s --check-prefix=CLEAR
// CLEAR: removed 2 entries under {{.*}}/c
// RUN: env TESSEL_CACHE_DIR=%t/c tessel cache ls | FileCheck %s --check-prefix=EMPTY
// EMPTY: 0 entries, 0 bytes
func.func @scale(%x: !tessel.ptr<f32>, %n: i32) attributes {tessel.kernel} {
  %B = tessel.param "BLOCK" {default_value = 128 : i64, values = array<i64: 128, 256>} : index
  %w = tessel.param "num_warps" {default_value = 4 : i64} : index
  %pid = tessel.program_id 0 : i32
  %r = tessel.range %B : tensor<?xi32>
  %base = tessel.splat %x [%B] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %p = tessel.addptr %base, %r : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %ns = tessel.splat %n [%B] : i32 -> tensor<?xi32>
  %m = arith.cmpi slt, %r, %ns : tensor<?xi32>
  %v = tessel.load %p, %m : tensor<?x!tessel.ptr<f32>>
  %two = arith.constant 2.0 : f32
  %t = tessel.splat %two [%B] : f32 -> tensor<?xf32>
  %y = arith.mulf %v, %t : tensor<?xf32>
  tessel.store %p, %y, %m : tensor<?x!tessel.ptr<f32>>
  return
}
