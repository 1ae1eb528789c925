//===- TuneBench.cpp - compile cache and autotuning, measured -------------===//
//
// `tessel-bench-ns tune --out DIR [--shapes ...] [--budget S]` (a mode of
// the NS bench binary, so the GPU machine gets one static binary less):
//   cold  every NS kernel file (and the tuned lines' larger variants)
//         compiled into an empty cache: source to loaded kernel, ms;
//   warm  the same request again (fresh cache lookup, checksum, module load,
//         function lookup): what a new process pays on a warm start;
//   first-call  a fresh process's first aol4 call per shape on an empty
//         cache (FirstCallBench.cpp), its compiles in parallel, against one
//         at a time (baseline first-call-serial);
//   tune  tessel::ns::tuneShape per NS shape (its three lines sharing the
//         --budget seconds), wall ms.
// Writes DIR/compile-<device>.csv, and DIR/tune-<device>.csv with aol4 on
// each shape with the tuned configs against the defaults (median of CUDA
// events, L2 flushed, same process).
//
//===----------------------------------------------------------------------===//
#include "BenchCommon.h"
#include "NSInputs.h"
#include "NSKernelSources.h"
#include "Orthogonalize.h"
#include "Tuning.h"

#include "tessel/autotune/DslTarget.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/DiskCache.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Stream.h"
#include "tessel/runtime/Timer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace tessel::bench {

/// FirstCallBench.cpp: ms of a fresh process's first aol4 call on `shape`
/// with an empty cache, its compiles `threads` at a time (0: the default).
rt::Expected<double> firstCallMs(const ns::Shape &shape, unsigned threads);

namespace {

/// One compile request to measure: file, source, a kernel in it, knobs.
struct Variant {
  const char *file;
  const char *source;
  const char *kernel;
  tune::Config config;
  bool wgmma = false; ///< the sm_90a ring form (TMA + wgmma)
};

std::string variantName(const Variant &v) {
  std::string name = std::string(v.file) + ":" + v.kernel;
  if (!v.config.empty())
    name += "[" + tune::configString(v.config) + "]";
  if (v.wgmma)
    name += " (tma)";
  return name;
}

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

/// aol4 on `shape` with `mode`, median ms (Gaussian bf16 input).
rt::Expected<double> timeNS(ns::Shape shape, ns::TuneMode mode,
                            CUstream stream, const rt::DeviceInfo &device,
                            ns::CallInfo &info) {
  size_t count = (size_t)(shape.batch * shape.rows * shape.cols);
  std::vector<uint16_t> bits = gaussianBf16(count, 5);
  auto in = rt::DeviceBuffer::allocate(count * 2);
  auto out = rt::DeviceBuffer::allocate(count * 2);
  if (!in || !out)
    return rt::Status::error("allocation failed");
  TESSEL_RETURN_IF_ERROR(in->copyFromHost(bits.data(), count * 2));
  ns::Workspace ws;
  ns::Options options;
  options.variant = ns::Variant::Aol4;
  options.tune = mode;
  rt::TimingOptions timing;
  timing.flushBytes = 2 * (size_t)device.l2Bytes;
  return rt::timeMedianMs(
      [&](CUstream s) {
        return ns::orthogonalize(in->ptr(), out->ptr(), shape, options, s,
                                 &info, &ws);
      },
      stream, timing);
}

} // namespace

