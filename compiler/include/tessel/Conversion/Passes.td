//===- Passes.td - Tessel conversions -----------------------*- tablegen -*-===//
//
// From laid-out tiles to per-thread code in the NVVM and LLVM dialects.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_CONVERSION_PASSES_TD
#define TESSEL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTesselToNVVM : Pass<"convert-tessel-to-nvvm", "ModuleOp"> {
  let summary = "lower laid-out tiles to per-thread NVVM/LLVM code in a gpu.module";
  let description = [{
    Each `tessel.kernel` function becomes a `gpu.func` kernel in the
    `gpu.module @tessel_kernels`; each tile becomes the registers its layout
    gives the thread (one SSA value per register); loads and stores become
    predicated per-register LLVM loads/stores, `tessel.dot` becomes
    `ldmatrix` + `mma.sync` through padded shared memory, reductions and
    layout conversions go through shared memory. The kernel's shared-memory
    need is recorded as `tessel.shared_bytes`.

    Before:
    ```mlir
    %r = tessel.range : tensor<128xi32, #blocked>
    ```
    After (each thread of 128 holds one register):
    ```mlir
    %tid = gpu.thread_id x
    %r0 = arith.index_cast %tid : index to i32
    ```
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect", "::mlir::NVVM::NVVMDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::scf::SCFDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

#endif // TESSEL_CONVERSION_PASSES_TD
