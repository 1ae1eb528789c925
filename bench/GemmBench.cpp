//===- GemmBench.cpp - Tessel GEMM variants against cuBLAS ----------------===//
//
// Times every compiled GEMM variant (gemm-*.<target>.ptx from the tessel CLI)
// and cublasGemmEx (bf16 in/out, fp32 compute) on the same inputs, in the
// same process and primary context: warm-up, L2 flushed before each run,
// median of CUDA-event timings. Writes bench/results/gemm-<device>.csv.
//
//===----------------------------------------------------------------------===//

#include "BenchCommon.h"
#include "KernelFiles.h"

#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"
#include "tessel/runtime/Stream.h"
#include "tessel/runtime/Timer.h"
#include "tessel/runtime/TmaArgs.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace tessel::rt;
using namespace tessel::gpu;
using namespace tessel::bench;

namespace {

struct Shape {
  int m, n, k;
  std::string text() const {
    return std::to_string(m) + "x" + std::to_string(n) + "x" +
           std::to_string(k);
  }
};

struct Options {
  std::string outDir = "bench/results";
  int reps = 50;
  int warmup = 5;
  std::vector<Shape> shapes = {{1000, 1000, 1000},
                               {4096, 4096, 4096},
                               {8192, 8192, 8192},
                               {4096, 14336, 4096},
                               {3000, 5000, 1000}};
};

/// One compiled GEMM variant, loaded.
struct Variant {
  std::string name; ///< "tessel-128x128x32-w4"
  KernelFile file;
  Module module;
  std::unique_ptr<Kernel> kernel;
};

/// One CSV row.
struct Row {
  std::string variant, shape;
  double ms = 0, baselineMs = 0, tflops = 0, fracOfLimit = 0;
  double relErr = NAN; ///< NaN: not applicable (the baseline itself)
};

bool parseShape(const std::string &text, Shape &shape) {
  return std::sscanf(text.c_str(), "%dx%dx%d", &shape.m, &shape.n, &shape.k) ==
             3 &&
         shape.m > 0 && shape.n > 0 && shape.k > 0;
}

int usage() {
  std::cerr << "usage: tessel-bench-gemm [--out DIR] [--reps N] [--warmup N]"
               " [--shapes MxNxK,...]\n";
  return 2;
}

/// ||x - y|| / ||y|| over two bf16 arrays.
double relErr(const std::vector<std::uint16_t> &x,
              const std::vector<std::uint16_t> &y) {
  double diff2 = 0, ref2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double a = bf16ToFloat(x[i]), b = bf16ToFloat(y[i]);
    diff2 += (a - b) * (a - b);
    ref2 += b * b;
  }
  return ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
}

/// Elements where two bf16 arrays differ (bitwise).
std::size_t countDiffering(const std::vector<std::uint16_t> &x,
                           const std::vector<std::uint16_t> &y) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    count += x[i] != y[i];
  return count;
}

