// The tessel CLI (tools/tessel/tessel.cpp): PTX for every target, knob
// bindings, every --emit stage, --info, located errors and a non-zero exit on
// bad input or options. --no-cache: these test the compiler, not the cache.
// RUN: split-file --leading-lines %s %t
//
// RUN: tessel compile %t/good.mlir --no-cache --target=sm_80 | FileCheck %s --check-prefixes=PTX,SM80
// RUN: tessel compile %t/good.mlir --no-cache --target=sm_89 | FileCheck %s --check-prefixes=PTX,SM89
// RUN: tessel compile %t/good.mlir --no-cache --target=sm_90a | FileCheck %s --check-prefixes=PTX,SM90A
// RUN: tessel compile %t/good.mlir --no-cache --target=sm_100a | FileCheck %s --check-prefixes=PTX,SM100A
// RUN: tessel compile %t/good.mlir --no-cache | FileCheck %s --check-prefixes=PTX,SM90A
// RUN: tessel compile %t/good.mlir --no-cache --target sm_80 -o %t/out.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM80 < %t/out.ptx
//
// RUN: tessel compile %t/good.mlir --no-cache --emit=tessel | FileCheck %s --check-prefix=DEFAULT
// RUN: tessel compile %t/good.mlir --no-cache --emit=tessel -D BLOCK=256 -Dnum_warps=2 | FileCheck %s --check-prefix=BOUND
// RUN: tessel compile %t/good.mlir --no-cache --emit=gpu -D BLOCK=256 -D num_warps=2 | FileCheck %s --check-prefix=GPU
// RUN: tessel compile %t/good.mlir --no-cache --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: tessel compile %t/good.mlir --no-cache -D BLOCK=256 --info %t/info.json -o %t/info.ptx
// RUN: FileCheck %s --check-prefix=INFO < %t/info.json
//
// RUN: not tessel compile %t/verify-error.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: not tessel compile %t/parse-error.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: not tessel compile %t/lowering-error.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=LOWER
// RUN: not tessel compile %t/no-kernel.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=NOKERNEL
// RUN: not tessel compile %t/good.mlir --no-cache -D BLOCK=128 2>&1 | FileCheck %s --check-prefix=VALUES
// RUN: not tessel compile %t/good.mlir --no-cache -D BLOKC=256 2>&1 | FileCheck %s --check-prefix=UNKNOWN-KNOB
// RUN: not tessel compile %t/good.mlir --no-cache -D BLOCK 2>&1 | FileCheck %s --check-prefix=NO-VALUE
// RUN: not tessel compile %t/good.mlir --no-cache -D BLOCK=big 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: not tessel compile %t/good.mlir --no-cache --bogus 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not tessel compile %t/good.mlir --no-cache --target=sm_75 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not tessel compile %t/good.mlir --no-cache --emit=asm 2>&1 | FileCheck %s --check-prefix=EMIT
// RUN: not tessel compile %t/good.mlir --no-cache --emit=cubin 2>&1 | FileCheck %s --check-prefix=CUBIN
// RUN: not tessel compile %t/missing.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not tessel compile %t/good.mlir %t/good.mlir --no-cache 2>&1 | FileCheck %s --check-prefix=TWO-INPUTS
// RUN: not tessel compile 2>&1 | FileCheck %s --check-prefix=NO-INPUT
// RUN: not tessel frobnicate 2>&1 | FileCheck %s --check-prefix=COMMAND
// RUN: tessel targets | FileCheck %s --check-prefix=TARGETS

// PTX: .version
// SM80: .target sm_80
// SM89: .target sm_89
// SM90A: .target sm_90a
// SM100A: .target sm_100a
// PTX: .address_size 64
// PTX: .visible .entry scale(
// PTX: ld.global
// PTX: st.global
// PTX: ret;

// DEFAULT-LABEL: func.func @scale
// DEFAULT-SAME: tessel.num_warps = 4 : i64
// DEFAULT: tessel.range : tensor<512xi32>
// DEFAULT-NOT: tessel.param

// BOUND-LABEL: func.func @scale
// BOUND-SAME: tessel.num_warps = 2 : i64
// BOUND: tessel.range : tensor<256xi32>
// BOUND: tessel.load %{{.*}}, %{{.*}} : tensor<256x!tessel.ptr<f32>>

// GPU: tessel.range : tensor<256xi32, #tessel_gpu.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [2], order = [0]>>

// LLVM: target triple = "nvptx64-nvidia-cuda"
// LLVM: define ptx_kernel void @scale(ptr addrspace(1)

