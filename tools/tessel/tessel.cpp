//===- tessel.cpp - the tessel command line -------------------------------===//
//
// `tessel compile FILE.mlir --target=sm_90a [-D NAME=VALUE]... [--emit=...]
// -o OUT`: the DSL to PTX (or a cubin, LLVM IR, the laid-out GPU IR), with
// located diagnostics and a non-zero exit on bad input.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "tessel/Target/CompileCache.h"
#include "tessel/Target/Compiler.h"
#include "tessel/runtime/Cubin.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Stream.h"
#include "tessel/runtime/Timer.h"

#include "NewtonSchulz.h"
#include "Orthogonalize.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

int tessel::cli::fail(const std::string &message) {
  std::cerr << "tessel: error: " << message << "\n";
  return 1;
}

bool tessel::cli::parseShape(const std::string &text,
                             tessel::ns::Shape &shape) {
  long long b, m, n;
  char x1, x2;
  std::istringstream in(text);
  if (!(in >> b >> x1 >> m >> x2 >> n) || x1 != 'x' || x2 != 'x' || !in.eof())
    return false;
  shape = {b, m, n};
  return true;
}

namespace {

const char *kUsage =
    "usage: tessel compile FILE.mlir [--target=sm_80|sm_89|sm_90a|sm_100a]\n"
    "                     [-D NAME=VALUE]... "
    "[--emit=ptx|cubin|llvm|gpu|tessel]\n"
    "                     [-o OUT] [--info OUT.json] [--no-cache] [--wgmma]\n"
    "                     [--time]\n"
    "       tessel targets\n"
    "       tessel devices\n"
    "       tessel ns --shape BxMxN [--variant "
    "muon5|quintic5|polar_express5|aol4]\n"
    "                 [--runs N] [--check]\n"
    "       tessel tune line1|line2|line3|--ns --shape BxMxN[,BxMxN...]\n"
    "                   [--budget SECONDS]\n"
    "       tessel cache ls | clear | show KEY [--stage NAME]\n"
    "\n"
    "compile: parses and verifies FILE, binds tessel.param knobs (-D, else "
    "their\n"
    "default_value), lowers for the target and writes the chosen stage to OUT\n"
    "(stdout for text when -o is absent). --info writes the launch metadata\n"
    "(kernel name, warps, shared bytes, argument kinds, knob values).\n"
    "Results (every stage and the cubin) are cached under $TESSEL_CACHE_DIR\n"
    "(default ~/.cache/tessel); --no-cache compiles afresh and stores "
    "nothing.\n"
    "--time prints each compile stage's wall time (parse ... NVPTX codegen,\n"
    "PTX to cubin) on stderr.\n"
    "--wgmma (sm_90a): dots that fit a warpgroup lower to wgmma.mma_async;\n"
    "a K loop of two tessel.block_load feeding one dot becomes TMA copies "
    "into\n"
    "an mbarrier ring read by wgmma (kernels/matmul.mlir: 0.94x cuBLAS at\n"
    "8192^3 on the H100); other dots stage operands through registers, which\n"
    "is slower than mma.sync (see bench/results).\n"
    "devices: lists the CUDA devices and the target each one takes; exits 1,\n"
    "saying why, when there is none.\n"
    "ns: orthogonalizes a random Gaussian bf16 batch on device 0 with Newton-\n"
    "Schulz and prints the median time of --runs calls (default 10) and the\n"
    "effective TFLOP/s; --check adds the singular-value range of the output "
    "and\n"
    "its distance to the input's polar factor (host float64, m <= 1024).\n"
    "tune: times every config of the NS lines (syrk as line 1 and 2, line 3)\n"
    "allowed by their declared constraints on device 0, within --budget\n"
    "seconds per shape (default 5; the lines share it and their compiles),\n"
    "and records the results in the device's\n"
    "tuning database (beside the compile cache), which tessel::ns reads at\n"
    "launch ($TESSEL_TUNE=lookup|auto|off, default lookup).\n"
    "cache: lists, shows (one stage with --stage: tessel.mlir, gpu.mlir,\n"
    "llvm.ll, ptx, info.json) or clears the compile cache.\n";

using tessel::cli::fail;
using tessel::cli::parseShape;

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool writeFile(const std::string &path, const std::string &data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  return static_cast<bool>(out);
}

/// --time: each stage's wall time on stderr, or the cache hit.
void printStageTimes(const tessel::CachedCompile &compiled) {
  if (compiled.hit) {
    std::cerr << "time: cache hit (nothing compiled; --no-cache to time a "
                 "compile)\n";
    return;
  }
  double total = 0;
  for (const tessel::StageTime &t : compiled.result.stageTimes) {
    std::fprintf(stderr, "time: %-22s %9.1f ms\n", t.stage.c_str(), t.ms);
    total += t.ms;
  }
  if (compiled.cubinMs > 0)
    std::fprintf(stderr, "time: %-22s %9.1f ms\n", "PTX to cubin",
                 compiled.cubinMs);
  std::fprintf(stderr, "time: %-22s %9.1f ms\n", "total",
               total + compiled.cubinMs);
}

int compileCommand(int argc, char **argv) {
  tessel::CompileOptions options;
  std::string input, output, emit = "ptx", info;
  bool useCache = true, time = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> std::optional<std::string> {
      size_t n = std::strlen(flag);
      if (arg.rfind(flag, 0) == 0 && arg.size() > n && arg[n] == '=')
        return arg.substr(n + 1);
      if (arg == flag && i + 1 < argc)
        return std::string(argv[++i]);
      return std::nullopt;
    };
    if (auto v = value("--target"))
      options.target = *v;
    else if (auto v = value("--emit"))
      emit = *v;
    else if (auto v = value("--info"))
      info = *v;
    else if (arg == "--wgmma")
      options.wgmma = true;
    else if (arg == "--no-cache")
      useCache = false;
    else if (arg == "--time")
      time = true;
    else if (arg == "-o" && i + 1 < argc)
      output = argv[++i];
    else if (arg == "-D" && i + 1 < argc)
      options.params.push_back(argv[++i]);
    else if (arg.rfind("-D", 0) == 0 && arg.size() > 2)
      options.params.push_back(arg.substr(2));
    else if (!arg.empty() && arg[0] == '-')
      return fail("unknown option '" + arg + "'\n" + kUsage);
    else if (input.empty())
      input = arg;
    else
      return fail("more than one input file ('" + input + "', '" + arg + "')");
  }
  if (input.empty())
    return fail(std::string("no input file\n") + kUsage);
  for (const std::string &p : options.params)
    if (p.find('=') == std::string::npos)
      return fail("-D " + p + ": expected NAME=VALUE");
  if (emit != "ptx" && emit != "cubin" && emit != "llvm" && emit != "gpu" &&
      emit != "tessel")
    return fail("--emit=" + emit +
                ": expected ptx, cubin, llvm, gpu or tessel");
  std::string source;
  if (!readFile(input, source))
    return fail("cannot read '" + input + "'");
  options.bufferName = input;