int tuneBenchMain(int argc, char **argv) {
  std::string outDir = "bench/results";
  std::vector<ns::Shape> shapes = kAllNSShapes;
  double budget = 5.0;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--out" && v)
      outDir = argv[++i];
    else if (a == "--budget" && v)
      budget = std::atof(argv[++i]);
    else if (a == "--shapes" && v) {
      if (!parseShapes(argv[++i], shapes)) {
        std::cerr << "bad --shapes " << argv[i] << "; expected BxMxN,...\n";
        return 2;
      }
    } else {
      std::cerr << "usage: tessel-bench-ns tune [--out DIR] [--shapes "
                   "BxMxN,...] [--budget SECONDS per shape]\n";
      return 2;
    }
  }
  // A fresh cache root, so "cold" is cold (and tuning starts empty).
  char root[] = "/tmp/tessel-tune-bench-XXXXXX";
  if (!mkdtemp(root)) {
    std::perror("mkdtemp");
    return 1;
  }
  setenv("TESSEL_CACHE_DIR", root, 1);
  // nvJitLink keeps what ptxas made in the CUDA JIT cache (~/.nv/
  // ComputeCache): a kernel linked before by any process takes ~1 ms
  // there instead of 250-500 ms. Off, so cold, first-call and tuning times
  // include ptxas as a new machine would.
  setenv("CUDA_CACHE_DISABLE", "1", 1);

  rt::Expected<BenchDevice> opened = openBenchDevice();
  if (!opened) {
    std::cerr << opened.status().message() << "\n";
    return 1;
  }
  const rt::DeviceInfo *device = &opened->info;
  const std::string target = rt::targetFor(*device);
  const std::string slug = deviceSlug(device->name);
  auto stream = rt::Stream::create();
  BENCH_CHECK(stream.status());
  std::printf("device: %s (%s), cache root %s\n", device->name.c_str(),
              target.c_str(), root);

  std::ofstream compileCsv(outDir + "/compile-" + slug + ".csv");
  compileCsv << kCsvHeader << "\n";
  const std::vector<Variant> variants = {
      {"convert.mlir", kConvertSource, "to_bf16", {}},
      {"frobenius.mlir", kFrobeniusSource, "frob_scale", {}},
      {"aol.mlir", kAolSource, "aol_rowsum", {}},
      {"syrk.mlir", kSyrkSource, "syrk", {}},
      {"syrk.mlir",
       kSyrkSource,
       "syrk",
       {{"BLOCK", 128}, {"BLOCK_N", 128}, {"BLOCK_K", 32}, {"num_warps", 8}}},
      {"line3.mlir", kLine3Source, "ns_line3", {}},
      {"line3.mlir",
       kLine3Source,
       "ns_line3",
       {{"BLOCK_M", 128}, {"BLOCK_N", 64}, {"BLOCK_K", 32}, {"num_warps", 8}}},
      // The ring forms orthogonalize runs on sm_90a (large m).
      {"syrk.mlir",
       kSyrkSource,
       "syrk",
       {{"BLOCK", 128}, {"BLOCK_N", 256}, {"BLOCK_K", 64}, {"NUM_STAGES", 4},
        {"X_LAYOUT", 2}, {"num_warps", 8}},
       true},
      {"line3.mlir",
       kLine3Source,
       "ns_line3",
       {{"BLOCK_M", 128}, {"BLOCK_N", 256}, {"BLOCK_K", 64},
        {"NUM_STAGES", 4}, {"X_LAYOUT", 2}, {"num_warps", 8}},
       true},
  };
  std::printf("\n%-58s %10s %9s %9s %9s %10s\n", "kernel variant", "cold ms",
              "to PTX", "to cubin", "load", "warm ms");
  rt::DiskCache cache = rt::DiskCache::fromEnvironment();
  for (const Variant &v : variants) {
    auto t0 = std::chrono::steady_clock::now();
    if (v.wgmma && target != "sm_90a")
      continue;
    auto cold = tune::compileAndLoad(v.source, v.file, v.kernel, v.config,
                                     target, *device, cache, v.wgmma);
    double coldMs = seconds(t0) * 1e3;
    BENCH_CHECK(cold.status());
    auto t1 = std::chrono::steady_clock::now();
    auto warm = tune::compileAndLoad(v.source, v.file, v.kernel, v.config,
                                     target, *device, cache, v.wgmma);
    double warmMs = seconds(t1) * 1e3;
    BENCH_CHECK(warm.status());
    if (cold->cacheHit || !warm->cacheHit) {
      std::cerr << "error: expected a miss then a hit for " << variantName(v)
                << "\n";
      return 1;
    }
    std::printf("%-58s %10.2f %9.2f %9.2f %9.3f %10.3f\n",
                variantName(v).c_str(), coldMs, cold->toPtxMs,
                cold->toCubinMs, cold->loadMs, warmMs);
    for (auto [kind, ms] : {std::pair{"cold", coldMs}, {"warm", warmMs}})
      compileCsv << device->name << ",compile," << kind << ","
                 << csvField(variantName(v)) << "," << fmt("%.3f", ms)
                 << ",,,,,,,,,\n";
  }

  // A new process's first call per shape, cold: the kernels it needs
  // compiled one at a time, then in parallel (each in a fresh process).
  std::printf("\n%-16s %18s %18s %8s   (fresh process, empty cache, "
              "defaults)\n",
              "first call", "serial compile ms", "parallel ms", "speedup");
  for (const ns::Shape &shape : shapes) {
    auto serial = firstCallMs(shape, 1);
    BENCH_CHECK(serial.status());
    auto parallel = firstCallMs(shape, 0);
    BENCH_CHECK(parallel.status());
    std::string name = ns::shapeString(shape);
    std::printf("%-16s %18.1f %18.1f %7.2fx\n", name.c_str(), *serial,
                *parallel, *serial / *parallel);
    compileCsv << device->name << ",compile,first-call,ns:" << name << ","
               << fmt("%.1f", *parallel) << ",first-call-serial,"
               << fmt("%.1f", *serial) << ","
               << fmt("%.2f", *serial / *parallel) << ",,,,,,\n";
    std::fflush(stdout);
  }

  std::ofstream tuneCsv(outDir + "/tune-" + slug + ".csv");
  tuneCsv << kCsvHeader << "\n";
  std::printf("\n%-16s %10s %12s %12s %8s   %s\n", "shape", "tune s",
              "default ms", "tuned ms", "speedup", "configs (line1 | line2 | "
              "line3)");
  for (const ns::Shape &shape : shapes) {
    std::string name = ns::shapeString(shape);
    tune::TuneOptions options;
    options.budgetSeconds = budget; // the three lines share it
    auto t0 = std::chrono::steady_clock::now();
    // A shape the default call runs as one launch (small.mlir) uses none of
    // the lines' tuning: nothing to tune (tessel tune --ns skips those that
    // are one launch on every target).
    auto shapePlan = ns::makePlan(shape, ns::Variant::Aol4);
    if (!shapePlan || !ns::oneLaunch(target, *shapePlan))
      BENCH_CHECK(
          ns::tuneShape(shape, target, *device, stream->handle(), options)
              .status());
    double tuneS = seconds(t0);
    compileCsv << device->name << ",compile,tune,ns:" << name << ","
               << fmt("%.1f", tuneS * 1e3) << ",,,,,,,,,\n";
    ns::CallInfo defInfo, tunedInfo;
    auto defMs =
        timeNS(shape, ns::TuneMode::Off, stream->handle(), *device, defInfo);
    BENCH_CHECK(defMs.status());
    auto tunedMs = timeNS(shape, ns::TuneMode::Lookup, stream->handle(),
                          *device, tunedInfo);
    BENCH_CHECK(tunedMs.status());
    std::string configs = tunedInfo.lineConfigs[0] + " | " +
                          tunedInfo.lineConfigs[1] + " | " +
                          tunedInfo.lineConfigs[2];
    std::printf("%-16s %10.2f %12.3f %12.3f %7.2fx   %s\n", name.c_str(),
                tuneS, *defMs, *tunedMs, *defMs / *tunedMs, configs.c_str());
    auto plan = ns::makePlan(shape, ns::Variant::Aol4);
    double tflops = plan ? ns::effectiveTflops(*plan, *tunedMs) : NAN;
    tuneCsv << device->name << ",tune,aol4-tuned," << name << ","
            << fmt("%.4f", *tunedMs) << ",aol4-default,"
            << fmt("%.4f", *defMs) << "," << fmt("%.3f", *defMs / *tunedMs)
            << "," << fmt("%.2f", tflops) << ",,,,,\n";
    std::fflush(stdout);
  }
  std::printf("\nwrote %s/compile-%s.csv and %s/tune-%s.csv\n",
              outDir.c_str(), slug.c_str(), outDir.c_str(), slug.c_str());
  return 0;
}

} // namespace tessel::bench
