//===- KernelGpuTest.cpp - Tessel kernels against float64 references ------===//
//
// Runs the PTX the `tessel` CLI wrote for kernels/*.mlir (axpy, rowsum_abs,
// every GEMM variant) on the device and checks each output element against
// a float64 CPU reference. The sm_90a PTX runs where the device is cc 9.0;
// the sm_80 PTX runs on every device (on an H100 through the driver's JIT).
//
//===----------------------------------------------------------------------===//

#include "KernelFiles.h"

#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"
#include "tessel/runtime/Stream.h"
#include "tessel/runtime/TmaArgs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

using namespace tessel::rt;
using namespace tessel::gpu;

namespace {

//===----------------------------------------------------------------------===//
// The device, shared by every test
//===----------------------------------------------------------------------===//

/// The device's primary context, a stream and the modules loaded so far, for
/// the whole process: each PTX is JIT-compiled once, not once per test.
struct Session {
  std::string whyNot; ///< non-empty: no usable device, and why
  Context context;
  DeviceInfo info;
  Stream stream;
  std::map<std::string, Module> modules; ///< by PTX path
};

/// The process's session. Never destroyed: its modules and context must not
/// be torn down by static destructors after the driver may be gone.
Session &session() {
  static Session *instance = [] {
    auto *s = new Session;
    Expected<int> count = deviceCount();
    if (!count) {
      s->whyNot = count.status().message();
      return s;
    }
    if (*count == 0) {
      s->whyNot = "the driver sees no device";
      return s;
    }
    Expected<Context> context = Context::acquire(0);
    Expected<DeviceInfo> info = queryDevice(0);
    if (!context || !info) {
      s->whyNot =
          !context ? context.status().message() : info.status().message();
      return s;
    }
    s->context = context.take();
    s->info = *info;
    Expected<Stream> stream = Stream::create();
    if (!stream) {
      s->whyNot = stream.status().message();
      return s;
    }
    s->stream = stream.take();
    std::cout << "device: " << s->info.name << ", cc " << s->info.ccMajor << "."
              << s->info.ccMinor << ", kernels from " << kernelDir() << "\n";
    return s;
  }();
  return *instance;
}

/// Blocks of `block` covering `n`.
unsigned cdiv(long long n, long long block) {
  return unsigned((n + block - 1) / block);
}

//===----------------------------------------------------------------------===//
// Error statistics
//===----------------------------------------------------------------------===//

/// How far `out` is from `ref`, element by element (both already in the
/// precision the kernel stores). The relative error of an element is
/// |out - ref| / max(|ref|, 1e-2 * max|ref|), so that references near zero
/// (sums of signed terms) do not dominate it.
struct ErrorStats {
  std::size_t count = 0;
  std::size_t nonFinite = 0;
  double maxAbs = 0, maxRel = 0, maxRef = 0, relNorm = 0;

  static ErrorStats of(const std::vector<double> &out,
                       const std::vector<double> &ref) {
    ErrorStats stats;
    stats.count = out.size();
    double diff2 = 0, ref2 = 0;
    for (double r : ref)
      stats.maxRef = std::max(stats.maxRef, std::fabs(r));
    double floor = 1e-2 * stats.maxRef;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (!std::isfinite(out[i])) {
        ++stats.nonFinite;
        continue;
      }
      double d = std::fabs(out[i] - ref[i]);
      stats.maxAbs = std::max(stats.maxAbs, d);
      stats.maxRel = std::max(stats.maxRel,
                              d / std::max({std::fabs(ref[i]), floor, 1e-300}));
      diff2 += d * d;
      ref2 += ref[i] * ref[i];
    }
    stats.relNorm = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
    return stats;
  }

  std::string describe() const {
    char text[200];
    std::snprintf(text, sizeof text,
                  "max_abs=%.3e max_rel=%.3e rel_norm=%.3e max_ref=%.3e n=%zu",
                  maxAbs, maxRel, relNorm, maxRef, count);
    return text;
  }
};

