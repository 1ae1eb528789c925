//===- NSLinesGpuTest.cpp - each NS line against float64 and cuBLAS -------===//
//
// Dion's acceptance rule: each line's error against a float64 reference is
// no worse than cuBLAS's bf16 GEMM error on the same inputs (with a 10%
// margin for rounding ties). Line 1 (syrk, A = X X^T), line 2 (syrk with D,
// B = a I + b A + c A A) and line 3 (X' = a X + B X, and with a = 0 as
// tessel::ns runs it), ragged and square sizes,
// launched directly from the kernels tessel::ns uses: the general form, the
// TMA ring, and the TMA ring with programs in pairs sharing one operand's
// copies (CLUSTER = 2).
//
//===----------------------------------------------------------------------===//
#include "CompiledKernel.h"
#include "KernelFiles.h"
#include "NSKernelSources.h"
#include "NewtonSchulz.h"
#include "Tuning.h"

#include "tessel/Target/CompileCache.h"
#include "tessel/Target/Launch.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>
#include <iterator>
#include <optional>
#include <random>
#include <vector>

using namespace tessel;

namespace {

/// One compiled NS kernel.
using Loaded = gpu::CompiledKernel;

/// Device, cuBLAS handle and the two kernels in three forms, or why not:
/// [0] the general one (masked block loads, mma.sync), [1] the TMA ring with
/// wgmma (sm_90a only; X_LAYOUT = 2, the configs Orthogonalize.cpp uses),
/// [2] that ring in clusters of two programs multicasting the shared
/// operand (sm_90a only; the tile shapes tuning picks at 32 x 512^2), [3]
/// the same with a producer warpgroup issuing each program's copies; [4]
/// to [7]: syrk's stream-K schedule (SCHEDULE = 2) in the TMA form on
/// every SM, in the general form on 7 programs (whole tiles first, then a
/// share of the rest, one chunk) and on 40 (more programs than tiles:
/// several chunks, later chunks' units shared and handed over more than
/// once per program), and in the TMA form on 20 programs (m = 1536: 42
/// wide tiles, each program one whole tile first); their line 3 is that of
/// [1], [0] and [1]. [8], [9]: syrk's tiles of two column blocks apart
/// (COLUMN_PAIRS = 2) in the TMA and the general form; [8]'s line 3 takes
/// its tiles in groups of row blocks (GROUP_M = 8).
/// The knobs of each form's syrk and line 3, and whether it is a TMA form.
struct Form {
  std::vector<std::string> syrk, line3;
  bool tma;
};
/// syrk's 128 x 256 TMA tiles (the wide form), with `extra` knobs.
std::vector<std::string> wideTmaSyrk(std::vector<std::string> extra = {}) {
  std::vector<std::string> knobs = {"BLOCK=128",  "BLOCK_N=256",
                                    "BLOCK_K=64", "NUM_STAGES=4",
                                    "X_LAYOUT=2", "num_warps=8"};
  knobs.insert(knobs.end(), extra.begin(), extra.end());
  return knobs;
}
/// Line 3's 128 x 128 TMA tiles, beside the wide syrk forms.
const std::vector<std::string> kTmaLine3 = {"BLOCK_M=128", "BLOCK_N=128",
                                            "BLOCK_K=64",  "NUM_STAGES=4",
                                            "X_LAYOUT=2",  "num_warps=8"};
/// The same, the tiles taken in groups of 8 row blocks (GROUP_M).
const std::vector<std::string> kTmaLine3Grouped = {
    "BLOCK_M=128", "BLOCK_N=128", "BLOCK_K=64", "NUM_STAGES=4",
    "X_LAYOUT=2",  "num_warps=8", "GROUP_M=8"};
const Form kForms[] = {
    {{}, {}, false},
    // 128 x 256 tiles on the triangular grid (two row blocks per column
    // block reach the diagonal): the wide form, its mirror tile staged in
    // the finished ring.
    {wideTmaSyrk(), kTmaLine3, true},
    // Pairs (i, J), (i + 1, J) of 64 x 128 tiles share X's J rows; pairs of
    // line-3 row blocks share X's [64, 256] box (split by k rows).
    {{"BLOCK=64", "BLOCK_N=128", "BLOCK_K=64", "NUM_STAGES=4", "X_LAYOUT=2",
      "num_warps=4", "CLUSTER=2"},
     {"BLOCK_M=128", "BLOCK_N=256", "BLOCK_K=64", "NUM_STAGES=3", "X_LAYOUT=2",
      "num_warps=8", "CLUSTER=2"},
     true},
    // The same pairs fed by a producer warpgroup in each program.
    {{"BLOCK=64", "BLOCK_N=128", "BLOCK_K=64", "NUM_STAGES=4", "X_LAYOUT=2",
      "num_warps=4", "CLUSTER=2", "WARP_ROLES=2"},
     {"BLOCK_M=128", "BLOCK_N=256", "BLOCK_K=64", "NUM_STAGES=3", "X_LAYOUT=2",
      "num_warps=8", "CLUSTER=2", "WARP_ROLES=2"},
     true},
    // Stream-K: the wide TMA form on every SM, the general form on 7 and
    // 40 programs (programsOf).
    {wideTmaSyrk({"SCHEDULE=2"}), kTmaLine3, true},
    {{"SCHEDULE=2"}, {}, false},
    {{"SCHEDULE=2"}, {}, false},
    // The TMA stream-K on 20 programs (whole tiles first, then the rest
    // split: a case small enough for the host's float64 line 2).
    {wideTmaSyrk({"SCHEDULE=2"}), kTmaLine3, true},
    // Tiles of two column blocks apart (COLUMN_PAIRS = 2: split right
    // operand boxes and stores), in the TMA form and the general one; the
    // TMA form's line 3 takes its tiles in groups of 8 row blocks (GROUP_M:
    // at m = 1280, 1152 and 296 the last group has 2, 1 and 3).
    {wideTmaSyrk({"COLUMN_PAIRS=2"}), kTmaLine3Grouped, true},
    {{"BLOCK=32", "BLOCK_N=64", "COLUMN_PAIRS=2"}, {}, false},
};

struct Env {
  rt::Context ctx;
  Loaded syrk[std::size(kForms)], line3[std::size(kForms)];
  int sms = 0;
  bool tma = false;
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
    sms = dev->smCount;
    const std::string target = rt::targetFor(*dev);
    tma = target == "sm_90a";
    for (size_t i = 0; i < std::size(kForms); ++i) {
      const Form &f = kForms[i];
      if (f.tma && !tma)
        continue;
      if (!load(kSyrkSource, "syrk", target, f.syrk, f.tma, syrk[i]) ||
          !load(kLine3Source, "ns_line3", target, f.line3, f.tma, line3[i]))
        return;
    }
    if (cudaSetDevice(0) != cudaSuccess ||
        cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS) {
      why = "cuBLAS did not start";
      return;
    }
    ok = true;
  }

