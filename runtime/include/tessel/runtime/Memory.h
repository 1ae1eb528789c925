//===- Memory.h - Device memory owned by RAII buffers -----------*- C++ -*-===//
//
// DeviceBuffer: a move-only allocation of global memory with synchronous
// copies and fills, bounds-checked before any driver call.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_MEMORY_H
#define TESSEL_RUNTIME_MEMORY_H

#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessel::rt {

/// A block of device memory, freed on destruction. Allocate and use it with
/// a context current (see Context); copies and fills are synchronous with
/// respect to the host. An empty buffer (default-constructed, or of 0 bytes)
/// has ptr() == 0.
class DeviceBuffer {
public:
  /// Allocates `bytes` bytes of device memory (uninitialized).
  static Expected<DeviceBuffer> allocate(std::size_t bytes);

  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();

  /// The device address, as a kernel argument takes it.
  CUdeviceptr ptr() const { return ptr_; }
  /// The size in bytes.
  std::size_t size() const { return size_; }

  /// Copies `bytes` bytes from host memory `src` to this buffer at `offset`.
  Status copyFromHost(const void *src, std::size_t bytes,
                      std::size_t offset = 0);
  /// Copies `bytes` bytes at `offset` of this buffer to host memory `dst`.
  Status copyToHost(void *dst, std::size_t bytes, std::size_t offset = 0) const;
  /// Copies `bytes` bytes from device address `src` to this buffer at
  /// `offset`.
  Status copyFromDevice(CUdeviceptr src, std::size_t bytes,
                        std::size_t offset = 0);
  /// Sets every byte of the buffer to `value`.
  Status fillBytes(std::uint8_t value);
  /// Sets every 32-bit word of the buffer to `value`; the size must be a
  /// multiple of 4.
  Status fillU32(std::uint32_t value);

  /// Copies a whole host vector into the start of the buffer.
  template <class T> Status upload(const std::vector<T> &host) {
    return copyFromHost(host.data(), host.size() * sizeof(T));
  }
  /// Copies the start of the buffer into a whole host vector (sized by the
  /// caller).
  template <class T> Status download(std::vector<T> &host) const {
    return copyToHost(host.data(), host.size() * sizeof(T));
  }

  /// Frees the memory now, reporting a failure (the destructor cannot).
  Status reset();

private:
  Status checkRange(const char *what, std::size_t bytes,
                    std::size_t offset) const;

  CUdeviceptr ptr_ = 0;
  std::size_t size_ = 0;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_MEMORY_H