/// One greppable line per check, gathered by scripts/gpu-run.sh; the numbers
/// also go to the XML report, their names prefixed by `key`.
void report(const std::string &what, const ErrorStats &stats,
            const std::string &tolerance, bool ok,
            const std::string &key = "") {
  std::cout << "RESULT " << what << " " << stats.describe() << " tol("
            << tolerance << ") " << (ok ? "ok" : "FAIL") << std::endl;
  ::testing::Test::RecordProperty(key + "max_abs_err", stats.maxAbs);
  ::testing::Test::RecordProperty(key + "max_rel_err", stats.maxRel);
  ::testing::Test::RecordProperty(key + "rel_norm_err", stats.relNorm);
}

//===----------------------------------------------------------------------===//
// The fixture: a kernel file for a target, loaded into the session
//===----------------------------------------------------------------------===//

class KernelGpu : public ::testing::Test {
protected:
  /// Skips where there is no device, where `target`'s PTX cannot run on it
  /// or where the PTX was not built; loads `<base>.<target>.ptx` otherwise.
  void load(const std::string &base, const std::string &target) {
    Session &s = session();
    if (!s.whyNot.empty())
      GTEST_SKIP() << "no CUDA device: " << s.whyNot;
    if (target == "sm_90a" && !(s.info.ccMajor == 9 && s.info.ccMinor == 0))
      GTEST_SKIP() << "sm_90a PTX runs only on compute capability 9.0; "
                   << s.info.name << " is " << s.info.ccMajor << "."
                   << s.info.ccMinor;
    if (s.info.ccMajor < 8)
      GTEST_SKIP() << "Tessel PTX needs compute capability 8.0 or newer";
    std::string dir = kernelDir();
    if (!kernelFileExists(dir, base, target))
      GTEST_SKIP() << "no kernel PTX in " << dir << " (" << base << "."
                   << target << ".ptx; build the tessel-kernels target)";
    Expected<KernelFile> file = loadKernelFile(dir, base, target);
    ASSERT_TRUE(file) << file.status().message();
    file_ = file.take();
    auto it = s.modules.find(file_.ptxPath);
    if (it == s.modules.end()) {
      Expected<Module> module = Module::load(file_.ptx, file_.ptxPath);
      ASSERT_TRUE(module) << module.status().message();
      it = s.modules.emplace(file_.ptxPath, module.take()).first;
    }
    Expected<Kernel> kernel = it->second.kernel(file_.info.name);
    ASSERT_TRUE(kernel) << kernel.status().message();
    kernel_ = std::make_unique<Kernel>(*kernel);
    loaded_ = true;
  }

  /// Launches the loaded kernel on `grid` with its block, shared memory and
  /// tensor maps, and waits for it.
  void launchAndWait(Grid grid, ArgPack &args) {
    Session &s = session();
    Block block{unsigned(file_.info.numWarps * 32), 1, 1};
    ArgPack withMaps = args;
    Status bound = appendTensorMaps(file_.info.name, file_.info.tma, withMaps,
                                    TensorMapCache::forCurrentContext());
    ASSERT_TRUE(bound.ok()) << bound.message();
    Status launched = kernel_->launch(grid, block, file_.info.sharedBytes,
                                      s.stream.handle(), withMaps);
    ASSERT_TRUE(launched.ok()) << launched.message();
    Status done = s.stream.synchronize();
    ASSERT_TRUE(done.ok()) << done.message();
  }

  /// Checks the metadata names the arguments the test passes.
  void expectArgs(const std::vector<std::string> &want) {
    ASSERT_EQ(file_.info.args, want)
        << "argument kinds in the .json of " << file_.ptxPath;
  }

  /// The running test's full name: seeds its random inputs.
  static std::string testName() {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string(info->test_suite_name()) + "." + info->name();
  }

  KernelFile file_;
  std::unique_ptr<Kernel> kernel_;
  bool loaded_ = false;
};

/// Elements past the end of each output that must stay poisoned.
constexpr std::size_t kSlack = 256;

//===----------------------------------------------------------------------===//
// axpy: y = alpha * x + y (fp32)
//===----------------------------------------------------------------------===//

