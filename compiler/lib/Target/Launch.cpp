//===- Launch.cpp - Launching a compiled kernel as its metadata says ------===//
//
// Check the argument count (the hidden TMA arguments go right after the
// kernel's own), bind the tensor maps, launch. No MLIR here.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/Launch.h"

#include "tessel/runtime/TmaArgs.h"

using namespace tessel;

rt::Status tessel::launchKernel(rt::Kernel &kernel, const KernelInfo &info,
                                rt::Grid grid, CUstream stream,
                                rt::ArgPack args) {
  // A missing or extra argument would shift every hidden map pointer (and
  // the kernel would read garbage, not fail): refuse it here.
  if (args.size() != info.args.size()) {
    std::string want;
    for (const std::string &kind : info.args)
      want += (want.empty() ? "" : ", ") + kind;
    return rt::Status::error("cannot launch kernel '", info.name,
                             "': it takes ", info.args.size(), " arguments (",
                             want, "), the launch passes ", args.size(), " ",
                             args.describe());
  }
  if (!info.tma.empty())
    TESSEL_RETURN_IF_ERROR(rt::appendTensorMaps(
        info.name, info.tma, args, rt::TensorMapCache::forCurrentContext()));
  // A kernel that waits for its predecessor may start while it drains;
  // one in clusters launches in them (Kernel::launch checks the grid).
  return kernel.launch(grid, rt::Block{unsigned(info.numWarps * 32)},
                       unsigned(info.sharedBytes), stream, args,
                       info.gridDependency, unsigned(info.clusterSize));
}
