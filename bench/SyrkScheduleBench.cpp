//===- SyrkScheduleBench.cpp - syrk's two schedules, timed side by side ---===//
//
// `tessel-bench-ns syrk-schedules [--shapes BxMxN,...] [--runs N]
// [--config KNOB=V,...]... [--only I] [--programs-per-sm N] [--source FILE]`
// (a mode of the NS bench binary, which carries the compiler):
// NS line 1 (C = X Xᵀ, X m x n row-major, TMA form) at each shape with one
// tile per program (SCHEDULE = 1) and stream-K (SCHEDULE = 2) for the
// wide and the square tile, in one process: median ms of CUDA events (L2
// flushed), the rate over the symmetric-aware FLOPs (m² n), and each
// config's output against the first one's. --only runs one config (for a
// profiler, e.g. ncu --kernel-name syrk); --source times a variant of
// syrk.mlir read from FILE (same arguments) instead of the built-in one, so
// an experiment needs no rebuild. An experiment harness for issue 6:
// stream-K measured slower than one tile per program in the tuner.
//
//===----------------------------------------------------------------------===//
#include "BenchCommon.h"
#include "CompiledKernel.h"
#include "NSInputs.h"
#include "NSKernelSources.h"
#include "Tuning.h"

#include "tessel/Target/Launch.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Stream.h"
#include "tessel/runtime/Timer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace tessel::bench {

namespace {

struct ScheduleConfig {
  std::string name;
  std::vector<std::string> knobs;
};

/// The TMA form with 128-row tiles, BLOCK_N x 64 stages, named for the
/// table ("128x256 s4 w8, stream-K").
ScheduleConfig tmaConfig(int blockN, int stages, int warps, int schedule) {
  const std::string n = std::to_string(blockN), s = std::to_string(stages),
                    w = std::to_string(warps);
  return {"128x" + n + " s" + s + " w" + w +
              (schedule == 2 ? ", stream-K" : ", one tile per program"),
          {"BLOCK=128", "BLOCK_N=" + n, "BLOCK_K=64", "NUM_STAGES=" + s,
           "X_LAYOUT=2", "num_warps=" + w,
           "SCHEDULE=" + std::to_string(schedule)}};
}

/// The built-in list: the wide and the square tile under both schedules.
std::vector<ScheduleConfig> defaultConfigs() {
  return {tmaConfig(256, 4, 8, 1), tmaConfig(256, 4, 8, 2),
          tmaConfig(128, 3, 4, 1), tmaConfig(128, 4, 8, 2)};
}

/// max |a - b| / max |a| over two bf16 arrays.
double relMaxDiff(const std::vector<uint16_t> &a,
                  const std::vector<uint16_t> &b) {
  double diff = 0, ref = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = gpu::bf16ToFloat(a[i]), y = gpu::bf16ToFloat(b[i]);
    diff = std::max(diff, std::isfinite(y) ? std::fabs(x - y) : INFINITY);
    ref = std::max(ref, std::fabs(x));
  }
  return ref > 0 ? diff / ref : diff;
}

} // namespace

