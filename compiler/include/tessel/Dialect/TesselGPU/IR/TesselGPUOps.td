//===- TesselGPUOps.td - ops of the GPU level ---------------*- tablegen -*-===//
//
// The one op the GPU level adds: a change of layout.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_GPU_OPS_TD
#define TESSEL_GPU_OPS_TD

include "tessel/Dialect/TesselGPU/IR/TesselGPUDialect.td"
include "tessel/Dialect/TesselGPU/IR/TesselGPUAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def TesselGPU_ConvertLayoutOp : TesselGPU_Op<"convert_layout", [Pure]> {
  let summary = "the same tile under another layout (through shared memory)";
  let description = [{
    ```mlir
    %b = tessel_gpu.convert_layout %a : tensor<64x64xf32, #mma> -> tensor<64x64xf32, #blocked>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$src);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

#endif // TESSEL_GPU_OPS_TD
