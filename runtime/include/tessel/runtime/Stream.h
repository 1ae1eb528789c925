//===- Stream.h - An owned CUDA stream --------------------------*- C++ -*-===//
//
// A move-only CUDA stream for callers that have none of their own (tests,
// benchmarks, the CLI); launches take any CUstream, a caller's included.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_STREAM_H
#define TESSEL_RUNTIME_STREAM_H

#include "tessel/runtime/Status.h"

#include <cuda.h>

namespace tessel::rt {

/// A CUDA stream of the current context, destroyed with the object.
class Stream {
public:
  /// Creates a stream; a non-blocking one (the default) does not synchronize
  /// with the legacy default stream.
  static Expected<Stream> create(bool nonBlocking = true);

  Stream() = default;
  Stream(Stream &&other) noexcept;
  Stream &operator=(Stream &&other) noexcept;
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;
  ~Stream();

  /// The driver handle (null for a default-constructed Stream, which the
  /// driver takes as the default stream).
  CUstream handle() const { return stream_; }

  /// Waits until all work queued on the stream has finished.
  Status synchronize() const;

private:
  void destroy();

  CUstream stream_ = nullptr;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_STREAM_H
