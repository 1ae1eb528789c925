//===- CudaDriver.h - The dlopen'd CUDA driver and its check ----*- C++ -*-===//
//
// libcuda is never linked: CudaDriver dlopen's it once and holds a pointer per
// entry of CudaSymbols.def. Every driver call goes through CudaDriver::check
// (usually via TESSEL_CU), naming the CUDA error, the call and the kernel.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_CUDADRIVER_H
#define TESSEL_RUNTIME_CUDADRIVER_H

#include "tessel/runtime/Status.h"

#include <cuda.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tessel::rt {

/// The CUDA driver API, resolved at run time from libcuda.
///
/// Call the entry points through the pointers: `drv->cuMemAlloc_v2(&p, n)`.
/// The names are the exported symbols, so the versioned ones carry their
/// suffix (see CudaSymbols.def).
class CudaDriver {
public:
  /// The process-wide driver: loads `libcuda.so.1` (then `libcuda.so`) and
  /// calls cuInit(0) on first use; thread-safe; later calls return the same
  /// result, success or failure. Fails with "no CUDA driver: dlopen(...)
  /// failed: ..." where no library is found, or "CUDA driver unusable: ..."
  /// where one is found but cannot be used (missing symbol, cuInit error).
  static Expected<CudaDriver *> get();

  /// Loads a private driver instance from the first of `libraries` that
  /// dlopen accepts and calls cuInit(0). For tests and tools; everything
  /// else should use get(). The library is closed with the instance.
  static Expected<std::unique_ptr<CudaDriver>>
  open(const std::vector<std::string> &libraries);

  /// Turns a driver result into a Status: success for CUDA_SUCCESS, else
  /// "<call> failed for kernel '<kernel>': <NAME> (<description>)
  /// [<file>:<line>]". `call` may be the call's source text
  /// (`drv->cuLaunchKernel(f, ...)`); only the function name is reported.
  /// An empty `kernel` drops the "for kernel" part. Error names come from
  /// the loaded driver; without one the numeric code is printed.
  static Status check(CUresult result, const char *call,
                      std::string_view kernel, const char *file, int line);

#define TESSEL_CU_SYMBOL(name) decltype(&::name) name = nullptr;
#include "tessel/runtime/CudaSymbols.def"
#undef TESSEL_CU_SYMBOL

  /// The driver's CUDA version as cuDriverGetVersion reports it (13000 =
  /// 13.0).
  int driverVersion() const { return driverVersion_; }

  /// The library name that dlopen accepted.
  const std::string &library() const { return library_; }

  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

private:
  CudaDriver() = default;

  /// check() with the driver whose error names to use given explicitly (null
  /// for none), for use while a driver is being loaded.
  static Status checkWith(const CudaDriver *driver, CUresult result,
                          const char *call, std::string_view kernel,
                          const char *file, int line);

  void *handle_ = nullptr;
  int driverVersion_ = 0;
  std::string library_;
};

/// The message CudaDriver::check reports; pure, so it is testable without a
/// GPU. `name`/`desc` are cuGetErrorName/cuGetErrorString's answers (null
/// when unavailable: the numeric code is printed instead); `kernel` may be
/// empty; `file` may be null.
std::string formatCudaError(int code, const char *name, const char *desc,
                            const char *call, std::string_view kernel,
                            const char *file, int line);

/// The name of the function called in `callText` ("drv->cuLaunchKernel(f,
/// 1)" -> "cuLaunchKernel"); `callText` itself when it holds no call.
std::string_view cudaCallName(std::string_view callText);

} // namespace tessel::rt

/// Evaluates the driver call `call` (an expression of type CUresult, e.g.
/// `drv->cuMemFree_v2(ptr)`) and, when it fails, returns from the enclosing
/// function a Status naming the call, `kernel` (a string; "" for none), the
/// CUDA error and this file:line. The enclosing function may return Status or
/// any Expected<T>.
#define TESSEL_CU(call, kernel)                                                \
  do {                                                                         \
    ::tessel::rt::Status tesselCuStatus_ = ::tessel::rt::CudaDriver::check(    \
        (call), #call, (kernel), __FILE__, __LINE__);                          \
    if (!tesselCuStatus_.ok())                                                 \
      return tesselCuStatus_;                                                  \
  } while (0)

#endif // TESSEL_RUNTIME_CUDADRIVER_H
