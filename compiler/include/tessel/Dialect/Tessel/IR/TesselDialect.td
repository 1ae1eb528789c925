//===- TesselDialect.td - the tile-level Tessel dialect -----*- tablegen -*-===//
//
// The dialect definition and the base class every `tessel` op derives from.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_DIALECT_TD
#define TESSEL_DIALECT_TD

include "mlir/IR/OpBase.td"

def Tessel_Dialect : Dialect {
  let name = "tessel";
  let cppNamespace = "::mlir::tessel";
  let summary = "Triton-style tile programs: program ids, masked tile loads, dot, reduce";
  let description = [{
    A kernel is a `func.func` marked `tessel.kernel`; its body is run by a grid
    of programs. Values are tiles: ranked tensors of scalars or of
    `!tessel.ptr<T>` with static shapes after specialization. Dimensions may be
    `?` in the source when a `tessel.param` knob names them; the op that creates
    such a tile takes the knob as a size operand, and `tessel-specialize` makes
    every shape static.
  }];
  let useDefaultTypePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

/// Base of every tessel op: attaches the dialect.
class Tessel_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tessel_Dialect, mnemonic, traits>;

#endif // TESSEL_DIALECT_TD
