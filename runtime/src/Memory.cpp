//===- Memory.cpp - DeviceBuffer allocation, copies and fills -------------===//
//
// Every copy and fill is checked against the buffer's bounds before the
// driver is called, so an overrun is a Status, not a corrupted neighbour.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Memory.h"

#include "tessel/runtime/CudaDriver.h"

#include <utility>

namespace tessel::rt {

Expected<DeviceBuffer> DeviceBuffer::allocate(std::size_t bytes) {
  DeviceBuffer buffer;
  if (bytes == 0)
    return buffer;
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  Status status = CudaDriver::check((*drv)->cuMemAlloc_v2(&buffer.ptr_, bytes),
                                    "cuMemAlloc_v2", "", __FILE__, __LINE__);
  if (!status.ok())
    return status.withDetail(std::to_string(bytes) + " bytes");
  buffer.size_ = bytes;
  return buffer;
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : ptr_(std::exchange(other.ptr_, 0)), size_(std::exchange(other.size_, 0)) {
}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    (void)reset();
    ptr_ = std::exchange(other.ptr_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() { (void)reset(); }

Status DeviceBuffer::reset() {
  if (!ptr_)
    return Status::success();
  CUdeviceptr ptr = std::exchange(ptr_, 0);
  size_ = 0;
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuMemFree_v2(ptr), "");
  return Status::success();
}

Status DeviceBuffer::checkRange(const char *what, std::size_t bytes,
                                std::size_t offset) const {
  if (offset > size_ || bytes > size_ - offset)
    return Status::error("DeviceBuffer::", what, ": ", bytes,
                         " bytes at offset ", offset, " overrun a ", size_,
                         "-byte buffer");
  return Status::success();
}

Status DeviceBuffer::copyFromHost(const void *src, std::size_t bytes,
                                  std::size_t offset) {
  TESSEL_RETURN_IF_ERROR(checkRange("copyFromHost", bytes, offset));
  if (bytes == 0)
    return Status::success();
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuMemcpyHtoD_v2(ptr_ + offset, src, bytes), "");
  return Status::success();
}

Status DeviceBuffer::copyToHost(void *dst, std::size_t bytes,
                                std::size_t offset) const {
  TESSEL_RETURN_IF_ERROR(checkRange("copyToHost", bytes, offset));
  if (bytes == 0)
    return Status::success();
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuMemcpyDtoH_v2(dst, ptr_ + offset, bytes), "");
  return Status::success();
}

Status DeviceBuffer::copyFromDevice(CUdeviceptr src, std::size_t bytes,
                                    std::size_t offset) {
  TESSEL_RETURN_IF_ERROR(checkRange("copyFromDevice", bytes, offset));
  if (bytes == 0)
    return Status::success();
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuMemcpyDtoD_v2(ptr_ + offset, src, bytes), "");
  return Status::success();
}

Status DeviceBuffer::fillBytes(std::uint8_t value) {
  if (size_ == 0)
    return Status::success();
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuMemsetD8_v2(ptr_, value, size_), "");
  return Status::success();
}

Status DeviceBuffer::fillU32(std::uint32_t value) {
  if (size_ % 4 != 0)
    return Status::error("DeviceBuffer::fillU32: a ", size_,
                         "-byte buffer is not a whole number of 32-bit words");
  if (size_ == 0)
    return Status::success();
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuMemsetD32_v2(ptr_, value, size_ / 4), "");
  return Status::success();
}

} // namespace tessel::rt
