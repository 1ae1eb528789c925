//===- BenchCommon.h - What the benchmarks share ----------------*- C++ -*-===//
//
// The device slug of the CSV file names, cuBLAS / CUDA runtime status checks,
// cudart on the Tessel runtime's primary context, the L2 flush buffer, the
// timing loop (warm-up, L2 flushed before each run, CUDA events, median) and
// DESIGN.md's CSV header. Header-only; used by GemmBench.cpp and NSBench.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_BENCH_BENCHCOMMON_H
#define TESSEL_BENCH_BENCHCOMMON_H

#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Status.h"
#include "tessel/runtime/Timer.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace tessel::bench {

/// DESIGN.md's "Benchmark results" header, one format for every benchmark.
inline constexpr const char *kCsvHeader =
    "device,bench,variant,shape,ms,baseline,baseline_ms,speedup,tflops,"
    "frac_of_limit,rel_err,sigma_min,sigma_max,polar_err\n";

/// "NVIDIA H100 80GB HBM3" -> "h100": the first word holding a digit,
/// lowercased, letters and digits only.
inline std::string deviceSlug(const std::string &name) {
  std::string word, first, fallback;
  auto take = [&] {
    if (!word.empty() && first.empty() &&
        std::any_of(word.begin(), word.end(), ::isdigit))
      first = word;
    if (!word.empty() && fallback.empty() && word != "nvidia")
      fallback = word;
    word.clear();
  };
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      word += char(std::tolower(static_cast<unsigned char>(c)));
    else
      take();
  }
  take();
  return !first.empty() ? first : !fallback.empty() ? fallback : "gpu";
}

/// Fails with the cuBLAS / CUDA runtime error.
inline rt::Status cublasCheck(cublasStatus_t status, const char *call) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return rt::Status::success();
  return rt::Status::error(call, " failed: ", cublasGetStatusName(status), " (",
                           cublasGetStatusString(status), ")");
}
inline rt::Status cudaCheck(cudaError_t error, const char *call) {
  if (error == cudaSuccess)
    return rt::Status::success();
  return rt::Status::error(call, " failed: ", cudaGetErrorName(error), " (",
                           cudaGetErrorString(error), ")");
}

/// In main(): prints the failure and returns 1.
#define BENCH_CHECK(expr)                                                      \
  do {                                                                         \
    ::tessel::rt::Status benchStatus_ = (expr);                                \
    if (!benchStatus_.ok()) {                                                  \
      std::cerr << "error: " << benchStatus_.message() << "\n";                \
      return 1;                                                                \
    }                                                                          \
  } while (0)

/// Makes cudart (and so cuBLAS) use `context`, the device's primary context
/// that the Tessel runtime retained: cudaSetDevice + cudaFree(0), then checks
/// that the current context is that one.
inline rt::Status shareContextWithCudart(const rt::Context &context) {
  TESSEL_RETURN_IF_ERROR(
      cudaCheck(cudaSetDevice(context.ordinal()), "cudaSetDevice"));
  TESSEL_RETURN_IF_ERROR(cudaCheck(cudaFree(nullptr), "cudaFree(0)"));
  rt::Expected<rt::CudaDriver *> drv = rt::CudaDriver::get();
  if (!drv)
    return drv.status();
  CUcontext current = nullptr;
  TESSEL_RETURN_IF_ERROR(
      rt::CudaDriver::check((*drv)->cuCtxGetCurrent(&current),
                            "cuCtxGetCurrent", "", __FILE__, __LINE__));
  if (current != context.handle())
    return rt::Status::error("cudart's context is not the primary context the "
                             "Tessel runtime retained");
  return rt::Status::success();
}

/// Device 0 as every benchmark opens it.
struct BenchDevice {
  rt::Context context; ///< its primary context, current, shared with cudart
  rt::DeviceInfo info;
};

/// Acquires device 0's primary context, queries the device and makes cudart
/// (and so cuBLAS) use the same context. "no CUDA device: ..." when there is
/// none.
inline rt::Expected<BenchDevice> openBenchDevice() {
  rt::Expected<rt::Context> context = rt::Context::acquire(0);
  if (!context)
    return rt::Status::error("no CUDA device: ", context.status().message());
  rt::Expected<rt::DeviceInfo> info = rt::queryDevice(0);
  if (!info)
    return info.status();
  TESSEL_RETURN_IF_ERROR(shareContextWithCudart(*context));
  return BenchDevice{context.take(), *info};
}

/// The L2 flush buffer: at least twice the L2 (and 64 MiB).
inline rt::Expected<rt::DeviceBuffer>
allocateFlush(const rt::DeviceInfo &info) {
  return rt::DeviceBuffer::allocate(
      std::max<std::size_t>(2 * std::size_t(info.l2Bytes), 64u << 20));
}

/// Times `work` on `stream`: `warmup` untimed runs, then `reps` runs each
/// preceded by an L2 flush (a write of `flush`, >= 2x L2; none with a null
/// `flush`: back to back, the L2 as the last run left it) and bracketed by
/// events; the median in ms.
inline rt::Expected<double> timeMedian(const std::function<rt::Status()> &work,
                                       CUstream stream, rt::DeviceBuffer *flush,
                                       rt::EventTimer &timer, int warmup,
                                       int reps) {
  for (int i = 0; i < warmup; ++i)
    TESSEL_RETURN_IF_ERROR(work());
  std::vector<double> samples;
  for (int i = 0; i < reps; ++i) {
    if (flush)
      TESSEL_RETURN_IF_ERROR(
          cudaCheck(cudaMemsetAsync(reinterpret_cast<void *>(flush->ptr()),
                                    i & 0xff, flush->size(),
                                    reinterpret_cast<cudaStream_t>(stream)),
                    "cudaMemsetAsync (L2 flush)"));
    TESSEL_RETURN_IF_ERROR(timer.start(stream));
    TESSEL_RETURN_IF_ERROR(work());
    TESSEL_RETURN_IF_ERROR(timer.stop(stream));
    rt::Expected<double> ms = timer.elapsedMs();
    if (!ms)
      return ms.status();
    samples.push_back(*ms);
  }
  return rt::median(samples);
}

/// timeMedian with the L2 flushed before each timed run.
inline rt::Expected<double> timeMedian(const std::function<rt::Status()> &work,
                                       CUstream stream, rt::DeviceBuffer &flush,
                                       rt::EventTimer &timer, int warmup,
                                       int reps) {
  return timeMedian(work, stream, &flush, timer, warmup, reps);
}

/// `text` as one CSV field: quoted (RFC 4180, inner quotes doubled) when it
/// holds a comma, a quote or a line break (a kernel variant's knobs).
inline std::string csvField(const std::string &text) {
  if (text.find_first_of(",\"\n") == std::string::npos)
    return text;
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

/// printf of one value; "" for NaN (an empty CSV field).
inline std::string fmt(const char *format, double value) {
  if (std::isnan(value))
    return "";
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

} // namespace tessel::bench

#endif // TESSEL_BENCH_BENCHCOMMON_H
