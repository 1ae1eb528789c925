//===- NSLinesGpuTest.cpp - each NS line against float64 and cuBLAS -------===//
//
// Dion's acceptance rule: each line's error against a float64 reference is
// no worse than cuBLAS's bf16 GEMM error on the same inputs (with a 10%
// margin for rounding ties). Line 1 (syrk, A = X X^T), line 2 (syrk with D,
// B = b A + c A A) and line 3 (X' = a X + B X), ragged and square sizes,
// launched directly from the kernels tessel::ns uses.
//
//===----------------------------------------------------------------------===//
#include "KernelFiles.h"
#include "NSKernelSources.h"
#include "NewtonSchulz.h"

#include "tessel/Target/CompileCache.h"
#include "tessel/Target/Launch.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"

#include <cmath>
#include <cstring>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>
#include <optional>
#include <random>
#include <vector>

using namespace tessel;

namespace {

/// Device, cuBLAS handle and the two kernels, or why not.
struct Env {
  rt::Context ctx;
  rt::Module syrk, line3;
  std::optional<rt::Kernel> syrkK, line3K;
  KernelInfo syrkInfo, line3Info;
  cublasHandle_t blas = nullptr;
  std::string why;
  bool ok = false;

  Env() {
    // acquire() already says why when there is no driver or no device 0.
    auto c = rt::Context::acquire(0);
    if (!c) {
      why = c.status().message();
      return;
    }
    ctx = std::move(*c);
    auto dev = rt::queryDevice(0);
    if (!dev) {
      why = dev.status().message();
      return;
    }
    if (!load(kSyrkSource, "syrk", rt::targetFor(*dev), syrk, syrkK,
              syrkInfo) ||
        !load(kLine3Source, "ns_line3", rt::targetFor(*dev), line3, line3K,
              line3Info))
      return;
    if (cudaSetDevice(0) != cudaSuccess ||
        cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS) {
      why = "cuBLAS did not start";
      return;
    }
    ok = true;
  }

  bool load(const char *source, const char *name, const std::string &target,
            rt::Module &module, std::optional<rt::Kernel> &kernel,
            KernelInfo &info) {
    CompileOptions options;
    options.target = target;
    CachedCompile compiled;
    std::string errors;
    if (!compileWithCache(source, options, rt::DiskCache::fromEnvironment(),
                          compiled, errors)) {
      why = errors;
      return false;
    }
    auto m = rt::Module::load(compiled.cubin, name);
    if (!m) {
      why = m.status().message();
      return false;
    }
    module = std::move(*m);
    auto k = module.kernel(name);
    if (!k) {
      why = k.status().message();
      return false;
    }
    kernel = *k;
    info = compiled.result.kernels.at(0);
    return true;
  }
};

Env &env() {
  static Env e;
  return e;
}

struct Dev {
  rt::DeviceBuffer buf;
  explicit Dev(const std::vector<uint16_t> &host) {
    buf = std::move(*rt::DeviceBuffer::allocate(host.size() * 2));
    EXPECT_TRUE(buf.copyFromHost(host.data(), host.size() * 2).ok());
  }
  std::vector<double> read(size_t n) const {
    std::vector<uint16_t> h(n);
    EXPECT_TRUE(buf.copyToHost(h.data(), n * 2).ok());
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i)
      out[i] = (double)gpu::bf16ToFloat(h[i]);
    return out;
  }
  void *ptr() const { return reinterpret_cast<void *>(buf.ptr()); }
};

double relErr(const std::vector<double> &got, const std::vector<double> &ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double d = got[i] - ref[i];
    num += std::isfinite(got[i]) ? d * d : INFINITY;
    den += ref[i] * ref[i];
  }
  return std::sqrt(num / den);
}

std::vector<double> randomBf16(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> v(n);
  for (double &x : v)
    x = ns::roundToBf16(g(rng) * 0.05);
  return v;
}