int syrkScheduleMain(int argc, char **argv) {
  std::vector<ns::Shape> shapes = {
      {1, 2048, 8192}, {1, 4096, 4096}, {1, 8192, 8192}};
  int runs = 20, only = -1, perSm = 1;
  std::vector<ScheduleConfig> configs = defaultConfigs();
  bool ownConfigs = false;
  std::string source = kSyrkSource, sourceName = "built-in";
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--shapes" && v && parseShapes(argv[++i], shapes))
      continue;
    if (a == "--runs" && v && (runs = std::atoi(argv[++i])) > 0)
      continue;
    if (a == "--config" && v) {
      // KNOB=V,KNOB=V,...: replaces the built-in list (X_LAYOUT = 2 added).
      if (!ownConfigs)
        configs.clear();
      ownConfigs = true;
      ScheduleConfig c{argv[++i], {"X_LAYOUT=2"}};
      std::stringstream list(c.name);
      for (std::string knob; std::getline(list, knob, ',');)
        c.knobs.push_back(knob);
      configs.push_back(std::move(c));
      continue;
    }
    // Stream-K programs per SM (the kernel's waits need every program
    // resident at once: only where that many fit on an SM).
    if (a == "--programs-per-sm" && v && (perSm = std::atoi(argv[++i])) > 0)
      continue;
    if (a == "--source" && v) {
      std::ifstream file(argv[++i]);
      std::stringstream text;
      text << file.rdbuf();
      if (!file || text.str().empty()) {
        std::cerr << "--source " << argv[i] << ": cannot read it\n";
        return 2;
      }
      source = text.str();
      sourceName = argv[i];
      continue;
    }
    if (a == "--only" && v) {
      only = std::atoi(argv[++i]);
      if (only >= 0)
        continue;
    }
    std::cerr << "usage: tessel-bench-ns syrk-schedules [--shapes "
                 "BxMxN,...] [--runs N] [--config KNOB=V,...]... [--only I] "
                 "[--programs-per-sm N] [--source FILE]\n";
    return 2;
  }
  if (only >= (int)configs.size()) {
    std::cerr << "--only " << only << ": there are " << configs.size()
              << " configs\n";
    return 2;
  }
  rt::Expected<BenchDevice> opened = openBenchDevice();
  if (!opened) {
    std::cerr << opened.status().message() << "\n";
    return 1;
  }
  const rt::DeviceInfo &device = opened->info;
  const std::string target = rt::targetFor(device);
  if (target != "sm_90a") {
    std::cerr << "syrk-schedules times the TMA form: needs sm_90a, not "
              << target << "\n";
    return 1;
  }
  auto stream = rt::Stream::create();
  BENCH_CHECK(stream.status());
  rt::Expected<rt::DeviceBuffer> flush = allocateFlush(device);
  BENCH_CHECK(flush.status());
  rt::Expected<rt::EventTimer> timer = rt::EventTimer::create();
  BENCH_CHECK(timer.status());
  std::printf("device: %s (%d SMs), syrk (%s source) as NS line 1, median of "
              "%d runs, L2 flushed\n",
              device.name.c_str(), device.smCount, sourceName.c_str(), runs);
  std::printf("%-14s %-38s %8s %10s %9s %12s\n", "shape", "config", "programs",
              "ms", "TFLOP/s", "vs first");
  bool allRight = true;
  for (const ns::Shape &shape : shapes) {
    const int32_t m = (int32_t)shape.rows, k = (int32_t)shape.cols;
    const size_t mk = (size_t)m * k, mm = (size_t)m * m;
    auto x = rt::DeviceBuffer::allocate(mk * 2);
    auto c = rt::DeviceBuffer::allocate(mm * 2);
    BENCH_CHECK(x.status());
    BENCH_CHECK(c.status());
    BENCH_CHECK(x->copyFromHost(gaussianBf16(mk, 7).data(), mk * 2));
    std::vector<uint16_t> first;
    for (size_t i = 0; i < configs.size(); ++i) {
      if (only >= 0 && (size_t)only != i)
        continue;
      auto syrk = gpu::compileKernel(source.c_str(), "syrk", target,
                                     configs[i].knobs, /*wgmma=*/true);
      BENCH_CHECK(syrk.status());
      rt::Grid grid =
          ns::syrkGridFor(m, syrk->info.params, 1, syrk->info.clusterSize,
                          device.smCount * perSm);
      const int64_t partialBytes =
          ns::streamKPartialBytes(syrk->info.params, grid);
      rt::DeviceBuffer partials, flags;
      if (partialBytes) {
        auto p = rt::DeviceBuffer::allocate(partialBytes);
        auto f = rt::DeviceBuffer::allocate(ns::streamKSlots(grid) * 4);
        BENCH_CHECK(p.status());
        BENCH_CHECK(f.status());
        partials = std::move(*p);
        flags = std::move(*f);
        BENCH_CHECK(flags.fillU32(0));
      }
      BENCH_CHECK(c->fillU32(0x7FC07FC0)); // bf16 NaNs: poisoned
      auto run = [&]() -> rt::Status {
        return launchKernel(*syrk->kernel, syrk->info, grid, stream->handle(),
                            rt::ArgPack::of(x->ptr(), c->ptr(), c->ptr(), m, k,
                                            k, (int32_t)1, m, (int64_t)mk,
                                            (int64_t)mm, 1.0f, 0.0f, 0.0f,
                                            partials.ptr(), flags.ptr()));
      };
      auto ms = timeMedian(run, stream->handle(), *flush, *timer, 2, runs);
      BENCH_CHECK(ms.status());
      BENCH_CHECK(stream->synchronize());
      std::vector<uint16_t> out(mm);
      BENCH_CHECK(c->copyToHost(out.data(), mm * 2));
      std::string versus = "-";
      if (first.empty()) {
        first = out;
      } else {
        const double d = relMaxDiff(first, out);
        versus = fmt("%.2e", d);
        if (!(d < 1e-2)) {
          versus += " WRONG";
          allRight = false;
        }
      }
      const double tflops = (double)m * m * k / (*ms * 1e9);
      std::printf("%-14s %-38s %8u %10.4f %9.1f %12s\n",
                  ns::shapeString(shape).c_str(), configs[i].name.c_str(),
                  grid.x, *ms, tflops, versus.c_str());
      std::fflush(stdout);
    }
  }
  return allRight ? 0 : 3;
}

} // namespace tessel::bench