struct AxpyCase {
  std::string target;
  int n;
};

void PrintTo(const AxpyCase &c, std::ostream *os) {
  *os << c.target << " n=" << c.n;
}

class AxpyGpu : public KernelGpu,
                public ::testing::WithParamInterface<AxpyCase> {};

// Tolerance: fp32 with at most two roundings (mul, add; one with fma), so
// |out - ref| <= 2^-23 (|alpha x| + |y|). An element left unwritten keeps y,
// off by |alpha x| >= 1.5/64, far beyond that.
TEST_P(AxpyGpu, MatchesFloat64) {
  const AxpyCase &c = GetParam();
  load("axpy", c.target);
  if (!loaded_)
    return;
  expectArgs({"ptr", "ptr", "f32", "i32"});
  const int n = c.n;
  const float alpha = 1.5f;
  Random random(seedOf(testName()));
  std::vector<float> x(n), y(n + kSlack);
  for (float &v : x)
    v = float(random.nonzero(1.0 / 64, 2.0));
  for (int i = 0; i < n; ++i)
    y[i] = float(random.nonzero(1.0 / 64, 2.0));
  std::uint32_t poison = 0xffffffffu; // a NaN
  for (std::size_t i = n; i < y.size(); ++i)
    std::memcpy(&y[i], &poison, 4);

  Expected<DeviceBuffer> dx = DeviceBuffer::allocate(x.size() * 4);
  Expected<DeviceBuffer> dy = DeviceBuffer::allocate(y.size() * 4);
  ASSERT_TRUE(dx && dy);
  ASSERT_TRUE(dx->upload(x).ok());
  ASSERT_TRUE(dy->upload(y).ok());
  ArgPack args;
  args.ptr(dx->ptr()).ptr(dy->ptr()).f32(alpha).i32(n);
  launchAndWait({cdiv(n, file_.info.param("BLOCK", 1024)), 1, 1}, args);
  if (HasFatalFailure())
    return;
  std::vector<float> out(y.size());
  ASSERT_TRUE(dy->download(out).ok());

  std::vector<double> got(n), ref(n);
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    got[i] = out[i];
    ref[i] = double(alpha) * x[i] + y[i];
    double tol = 0x1p-23 * (std::fabs(double(alpha) * x[i]) + std::fabs(y[i]));
    if (!(std::fabs(got[i] - ref[i]) <= tol) && ++bad <= 8)
      ADD_FAILURE() << "y[" << i << "] = " << out[i] << ", want " << ref[i]
                    << (out[i] == y[i] ? " (never written)" : "");
  }
  ErrorStats stats = ErrorStats::of(got, ref);
  report("axpy " + c.target + " n=" + std::to_string(n), stats,
         "|d|<=2^-23(|ax|+|y|)", bad == 0);
  EXPECT_EQ(bad, 0) << "wrong elements of " << n;
  for (std::size_t i = n; i < out.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &out[i], 4);
    ASSERT_EQ(bits, poison) << "axpy wrote y[" << i << "], past n = " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, AxpyGpu,
    ::testing::Values(AxpyCase{"sm_90a", 1}, AxpyCase{"sm_90a", 1000},
                      AxpyCase{"sm_90a", (1 << 24) + 3}, AxpyCase{"sm_80", 1},
                      AxpyCase{"sm_80", 1000},
                      AxpyCase{"sm_80", (1 << 24) + 3}),
    [](const auto &info) {
      return info.param.target + "_n" + std::to_string(info.param.n);
    });

//===----------------------------------------------------------------------===//
// rowsum_abs: out[i] = sum_j |x[i, j]| (bf16 in, fp32 accumulate)
//===----------------------------------------------------------------------===//

struct RowsumCase {
  std::string target;
  int m, n;
};

void PrintTo(const RowsumCase &c, std::ostream *os) {
  *os << c.target << " " << c.m << "x" << c.n;
}

class RowsumGpu : public KernelGpu,
                  public ::testing::WithParamInterface<RowsumCase> {};

