//===- Passes.td - Tessel dialect passes --------------------*- tablegen -*-===//
//
// Tile-level passes: bind knobs, then give every tile a thread layout.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TRANSFORMS_PASSES_TD
#define TESSEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesselSpecialize : Pass<"tessel-specialize", "ModuleOp"> {
  let summary = "bind tessel.param knobs and make every tile shape static";
  let description = [{
    Replaces each `tessel.param` by a constant (from the `params` option,
    else its `default_value`), checks the value is among its `values`, folds
    the size operands of range/splat/broadcast and infers static tile types
    through every op, loop and yield. Records `tessel.num_warps` on the kernel.

    Before:
    ```mlir
    %bm = tessel.param "BLOCK" {default_value = 128 : i64} : index
    %r = tessel.range %bm : tensor<?xi32>
    %x = arith.addi %r, %r : tensor<?xi32>
    ```
    After:
    ```mlir
    %c128 = arith.constant 128 : index
    %r = tessel.range : tensor<128xi32>
    %x = arith.addi %r, %r : tensor<128xi32>
    ```
  }];
  let options = [
    ListOption<"params", "params", "std::string",
               "knob bindings NAME=VALUE (comma separated)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TesselAssignLayouts : Pass<"tessel-assign-layouts", "ModuleOp"> {
  let summary = "give every tile a thread layout; convert where layouts meet";
  let description = [{
    Dot results (and loop-carried accumulators) take the mma.sync accumulator
    layout; their epilogues follow them; everything else takes the blocked
    layout for its shape; 1-D tiles that are expanded take a slice of the
    layout they are expanded into. Where an operand's layout differs from the
    one its user needs, a `tessel_gpu.convert_layout` is inserted.

    Before:
    ```mlir
    %c = tessel.dot %a, %b, %acc : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
    ```
    After:
    ```mlir
    %c = tessel.dot %a, %b, %acc : tensor<64x32xbf16, #blocked>, tensor<32x64xbf16, #blocked1>
           -> tensor<64x64xf32, #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
    ```
  }];
  let dependentDialects = ["::mlir::tessel::tgpu::TesselGPUDialect"];
}

#endif // TESSEL_TRANSFORMS_PASSES_TD