  tessel::CachedCompile compiled;
  std::string errors;
  bool ok =
      useCache
          ? tessel::compileWithCache(source, options,
                                     tessel::rt::DiskCache::fromEnvironment(),
                                     compiled, errors, /*withStages=*/true)
          : tessel::compileSource(source, options, compiled.result, errors);
  std::cerr << errors;
  if (!ok) {
    if (errors.empty())
      std::cerr << input << ": error: compilation failed\n";
    return 1;
  }
  const tessel::CompileResult &result = compiled.result;
  if (time)
    printStageTimes(compiled);
  std::string data;
  if (emit == "ptx")
    data = result.ptx;
  else if (emit == "llvm")
    data = result.llvmIR;
  else if (emit == "gpu")
    data = result.gpuIR;
  else if (emit == "tessel")
    data = result.tesselIR;
  else {
    if (output.empty())
      return fail("--emit=cubin needs -o OUT");
    if (compiled.cubin.empty()) {
      auto cubin = tessel::rt::ptxToCubin(result.ptx, options.target);
      if (!cubin)
        return fail("cubin for " + options.target + ": " +
                    cubin.status().message());
      compiled.cubin.assign(cubin->begin(), cubin->end());
    }
    data = compiled.cubin;
  }
  if (output.empty() || output == "-")
    std::cout << data;
  else if (!writeFile(output, data))
    return fail("cannot write '" + output + "'");
  if (!info.empty() && !writeFile(info, tessel::kernelInfoJson(result)))
    return fail("cannot write '" + info + "'");
  return 0;
}

int devicesCommand() {
  auto count = tessel::rt::deviceCount();
  if (!count)
    return fail("no CUDA device: " + count.status().message());
  if (*count == 0)
    return fail("no CUDA device: the driver reports none");
  for (int i = 0; i < *count; ++i) {
    auto info = tessel::rt::queryDevice(i);
    if (!info)
      return fail(info.status().message());
    std::cout << i << ": " << info->name << " (cc " << info->ccMajor << "."
              << info->ccMinor << ", " << info->smCount << " SMs, target "
              << tessel::rt::targetFor(*info) << ")\n";
  }
  return 0;
}