/// ||c - bf16(A B)|| / ||bf16(A B)|| over `rows` sampled rows (all columns),
/// A B in float64 on every hardware thread: checks the baseline itself.
double sampledErrorVsFloat64(const std::vector<std::uint16_t> &a,
                             const std::vector<std::uint16_t> &b,
                             const std::vector<std::uint16_t> &c,
                             const Shape &s, int rows, std::uint64_t seed) {
  Random random(seed);
  std::vector<int> picked;
  for (int r = 0; r < std::min(rows, s.m); ++r)
    picked.push_back(int(random.next() % std::uint64_t(s.m)));
  std::vector<double> diff2(picked.size(), 0.0), ref2(picked.size(), 0.0);
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  workers = std::min<unsigned>(workers, unsigned(picked.size()));
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      std::vector<double> acc(s.n);
      for (std::size_t r = w; r < picked.size(); r += workers) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const std::size_t row = std::size_t(picked[r]);
        for (int k = 0; k < s.k; ++k) {
          const double av = bf16ToFloat(a[row * s.k + k]);
          const std::uint16_t *brow = &b[std::size_t(k) * s.n];
          for (int j = 0; j < s.n; ++j)
            acc[j] += av * double(bf16ToFloat(brow[j]));
        }
        for (int j = 0; j < s.n; ++j) {
          double ref = bf16ToFloat(doubleToBf16(acc[j]));
          double got = bf16ToFloat(c[row * s.n + j]);
          diff2[r] += (got - ref) * (got - ref);
          ref2[r] += ref * ref;
        }
      }
    });
  for (std::thread &t : threads)
    t.join();
  double d = 0, q = 0;
  for (std::size_t r = 0; r < picked.size(); ++r) {
    d += diff2[r];
    q += ref2[r];
  }
  return q > 0 ? std::sqrt(d / q) : std::sqrt(d);
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char * {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    if (arg == "--out") {
      const char *v = value();
      if (!v)
        return usage();
      options.outDir = v;
    } else if (arg == "--reps" || arg == "--warmup") {
      const char *v = value();
      if (!v)
        return usage();
      (arg == "--reps" ? options.reps : options.warmup) = std::atoi(v);
    } else if (arg == "--shapes") {
      const char *v = value();
      if (!v)
        return usage();
      options.shapes.clear();
      std::string list = v;
      std::size_t start = 0;
      while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string::npos)
          end = list.size();
        Shape shape;
        if (!parseShape(list.substr(start, end - start), shape))
          return usage();
        options.shapes.push_back(shape);
        start = end + 1;
      }
    } else {
      return usage();
    }
  }
  if (options.reps < 1)
    return usage();

  // The device's primary context, current here; cudart (and so cuBLAS) uses
  // the same primary context after cudaSetDevice.
  Expected<BenchDevice> opened = openBenchDevice();
  if (!opened) {
    std::cerr << opened.status().message() << "\n";
    return 1;
  }
  const DeviceInfo *info = &opened->info;
  CudaDriver *drv = *CudaDriver::get();
  std::string target = targetFor(*info) == "sm_90a" ? "sm_90a" : "sm_80";
  std::string slug = deviceSlug(info->name);
  int cublasVersion = 0;

  Expected<Stream> stream = Stream::create();
  BENCH_CHECK(stream.status());
  CUstream cuStream = stream->handle();
  cublasHandle_t handle = nullptr;
  BENCH_CHECK(cublasCheck(cublasCreate(&handle), "cublasCreate"));
  BENCH_CHECK(cublasCheck(
      cublasSetStream(handle, reinterpret_cast<cudaStream_t>(cuStream)),
      "cublasSetStream"));
  BENCH_CHECK(cublasCheck(cublasGetVersion(handle, &cublasVersion),
                          "cublasGetVersion"));

  // Every variant compiled for this device's target.
  std::string dir = kernelDir();
  std::vector<std::string> bases;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string file = entry.path().filename().string();
    std::string suffix = "." + target + ".ptx";
    if (file.rfind("gemm-", 0) == 0 && file.size() > suffix.size() &&
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
      bases.push_back(file.substr(0, file.size() - suffix.size()));
  }
  std::sort(bases.begin(), bases.end());
  if (bases.empty()) {
    std::cerr << "error: no gemm-*." << target << ".ptx in " << dir
              << (ec ? " (" + ec.message() + ")" : "") << "\n";
    return 1;
  }
  std::cout << "device: " << info->name << " (cc " << info->ccMajor << "."
            << info->ccMinor << ", " << info->smCount << " SMs, L2 "
            << info->l2Bytes / (1 << 20) << " MiB), driver "
            << drv->driverVersion() << ", cuBLAS " << cublasVersion << ", PTX "
            << target << " from " << dir << "\n";
  std::vector<Variant> variants;
  for (const std::string &base : bases) {
    Variant v;
    Expected<KernelFile> file = loadKernelFile(dir, base, target);
    BENCH_CHECK(file.status());
    v.file = file.take();
    v.name = "tessel-" + base.substr(std::string("gemm-").size());
    Expected<Module> module = Module::load(v.file.ptx, v.file.ptxPath);
    BENCH_CHECK(module.status());
    v.module = module.take();
    Expected<Kernel> kernel = v.module.kernel(v.file.info.name);
    BENCH_CHECK(kernel.status());
    v.kernel = std::make_unique<Kernel>(*kernel);
    Expected<KernelAttributes> attrs = v.kernel->attributes();
    BENCH_CHECK(attrs.status());
    std::cout << "  " << v.name << ": " << v.file.info.numWarps * 32
              << " threads, " << v.file.info.sharedBytes << " B shared, "
              << attrs->numRegs << " registers, " << attrs->localBytes
              << " B local (spills)\n";
    variants.push_back(std::move(v));
  }

  // L2 flush: a write of at least twice the L2 before each timed run.
  Expected<DeviceBuffer> flush = allocateFlush(*info);
  BENCH_CHECK(flush.status());
  Expected<EventTimer> timer = EventTimer::create();
  BENCH_CHECK(timer.status());

  std::vector<Row> rows;
  bool allRight = true;
  for (const Shape &s : options.shapes) {
    const std::size_t mk = std::size_t(s.m) * s.k, kn = std::size_t(s.k) * s.n,
                      mn = std::size_t(s.m) * s.n;
    if (std::max({mk, kn, mn}) >= (std::size_t(1) << 31)) {
      std::cerr << "skipping " << s.text() << ": over 2^31 elements\n";
      continue;
    }
    const double flops = 2.0 * s.m * s.n * double(s.k);
    std::uint64_t seed = seedOf("gemm-bench " + s.text());
    std::vector<std::uint16_t> a = randomBf16(mk, seed);
    std::vector<std::uint16_t> b = randomBf16(kn, seed + 1);
    Expected<DeviceBuffer> da = DeviceBuffer::allocate(mk * 2);
    Expected<DeviceBuffer> db = DeviceBuffer::allocate(kn * 2);
    Expected<DeviceBuffer> dc = DeviceBuffer::allocate(mn * 2);
    Expected<DeviceBuffer> dref = DeviceBuffer::allocate(mn * 2);
    BENCH_CHECK(da.status());
    BENCH_CHECK(db.status());
    BENCH_CHECK(dc.status());
    BENCH_CHECK(dref.status());
    BENCH_CHECK(da->upload(a));
    BENCH_CHECK(db->upload(b));
    BENCH_CHECK(dref->fillBytes(0));

    // cuBLAS, row-major: C = A B is C^T = B^T A^T in column-major, so B
    // goes first with the roles of M and N swapped.
    const float one = 1.0f, zero = 0.0f;
    auto cublasRun = [&]() -> Status {
      return cublasCheck(
          cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, s.n, s.m, s.k, &one,
                       reinterpret_cast<const void *>(db->ptr()), CUDA_R_16BF,
                       s.n, reinterpret_cast<const void *>(da->ptr()),
                       CUDA_R_16BF, s.k, &zero,
                       reinterpret_cast<void *>(dref->ptr()), CUDA_R_16BF, s.n,
                       CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
          "cublasGemmEx");
    };
    Expected<double> baseMs = timeMedian(cublasRun, cuStream, *flush, *timer,
                                         options.warmup, options.reps);
    BENCH_CHECK(baseMs.status());
    BENCH_CHECK(stream->synchronize());
    std::vector<std::uint16_t> ref(mn), got(mn);
    BENCH_CHECK(dref->download(ref));
    const double baseTflops = flops / (*baseMs * 1e9);
    const double baseErr = sampledErrorVsFloat64(a, b, ref, s, 16, seed + 7);
    std::cout << "  " << s.text() << ": cuBLAS vs float64 (16 sampled rows, "
              << "bf16-rounded): rel_err " << baseErr << "\n";
    if (!(baseErr <= 1e-2)) {
      allRight = false;
      std::cerr << "WRONG: cuBLAS itself " << s.text() << " rel_err " << baseErr
                << " against float64\n";
    }
    rows.push_back(
        {"cublas", s.text(), *baseMs, *baseMs, baseTflops, 1.0, NAN});

    // matmul loops over its tiles: launched with one program per tile, and
    // persistent (one program per SM, each taking every SM-count-th tile).
    std::vector<std::pair<Variant *, bool>> runs;
    // (A clustered variant is timed one program per tile only: its pairs
    // must run the same tiles, which a persistent loop does not promise.)
    for (Variant &v : variants) {
      runs.push_back({&v, false});
      if (v.file.info.name == "matmul" && v.file.info.param("CLUSTER", 1) == 1)
        runs.push_back({&v, true});
    }
    for (auto [vp, persistent] : runs) {
      Variant &v = *vp;
      const std::string name = v.name + (persistent ? "-persistent" : "");
      // C = A B (alpha 1, beta 0): the kernel still reads C, so start it at 0.
      BENCH_CHECK(dc->fillBytes(0));
      const KernelInfo &ki = v.file.info;
      const unsigned tilesM = unsigned((s.m + ki.param("BLOCK_M", 128) - 1) /
                                       ki.param("BLOCK_M", 128)),
                     tilesN = unsigned((s.n + ki.param("BLOCK_N", 128) - 1) /
                                       ki.param("BLOCK_N", 128));
      Grid grid{tilesM, tilesN, 1};
      if (ki.name == "matmul")
        grid = Grid{persistent ? std::min(tilesM * tilesN,
                                          unsigned(info->smCount))
                               : tilesM * tilesN,
                    1, 1};
      // Clusters of CLUSTER programs along x: a whole number of them (the
      // kernel must expect programs past its last tile).
      const unsigned cluster = unsigned(ki.param("CLUSTER", 1));
      grid.x = (grid.x + cluster - 1) / cluster * cluster;
      Block block{unsigned(ki.numWarps * 32), 1, 1};
      ArgPack args;
      args.ptr(da->ptr()).ptr(db->ptr()).ptr(dc->ptr());
      args.i32(s.m).i32(s.n).i32(s.k);
      if (ki.name == "matmul") // row-major A, B, C: lda, ldb, ldc
        args.i32(s.k).i32(s.n).i32(s.n);
      else // gemm: strides of A, B and C
        args.i32(s.k).i32(1).i32(s.n).i32(1).i32(s.n).i32(1);
      args.f32(1.0f).f32(0.0f);
      // The tensor maps depend only on these arguments, which every timed
      // launch repeats: bind them once, outside the timing.
      BENCH_CHECK(appendTensorMaps(ki.name, ki.tma, args,
                                   TensorMapCache::forCurrentContext()));
      auto tesselRun = [&]() -> Status {
        return v.kernel->launch(grid, block, ki.sharedBytes, cuStream, args,
                                /*overlapPrevious=*/false, cluster);
      };
      Expected<double> ms = timeMedian(tesselRun, cuStream, *flush, *timer,
                                       options.warmup, options.reps);
      BENCH_CHECK(ms.status());
      BENCH_CHECK(stream->synchronize());
      BENCH_CHECK(dc->download(got));
      double err = relErr(got, ref);
      std::cout << "  " << s.text() << ": " << name << " differs from "
                << "cuBLAS in " << countDiffering(got, ref) << " of " << mn
                << " elements\n";
      if (!(err <= 1e-2)) {
        allRight = false;
        std::cerr << "WRONG: " << name << " " << s.text()
                  << " differs from cuBLAS: rel_err " << err << "\n";
      }
      double tflops = flops / (*ms * 1e9);
      rows.push_back(
          {name, s.text(), *ms, *baseMs, tflops, tflops / baseTflops, err});
    }
    // cuBLAS once more: the spread between two timings of one version.
    Expected<double> againMs = timeMedian(cublasRun, cuStream, *flush, *timer,
                                          options.warmup, options.reps);
    BENCH_CHECK(againMs.status());
    std::cout << "  " << s.text() << ": cuBLAS " << *baseMs << " ms, again "
              << *againMs << " ms (timing spread "
              << 100.0 * std::fabs(*againMs - *baseMs) / *baseMs << "%)\n";
  }
  cublasDestroy(handle);

  // The CSV, in DESIGN.md's format.
  std::filesystem::create_directories(options.outDir, ec);
  std::string csvPath = options.outDir + "/gemm-" + slug + ".csv";
  std::ofstream csv(csvPath);
  csv << kCsvHeader;
  for (const Row &r : rows)
    csv << slug << ",gemm," << r.variant << "," << r.shape << ","
        << fmt("%.5f", r.ms) << ",cublas," << fmt("%.5f", r.baselineMs) << ","
        << fmt("%.4f", r.baselineMs / r.ms) << "," << fmt("%.2f", r.tflops)
        << "," << fmt("%.4f", r.fracOfLimit) << "," << fmt("%.3e", r.relErr)
        << ",,,\n";
  csv.close();
  if (!csv) {
    std::cerr << "error: cannot write " << csvPath << "\n";
    return 1;
  }

  std::printf("\n%-40s %-18s %10s %10s %8s %8s %10s\n", "variant", "shape",
              "ms", "cublas_ms", "speedup", "TFLOP/s", "rel_err");
  for (const Row &r : rows)
    std::printf("%-40s %-18s %10.4f %10.4f %8.3f %8.1f %10s\n",
                r.variant.c_str(), r.shape.c_str(), r.ms, r.baselineMs,
                r.baselineMs / r.ms, r.tflops, fmt("%.2e", r.relErr).c_str());
  std::cout << "wrote " << csvPath << " (" << options.reps
            << " timed runs each, median; L2 flushed with "
            << (flush->size() >> 20) << " MiB before each)\n";
  return allRight ? 0 : 3;
}
