//===- Kernel.cpp - Launching a kernel and reading its attributes ---------===//
//
// The launch path: validate the configuration, raise the dynamic shared
// memory limit when needed, cuLaunchKernel (cuLaunchKernelEx for a
// programmatic dependent launch); every error names the kernel.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Module.h"

#include <cstdlib>
#include <sstream>
#include <string>

namespace tessel::rt {
namespace {

std::string describeLaunch(Grid grid, Block block, unsigned sharedBytes,
                           const ArgPack &args) {
  std::ostringstream os;
  os << "grid " << grid.x << "x" << grid.y << "x" << grid.z << ", block "
     << block.x << "x" << block.y << "x" << block.z << ", " << sharedBytes
     << " B dynamic shared, args " << args.describe();
  return os.str();
}

} // namespace

/// TESSEL_PDL=0 turns programmatic dependent launches off (read once).
static bool programmaticLaunchesAllowed() {
  static const bool allowed = [] {
    const char *v = std::getenv("TESSEL_PDL");
    return !(v && std::string(v) == "0");
  }();
  return allowed;
}

Status Kernel::launch(Grid grid, Block block, unsigned sharedBytes,
                      CUstream stream, ArgPack &args, bool overlapPrevious,
                      unsigned clusterX) {
  if (!function_)
    return Status::error("launch of an empty Kernel handle");
  if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z)
    return Status::error("cannot launch kernel '", name_,
                         "': a zero launch dimension (",
                         describeLaunch(grid, block, sharedBytes, args), ")");
  // Programs of a cluster wait for each other: a partial last cluster's
  // programs would wait forever.
  if (clusterX == 0 || grid.x % clusterX)
    return Status::error("cannot launch kernel '", name_, "' in clusters of ",
                         clusterX,
                         " along x: the grid's x must be a multiple (",
                         describeLaunch(grid, block, sharedBytes, args), ")");
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  CudaDriver &cu = **drv;

  if (sharedBytes > 0) {
    if (maxDynamicShared_ < 0) {
      int current = 0;
      TESSEL_CU(cu.cuFuncGetAttribute(
                    &current, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    function_),
                name_);
      maxDynamicShared_ = current;
    }
    if (sharedBytes > static_cast<unsigned>(maxDynamicShared_)) {
      Status raised = CudaDriver::check(
          cu.cuFuncSetAttribute(function_,
                                CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                static_cast<int>(sharedBytes)),
          "cuFuncSetAttribute", name_, __FILE__, __LINE__);
      if (!raised.ok())
        return raised.withDetail("raising the dynamic shared memory limit to " +
                                 std::to_string(sharedBytes) + " B");
      maxDynamicShared_ = static_cast<int>(sharedBytes);
    }
  }

  Status status = Status::success();
  const bool overlap = overlapPrevious && programmaticLaunchesAllowed();
  if (overlap || clusterX > 1) {
    CUlaunchAttribute attributes[2] = {};
    unsigned count = 0;
    if (overlap) {
      attributes[count].id =
          CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
      attributes[count++].value.programmaticStreamSerializationAllowed = 1;
    }
    if (clusterX > 1) {
      attributes[count].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
      attributes[count].value.clusterDim.x = clusterX;
      attributes[count].value.clusterDim.y = 1;
      attributes[count++].value.clusterDim.z = 1;
    }
    CUlaunchConfig config{};
    config.gridDimX = grid.x;
    config.gridDimY = grid.y;
    config.gridDimZ = grid.z;
    config.blockDimX = block.x;
    config.blockDimY = block.y;
    config.blockDimZ = block.z;
    config.sharedMemBytes = sharedBytes;
    config.hStream = stream;
    config.attrs = attributes;
    config.numAttrs = count;
    status = CudaDriver::check(
        cu.cuLaunchKernelEx(&config, function_, args.params(), nullptr),
        "cuLaunchKernelEx", name_, __FILE__, __LINE__);
  } else {
    status = CudaDriver::check(
        cu.cuLaunchKernel(function_, grid.x, grid.y, grid.z, block.x, block.y,
                          block.z, sharedBytes, stream, args.params(), nullptr),
        "cuLaunchKernel", name_, __FILE__, __LINE__);
  }
  if (!status.ok())
    return status.withDetail(describeLaunch(grid, block, sharedBytes, args));
  return Status::success();
}

Expected<KernelAttributes> Kernel::attributes() const {
  if (!function_)
    return Status::error("attributes of an empty Kernel handle");
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  KernelAttributes attributes;
  struct Query {
    int *field;
    CUfunction_attribute attribute;
  };
  const Query queries[] = {
      {&attributes.numRegs, CU_FUNC_ATTRIBUTE_NUM_REGS},
      {&attributes.maxThreadsPerBlock, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK},
      {&attributes.staticSharedBytes, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES},
      {&attributes.localBytes, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES},
      {&attributes.maxDynamicSharedBytes,
       CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES},
      {&attributes.ptxVersion, CU_FUNC_ATTRIBUTE_PTX_VERSION},
      {&attributes.binaryVersion, CU_FUNC_ATTRIBUTE_BINARY_VERSION},
  };
  for (const Query &query : queries)
    TESSEL_CU(
        (*drv)->cuFuncGetAttribute(query.field, query.attribute, function_),
        name_);
  return attributes;
}

} // namespace tessel::rt