// Tolerance: |out - ref| <= 1e-5 ref (+1e-6). Summing N <= 4099 positive fp32
// terms (bf16 -> fp32 is exact) stays near sqrt(N) 2^-24 ~ 4e-6 relative even
// in a plain sequential order, less in chunks and a tree; one missing or
// doubled term of typical size (|x| ~ 0.5, the mean) moves a sum by 1/N >=
// 2.4e-4, a wrong row by ~100%.
TEST_P(RowsumGpu, MatchesFloat64) {
  const RowsumCase &c = GetParam();
  load("rowsum_abs", c.target);
  if (!loaded_)
    return;
  expectArgs({"ptr", "ptr", "i32", "i32", "i32"});
  const int m = c.m, n = c.n, ld = n;
  std::vector<std::uint16_t> x =
      randomBf16(std::size_t(m) * ld, seedOf(testName()));
  Expected<DeviceBuffer> dx = DeviceBuffer::allocate(x.size() * 2);
  Expected<DeviceBuffer> dout = DeviceBuffer::allocate((m + kSlack) * 4);
  ASSERT_TRUE(dx && dout);
  ASSERT_TRUE(dx->upload(x).ok());
  ASSERT_TRUE(dout->fillBytes(0xff).ok()); // NaN everywhere
  ArgPack args;
  args.ptr(dx->ptr()).ptr(dout->ptr()).i32(m).i32(n).i32(ld);
  launchAndWait({cdiv(m, file_.info.param("BLOCK_M", 32)), 1, 1}, args);
  if (HasFatalFailure())
    return;
  std::vector<float> out(m + kSlack);
  ASSERT_TRUE(dout->download(out).ok());

  std::vector<double> got(m), ref(m);
  int bad = 0, unwritten = 0;
  for (int i = 0; i < m; ++i) {
    double sum = 0;
    for (int j = 0; j < n; ++j)
      sum += std::fabs(double(bf16ToFloat(x[std::size_t(i) * ld + j])));
    ref[i] = sum;
    got[i] = out[i];
    if (std::isnan(out[i]))
      ++unwritten;
    if (!(std::fabs(got[i] - ref[i]) <= 1e-5 * ref[i] + 1e-6) && ++bad <= 8)
      ADD_FAILURE() << "out[" << i << "] = " << out[i] << ", want " << ref[i];
  }
  ErrorStats stats = ErrorStats::of(got, ref);
  report("rowsum_abs " + c.target + " " + std::to_string(m) + "x" +
             std::to_string(n),
         stats, "|d|<=1e-5ref+1e-6", bad == 0);
  EXPECT_EQ(unwritten, 0) << "rows never written (still NaN)";
  EXPECT_EQ(bad, 0) << "wrong rows of " << m;
  for (std::size_t i = m; i < out.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &out[i], 4);
    ASSERT_EQ(bits, 0xffffffffu)
        << "rowsum_abs wrote out[" << i << "], past M = " << m;
  }
}

std::vector<RowsumCase> rowsumCases() {
  std::vector<RowsumCase> cases;
  const int shapes[][2] = {
      {1, 4096}, {4096, 1}, {1000, 1000}, {4096, 4096}, {333, 4099}};
  for (const char *target : {"sm_90a", "sm_80"})
    for (const auto &shape : shapes)
      cases.push_back({target, shape[0], shape[1]});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Sizes, RowsumGpu, ::testing::ValuesIn(rowsumCases()),
                         [](const auto &info) {
                           return info.param.target + "_" +
                                  std::to_string(info.param.m) + "x" +
                                  std::to_string(info.param.n);
                         });

//===----------------------------------------------------------------------===//
// gemm: C = alpha A B + beta C (bf16 storage, fp32 accumulation)
//===----------------------------------------------------------------------===//

struct GemmCase {
  std::string target;
  std::string variant; ///< e.g. "128x128x32-w4": file gemm-<variant>
  bool transB;         ///< B stored N x K (stride_bk = 1, stride_bn = K)
  int m, n, k;
};

void PrintTo(const GemmCase &c, std::ostream *os) {
  *os << c.target << " " << c.variant << (c.transB ? " transB " : " rowB ")
      << c.m << "x" << c.n << "x" << c.k;
}

