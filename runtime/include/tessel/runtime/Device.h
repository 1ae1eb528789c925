//===- Device.h - CUDA devices, their properties and contexts ---*- C++ -*-===//
//
// What the compiler and autotuner need to know about a GPU (compute
// capability, SMs, shared memory limits, L2), the Tessel target it maps to,
// and an RAII handle on a device's primary context.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_DEVICE_H
#define TESSEL_RUNTIME_DEVICE_H

#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <string>

namespace tessel::rt {

/// The properties of one device, read off the driver.
struct DeviceInfo {
  /// The device's ordinal (0 ..< deviceCount()).
  int ordinal = 0;
  /// The marketing name, e.g. "NVIDIA H100 80GB HBM3".
  std::string name;
  /// Compute capability, e.g. 9.0 for the H100.
  int ccMajor = 0;
  int ccMinor = 0;
  /// Streaming multiprocessors (132 on an H100 SXM).
  int smCount = 0;
  /// Shared memory one block may use after opting in with
  /// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (227 KiB on sm_90).
  int maxSharedPerBlockOptin = 0;
  /// Shared memory one block may use without opting in (48 KiB).
  int maxSharedPerBlock = 0;
  /// Shared memory of one SM, all blocks on it together.
  int maxSharedPerSm = 0;
  /// L2 cache size in bytes.
  int l2Bytes = 0;
  /// 32-bit registers available to one block.
  int maxRegistersPerBlock = 0;
  /// Threads one block may have.
  int maxThreadsPerBlock = 0;
  /// Threads of a warp (32 on every NVIDIA GPU so far).
  int warpSize = 0;
};

/// The number of CUDA devices (0 on a machine with a driver but no GPU);
/// fails where there is no usable driver.
Expected<int> deviceCount();

/// Reads the properties of device `ordinal`.
Expected<DeviceInfo> queryDevice(int ordinal);

/// The loaded driver, once `ordinal` is known to name a device.
Expected<CudaDriver *> driverFor(int ordinal);

/// The Tessel compilation target for a device: "sm_80" (cc 8.0-8.8: A100,
/// and the 8.6/8.7 parts that run sm_80 code), "sm_89" (L40S), "sm_90a"
/// (H100/H200), "sm_100a" (B200); "" where Tessel has no target for it (cc
/// below 8.0, or a capability whose arch-specific code ours would not run
/// on, e.g. 10.3 or 12.0).
std::string targetFor(const DeviceInfo &info);

/// A device's primary context, retained and made current on the creating
/// thread for the lifetime of the object; the previously current context is
/// restored on destruction if this one is still current. Move-only.
class Context {
public:
  /// Retains device `ordinal`'s primary context and makes it current.
  static Expected<Context> acquire(int ordinal);

  Context() = default;
  Context(Context &&other) noexcept;
  Context &operator=(Context &&other) noexcept;
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;
  ~Context();

  /// Makes this context current on the calling thread (needed on any thread
  /// other than the one that acquired it).
  Status makeCurrent() const;

  /// Makes this context current on the calling thread and waits until all
  /// work queued in it has finished.
  Status synchronize() const;

  /// The driver handles; null / -1 for a default-constructed Context.
  CUcontext handle() const { return context_; }
  CUdevice device() const { return device_; }
  int ordinal() const { return ordinal_; }

private:
  void release();

  CUcontext context_ = nullptr;
  CUcontext previous_ = nullptr;
  CUdevice device_ = -1;
  int ordinal_ = -1;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_DEVICE_H
