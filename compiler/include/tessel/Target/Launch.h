//===- Launch.h - Launching a compiled kernel as its metadata says -*- C++
//-*-===//
//
// The one way host code launches a Tessel kernel: block and shared memory
// from its KernelInfo, and its TMA tensor maps built from the launch's own
// arguments and appended as hidden arguments. MLIR-free, like Compiler.h.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TARGET_LAUNCH_H
#define TESSEL_TARGET_LAUNCH_H

#include "tessel/Target/Compiler.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Module.h"
#include "tessel/runtime/Status.h"

#include <cuda.h>

namespace tessel {

/// Launches `kernel` (the entry point `info` describes) on `grid`, on
/// `stream`, with info.numWarps * 32 threads per block and info.sharedBytes
/// of dynamic shared memory. `args` must hold exactly the kernel's own
/// arguments (info.args); the tensor maps of info.tma are appended after
/// them (rt::appendTensorMaps, through the current context's
/// rt::TensorMapCache). Errors name the kernel.
rt::Status launchKernel(rt::Kernel &kernel, const KernelInfo &info,
                        rt::Grid grid, CUstream stream, rt::ArgPack args);

} // namespace tessel

#endif // TESSEL_TARGET_LAUNCH_H
