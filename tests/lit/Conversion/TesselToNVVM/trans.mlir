// convert-tessel-to-nvvm, tessel.trans: no code; the result is the source's
// registers (its layout is the source's transposed). A trans whose result
// layout is anything else is refused with a located error.
// RUN: tessel-opt %s -split-input-file -convert-tessel-to-nvvm -verify-diagnostics | FileCheck %s

#src = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
#dst = #tessel_gpu.blocked<sizePerThread = [8, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [0, 1]>
// One warp, 8x32 -> 32x8: each thread's 8 loaded values are stored as they
// are, to the transposed addresses.
// CHECK-LABEL: gpu.func @view
// CHECK-COUNT-8: llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
// CHECK-NOT: llvm.inline_asm
// CHECK-NOT: gpu.barrier
// CHECK-COUNT-8: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<1>
func.func @view(%x: !tessel.ptr<bf16>, %y: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %p = tessel.splat %x : !tessel.ptr<bf16> -> tensor<8x32x!tessel.ptr<bf16>, #src>
  %v = tessel.load %p : tensor<8x32x!tessel.ptr<bf16>, #src>
  %t = tessel.trans %v : tensor<8x32xbf16, #src> -> tensor<32x8xbf16, #dst>
  %q = tessel.splat %y : !tessel.ptr<bf16> -> tensor<32x8x!tessel.ptr<bf16>, #dst>
  tessel.store %q, %t : tensor<32x8x!tessel.ptr<bf16>, #dst>
  return
}

// -----

#src = #tessel_gpu.blocked<sizePerThread = [1, 8], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
func.func @wrong_layout(%x: !tessel.ptr<bf16>) attributes {tessel.kernel, tessel.num_warps = 1 : i64} {
  %p = tessel.splat %x : !tessel.ptr<bf16> -> tensor<8x32x!tessel.ptr<bf16>, #src>
  %v = tessel.load %p : tensor<8x32x!tessel.ptr<bf16>, #src>
  // expected-error @+1 {{'tessel.trans' op result layout must be the source's transposed (run tessel-assign-layouts)}}
  %t = tessel.trans %v : tensor<8x32xbf16, #src> -> tensor<32x8xbf16, #src>
  return
}