class GemmGpu : public KernelGpu,
                public ::testing::WithParamInterface<GemmCase> {};

/// alpha A B (+ beta C0) in float64 for the rows `rows`, all columns. A is
/// M x K row-major, B is given as K x N row-major floats (exact bf16 values).
/// Rows are spread over every hardware thread.
std::vector<double> referenceRows(const std::vector<float> &a,
                                  const std::vector<float> &b,
                                  const std::vector<int> &rows, int n, int k) {
  std::vector<double> acc(rows.size() * std::size_t(n), 0.0);
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  workers = std::min<unsigned>(workers, unsigned(rows.size()));
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      for (std::size_t r = w; r < rows.size(); r += workers) {
        double *out = &acc[r * n];
        const float *arow = &a[std::size_t(rows[r]) * k];
        for (int kk = 0; kk < k; ++kk) {
          const double av = arow[kk];
          const float *brow = &b[std::size_t(kk) * n];
          for (int j = 0; j < n; ++j)
            out[j] += av * double(brow[j]);
        }
      }
    });
  for (std::thread &t : threads)
    t.join();
  return acc;
}

// Tolerance (bf16 output): the kernel's result is compared with the float64
// reference rounded to bf16. Accumulation in fp32 over K <= 4096 products and
// the final rounding to bf16 leave about one bf16 ulp (2^-8 relative), so we
// require ||out - ref|| / ||ref|| <= 1e-2 and max |out - ref| <= 0.02 max|ref|
// + 1e-2 over the checked elements. A wrong element is typically off by a
// whole |ref| (~0.25 max|ref|), a wrong row or column by much more.
// Large problems (M N K > 2^30) are checked on 64 random rows plus the first
// and the last (all columns); every element of C is checked to be written.
TEST_P(GemmGpu, MatchesFloat64) {
  const GemmCase &c = GetParam();
  load("gemm-" + c.variant, c.target);
  if (!loaded_)
    return;
  // gemm takes the six strides; matmul (block loads: TMA on sm_90a) the
  // leading dimensions of row-major A, B and C.
  const bool matmul = file_.info.name == "matmul";
  ASSERT_TRUE(!matmul || !c.transB) << "matmul reads B row-major only";
  if (matmul)
    expectArgs({"ptr", "ptr", "ptr", "i32", "i32", "i32", "i32", "i32", "i32",
                "f32", "f32"});
  else
    expectArgs({"ptr", "ptr", "ptr", "i32", "i32", "i32", "i32", "i32", "i32",
                "i32", "i32", "i32", "f32", "f32"});
  const int m = c.m, n = c.n, k = c.k;
  const std::size_t mn = std::size_t(m) * n;
  const std::uint64_t seed = seedOf(testName());
  const float alpha = 1.5f, beta = 0.5f;

  // Inputs: A M x K, B K x N (row-major) or N x K (transposed), C0 M x N.
  std::vector<std::uint16_t> a = randomBf16(std::size_t(m) * k, seed);
  std::vector<std::uint16_t> b = randomBf16(std::size_t(k) * n, seed + 1);
  std::vector<std::uint16_t> c0 = randomBf16(mn, seed + 2);
  const int strideBk = c.transB ? 1 : n, strideBn = c.transB ? k : 1;

  Expected<DeviceBuffer> da = DeviceBuffer::allocate(a.size() * 2);
  Expected<DeviceBuffer> db = DeviceBuffer::allocate(b.size() * 2);
  Expected<DeviceBuffer> dc = DeviceBuffer::allocate((mn + kSlack) * 2);
  ASSERT_TRUE(da && db && dc);
  ASSERT_TRUE(da->upload(a).ok());
  ASSERT_TRUE(db->upload(b).ok());
  Grid grid{cdiv(m, file_.info.param("BLOCK_M", 128)),
            cdiv(n, file_.info.param("BLOCK_N", 128)), 1};
  // matmul loops over its tiles on a 1-D grid: here persistent (at most one
  // program per SM, so the large shapes give each program several tiles).
  if (matmul)
    grid = Grid{std::min(grid.x * grid.y, unsigned(session().info.smCount)),
                1, 1};
  auto run = [&](float beta_) {
    ArgPack args;
    args.ptr(da->ptr()).ptr(db->ptr()).ptr(dc->ptr());
    args.i32(m).i32(n).i32(k);
    if (matmul)
      args.i32(k).i32(n).i32(n);
    else
      args.i32(k).i32(1).i32(strideBk).i32(strideBn).i32(n).i32(1);
    args.f32(alpha).f32(beta_);
    launchAndWait(grid, args);
  };

  // Rows to compare: all of them for small problems, else a random sample.
  std::vector<int> rows;
  if (double(m) * n * k <= double(1 << 30)) {
    for (int i = 0; i < m; ++i)
      rows.push_back(i);
  } else {
    std::set<int> picked = {0, m - 1};
    Random random(seed + 3);
    while (int(picked.size()) < std::min(m, 66))
      picked.insert(int(random.next() % std::uint64_t(m)));
    rows.assign(picked.begin(), picked.end());
  }
  std::vector<float> af(a.size()), bf(b.size()); // B as K x N
  for (std::size_t i = 0; i < a.size(); ++i)
    af[i] = bf16ToFloat(a[i]);
  for (int kk = 0; kk < k; ++kk)
    for (int j = 0; j < n; ++j)
      bf[std::size_t(kk) * n + j] = bf16ToFloat(
          b[c.transB ? std::size_t(j) * k + kk : std::size_t(kk) * n + j]);
  std::vector<double> acc = referenceRows(af, bf, rows, n, k);

  const std::string what = "gemm " + c.target + " " + c.variant + " " +
                           (c.transB ? "transB " : "rowB ") +
                           std::to_string(m) + "x" + std::to_string(n) + "x" +
                           std::to_string(k);
  // Compares the sampled rows of `out` with bf16(alpha acc + beta' C0).
  auto compare = [&](const std::vector<std::uint16_t> &out, double betaRef,
                     const std::string &pass) {
    std::vector<double> got, ref;
    got.reserve(rows.size() * n);
    ref.reserve(rows.size() * n);
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (int j = 0; j < n; ++j) {
        std::size_t at = std::size_t(rows[r]) * n + j;
        double exact = double(alpha) * acc[r * n + j] +
                       betaRef * double(bf16ToFloat(c0[at]));
        ref.push_back(bf16ToFloat(doubleToBf16(exact)));
        got.push_back(bf16ToFloat(out[at]));
      }
    ErrorStats stats = ErrorStats::of(got, ref);
    double maxAbsTol = 0.02 * stats.maxRef + 1e-2;
    bool ok = stats.nonFinite == 0 && stats.relNorm <= 1e-2 &&
              stats.maxAbs <= maxAbsTol;
    report(what + " " + pass, stats,
           "rel_norm<=1e-2,max_abs<=0.02max|ref|+1e-2", ok,
           pass == "beta=0" ? "beta0_" : "beta05_");
    if (ok)
      return;
    // Where the wrong elements are: the most useful thing to print.
    std::ostringstream where;
    int shown = 0, wrong = 0, rowLo = m, rowHi = -1, colLo = n, colHi = -1;
    std::set<int> wrongRows;
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (int j = 0; j < n; ++j) {
        double g = got[r * n + j], want = ref[r * n + j];
        if (std::fabs(g - want) <= maxAbsTol)
          continue;
        ++wrong;
        wrongRows.insert(rows[r]);
        rowLo = std::min(rowLo, rows[r]);
        rowHi = std::max(rowHi, rows[r]);
        colLo = std::min(colLo, j);
        colHi = std::max(colHi, j);
        if (shown++ < 8)
          where << "  C[" << rows[r] << "," << j << "] = " << g << ", want "
                << want << "\n";
      }
    where << "  " << wrong << " of " << got.size()
          << " checked elements wrong; rows " << rowLo << ".." << rowHi << " ("
          << wrongRows.size() << " of " << rows.size()
          << " checked rows), columns " << colLo << ".." << colHi << "\n";
    ADD_FAILURE() << what << " " << pass << ": " << stats.describe() << "\n"
                  << where.str();
  };

  // Pass 1, beta = 0 on a C poisoned with 0x7f7f (bf16 3.39e38, finite, so
  // that 0 * C stays 0): every element must be overwritten with alpha A B;
  // the slack past C must stay poisoned.
  ASSERT_TRUE(dc->fillBytes(0x7f).ok());
  run(0.0f);
  if (HasFatalFailure())
    return;
  std::vector<std::uint16_t> out(mn + kSlack);
  ASSERT_TRUE(dc->download(out).ok());
  std::size_t unwritten = 0, firstUnwritten = mn;
  for (std::size_t i = 0; i < mn; ++i)
    if (out[i] == 0x7f7f && unwritten++ == 0)
      firstUnwritten = i;
  EXPECT_EQ(unwritten, 0u) << what << ": elements never written, the first C["
                           << firstUnwritten / n << "," << firstUnwritten % n
                           << "]";
  for (std::size_t i = mn; i < out.size(); ++i)
    ASSERT_EQ(out[i], 0x7f7f) << what << " wrote past C: element " << i;
  compare(out, 0.0, "beta=0");

  // Pass 2, the real update: C = 1.5 A B + 0.5 C0 with a random C0.
  ASSERT_TRUE(dc->copyFromHost(c0.data(), mn * 2).ok());
  run(beta);
  if (HasFatalFailure())
    return;
  ASSERT_TRUE(dc->download(out).ok());
  std::size_t nonFinite = 0;
  for (std::size_t i = 0; i < mn; ++i)
    if (!std::isfinite(bf16ToFloat(out[i])))
      ++nonFinite;
  EXPECT_EQ(nonFinite, 0u) << what << ": NaN/Inf in C";
  compare(out, beta, "beta=0.5");
}

