//===- PTXEmitter.h - LLVM IR to PTX with the NVPTX backend -------*- C++
//-*-===//
//
// Links libdevice when the module calls __nv_* functions, runs the O2 IR
// pipeline (without its vectorizers) and the NVPTX backend at its default
// codegen level, and emits PTX for one chip, in process. (O3 with the
// aggressive codegen level cost ~40%
// more compile time on Tessel's unrolled tile code for no kernel speed; the
// lowest codegen level is 2.5x faster to compile but its kernels ran 7-11%
// slower on the H100.)
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_PTXEMITTER_H
#define TESSEL_TARGET_PTXEMITTER_H

#include "tessel/Target/StageTimes.h"

#include <string>

namespace llvm {
class Module;
}

namespace tessel {

/// Emits PTX for `chip` (sm_80, sm_89, sm_90a, sm_100a). `llvmIR` receives
/// the optimized LLVM IR. Returns false with `error` set on failure. With a
/// `clock`, laps "libdevice", "LLVM IR passes" and "NVPTX codegen".
bool emitPTX(llvm::Module &module, const std::string &chip, std::string &ptx,
             std::string &llvmIR, std::string &error,
             StageClock *clock = nullptr);

/// The LLVM IR pipeline emitPTX runs: $TESSEL_LLVM_PASSES if set, else
/// "O2". "O2" is LLVM's default O2 pipeline, "light" Tessel's short one (a
/// few cleanups, no loop or vector passes), anything else a PassBuilder
/// pipeline text ("function(instcombine,gvn)"). Part of the compile cache key.
std::string llvmPassPipeline();

/// Where libdevice is read from: $TESSEL_LIBDEVICE, else the CUDA toolkit's.
std::string libdevicePath();

} // namespace tessel

#endif // TESSEL_TARGET_PTXEMITTER_H
