//===- TesselGPUAttrs.td - layout attributes ----------------*- tablegen -*-===//
//
// Layouts are pure functions (thread, register) -> element coordinates; their
// maths lives in tessel/Dialect/TesselGPU/Layout.h and is tested exhaustively.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_GPU_ATTRS_TD
#define TESSEL_GPU_ATTRS_TD

include "tessel/Dialect/TesselGPU/IR/TesselGPUDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/TensorEncoding.td"

/// A layout is a tensor encoding; verifyEncoding checks it fits the tile.
class TesselGPU_Attr<string name, string attrMnemonic>
    : AttrDef<TesselGPU_Dialect, name,
              [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let mnemonic = attrMnemonic;
}

def TesselGPU_BlockedAttr : TesselGPU_Attr<"Blocked", "blocked"> {
  let summary = "elements per thread, threads per warp, warps per CTA, dim order";
  let description = [{
    Each thread holds `sizePerThread` contiguous elements per dimension; lanes
    and warps tile the rest, fastest dimension first in `order`; a shape larger
    than the CTA tile repeats it, a smaller one wraps (elements replicated).
    ```mlir
    #tessel_gpu.blocked<sizePerThread = [1, 4], threadsPerWarp = [4, 8],
                        warpsPerCTA = [4, 1], order = [1, 0]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"unsigned">:$sizePerThread,
                        ArrayRefParameter<"unsigned">:$threadsPerWarp,
                        ArrayRefParameter<"unsigned">:$warpsPerCTA,
                        ArrayRefParameter<"unsigned">:$order);
  let assemblyFormat = [{
    `<` `sizePerThread` `=` `[` $sizePerThread `]` `,`
        `threadsPerWarp` `=` `[` $threadsPerWarp `]` `,`
        `warpsPerCTA` `=` `[` $warpsPerCTA `]` `,` `order` `=` `[` $order `]` `>`
  }];
  let genVerifyDecl = 1;
}

def TesselGPU_MmaAttr : TesselGPU_Attr<"Mma", "mma"> {
  let summary = "accumulator fragments of mma.sync m16n8 (version 2)";
  let description = [{
    Warp (i, j) of `warpsPerCTA = [wm, wn]` holds, for every repetition, the
    16×8 block at rows `rep_m·16·wm + 16·i`, cols `rep_n·8·wn + 8·j`; lane l
    holds rows l/4 and l/4+8, columns 2·(l%4) and 2·(l%4)+1 of it.
    ```mlir
    #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>
    ```
  }];
  let parameters = (ins "unsigned":$version,
                        ArrayRefParameter<"unsigned">:$warpsPerCTA);
  let assemblyFormat = [{
    `<` `version` `=` $version `,` `warpsPerCTA` `=` `[` $warpsPerCTA `]` `>`
  }];
  let genVerifyDecl = 1;
}

def TesselGPU_SliceAttr : TesselGPU_Attr<"Slice", "slice"> {
  let summary = "a tile held as dimension `dim` removed from a parent layout";
  let description = [{
    A tile of rank r-1 laid out as the parent's tile of rank r with `dim` of
    size 1: what `tessel.expand_dims` and `tessel.reduce` connect, for free.
    ```mlir
    #tessel_gpu.slice<dim = 1, parent = #tessel_gpu.mma<version = 2, warpsPerCTA = [2, 2]>>
    ```
  }];
  let parameters = (ins "unsigned":$dim, "::mlir::Attribute":$parent);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // TESSEL_GPU_ATTRS_TD
