//===- Device.cpp - Device count, properties and Tessel target ------------===//
//
// Reads a device's attributes through the driver and maps its compute
// capability onto the targets the compiler emits code for.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Device.h"

#include "tessel/runtime/CudaDriver.h"

namespace tessel::rt {

Expected<int> deviceCount() {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  int count = 0;
  TESSEL_CU((*drv)->cuDeviceGetCount(&count), "");
  return count;
}

Expected<CudaDriver *> driverFor(int ordinal) {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  Expected<int> count = deviceCount();
  if (!count)
    return count.status();
  if (ordinal < 0 || ordinal >= *count)
    return Status::error("no CUDA device ", ordinal, ": the driver sees ",
                         *count, " device(s)");
  return *drv;
}

Expected<DeviceInfo> queryDevice(int ordinal) {
  Expected<CudaDriver *> drv = driverFor(ordinal);
  if (!drv)
    return drv.status();
  CudaDriver &cu = **drv;

  CUdevice device = 0;
  TESSEL_CU(cu.cuDeviceGet(&device, ordinal), "");
  DeviceInfo info;
  info.ordinal = ordinal;
  char name[256] = {};
  TESSEL_CU(cu.cuDeviceGetName(name, sizeof(name) - 1, device), "");
  info.name = name;

  struct Query {
    int *field;
    CUdevice_attribute attribute;
  };
  const Query queries[] = {
      {&info.ccMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR},
      {&info.ccMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR},
      {&info.smCount, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT},
      {&info.maxSharedPerBlockOptin,
       CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN},
      {&info.maxSharedPerBlock,
       CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK},
      {&info.maxSharedPerSm,
       CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR},
      {&info.l2Bytes, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE},
      {&info.maxRegistersPerBlock, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK},
      {&info.maxThreadsPerBlock, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK},
      {&info.warpSize, CU_DEVICE_ATTRIBUTE_WARP_SIZE},
  };
  for (const Query &query : queries)
    TESSEL_CU(cu.cuDeviceGetAttribute(query.field, query.attribute, device),
              "");
  return info;
}

std::string targetFor(const DeviceInfo &info) {
  // SASS for sm_80 runs on every 8.x part; 8.9 gets its own target (fp8
  // mma.sync). The "a" targets use arch-specific instructions (wgmma,
  // tcgen05) that run only on exactly that capability.
  switch (info.ccMajor) {
  case 8:
    return info.ccMinor == 9 ? "sm_89" : "sm_80";
  case 9:
    return info.ccMinor == 0 ? "sm_90a" : "";
  case 10:
    return info.ccMinor == 0 ? "sm_100a" : "";
  default:
    return "";
  }
}

} // namespace tessel::rt
