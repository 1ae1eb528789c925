//===- Context.cpp - RAII on a device's primary context -------------------===//
//
// Retains the primary context (the one the CUDA runtime and PyTorch also
// use), so Tessel's modules and buffers live alongside theirs.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Device.h"

#include <utility>

namespace tessel::rt {

Expected<Context> Context::acquire(int ordinal) {
  Expected<CudaDriver *> drv = driverFor(ordinal);
  if (!drv)
    return drv.status();
  CudaDriver &cu = **drv;

  Context context;
  TESSEL_CU(cu.cuDeviceGet(&context.device_, ordinal), "");
  TESSEL_CU(cu.cuCtxGetCurrent(&context.previous_), "");
  TESSEL_CU(cu.cuDevicePrimaryCtxRetain(&context.context_, context.device_),
            "");
  context.ordinal_ = ordinal;
  // From here on the destructor releases what was retained.
  TESSEL_CU(cu.cuCtxSetCurrent(context.context_), "");
  return context;
}

Context::Context(Context &&other) noexcept
    : context_(std::exchange(other.context_, nullptr)),
      previous_(std::exchange(other.previous_, nullptr)),
      device_(std::exchange(other.device_, -1)),
      ordinal_(std::exchange(other.ordinal_, -1)) {}

Context &Context::operator=(Context &&other) noexcept {
  if (this != &other) {
    release();
    context_ = std::exchange(other.context_, nullptr);
    previous_ = std::exchange(other.previous_, nullptr);
    device_ = std::exchange(other.device_, -1);
    ordinal_ = std::exchange(other.ordinal_, -1);
  }
  return *this;
}

Context::~Context() { release(); }

void Context::release() {
  if (!context_)
    return;
  // A destructor cannot report; errors here (a driver torn down at exit)
  // leave nothing to clean up anyway.
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (drv) {
    CUcontext current = nullptr;
    if ((*drv)->cuCtxGetCurrent(&current) == CUDA_SUCCESS &&
        current == context_)
      (void)(*drv)->cuCtxSetCurrent(previous_);
    (void)(*drv)->cuDevicePrimaryCtxRelease_v2(device_);
  }
  context_ = nullptr;
  previous_ = nullptr;
}

Status Context::makeCurrent() const {
  if (!context_)
    return Status::error("Context::makeCurrent on an empty Context");
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuCtxSetCurrent(context_), "");
  return Status::success();
}

Status Context::synchronize() const {
  if (!context_)
    return Status::error("Context::synchronize on an empty Context");
  TESSEL_RETURN_IF_ERROR(makeCurrent());
  Expected<CudaDriver *> drv = CudaDriver::get();
  TESSEL_CU((*drv)->cuCtxSynchronize(), "");
  return Status::success();
}

} // namespace tessel::rt