int nsCommand(int argc, char **argv) {
  tessel::ns::Shape shape{0, 0, 0};
  bool haveShape = false;
  tessel::ns::Variant variant = tessel::ns::Variant::Aol4;
  int runs = 10;
  bool check = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    std::string next = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--shape" && !next.empty()) {
      if (!parseShape(next, shape))
        return fail("--shape " + next + ": expected BxMxN, e.g. 1x4096x4096");
      haveShape = true;
      ++i;
    } else if (arg == "--variant" && !next.empty()) {
      auto v = tessel::ns::parseVariant(next);
      if (!v)
        return fail("--variant " + next +
                    ": expected muon5, quintic5, polar_express5 or aol4");
      variant = *v;
      ++i;
    } else if (arg == "--runs" && !next.empty()) {
      runs = std::atoi(next.c_str());
      if (runs < 1)
        return fail("--runs " + next + ": expected a positive count");
      ++i;
    } else if (arg == "--check") {
      check = true;
    } else {
      return fail("ns: unknown option '" + arg + "'\n" + kUsage);
    }
  }
  if (!haveShape)
    return fail("ns: --shape BxMxN is required");
  std::string why;
  auto plan = tessel::ns::makePlan(shape, variant, &why);
  if (!plan)
    return fail(why);
  if (check && plan->m > 1024)
    return fail("ns: --check computes singular values on the host in float64 "
                "and is limited to min(M, N) <= 1024");
  auto ctx = tessel::rt::Context::acquire(0);
  if (!ctx)
    return fail("no CUDA device: " + ctx.status().message());
  size_t count = (size_t)(shape.batch * shape.rows * shape.cols);
  std::vector<uint16_t> bits(count);
  std::vector<double> x(check ? count : 0);
  std::mt19937 rng(2026);
  std::normal_distribution<float> gauss(0.f, 1.f);
  for (size_t i = 0; i < count; ++i) {
    float f = gauss(rng);
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u += 0x7fff + ((u >> 16) & 1); // round to nearest even bf16
    bits[i] = (uint16_t)(u >> 16);
    if (check) {
      uint32_t back = (uint32_t)bits[i] << 16;
      float g;
      std::memcpy(&g, &back, 4);
      x[i] = g;
    }
  }
  auto in = tessel::rt::DeviceBuffer::allocate(count * 2);
  auto out = tessel::rt::DeviceBuffer::allocate(count * 2);
  if (!in || !out)
    return fail((!in ? in.status() : out.status()).message());
  if (auto s = in->copyFromHost(bits.data(), count * 2); !s.ok())
    return fail(s.message());
  if (auto s = ctx->synchronize(); !s.ok())
    return fail(s.message());
  auto stream = tessel::rt::Stream::create();
  if (!stream)
    return fail(stream.status().message());
  tessel::ns::Options options;
  options.variant = variant;
  tessel::ns::Workspace workspace;
  tessel::ns::CallInfo info;
  std::cerr << "compiling and warming up (first use compiles the kernels; "
               "later runs hit the cache)...\n";
  if (auto s = tessel::ns::orthogonalize(in->ptr(), out->ptr(), shape, options,
                                         stream->handle(), &info, &workspace);
      !s.ok())
    return fail(s.message());
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    auto timer = tessel::rt::EventTimer::create();
    if (!timer)
      return fail(timer.status().message());
    if (auto s = timer->start(stream->handle()); !s.ok())
      return fail(s.message());
    if (auto s =
            tessel::ns::orthogonalize(in->ptr(), out->ptr(), shape, options,
                                      stream->handle(), &info, &workspace);
        !s.ok())
      return fail(s.message());
    if (auto s = timer->stop(stream->handle()); !s.ok())
      return fail(s.message());
    auto elapsed = timer->elapsedMs();
    if (!elapsed)
      return fail(elapsed.status().message());
    ms.push_back(*elapsed);
  }
  double median = tessel::rt::median(ms);
  std::cout << "ns " << tessel::ns::variantName(variant) << " "
            << tessel::ns::shapeString(shape) << " on " << info.target << ": "
            << median << " ms (median of " << runs << "), "
            << tessel::ns::effectiveTflops(*plan, median)
            << " effective TFLOP/s, " << info.launches << " launches\n";
  if (check) {
    std::vector<uint16_t> back(count);
    if (auto s = out->copyToHost(back.data(), count * 2); !s.ok())
      return fail(s.message());
    std::vector<double> y(count);
    for (size_t i = 0; i < count; ++i) {
      uint32_t u = (uint32_t)back[i] << 16;
      float f;
      std::memcpy(&f, &u, 4);
      y[i] = f;
    }
    auto q = tessel::ns::quality(y.data(), x.data(), *plan);
    std::cout << "sigma in [" << q.sigmaMin << ", " << q.sigmaMax
              << "], polar error " << q.polarError
              << " (host float64, Jacobi)\n";
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    std::cout << kUsage;
    return argc < 2 ? 1 : 0;
  }
  std::string command = argv[1];
  if (command == "compile")
    return compileCommand(argc - 2, argv + 2);
  if (command == "ns")
    return nsCommand(argc - 2, argv + 2);
  if (command == "devices")
    return devicesCommand();
  if (command == "tune")
    return tessel::cli::tuneCommand(argc - 2, argv + 2);
  if (command == "cache")
    return tessel::cli::cacheCommand(argc - 2, argv + 2);
  if (command == "targets") {
    for (const std::string &t : tessel::supportedTargets())
      std::cout << t << "\n";
    return 0;
  }
  return fail("unknown command '" + command + "'\n" + kUsage);
}
