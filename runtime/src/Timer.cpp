//===- Timer.cpp - CUDA event timer and the median of samples -------------===//
//
// Event pairs are created with default flags (timing enabled, no blocking
// sync) so that recording them costs next to nothing on the stream.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Timer.h"

#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Memory.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace tessel::rt {

double median(std::vector<double> samples) {
  if (samples.empty())
    return std::numeric_limits<double>::quiet_NaN();
  std::size_t middle = samples.size() / 2;
  std::nth_element(samples.begin(), samples.begin() + middle, samples.end());
  double upper = samples[middle];
  if (samples.size() % 2 == 1)
    return upper;
  double lower = *std::max_element(samples.begin(), samples.begin() + middle);
  return (lower + upper) / 2;
}

Expected<EventTimer> EventTimer::create() {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  EventTimer timer;
  TESSEL_CU((*drv)->cuEventCreate(&timer.start_, CU_EVENT_DEFAULT), "");
  TESSEL_CU((*drv)->cuEventCreate(&timer.stop_, CU_EVENT_DEFAULT), "");
  return timer;
}

EventTimer::EventTimer(EventTimer &&other) noexcept
    : start_(std::exchange(other.start_, nullptr)),
      stop_(std::exchange(other.stop_, nullptr)) {}

EventTimer &EventTimer::operator=(EventTimer &&other) noexcept {
  if (this != &other) {
    destroy();
    start_ = std::exchange(other.start_, nullptr);
    stop_ = std::exchange(other.stop_, nullptr);
  }
  return *this;
}

EventTimer::~EventTimer() { destroy(); }

void EventTimer::destroy() {
  if (!start_ && !stop_)
    return;
  Expected<CudaDriver *> drv = CudaDriver::get();
  for (CUevent *event : {&start_, &stop_}) {
    if (*event && drv)
      (void)(*drv)->cuEventDestroy_v2(*event);
    *event = nullptr;
  }
}

Status EventTimer::start(CUstream stream) {
  if (!start_)
    return Status::error("EventTimer::start on an empty timer");
  Expected<CudaDriver *> drv = CudaDriver::get();
  TESSEL_CU((*drv)->cuEventRecord(start_, stream), "");
  return Status::success();
}

Status EventTimer::stop(CUstream stream) {
  if (!stop_)
    return Status::error("EventTimer::stop on an empty timer");
  Expected<CudaDriver *> drv = CudaDriver::get();
  TESSEL_CU((*drv)->cuEventRecord(stop_, stream), "");
  return Status::success();
}

Expected<double> EventTimer::elapsedMs() const {
  if (!start_ || !stop_)
    return Status::error("EventTimer::elapsedMs on an empty timer");
  Expected<CudaDriver *> drv = CudaDriver::get();
  TESSEL_CU((*drv)->cuEventSynchronize(stop_), "");
  float ms = 0;
  TESSEL_CU((*drv)->cuEventElapsedTime_v2(&ms, start_, stop_), "");
  return static_cast<double>(ms);
}

Expected<double> timeMedianMs(const std::function<Status(CUstream)> &work,
                              CUstream stream, const TimingOptions &opts) {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  std::optional<DeviceBuffer> flush;
  if (opts.flushBytes) {
    auto buffer = DeviceBuffer::allocate(opts.flushBytes);
    if (!buffer)
      return buffer.status().withContext("L2 flush buffer");
    flush = std::move(*buffer);
  }
  auto timer = EventTimer::create();
  if (!timer)
    return timer.status();
  for (int i = 0; i < opts.warmup; ++i)
    TESSEL_RETURN_IF_ERROR(work(stream));
  std::vector<double> samples;
  for (int i = 0; i < std::max(opts.reps, 1); ++i) {
    if (flush)
      TESSEL_CU((*drv)->cuMemsetD8Async(flush->ptr(), (unsigned char)i,
                                        flush->size(), stream),
                "L2 flush");
    TESSEL_RETURN_IF_ERROR(timer->start(stream));
    TESSEL_RETURN_IF_ERROR(work(stream));
    TESSEL_RETURN_IF_ERROR(timer->stop(stream));
    auto ms = timer->elapsedMs();
    if (!ms)
      return ms.status();
    samples.push_back(*ms);
  }
  return median(std::move(samples));
}

} // namespace tessel::rt