  bool load(const char *source, const char *name, const std::string &target,
            std::vector<std::string> params, bool wgmma, Loaded &out) {
    auto compiled =
        gpu::compileKernel(source, name, target, std::move(params), wgmma);
    if (!compiled) {
      why = compiled.status().message();
      return false;
    }
    out = std::move(*compiled);
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

/// Launches syrk; a stream-K form on `programs` programs (0: every SM),
/// its partial tiles poisoned (NaN) and its flags zero, and checks that the
/// launch leaves every flag zero again.
void launchSyrk(Env &e, Loaded &syrk, const Dev &x, const Dev &d, const Dev &c,
                int32_t m, int32_t k, float alpha, float beta, float gamma,
                int programs = 0) {
  const auto &knobs = syrk.info.params;
  rt::Grid grid = ns::syrkGridFor(m, knobs, 1, syrk.info.clusterSize,
                                  programs ? programs : e.sms);
  const int64_t partialBytes = ns::streamKPartialBytes(knobs, grid);
  rt::DeviceBuffer partials, flags;
  if (partialBytes) {
    partials = std::move(*rt::DeviceBuffer::allocate(partialBytes));
    flags = std::move(*rt::DeviceBuffer::allocate(ns::streamKSlots(grid) * 4));
    ASSERT_TRUE(partials.fillU32(0x7FC00000).ok());
    ASSERT_TRUE(flags.fillU32(0).ok());
  }
  auto args = rt::ArgPack::of(x.buf.ptr(), d.buf.ptr(), c.buf.ptr(), m, k, k,
                              (int32_t)1, m, (int64_t)m * k, (int64_t)m * m,
                              alpha, beta, gamma, partials.ptr(), flags.ptr());
  rt::Status launched =
      launchKernel(*syrk.kernel, syrk.info, grid, nullptr, args);
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_TRUE(e.ctx.synchronize().ok());
  if (partialBytes) {
    const size_t slots = (size_t)ns::streamKSlots(grid);
    std::vector<uint32_t> left(slots, 1);
    ASSERT_TRUE(flags.copyToHost(left.data(), slots * 4).ok());
    EXPECT_EQ(std::count(left.begin(), left.end(), 0u), (long)slots)
        << "stream-K flags not reset";
  }
}

/// Programs of the stream-K forms: [4] every SM, [5] 7, [6] 40.
int programsOf(int form) {
  return form == 5 ? 7 : form == 6 ? 40 : form == 7 ? 20 : 0;
}

void report(const char *line, int m, int n, double tessel, double cublas) {
  bool ok = tessel <= 1.1 * cublas + 1e-7;
  std::printf("RESULT ns-line %s m=%d n=%d tessel_rel_err=%.3e "
              "cublas_rel_err=%.3e rule(tessel<=1.1*cublas) %s\n",
              line, m, n, tessel, cublas, ok ? "ok" : "FAIL");
  EXPECT_TRUE(ok) << line << ": Tessel " << tessel << " vs cuBLAS " << cublas;
}

/// (m, n or k, the kernel form: Env's index).
class NSLines : public ::testing::TestWithParam<std::tuple<int, int, int>> {
protected:
  /// The kernel form this case runs, or why it cannot run here (no device
  /// or kernels; a TMA form off sm_90a).
  std::optional<std::string> unrunnable(int &form) {
    form = std::get<2>(GetParam());
    if (!env().ok)
      return "no CUDA device or kernels: " + env().why;
    if (kForms[form].tma && !env().tma)
      return std::string("the TMA forms need sm_90a");
    return std::nullopt;
  }
};

TEST_P(NSLines, Line1SyrkNoWorseThanCublas) {
  int form = 0;
  if (auto why = unrunnable(form))
    GTEST_SKIP() << *why;
  int m = std::get<0>(GetParam()), k = std::get<1>(GetParam());
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
  launchSyrk(env(), env().syrk[form], dx, dc, dc, m, k, 1.f, 0.f, 0.f,
             programsOf(form));
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
  int form = 0;
  if (auto why = unrunnable(form))
    GTEST_SKIP() << *why;
  int m = std::get<0>(GetParam());
  // As tessel::ns runs it: B = a I + b A + c A A (line 3's a X in B).
  const double a0 = 3.4445, b = -4.775, c = 2.0315;
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
      ref[(size_t)i * m + j] =
          (i == j ? a0 : 0.0) + b * a[(size_t)i * m + j] + c * s;
    }
  Dev da(toBits(a)), dout(std::vector<uint16_t>((size_t)m * m, 0xFFFF)),
      dblas(toBits(a));
  launchSyrk(env(), env().syrk[form], da, da, dout, m, m, (float)c, (float)b,
             (float)a0, programsOf(form));
  double tessel = relErr(dout.read((size_t)m * m), ref);
  float alpha = (float)c, beta = (float)b;
  ASSERT_EQ(cublasGemmEx(env().blas, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &alpha,
                         da.ptr(), CUDA_R_16BF, m, da.ptr(), CUDA_R_16BF, m,
                         &beta, dblas.ptr(), CUDA_R_16BF, m, CUBLAS_COMPUTE_32F,
                         CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  // cuBLAS has no a I term: its bf16 B, then a added to the diagonal and
  // rounded to bf16 again (a second kernel's work).
  std::vector<double> blas = dblas.read((size_t)m * m);
  for (int i = 0; i < m; ++i) {
    double &d = blas[(size_t)i * m + i];
    d = (double)gpu::bf16ToFloat(gpu::doubleToBf16(d + a0));
  }
  report("2", m, m, tessel, relErr(blas, ref));
}

/// Line 3, X' = a X + B X, against float64 and cuBLAS (C := X, beta = a).
void checkLine3(int m, int n, int form, double a) {
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
  Loaded &line3 = e.line3[form];
  int64_t bmk = line3.info.params.at("BLOCK_M"),
          bnk = line3.info.params.at("BLOCK_N");
  auto args = rt::ArgPack::of(db.buf.ptr(), dx.buf.ptr(), dout.buf.ptr(),
                              (int32_t)m, (int32_t)n, (int32_t)m, (int32_t)n,
                              (int32_t)1, (int32_t)n, (int32_t)1,
                              (int64_t)m * m, (int64_t)m * n, (float)a);
  rt::Status launched = launchKernel(
      *line3.kernel, line3.info,
      ns::line3Grid(m, n, bmk, bnk, 1, line3.info.clusterSize), nullptr, args);
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
  report(a != 0 ? "3" : "3(a=0)", m, n, tessel,
         relErr(dblas.read((size_t)m * n), ref));
}

// a = 0 is how tessel::ns runs line 3 (a I rides in line 2's B): the X
// tile is not read after the K loop.
TEST_P(NSLines, Line3NoWorseThanCublas) {
  int form = 0;
  if (auto why = unrunnable(form))
    GTEST_SKIP() << *why;
  int m = std::get<0>(GetParam()), n = std::get<1>(GetParam());
  checkLine3(m, n, form, 3.4445);
  checkLine3(m, n, form, 0.0);
}

// Ragged tiles in every form; the TMA forms need 16-byte rows (multiples of
// 8 elements), so their ragged case is 296 x 704 (not tile multiples either:
// the cluster form's grids round up to an even x there, line 3's 3 row
// blocks and syrk's 11 tiles, so a lone program's partner reads past m).
INSTANTIATE_TEST_SUITE_P(
    Sizes, NSLines,
    ::testing::Values(
        std::make_tuple(300, 700, 0), std::make_tuple(512, 512, 0),
        std::make_tuple(256, 1024, 0), std::make_tuple(296, 704, 1),
        std::make_tuple(512, 512, 1), std::make_tuple(256, 1024, 1),
        std::make_tuple(296, 704, 2), std::make_tuple(512, 512, 2),
        std::make_tuple(256, 1024, 2), std::make_tuple(296, 704, 3),
        std::make_tuple(512, 512, 3), std::make_tuple(256, 1024, 3),
        std::make_tuple(296, 704, 4), std::make_tuple(512, 512, 4),
        std::make_tuple(256, 4096, 4), std::make_tuple(300, 700, 5),
        std::make_tuple(512, 512, 5), std::make_tuple(256, 1024, 5),
        std::make_tuple(300, 700, 6), std::make_tuple(512, 512, 6),
        std::make_tuple(256, 1024, 6), std::make_tuple(1536, 512, 7),
        // Column pairs: T even with H odd (row T - 1's last tile half past
        // m), T odd (row blocks of a virtual block T), ragged; the general
        // form at T = 10 and 16.
        std::make_tuple(1280, 512, 8), std::make_tuple(1152, 512, 8),
        std::make_tuple(296, 704, 8), std::make_tuple(300, 700, 9),
        std::make_tuple(512, 512, 9)),
    [](const auto &info) {
      const int form = std::get<2>(info.param);
      return std::to_string(std::get<0>(info.param)) + "x" +
             std::to_string(std::get<1>(info.param)) +
             (form == 9   ? "_column_pairs"
              : form == 8 ? "_tma_column_pairs"
              : form == 7 ? "_tma_stream_k_20_programs"
              : form == 6 ? "_stream_k_40_programs"
              : form == 5 ? "_stream_k_7_programs"
              : form == 4 ? "_tma_stream_k"
              : form == 3 ? "_tma_cluster2_producer"
              : form == 2 ? "_tma_cluster2"
              : form == 1 ? "_tma"
                          : "");
    });

} // namespace
