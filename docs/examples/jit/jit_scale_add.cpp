// jit_scale_add.cpp — a C++ host program that writes a Tessel kernel as a
// string, compiles it at run time for the GPU it finds, launches it on its
// own stream and checks the result against a double-precision reference.
// Without a GPU it compiles (for sm_90a) and says that nothing was launched.
#include "tessel/Target/Compiler.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"
#include "tessel/runtime/Stream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

// out[i] = a * x[i] * x[i] + b for i < n: a kernel the library does not ship.
static const char *kSource = R"mlir(
func.func @scale_add(%x: !tessel.ptr<f32>, %out: !tessel.ptr<f32>, %a: f32,
                     %b: f32, %n: i32) attributes {tessel.kernel} {
  %block = tessel.param "BLOCK" {default_value = 512 : i64} : index
  %pid = tessel.program_id 0 : i32
  %bs = arith.index_cast %block : index to i32
  %start = arith.muli %pid, %bs : i32
  %r = tessel.range %block : tensor<?xi32>
  %s = tessel.splat %start [%block] : i32 -> tensor<?xi32>
  %offs = arith.addi %s, %r : tensor<?xi32>
  %ns = tessel.splat %n [%block] : i32 -> tensor<?xi32>
  %mask = arith.cmpi slt, %offs, %ns : tensor<?xi32>
  %xb = tessel.splat %x [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %xp = tessel.addptr %xb, %offs : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %ob = tessel.splat %out [%block] : !tessel.ptr<f32> -> tensor<?x!tessel.ptr<f32>>
  %op = tessel.addptr %ob, %offs : tensor<?x!tessel.ptr<f32>>, tensor<?xi32>
  %xv = tessel.load %xp, %mask : tensor<?x!tessel.ptr<f32>>
  %sq = arith.mulf %xv, %xv : tensor<?xf32>
  %as = tessel.splat %a [%block] : f32 -> tensor<?xf32>
  %bs2 = tessel.splat %b [%block] : f32 -> tensor<?xf32>
  %t = arith.mulf %as, %sq : tensor<?xf32>
  %y = arith.addf %t, %bs2 : tensor<?xf32>
  tessel.store %op, %y, %mask : tensor<?x!tessel.ptr<f32>>
  return
}
)mlir";

#define CHECK(expr)                                                            \
  do {                                                                         \
    if (auto s__ = (expr); !s__.ok()) {                                        \
      std::fprintf(stderr, "error: %s\n", s__.message().c_str());              \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main() {
  std::printf("tessel %s\n", tessel::version());
  auto count = tessel::rt::deviceCount();
  bool gpu = count && *count > 0;
  tessel::CompileOptions options;
  options.bufferName = "scale_add.mlir";
  options.target = "sm_90a";
  if (gpu) {
    auto info = tessel::rt::queryDevice(0);
    if (!info) {
      std::fprintf(stderr, "error: %s\n", info.status().message().c_str());
      return 1;
    }
    options.target = tessel::rt::targetFor(*info);
    std::printf("device: %s -> %s\n", info->name.c_str(),
                options.target.c_str());
  }
  tessel::CompileResult compiled;
  std::string errors;
  auto t0 = std::chrono::steady_clock::now();
  if (!tessel::compileSource(kSource, options, compiled, errors)) {
    std::fprintf(stderr, "%s", errors.c_str());
    return 1;
  }
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - t0)
                  .count();
  const tessel::KernelInfo &k = compiled.kernels.at(0);
  std::printf("compiled %s for %s in %.1f ms: %zu bytes of PTX, %lld warps\n",
              k.name.c_str(), options.target.c_str(), ms, compiled.ptx.size(),
              (long long)k.numWarps);
  if (compiled.ptx.find(".entry scale_add") == std::string::npos) {
    std::fprintf(stderr, "error: the PTX has no scale_add entry\n");
    return 1;
  }
  if (!gpu) {
    std::printf("no CUDA device (%s): compiled only, nothing launched\n",
                count ? "the driver reports none"
                      : count.status().message().c_str());
    return 0;
  }

  auto ctx = tessel::rt::Context::acquire(0);
  CHECK(ctx.status());
  auto module = tessel::rt::Module::load(compiled.ptx, "scale_add");
  CHECK(module.status());
  auto kernel = module->kernel(k.name);
  CHECK(kernel.status());
  auto stream = tessel::rt::Stream::create();
  CHECK(stream.status());

  const int32_t n = 1000003; // not a multiple of the block: the mask matters
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  std::vector<float> x(n), out(n);
  for (float &v : x)
    v = dist(rng);
  auto dx = tessel::rt::DeviceBuffer::allocate(n * sizeof(float));
  auto dout = tessel::rt::DeviceBuffer::allocate(n * sizeof(float));
  CHECK(dx.status());
  CHECK(dout.status());
  CHECK(dx->copyFromHost(x.data(), n * sizeof(float)));
  CHECK(dout->fillBytes(0xFF)); // NaN everywhere: unwritten elements show
  const float a = 1.5f, b = -0.25f;
  auto args = tessel::rt::ArgPack::of(dx->ptr(), dout->ptr(), a, b, n);
  unsigned block = (unsigned)k.params.at("BLOCK");
  tessel::rt::Grid grid{(unsigned)((n + block - 1) / block)};
  CHECK(kernel->launch(grid, tessel::rt::Block{(unsigned)(k.numWarps * 32)},
                       (unsigned)k.sharedBytes, stream->handle(), args));
  CHECK(stream->synchronize());
  CHECK(dout->copyToHost(out.data(), n * sizeof(float)));
  double maxErr = 0;
  for (int32_t i = 0; i < n; ++i) {
    double ref = (double)a * x[i] * x[i] + b;
    double err = std::fabs(out[i] - ref);
    if (!(err <= 1e-5 * (1 + std::fabs(ref)))) {
      std::fprintf(stderr, "error: out[%d] = %g, expected %g\n", i, out[i],
                   ref);
      return 1;
    }
    maxErr = std::fmax(maxErr, err);
  }
  std::printf(
      "ran on %d elements: max |out - ref| = %.3g (tolerance 1e-5 relative)\n",
      n, maxErr);
  return 0;
}
