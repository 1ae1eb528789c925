//===- TesselTypes.td - pointer type and tile constraints ---*- tablegen -*-===//
//
// `!tessel.ptr<T>`: a pointer to global memory holding elements of type T,
// and the type constraints (tiles of scalars or pointers) the ops use.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TYPES_TD
#define TESSEL_TYPES_TD

include "tessel/Dialect/Tessel/IR/TesselDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def Tessel_PtrType : TypeDef<Tessel_Dialect, "Ptr"> {
  let mnemonic = "ptr";
  let summary = "pointer to global memory of a scalar element type";
  let description = [{
    ```mlir
    func.func @k(%x: !tessel.ptr<bf16>) attributes {tessel.kernel} { ... }
    ```
    The pointee is an integer or floating-point scalar; addresses are 64-bit.
  }];
  let parameters = (ins "::mlir::Type":$pointee);
  let assemblyFormat = "`<` $pointee `>`";
  let genVerifyDecl = 1;
}

def Tessel_Scalar : AnyTypeOf<[AnyInteger, AnyFloat, Index]>;
def Tessel_PtrOrTilePtr : AnyTypeOf<[Tessel_PtrType,
    RankedTensorOf<[Tessel_PtrType]>]>;
def Tessel_Tile : RankedTensorOf<[AnyInteger, AnyFloat, Tessel_PtrType]>;
def Tessel_ScalarOrPtr : AnyTypeOf<[AnyInteger, AnyFloat, Index, Tessel_PtrType]>;
def Tessel_IntTile : RankedTensorOf<[AnySignlessInteger]>;
def Tessel_I1Tile : RankedTensorOf<[I1]>;
def Tessel_FloatTile : RankedTensorOf<[AnyFloat]>;

#endif // TESSEL_TYPES_TD
