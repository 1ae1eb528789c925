// tessel-pipeline (Pipeline.cpp): specialize, assign layouts and lower a
// kernel to an llvm.func marked nvvm.kernel inside gpu.module @tessel_kernels,
// with nothing of the tile, scf or arith levels left.
// RUN: tessel-opt %s -tessel-pipeline | FileCheck %s
// RUN: tessel-opt %s -tessel-pipeline="params=BLOCK=256,num_warps=2" | FileCheck %s --check-prefix=BOUND
// RUN: tessel-opt %s -tessel-pipeline | FileCheck %s --check-prefix=LOWERED
// RUN: tessel-opt %kernels/gemm.mlir -tessel-pipeline -o %t.gemm.mlir
// RUN: FileCheck %s --check-prefix=GEMM < %t.gemm.mlir
// RUN: FileCheck %s --check-prefix=LOWERED < %t.gemm.mlir
// RUN: tessel-opt %kernels/rowsum_abs.mlir -tessel-pipeline | FileCheck %s --check-prefix=ROWSUM

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @tessel_kernels
// CHECK: llvm.mlir.global external @__tessel_smem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @scale(%{{.*}}: !llvm.ptr<1>, %{{.*}}: f32, %{{.*}}: i32)
// CHECK-SAME: gpu.kernel
// CHECK-SAME: gpu.known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: nvvm.kernel
// CHECK-SAME: nvvm.maxntid = array<i32: 128, 1, 1>
// CHECK-SAME: tessel.num_warps = 4 : i64
// CHECK-SAME: tessel.shared_bytes = 0 : i64
// CHECK: nvvm.read.ptx.sreg.tid.x
// CHECK: nvvm.read.ptx.sreg.ctaid.x
// CHECK: llvm.cond_br
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: llvm.fmul
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: llvm.return
// CHECK-NOT: func.func

// Nothing above the LLVM and NVVM dialects is left anywhere in the output.
// LOWERED-NOT: {{^ *(%[^ ]+ = )?(tessel|tessel_gpu|scf|arith|math|cf|func)\.}}
// LOWERED-NOT: {{^ *(%[^ ]+ = )?gpu\.(func|return|barrier|thread_id|block_id|grid_dim)}}

// BOUND: llvm.func @scale
// BOUND-SAME: gpu.known_block_size = array<i32: 64, 1, 1>
// BOUND-SAME: tessel.num_warps = 2 : i64

// GEMM: llvm.func @gemm
// GEMM-SAME: nvvm.kernel
// A 128 x (32 + 8) x 2 B + B 32 x (128 + 8) x 2 B of padded staging buffers.
// GEMM-SAME: tessel.shared_bytes = 18944 : i64
// GEMM: nvvm.barrier0
// GEMM: nvvm.ldmatrix
// GEMM: nvvm.mma.sync
// GEMM-SAME: multiplicandAPtxType = #nvvm.mma_type<bf16>
// GEMM-SAME: shape = #nvvm.shape<m = 16, n = 8, k = 16>

// ROWSUM: llvm.func @rowsum_abs
// ROWSUM-SAME: nvvm.kernel
// ROWSUM: llvm.call @__nv_fabsf
// ROWSUM: nvvm.barrier0
func.func @scale(%x: !tessel.ptr<f32>, %a: f32, %n: i32) attributes {tessel.kernel} {
  %block = tessel.param "BLOCK" {default_value = 512 : i64} : index
  %warps = tessel.param "num_warps" {default_value = 4 : i64} : index
  %pid = tessel.program_id 0 : i32
  %b32 = arith.index_cast %block : index to i32
  %start = arith.muli %pid, %b32 : i32
  %r = tessel.range %block : tensor<?xi32>
  %s = tessel.splat %start [%block] : i32 -> tensor<?xi32>
  %offs = arith.addi %s, %r : tensor<?xi32>
  %ns = tessel.splat %n [%block] : i32 -> tensor<?xi32>
  %m = arith.cmpi slt, %offs, %ns : tensor<?xi32>
  %xb = tessel.splat %x [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %xp = tessel.addptr %xb, %offs : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %v = tessel.load %xp, %m : tensor<?x!tessel.ptr<f32>>
  %as = tessel.splat %a [%block] : f32 -> tensor<?xf32>
  %w = arith.mulf %as, %v : tensor<?xf32>
  tessel.store %xp, %w, %m : tensor<?x!tessel.ptr<f32>>
  return
}