std::vector<GemmCase> gemmCases() {
  std::vector<GemmCase> cases;
  const int shapes[][3] = {{1000, 1000, 1000}, {4096, 4096, 4096},
                           {1, 4096, 4096},    {4096, 1, 4096},
                           {3000, 5000, 1000}, {77, 129, 33}};
  for (const char *target : {"sm_90a", "sm_80"})
    for (const char *variant :
         {"128x128x32-w4", "64x64x32-w4", "128x128x32-w8",
          "64x64x32-w4-wgmma", "128x128x32-w8-wgmma"})
      for (bool transB : {false, true})
        for (const auto &s : shapes)
          cases.push_back({target, variant, transB, s[0], s[1], s[2]});
  // matmul: row-major only, and TMA wants 16-byte rows (K and N multiples
  // of 8); M and the K tail are ragged. sm_80 runs its masked-load form.
  const int tmaShapes[][3] = {{1000, 1000, 1000}, {4096, 4096, 4096},
                              {1, 4096, 4096},    {3000, 5000, 1000},
                              {77, 136, 40},      {130, 264, 4104}};
  for (const char *target : {"sm_90a", "sm_80"})
    for (const char *variant :
         {"tma-128x128x64-w8-s4", "tma-128x256x64-w8-s3", "tma-128x256x64-w8-s4",
          "tma-64x128x64-w4-s4", "tma-128x256x64-w8-s4-ws",
          "tma-256x128x64-w8-s4-ws", "tma-128x128x64-w4-s4-ws",
          "tma-128x128x128-w8-s2", "tma-128x256x128-w8-s2"})
      for (const auto &s : tmaShapes)
        cases.push_back({target, variant, false, s[0], s[1], s[2]});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Sizes, GemmGpu, ::testing::ValuesIn(gemmCases()),
                         [](const auto &info) {
                           const GemmCase &c = info.param;
                           std::string name = c.target + "_" + c.variant + "_" +
                                              (c.transB ? "transB_" : "rowB_") +
                                              std::to_string(c.m) + "x" +
                                              std::to_string(c.n) + "x" +
                                              std::to_string(c.k);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

} // namespace