std::vector<uint16_t> toBits(const std::vector<double> &v) {
  std::vector<uint16_t> b(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    b[i] = gpu::doubleToBf16(v[i]);
  return b;
}

void launchSyrk(Env &e, const Dev &x, const Dev &d, const Dev &c, int32_t m,
                int32_t k, float alpha, float beta) {
  int64_t tile = e.syrkInfo.params.at("BLOCK");
  int64_t t = (m + tile - 1) / tile;
  auto args = rt::ArgPack::of(x.buf.ptr(), d.buf.ptr(), c.buf.ptr(), m, k, k,
                              (int32_t)1, m, (int64_t)m * k, (int64_t)m * m,
                              alpha, beta);
  rt::Status launched =
      launchKernel(*e.syrkK, e.syrkInfo,
                   rt::Grid{(unsigned)(t * (t + 1) / 2), 1, 1}, nullptr, args);
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_TRUE(e.ctx.synchronize().ok());
}

void report(const char *line, int m, int n, double tessel, double cublas) {
  bool ok = tessel <= 1.1 * cublas + 1e-7;
  std::printf("RESULT ns-line %s m=%d n=%d tessel_rel_err=%.3e "
              "cublas_rel_err=%.3e rule(tessel<=1.1*cublas) %s\n",
              line, m, n, tessel, cublas, ok ? "ok" : "FAIL");
  EXPECT_TRUE(ok) << line << ": Tessel " << tessel << " vs cuBLAS " << cublas;
}

class NSLines : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(NSLines, Line1SyrkNoWorseThanCublas) {
  if (!env().ok)
    GTEST_SKIP() << "no CUDA device or kernels: " << env().why;
  auto [m, k] = GetParam();
  std::vector<double> x = randomBf16((size_t)m * k, 11u + m);
  std::vector<double> ref((size_t)m * m, 0.0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      double s = 0;
      for (int l = 0; l < k; ++l)
        s += x[(size_t)i * k + l] * x[(size_t)j * k + l];
      ref[(size_t)i * m + j] = s;
    }
  Dev dx(toBits(x)), dc(std::vector<uint16_t>((size_t)m * m, 0xFFFF)),
      db(std::vector<uint16_t>((size_t)m * m, 0xFFFF));
  launchSyrk(env(), dx, dc, dc, m, k, 1.f, 0.f);
  double tessel = relErr(dc.read((size_t)m * m), ref);
  float one = 1.f, zero = 0.f;
  // Row-major X is column-major X^T (k x m): C = (X^T)^T X^T = X X^T.
  ASSERT_EQ(cublasGemmEx(env().blas, CUBLAS_OP_T, CUBLAS_OP_N, m, m, k, &one,
                         dx.ptr(), CUDA_R_16BF, k, dx.ptr(), CUDA_R_16BF, k,
                         &zero, db.ptr(), CUDA_R_16BF, m, CUBLAS_COMPUTE_32F,
                         CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  report("1", m, k, tessel, relErr(db.read((size_t)m * m), ref));
}

TEST_P(NSLines, Line2NoWorseThanCublas) {
  if (!env().ok)
    GTEST_SKIP() << "no CUDA device or kernels: " << env().why;
  int m = GetParam().first;
  const double b = -4.775, c = 2.0315;
  std::vector<double> r = randomBf16((size_t)m * m, 21u + m), a((size_t)m * m);
  for (int i = 0; i < m; ++i) // symmetric, as line 1's A is
    for (int j = 0; j < m; ++j)
      a[(size_t)i * m + j] =
          i <= j ? r[(size_t)i * m + j] : r[(size_t)j * m + i];
  std::vector<double> ref((size_t)m * m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      double s = 0;
      for (int l = 0; l < m; ++l)
        s += a[(size_t)i * m + l] * a[(size_t)l * m + j];
      ref[(size_t)i * m + j] = b * a[(size_t)i * m + j] + c * s;
    }
  Dev da(toBits(a)), dout(std::vector<uint16_t>((size_t)m * m, 0xFFFF)),
      dblas(toBits(a));
  launchSyrk(env(), da, da, dout, m, m, (float)c, (float)b);
  double tessel = relErr(dout.read((size_t)m * m), ref);
  float alpha = (float)c, beta = (float)b;
  ASSERT_EQ(cublasGemmEx(env().blas, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &alpha,
                         da.ptr(), CUDA_R_16BF, m, da.ptr(), CUDA_R_16BF, m,
                         &beta, dblas.ptr(), CUDA_R_16BF, m, CUBLAS_COMPUTE_32F,
                         CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  report("2", m, m, tessel, relErr(dblas.read((size_t)m * m), ref));
}

TEST_P(NSLines, Line3NoWorseThanCublas) {
  if (!env().ok)
    GTEST_SKIP() << "no CUDA device or kernels: " << env().why;
  auto [m, n] = GetParam();
  const double a = 3.4445;
  std::vector<double> r = randomBf16((size_t)m * m, 31u + m), bm((size_t)m * m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      bm[(size_t)i * m + j] =
          i <= j ? r[(size_t)i * m + j] : r[(size_t)j * m + i];
  std::vector<double> x = randomBf16((size_t)m * n, 41u + n);
  std::vector<double> ref((size_t)m * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int l = 0; l < m; ++l)
        s += bm[(size_t)i * m + l] * x[(size_t)l * n + j];
      ref[(size_t)i * n + j] = a * x[(size_t)i * n + j] + s;
    }
  Dev db(toBits(bm)), dx(toBits(x)),
      dout(std::vector<uint16_t>((size_t)m * n, 0xFFFF)), dblas(toBits(x));
  Env &e = env();
  int64_t bmk = e.line3Info.params.at("BLOCK_M"),
          bnk = e.line3Info.params.at("BLOCK_N");
  auto args = rt::ArgPack::of(db.buf.ptr(), dx.buf.ptr(), dout.buf.ptr(),
                              (int32_t)m, (int32_t)n, (int32_t)m, (int32_t)n,
                              (int32_t)1, (int32_t)n, (int32_t)1,
                              (int64_t)m * m, (int64_t)m * n, (float)a);
  rt::Status launched =
      launchKernel(*e.line3K, e.line3Info,
                   rt::Grid{(unsigned)((m + bmk - 1) / bmk),
                            (unsigned)((n + bnk - 1) / bnk), 1},
                   nullptr, args);
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_TRUE(e.ctx.synchronize().ok());
  double tessel = relErr(dout.read((size_t)m * n), ref);
  // Column-major view: X'^T (n x m) = X^T B + a X^T (B symmetric).
  float one = 1.f, beta = (float)a;
  ASSERT_EQ(cublasGemmEx(e.blas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, m, &one,
                         dx.ptr(), CUDA_R_16BF, n, db.ptr(), CUDA_R_16BF, m,
                         &beta, dblas.ptr(), CUDA_R_16BF, n, CUBLAS_COMPUTE_32F,
                         CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  report("3", m, n, tessel, relErr(dblas.read((size_t)m * n), ref));
}

INSTANTIATE_TEST_SUITE_P(Sizes, NSLines,
                         ::testing::Values(std::make_pair(300, 700),
                                           std::make_pair(512, 512),
                                           std::make_pair(256, 1024)));

} // namespace
