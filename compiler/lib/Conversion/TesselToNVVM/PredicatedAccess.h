//===- PredicatedAccess.h - masked element loads and stores, branch-free --===//
//
// A masked element access as one predicated PTX instruction (`@p st.global`)
// instead of an scf.if around an llvm.store: a 128x256 tile's epilogue has
// hundreds of them, and each branch became a basic block that every later
// pass (canonicalize, LLVM's DSE/GVN/InstCombine, NVPTX's SLSR and ISel)
// walked: most of a TMA kernel's compile time.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_CONVERSION_TESSELTONVVM_PREDICATEDACCESS_H
#define TESSEL_CONVERSION_TESSELTONVVM_PREDICATEDACCESS_H

#include "mlir/IR/Builders.h"

namespace mlir::tessel {

/// `if (pred) *ptr = value` on a global pointer, as `@pred st.global.bN`
/// (or `.v4.b32` for 16 bytes). `value` is an integer, a float (bf16
/// included) or a vector of them, of 8, 16, 32, 64 or 128 bits (other
/// widths keep the branch); `ptr` must be aligned to that size wherever
/// `pred` holds.
void predicatedStore(OpBuilder &b, Location loc, Value value, Value ptr,
                     Value pred);

/// `pred ? *ptr : other` on a global pointer, as `mov other; @pred
/// ld.global.bN` (`.v4.b32` for 16 bytes; 16, 32, 64 or 128 bits, aligned
/// where `pred` holds): a false lane reads nothing. Ordered like a volatile access
/// (the asm has side effects), so it never moves across a barrier or store.
Value predicatedLoad(OpBuilder &b, Location loc, Type type, Value ptr,
                     Value pred, Value other);

} // namespace mlir::tessel

#endif // TESSEL_CONVERSION_TESSELTONVVM_PREDICATEDACCESS_H
