//===- Pipeline.h - the one pass pipeline of Tessel ---------------*- C++
//-*-===//
//
// Every consumer (tessel-opt, the CLI, the JIT, the autotuner) builds its
// passes here, so any kernel that fails anywhere replays with tessel-opt.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_PIPELINE_H
#define TESSEL_TARGET_PIPELINE_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include <string>
#include <vector>

namespace mlir::tessel {

/// Stage 1, tile level: bind knobs, infer static shapes, tidy.
void buildSpecializePipeline(OpPassManager &pm,
                             const std::vector<std::string> &params);
/// Stage 2, GPU level: thread layouts and conversions.
void buildLayoutPipeline(OpPassManager &pm);
/// Stage 3: per-thread code, then the LLVM and NVVM dialects only.
void buildLowerToLLVMPipeline(OpPassManager &pm);

/// Registers the dialects Tessel input and output may contain, and the
/// translations to LLVM IR.
void registerTesselDialects(DialectRegistry &registry);
/// Registers Tessel's passes, the upstream ones the pipeline uses, and the
/// named pipeline `tessel-pipeline` (stages 1-3) for tessel-opt.
void registerAllTesselPasses();

} // namespace mlir::tessel

#endif // TESSEL_TARGET_PIPELINE_H
