//===- Kernel.cpp - Launching a kernel and reading its attributes ---------===//
//
// The launch path: validate the configuration, raise the dynamic shared
// memory limit when needed, cuLaunchKernel; every error names the kernel.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Module.h"

#include <sstream>

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

Status Kernel::launch(Grid grid, Block block, unsigned sharedBytes,
                      CUstream stream, ArgPack &args) {
  if (!function_)
    return Status::error("launch of an empty Kernel handle");
  if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z)
    return Status::error("cannot launch kernel '", name_,
                         "': a zero launch dimension (",
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

  Status status = CudaDriver::check(
      cu.cuLaunchKernel(function_, grid.x, grid.y, grid.z, block.x, block.y,
                        block.z, sharedBytes, stream, args.params(), nullptr),
      "cuLaunchKernel", name_, __FILE__, __LINE__);
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
