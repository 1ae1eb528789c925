//===- TesselOps.td - tile-level ops of the Tessel DSL ------*- tablegen -*-===//
//
// The ops a kernel is written with: knobs, program ids, tile construction,
// pointer arithmetic, masked loads/stores, dot and reductions. Elementwise math
// comes from `arith` and `math` applied to tiles.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_OPS_TD
#define TESSEL_OPS_TD

include "tessel/Dialect/Tessel/IR/TesselDialect.td"
include "tessel/Dialect/Tessel/IR/TesselTypes.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Knobs and program ids
//===----------------------------------------------------------------------===//

def Tessel_ParamOp : Tessel_Op<"param", [Pure]> {
  let summary = "a compile-time knob (tile size, warps, stages) bound by the specializer";
  let description = [{
    Names a constant the autotuner chooses. `values` lists what it may take
    (the config space), `default_value` what it takes when nothing binds it.
    `tessel-specialize` replaces it with an `arith.constant`.
    ```mlir
    %bm = tessel.param "BLOCK_M" {default_value = 64 : i64,
                                  values = array<i64: 32, 64, 128>} : index
    ```
  }];
  let arguments = (ins StrAttr:$name, OptionalAttr<I64Attr>:$default_value,
                       OptionalAttr<DenseI64ArrayAttr>:$values);
  let results = (outs Index:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Tessel_ProgramIdOp : Tessel_Op<"program_id", [Pure]> {
  let summary = "index of this program in the grid along an axis (0, 1 or 2)";
  let description = [{
    ```mlir
    %pid = tessel.program_id 0 : i32
    ```
  }];
  let arguments = (ins ConfinedAttr<I32Attr, [IntMinValue<0>, IntMaxValue<2>]>:$axis);
  let results = (outs I32:$result);
  let assemblyFormat = "$axis attr-dict `:` type($result)";
}

def Tessel_NumProgramsOp : Tessel_Op<"num_programs", [Pure]> {
  let summary = "number of programs in the grid along an axis (0, 1 or 2)";
  let description = [{
    ```mlir
    %n = tessel.num_programs 1 : i32
    ```
  }];
  let arguments = (ins ConfinedAttr<I32Attr, [IntMinValue<0>, IntMaxValue<2>]>:$axis);
  let results = (outs I32:$result);
  let assemblyFormat = "$axis attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Building tiles
//===----------------------------------------------------------------------===//

def Tessel_RangeOp : Tessel_Op<"range", [Pure]> {
  let summary = "the 1-D tile [0, 1, ..., N-1] of i32";
  let description = [{
    N is the static size of the result, or a size operand (usually a
    `tessel.param`) when the result type says `?`.
    ```mlir
    %r = tessel.range %bm : tensor<?xi32>
    %s = tessel.range : tensor<128xi32>
    ```
  }];
  let arguments = (ins Variadic<Index>:$sizes);
  let results = (outs 1DTensorOf<[I32]>:$result);
  let assemblyFormat = "($sizes^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Tessel_SplatOp : Tessel_Op<"splat", [Pure]> {
  let summary = "a tile whose every element is one scalar (or pointer)";
  let description = [{
    ```mlir
    %z = tessel.splat %zero [%bm, %bn] : f32 -> tensor<?x?xf32>
    %p = tessel.splat %base : !tessel.ptr<bf16> -> tensor<64x!tessel.ptr<bf16>>
    ```
  }];
  let arguments = (ins Tessel_ScalarOrPtr:$value, Variadic<Index>:$sizes);
  let results = (outs Tessel_Tile:$result);
  let assemblyFormat =
      "$value (`[` $sizes^ `]`)? attr-dict `:` type($value) `->` type($result)";
  let hasVerifier = 1;
}

def Tessel_BroadcastOp : Tessel_Op<"broadcast", [Pure]> {
  let summary = "repeat a tile along its size-1 dimensions";
  let description = [{
    ```mlir
    %b = tessel.broadcast %col [%bm, %bn] : tensor<?x1xi32> -> tensor<?x?xi32>
    ```
  }];
  let arguments = (ins Tessel_Tile:$src, Variadic<Index>:$sizes);
  let results = (outs Tessel_Tile:$result);
  let assemblyFormat =
      "$src (`[` $sizes^ `]`)? attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

def Tessel_ExpandDimsOp : Tessel_Op<"expand_dims", [Pure]> {
  let summary = "insert a dimension of size 1";
  let description = [{
    ```mlir
    %c = tessel.expand_dims %r {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
    ```
  }];
  let arguments = (ins Tessel_Tile:$src, I32Attr:$axis);
  let results = (outs Tessel_Tile:$result);
  let assemblyFormat = "$src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

def Tessel_TransOp : Tessel_Op<"trans", [Pure]> {
  let summary = "transpose a 2-D tile";
  let description = [{
    `result[j, i] = src[i, j]`. The elements move between threads (through
    shared memory), so a kernel that can read the transposed view straight
    from memory (a `block_load` with swapped strides) should.
    ```mlir
    %xt = tessel.trans %x : tensor<128x64xbf16> -> tensor<64x128xbf16>
    ```
  }];
  let arguments = (ins Tessel_Tile:$src);
  let results = (outs Tessel_Tile:$result);
  let assemblyFormat = "$src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def Tessel_AddPtrOp : Tessel_Op<"addptr", [Pure,
    AllTypesMatch<["ptr", "result"]>]> {
  let summary = "advance pointers by element offsets";
  let description = [{
    `result[i] = ptr[i] + offset[i] * sizeof(pointee)`; a scalar pointer with a
    scalar offset, or tiles of the same shape.
    ```mlir
    %q = tessel.addptr %p, %off : tensor<64x!tessel.ptr<f32>>, tensor<64xi32>
    ```
  }];
  let arguments = (ins Tessel_PtrOrTilePtr:$ptr, AnyTypeOf<[AnySignlessInteger,
                       Tessel_IntTile]>:$offset);
  let results = (outs Tessel_PtrOrTilePtr:$result);
  let assemblyFormat = "$ptr `,` $offset attr-dict `:` type($ptr) `,` type($offset)";
  let hasVerifier = 1;
}

def Tessel_LoadOp : Tessel_Op<"load", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "masked load of a tile through a tile of pointers";
  let description = [{
    Lanes whose mask is false read nothing and take `other` (0 if absent).
    ```mlir
    %x = tessel.load %p, %m, %zero : tensor<64x!tessel.ptr<f32>>
    ```
  }];
  let arguments = (ins RankedTensorOf<[Tessel_PtrType]>:$ptr,
                       Optional<Tessel_I1Tile>:$mask,
                       Optional<Tessel_Tile>:$other);
  let results = (outs Tessel_Tile:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "Value":$ptr, "Value":$mask, "Value":$other)>];
}

def Tessel_StoreOp : Tessel_Op<"store", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "masked store of a tile through a tile of pointers";
  let description = [{
    ```mlir
    tessel.store %p, %x, %m : tensor<64x!tessel.ptr<f32>>
    ```
  }];
  let arguments = (ins RankedTensorOf<[Tessel_PtrType]>:$ptr, Tessel_Tile:$value,
                       Optional<Tessel_I1Tile>:$mask);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Tessel_BlockLoadOp : Tessel_Op<"block_load", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "load a 2-D box of a strided tensor; outside it reads zero";
  let description = [{
    Describes the tensor (`base`, `shape`, `strides`, outermost first, in
    elements; rank 2 or 3) and the box's first element (`offsets`); the tile
    is the box's last two dimensions (a leading batch dimension takes one
    index). Element (i, j) is
    `base[sum(offsets[d] * strides[d]) + i * strides[r-2] + j * strides[r-1]]`
    where every coordinate is inside `shape`, else 0: edges need no masks.
    All are i32 (the offset itself is computed in 64 bits). On sm_90a a
    block load feeding `tessel.dot` in a loop becomes a TMA copy into a
    pipelined shared-memory ring when the host can describe the tensor
    before the launch: `base`, `shape` and `strides` kernel arguments (or
    integer casts of them) or values the knobs decide, one stride the
    constant 1. Otherwise it is a masked load.

    With `second_half [%o]` the box is two half boxes: the tile's columns
    [N/2, N) come from last-dimension offset `%o` instead of
    `offsets[r-1] + N/2` (N/2 a multiple of 16), so one tile can hold two
    blocks that are not adjacent in memory (a symmetric kernel's tile of
    row blocks c1 and c2). On the TMA path each half is its own copy into
    its half of the stage.
    ```mlir
    %a = tessel.block_load %x[%m0, %k] shape [%M, %K] strides [%lda, %c1]
           sizes [%bm, %bk] : !tessel.ptr<bf16> -> tensor<?x?xbf16>
    ```
  }];
  let arguments = (ins Tessel_PtrType:$base, Variadic<I32>:$offsets,
                       Variadic<I32>:$shape, Variadic<I32>:$strides,
                       Variadic<Index>:$sizes, Optional<I32>:$second_half);
  let results = (outs Tessel_Tile:$result);
  let assemblyFormat = [{
    $base `[` $offsets `]` `shape` ` ` `[` $shape `]` `strides` ` ` `[` $strides `]`
    (`sizes` ` ` `[` $sizes^ `]`)? (`second_half` ` ` `[` $second_half^ `]`)?
    attr-dict `:` qualified(type($base)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tessel_BlockStoreOp : Tessel_Op<"block_store", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "store a 2-D tile into a box of a strided tensor; outside it writes nothing";
  let description = [{
    The counterpart of `tessel.block_load`: the tensor is described by
    `base`, `shape` and `strides` (outermost first, in elements; rank 2 or 3)
    and the box's first element by `offsets`; `value`'s element (i, j) goes
    to `base[sum(offsets[d] * strides[d]) + i * strides[r-2] +
    j * strides[r-1]]` when every coordinate is inside `shape`. Each row's
    address is computed once (in 64 bits) and a thread's elements that are
    adjacent in a unit-stride row are written with one vector store where
    the row is in bounds and aligned.
    `second_half [%o]` splits the box as for `tessel.block_load`: the
    value's columns [N/2, N) go to last-dimension offset `%o`.
    ```mlir
    tessel.block_store %c[%m0, %n0] shape [%M, %N] strides [%ldc, %c1], %x
      : !tessel.ptr<bf16>, tensor<128x128xbf16>
    ```
  }];
  let arguments = (ins Tessel_PtrType:$base, Variadic<I32>:$offsets,
                       Variadic<I32>:$shape, Variadic<I32>:$strides,
                       Tessel_Tile:$value, Optional<I32>:$second_half);
  let assemblyFormat = [{
    $base `[` $offsets `]` `shape` ` ` `[` $shape `]` `strides` ` ` `[` $strides `]`
    `,` $value (`second_half` ` ` `[` $second_half^ `]`)? attr-dict `:`
    qualified(type($base)) `,` type($value)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Programs waiting for each other
//===----------------------------------------------------------------------===//

def Tessel_SignalOp : Tessel_Op<"signal"> {
  let summary = "publish the program's writes: flags[index] = value (release, GPU scope)";
  let description = [{
    The program's threads meet first, so every global write they made before
    it (stores, block stores) is visible to a program that `tessel.wait`s for
    `value` in the same flag; then one thread stores `value`. A kernel that
    splits one output tile's work between programs (stream-K) hands partial
    sums over this way. The flags are i32 words in global memory.
    ```mlir
    tessel.signal %flags[%slot], %c1 : !tessel.ptr<i32>
    ```
  }];
  let arguments = (ins Tessel_PtrType:$flags, I32:$index, I32:$value);
  let assemblyFormat = [{
    $flags `[` $index `]` `,` $value attr-dict `:` qualified(type($flags))
  }];
  let hasVerifier = 1;
}

def Tessel_WaitOp : Tessel_Op<"wait"> {
  let summary = "wait until flags[index] == value (acquire, GPU scope)";
  let description = [{
    One thread polls the flag until it holds `value`; then the program's
    threads meet, and all of them see the writes the signalling program made
    before its `tessel.signal`. The kernel must make sure that the program it
    waits for runs: it may only wait for programs that never wait for it,
    and that are resident with it or launched before it (e.g. a grid no
    larger than the programs the GPU holds at once, each waiting only for
    later programs).
    ```mlir
    tessel.wait %flags[%slot], %c1 : !tessel.ptr<i32>
    ```
  }];
  let arguments = (ins Tessel_PtrType:$flags, I32:$index, I32:$value);
  let assemblyFormat = [{
    $flags `[` $index `]` `,` $value attr-dict `:` qualified(type($flags))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Compute
//===----------------------------------------------------------------------===//

def Tessel_DotOp : Tessel_Op<"dot", [Pure, AllTypesMatch<["acc", "result"]>]> {
  let summary = "tile matrix product on tensor cores: result = a * b + acc";
  let description = [{
    `a` is M×K, `b` K×N, `acc` and the result M×N in f32. Operands are bf16,
    f16, fp8 (e4m3/e5m2) or f32 (computed as tf32). M, N and K are powers of
    two, at least 16.
    ```mlir
    %c = tessel.dot %a, %b, %acc : tensor<128x32xbf16>, tensor<32x64xbf16>
           -> tensor<128x64xf32>
    ```
  }];
  let arguments = (ins Tessel_FloatTile:$a, Tessel_FloatTile:$b,
                       Tessel_FloatTile:$acc);
  let results = (outs Tessel_FloatTile:$result);
  let assemblyFormat =
      "$a `,` $b `,` $acc attr-dict `:` type($a) `,` type($b) `->` type($result)";
  let hasVerifier = 1;
}

def Tessel_ReduceKind : I32EnumAttr<"ReduceKind", "how a reduction combines", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"min", 2>]> {
  let cppNamespace = "::mlir::tessel";
}

def Tessel_ReduceOp : Tessel_Op<"reduce", [Pure]> {
  let summary = "reduce a 2-D tile along one axis (sum, max, min; optionally of |x|)";
  let description = [{
    The result drops `axis`. With `abs`, elements are replaced by |x| first
    (the row sums of |A| that AOL preconditioning needs).
    ```mlir
    %s = tessel.reduce sum %a {axis = 1 : i32, abs} : tensor<64x64xf32> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins Tessel_FloatTile:$src, Tessel_ReduceKind:$kind,
                       I32Attr:$axis, UnitAttr:$abs);
  let results = (outs Tessel_FloatTile:$result);
  let assemblyFormat =
      "$kind $src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

#endif // TESSEL_OPS_TD