// INFO: "target": "sm_90a"
// INFO: "name": "scale", "num_warps": 4, "shared_bytes": 0, "args": ["ptr", "f32", "i32"], "params": {"BLOCK": 256, "num_warps": 4}

// NOKERNEL: no-kernel.mlir: error: no kernel: mark a func.func with {tessel.kernel}
// UNKNOWN-KNOB: error: no kernel declares a knob named 'BLOKC'
// NO-VALUE: tessel: error: -D BLOCK: expected NAME=VALUE
// MALFORMED: error: malformed knob binding 'BLOCK=big'; expected NAME=VALUE with an integer VALUE
// OPTION: tessel: error: unknown option '--bogus'
// OPTION: usage: tessel compile FILE.mlir
// TARGET: error: unknown target 'sm_75'; use one of sm_80, sm_89, sm_90a, sm_100a
// EMIT: tessel: error: --emit=asm: expected ptx, cubin, llvm, gpu or tessel
// CUBIN: tessel: error: --emit=cubin needs -o OUT
// MISSING: tessel: error: cannot read '{{.*}}missing.mlir'
// TWO-INPUTS: tessel: error: more than one input file
// NO-INPUT: tessel: error: no input file
// COMMAND: tessel: error: unknown command 'frobnicate'
// TARGETS: sm_80
// TARGETS-NEXT: sm_89
// TARGETS-NEXT: sm_90a
// TARGETS-NEXT: sm_100a

//--- good.mlir
func.func @scale(%x: !tessel.ptr<f32>, %a: f32, %n: i32) attributes {tessel.kernel} {
  // VALUES: good.mlir:[[@LINE+1]]:12: error: 'tessel.param' op value 128 for knob 'BLOCK' is not among its values
  %block = tessel.param "BLOCK" {default_value = 512 : i64, values = array<i64: 256, 512>} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64} : index
  %r = tessel.range %block : tensor<?xi32>
  %ns = tessel.splat %n [%block] : i32 -> tensor<?xi32>
  %m = arith.cmpi slt, %r, %ns : tensor<?xi32>
  %xb = tessel.splat %x [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %xp = tessel.addptr %xb, %r : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %v = tessel.load %xp, %m : tensor<?x!tessel.ptr<f32>>
  %as = tessel.splat %a [%block] : f32 -> tensor<?xf32>
  %w = arith.mulf %as, %v : tensor<?xf32>
  tessel.store %xp, %w, %m : tensor<?x!tessel.ptr<f32>>
  return
}

//--- verify-error.mlir
func.func @bad_dot(%a: tensor<16x32xbf16>, %b: tensor<16x16xbf16>, %c: tensor<16x16xf32>) attributes {tessel.kernel} {
  // VERIFY: verify-error.mlir:[[@LINE+1]]:8: error: 'tessel.dot' op contracts K = 32 of a with K = 16 of b
  %d = tessel.dot %a, %b, %c : tensor<16x32xbf16>, tensor<16x16xbf16> -> tensor<16x16xf32>
  return
}

//--- parse-error.mlir
func.func @bad_syntax(%x: !tessel.ptr<f32>) attributes {tessel.kernel} {
  %r = tessel.range : tensor<64xi32>
  %p = tessel.splat %x : !tessel.ptr<f32> -> tensor<64x!tessel.ptr<f32>>
  // PARSE: parse-error.mlir:[[@LINE+1]]:{{[0-9]+}}: error:
  %v = tessel.load %p %r : tensor<64x!tessel.ptr<f32>>
  return
}

//--- lowering-error.mlir
func.func @fp8(%a: !tessel.ptr<f8E4M3FN>, %c: !tessel.ptr<f32>) attributes {tessel.kernel} {
  %pa = tessel.splat %a : !tessel.ptr<f8E4M3FN> -> tensor<32x32x!tessel.ptr<f8E4M3FN>>
  %ta = tessel.load %pa : tensor<32x32x!tessel.ptr<f8E4M3FN>>
  %z = arith.constant 0.0 : f32
  %acc = tessel.splat %z : f32 -> tensor<32x32xf32>
  // LOWER: lowering-error.mlir:[[@LINE+1]]:8: error: 'tessel.dot' op the mma.sync lowering takes bf16 or f16 operands; 'f8E4M3FN' is not lowered yet
  %d = tessel.dot %ta, %ta, %acc : tensor<32x32xf8E4M3FN>, tensor<32x32xf8E4M3FN> -> tensor<32x32xf32>
  %pc = tessel.splat %c : !tessel.ptr<f32> -> tensor<32x32x!tessel.ptr<f32>>
  tessel.store %pc, %d : tensor<32x32x!tessel.ptr<f32>>
  return
}

//--- no-kernel.mlir
func.func @helper() {
  return
}
