//===- TesselGPUDialect.td - tiles with thread layouts ------*- tablegen -*-===//
//
// The GPU level of Tessel: the same tile ops, but every tile type carries a
// layout (which thread holds which element) as its tensor encoding.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_GPU_DIALECT_TD
#define TESSEL_GPU_DIALECT_TD

include "mlir/IR/OpBase.td"

def TesselGPU_Dialect : Dialect {
  let name = "tessel_gpu";
  let cppNamespace = "::mlir::tessel::tgpu";
  let summary = "layouts of tiles over the threads of a CTA, and conversions between them";
  let description = [{
    `tessel-assign-layouts` gives every tile a layout attribute as its tensor
    encoding: `#tessel_gpu.blocked` for loads, stores and elementwise math,
    `#tessel_gpu.mma` for `mma.sync` accumulators, `#tessel_gpu.slice` for a
    tile that is one dimension of a larger tile's layout. Where two layouts
    meet, `tessel_gpu.convert_layout` moves data through shared memory.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class TesselGPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<TesselGPU_Dialect, mnemonic, traits>;

#endif // TESSEL_GPU_DIALECT_TD
