//===- Passes.h - Tessel dialect passes ---------------------------*- C++
//-*-===//
//
// Declarations and registration of the tile-level passes.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TRANSFORMS_PASSES_H
#define TESSEL_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "tessel/Dialect/Tessel/IR/Tessel.h"
#include "tessel/Dialect/TesselGPU/IR/TesselGPU.h"

namespace mlir::tessel {
#define GEN_PASS_DECL
#include "tessel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessel/Transforms/Passes.h.inc"
} // namespace mlir::tessel

#endif // TESSEL_TRANSFORMS_PASSES_H
