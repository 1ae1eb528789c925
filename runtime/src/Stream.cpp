//===- Stream.cpp - Creating, synchronizing and destroying streams --------===//
//
// The RAII wrapper behind Stream.h.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Stream.h"

#include "tessel/runtime/CudaDriver.h"

#include <utility>

namespace tessel::rt {

Expected<Stream> Stream::create(bool nonBlocking) {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  Stream stream;
  TESSEL_CU((*drv)->cuStreamCreate(&stream.stream_, nonBlocking
                                                        ? CU_STREAM_NON_BLOCKING
                                                        : CU_STREAM_DEFAULT),
            "");
  return stream;
}

Stream::Stream(Stream &&other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)) {}

Stream &Stream::operator=(Stream &&other) noexcept {
  if (this != &other) {
    destroy();
    stream_ = std::exchange(other.stream_, nullptr);
  }
  return *this;
}

Stream::~Stream() { destroy(); }

void Stream::destroy() {
  if (!stream_)
    return;
  if (Expected<CudaDriver *> drv = CudaDriver::get())
    (void)(*drv)->cuStreamDestroy_v2(stream_);
  stream_ = nullptr;
}

Status Stream::synchronize() const {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuStreamSynchronize(stream_), "");
  return Status::success();
}

} // namespace tessel::rt
