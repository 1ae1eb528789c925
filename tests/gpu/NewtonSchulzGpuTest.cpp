//===- NewtonSchulzGpuTest.cpp - tessel::ns::orthogonalize on the GPU -----===//
//
// Each variant end to end against the float64 implementation of the same
// iteration (with the GPU's bf16 roundings), on fresh Gaussian inputs,
// output poisoned first: max |delta| < 0.02. AOL's singular values on a
// Gaussian 512 x 512 input within [0.90, 1.10]. Zero input -> zero output.
// The kernels are compiled in process (JIT, through the compile cache).
//
//===----------------------------------------------------------------------===//
#include "KernelFiles.h"
#include "Orthogonalize.h"
#include "Tuning.h"

#include "tessel/autotune/TuneDB.h"
#ifdef TESSEL_HAVE_CUSOLVER
#include "Float64OnDevice.h"
#endif

#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Stream.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <optional>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace tessel;

namespace {

/// The device context, or a reason to skip.
struct Gpu {
  rt::Context ctx;
  std::string why;
  bool ok = false;
  Gpu() {
    // acquire() already says why when there is no driver or no device 0.
    auto c = rt::Context::acquire(0);
    if (!c) {
      why = c.status().message();
      return;
    }
    ctx = std::move(*c);
    ok = true;
  }
};

Gpu &gpu() {
  static Gpu g;
  return g;
}

struct Result {
  std::vector<double> x, gpu;
  ns::Plan plan;
  ns::CallInfo info;
};

/// max |gpu - float64 iteration (bf16 roundings)| over the output; infinite
/// when an output element is not finite.
double maxAbsFromIteration(const Result &r) {
  std::vector<double> ref(r.x.size());
  ns::referenceOrthogonalizeBf16(r.x.data(), ref.data(), r.plan);
  double maxAbs = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    maxAbs = std::max(maxAbs, std::isfinite(r.gpu[i])
                                  ? std::fabs(r.gpu[i] - ref[i])
                                  : INFINITY);
  return maxAbs;
}

/// Runs `variant` on Gaussian input of `shape` (or zeros); x holds the
/// bf16-exact input as doubles. `small` and `timeLaunches` are the Options
/// fields.
::testing::AssertionResult run(ns::Variant variant, ns::Shape shape,
                               uint32_t seed, bool zeros, Result &out,
                               ns::SmallPath small = ns::SmallPath::Auto,
                               bool timeLaunches = false) {
  std::string why;
  auto plan = ns::makePlan(shape, variant, &why);
  if (!plan)
    return ::testing::AssertionFailure() << why;
  out.plan = *plan;
  size_t count = (size_t)(shape.batch * shape.rows * shape.cols);
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  out.x.resize(count);
  std::vector<uint16_t> bits(count);
  for (size_t i = 0; i < count; ++i) {
    out.x[i] = zeros ? 0.0 : ns::roundToBf16(gauss(rng));
    bits[i] = gpu::doubleToBf16(out.x[i]);
  }
  auto in = rt::DeviceBuffer::allocate(count * 2);
  auto res = rt::DeviceBuffer::allocate(count * 2);
  if (!in || !res)
    return ::testing::AssertionFailure() << "allocation failed";
  if (auto s = in->copyFromHost(bits.data(), count * 2); !s.ok())
    return ::testing::AssertionFailure() << s.message();
  if (auto s = res->fillBytes(0xFF); !s.ok()) // bf16 NaN everywhere
    return ::testing::AssertionFailure() << s.message();
  // The copy and the fill ran on the legacy stream; the call's stream does
  // not wait for it (it is non-blocking), so order them here.
  if (auto s = gpu().ctx.synchronize(); !s.ok())
    return ::testing::AssertionFailure() << s.message();
  auto stream = rt::Stream::create();
  if (!stream)
    return ::testing::AssertionFailure() << stream.status().message();
  ns::Options options;
  options.variant = variant;
  options.small = small;
  options.timeLaunches = timeLaunches;
  if (auto s = ns::orthogonalize(in->ptr(), res->ptr(), shape, options,
                                 stream->handle(), &out.info);
      !s.ok())
    return ::testing::AssertionFailure() << s.message();
  std::vector<uint16_t> back(count);
  if (auto s = res->copyToHost(back.data(), count * 2); !s.ok())
    return ::testing::AssertionFailure() << s.message();
  out.gpu.resize(count);
  for (size_t i = 0; i < count; ++i)
    out.gpu[i] = (double)gpu::bf16ToFloat(back[i]);
  return ::testing::AssertionSuccess();
}

struct Case {
  ns::Variant variant;
  ns::Shape shape;
  /// Options::small: how matrices that fit one tile run.
  ns::SmallPath small = ns::SmallPath::Auto;
};

/// How `small` shows in case names (after `sep`): nothing for the default.
std::string pathSuffix(ns::SmallPath small, char sep) {
  switch (small) {
  case ns::SmallPath::OneLaunch:
    return sep + std::string("one_launch");
  case ns::SmallPath::Lines:
    return sep + std::string("lines");
  case ns::SmallPath::Auto:
    break;
  }
  return "";
}

void PrintTo(const Case &c, std::ostream *os) {
  *os << ns::variantName(c.variant) << " " << ns::shapeString(c.shape)
      << pathSuffix(c.small, ' ');
}

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  std::ostringstream os;
  os << ns::variantName(info.param.variant) << "_" << info.param.shape.batch
     << "x" << info.param.shape.rows << "x" << info.param.shape.cols
     << pathSuffix(info.param.small, '_');
  return os.str();
}

class NSVariant : public ::testing::TestWithParam<Case> {};

/// Whether an AOL call took diag(s) into its first B (aol_colscale, one
/// launch more) instead of scaling a copy of X: a wide X (n >= 2m) on the
/// TMA line 3 (its label says "(tma"), read in place: a bf16 input not read
/// transposed, or any fp32 input (its bf16 copy is compact).
bool aolScalesB(const ns::Plan &plan, const ns::CallInfo &info,
                bool fp32Input = false) {
  return ns::normalization(plan.variant).kind == ns::Normalization::Aol &&
         (fp32Input || !plan.transposed) && plan.n >= 2 * plan.m &&
         info.lineConfigs[2].find("(tma") != std::string::npos;
}
bool aolScalesB(const Result &r) { return aolScalesB(r.plan, r.info); }

/// Launches of a call through the line kernels: AOL's line 1 and two
/// scalings, then lines 2 and 3 per step and line 1 but for the first (one
/// more where aolScalesB); Frobenius's two, then three per step.
int lineLaunches(const ns::Plan &plan, const ns::CallInfo &info,
                 bool fp32Input = false) {
  return ns::normalization(plan.variant).kind == ns::Normalization::Aol
             ? 3 + 2 + 3 * (plan.iterations - 1) +
                   (aolScalesB(plan, info, fp32Input) ? 1 : 0)
             : 2 + 3 * plan.iterations;
}

TEST_P(NSVariant, MatchesFloat64Iteration) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  const Case &c = GetParam();
  Result r;
  ASSERT_TRUE(run(c.variant, c.shape, 1234u + (uint32_t)c.shape.rows, false, r,
                  c.small));
  std::vector<double> ref(r.x.size());
  ns::referenceOrthogonalizeBf16(r.x.data(), ref.data(), r.plan);
  double maxAbs = 0, maxRef = 0;
  size_t bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(r.gpu[i])) {
      ++bad;
      continue;
    }
    maxAbs = std::max(maxAbs, std::fabs(r.gpu[i] - ref[i]));
    maxRef = std::max(maxRef, std::fabs(ref[i]));
  }
  std::printf("RESULT ns %s %s%s target=%s launches=%d max_abs=%.3e "
              "max_ref=%.3e tol=0.02 %s\n",
              std::string(ns::variantName(c.variant)).c_str(),
              ns::shapeString(c.shape).c_str(),
              pathSuffix(c.small, ' ').c_str(), r.info.target.c_str(),
              r.info.launches, maxAbs, maxRef,
              bad == 0 && maxAbs < 0.02 ? "ok" : "FAIL");
  EXPECT_EQ(bad, 0u) << "elements not written or not finite";
  EXPECT_LT(maxAbs, 0.02);
  const ns::Normalization::Kind norm = ns::normalization(c.variant).kind;
  int expected = lineLaunches(r.plan, r.info);
  // Matrices that fit one tile, where the call takes small.mlir: the whole
  // run is one launch.
  if (ns::smallConfig(r.plan, norm) && (c.small == ns::SmallPath::OneLaunch ||
                                        (c.small == ns::SmallPath::Auto &&
                                         ns::oneLaunch(r.info.target, r.plan))))
    expected = 1;
  EXPECT_EQ(r.info.launches, expected);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (ns::Variant v : ns::allVariants()) {
    for (ns::Shape s :
         {ns::Shape{1, 64, 128}, ns::Shape{1, 128, 64}, ns::Shape{2, 128, 256},
          ns::Shape{1, 300, 700}, ns::Shape{1, 512, 512}})
      out.push_back({v, s});
    // One launch (small.mlir): full tiles, ragged ones, tall, the dot's
    // least tile; and the same shapes through the line kernels. A default
    // call takes the lines only for large batches of m > 64 on the TMA
    // lines (4 x 128² one launch; 256 x 128², 4 M elements, the lines on
    // sm_90a).
    for (ns::Shape s : {ns::Shape{4, 128, 128}, ns::Shape{3, 100, 120},
                        ns::Shape{2, 100, 40}, ns::Shape{2, 9, 24}}) {
      out.push_back({v, s, ns::SmallPath::OneLaunch});
      out.push_back({v, s, ns::SmallPath::Lines});
    }
    for (ns::Shape s : {ns::Shape{4, 128, 128}, ns::Shape{256, 128, 128}})
      out.push_back({v, s});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, NSVariant, ::testing::ValuesIn(cases()),
                         caseName);

// The issue asks for AOL's sigma range within [0.90, 1.10] on Gaussian 512^2.
// A square Gaussian matrix has singular values down to ~1e-3 of its largest,
// which four steps cannot lift: the float64 iteration itself ends with
// sigma_min ~0.03 (host tests print it). So this test states the GPU's range
// beside the float64 iteration's on the same input and requires them to
// agree, and requires sigma_max <= 1.10 (no overshoot).
TEST(NSQuality, AolSigmaRangeOnGaussian512) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  Result r;
  ASSERT_TRUE(run(ns::Variant::Aol4, ns::Shape{1, 512, 512}, 77u, false, r));
  std::vector<double> ref(r.x.size()), refBf16(r.x.size());
  ns::referenceOrthogonalize(r.x.data(), ref.data(), r.plan);
  ns::referenceOrthogonalizeBf16(r.x.data(), refBf16.data(), r.plan);
  double maxAbs = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    maxAbs = std::max(maxAbs, std::fabs(r.gpu[i] - refBf16[i]));
  ns::Quality q = ns::quality(r.gpu.data(), r.x.data(), r.plan);
  ns::Quality q64 = ns::quality(ref.data(), r.x.data(), r.plan);
  ns::Quality q16 = ns::quality(refBf16.data(), r.x.data(), r.plan);
  bool ok = q.sigmaMax <= 1.10 &&
            std::fabs(q.sigmaMax - q16.sigmaMax) <= 0.05 &&
            std::fabs(q.sigmaMin - q16.sigmaMin) <= 0.05 &&
            std::fabs(q.polarError - q16.polarError) <= 0.05;
  std::printf("RESULT ns-quality aol4 1x512x512 gpu: sigma=[%.4f, %.4f] "
              "polar_err=%.4f | float64 iteration: sigma=[%.4f, %.4f] "
              "polar_err=%.4f | bf16 iteration: sigma=[%.4f, %.4f] "
              "polar_err=%.4f | max|gpu-bf16 ref|=%.3e %s\n",
              q.sigmaMin, q.sigmaMax, q.polarError, q64.sigmaMin, q64.sigmaMax,
              q64.polarError, q16.sigmaMin, q16.sigmaMax, q16.polarError,
              maxAbs, ok ? "ok" : "FAIL");
  EXPECT_LE(q.sigmaMax, 1.10);
  EXPECT_NEAR(q.sigmaMax, q16.sigmaMax, 0.05);
  EXPECT_NEAR(q.sigmaMin, q16.sigmaMin, 0.05);
  EXPECT_NEAR(q.polarError, q16.polarError, 0.05);
}

#ifdef TESSEL_HAVE_CUSOLVER
// The float64 helpers on the GPU against the host's own: the reference
// iteration (both storages) on 1 x 300 x 700 and a 1 x 700 x 300 tall one,
// and singular values of a 512 x 512 NS output.
TEST(NSQuality, Float64OnDeviceMatchesHost) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  std::string why;
  ns::DenseProducts device = gpu::deviceDenseProducts(&why);
  for (ns::Shape shape : {ns::Shape{1, 300, 700}, ns::Shape{1, 700, 300}})
    for (bool bf16 : {false, true}) {
      auto plan = ns::makePlan(shape, ns::Variant::Aol4);
      ASSERT_TRUE(plan);
      std::mt19937 rng(11u);
      std::normal_distribution<double> gauss(0.0, 1.0);
      std::vector<double> x((size_t)(shape.rows * shape.cols));
      for (double &v : x)
        v = gauss(rng);
      std::vector<double> host(x.size()), dev(x.size());
      ns::referenceOrthogonalize(x.data(), host.data(), *plan, bf16,
                                 ns::hostDenseProducts());
      ns::referenceOrthogonalize(x.data(), dev.data(), *plan, bf16, device);
      ASSERT_TRUE(why.empty()) << why;
      double maxAbs = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        double d = std::fabs(host[i] - dev[i]);
        maxAbs = std::max(maxAbs, std::isfinite(d) ? d : INFINITY);
      }
      std::printf("RESULT float64-on-device %s %s: max|device-host|=%.3e\n",
                  ns::shapeString(shape).c_str(), bf16 ? "bf16" : "float64",
                  maxAbs);
      // float64: summation order only. bf16 storage: a value on a rounding
      // tie may land one bf16 step apart, and that propagates a little.
      EXPECT_LT(maxAbs, bf16 ? 0.02 : 1e-9) << ns::shapeString(shape);
    }
  Result r;
  ASSERT_TRUE(run(ns::Variant::Aol4, ns::Shape{1, 512, 512}, 78u, false, r));
  std::vector<double> host = ns::singularValues(r.gpu.data(), r.plan, 0);
  std::vector<double> dev = gpu::deviceSingularValues(r.gpu, 512, 512, why);
  ASSERT_EQ(dev.size(), host.size()) << why;
  for (size_t i = 0; i < host.size(); ++i)
    EXPECT_NEAR(dev[i], host[i], 1e-6) << "sigma " << i;
}

// AOL on a Gaussian 2048 x 2048: as at 512 x 512, the GPU's singular values
// beside those of the float64 iteration with the GPU's bf16 storage (run on
// the GPU with cuBLAS DGEMM), sigma_max <= 1.10 and the ranges agreeing;
// and the output within 0.02 of that reference. The polar error is not
// computed here (it needs the eigenvectors: host Jacobi, minutes).
TEST(NSQuality, AolSigmaRangeOnGaussian2048) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  const int64_t side = 2048;
  Result r;
  ASSERT_TRUE(run(ns::Variant::Aol4, ns::Shape{1, side, side}, 79u, false, r));
  std::string why;
  std::vector<double> ref(r.x.size());
  ns::referenceOrthogonalize(r.x.data(), ref.data(), r.plan, true,
                             gpu::deviceDenseProducts(&why));
  ASSERT_TRUE(why.empty()) << why;
  std::vector<double> sg = gpu::deviceSingularValues(r.gpu, side, side, why);
  std::vector<double> sr = gpu::deviceSingularValues(ref, side, side, why);
  ASSERT_TRUE(!sg.empty() && !sr.empty()) << why;
  double maxAbs = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    maxAbs = std::max(maxAbs, std::isfinite(r.gpu[i])
                                  ? std::fabs(r.gpu[i] - ref[i])
                                  : INFINITY);
  size_t inside = 0;
  for (double v : sg)
    inside += v >= 0.90 && v <= 1.10;
  bool ok = sg.back() <= 1.10 && std::fabs(sg.back() - sr.back()) <= 0.05 &&
            std::fabs(sg.front() - sr.front()) <= 0.05 && maxAbs < 0.02;
  std::printf("RESULT ns-quality aol4 1x2048x2048 gpu: sigma=[%.4f, %.4f] "
              "(%.1f%% of them in [0.90, 1.10]) | bf16 iteration in float64: "
              "sigma=[%.4f, %.4f] | max|gpu-ref|=%.3e %s\n",
              sg.front(), sg.back(), 100.0 * (double)inside / (double)sg.size(),
              sr.front(), sr.back(), maxAbs, ok ? "ok" : "FAIL");
  EXPECT_LE(sg.back(), 1.10);
  EXPECT_NEAR(sg.back(), sr.back(), 0.05);
  EXPECT_NEAR(sg.front(), sr.front(), 0.05);
  EXPECT_LT(maxAbs, 0.02);
}
#endif

TEST(NSQuality, ZeroInputGivesZeros) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  for (ns::Variant v : ns::allVariants())
    for (ns::Shape shape : {ns::Shape{1, 96, 160}, ns::Shape{2, 60, 100}}) {
      Result r; // 2x60x100 is one launch of small.mlir
      ASSERT_TRUE(run(v, shape, 5u, true, r));
      for (double y : r.gpu)
        ASSERT_EQ(y, 0.0) << ns::variantName(v) << " "
                          << ns::shapeString(shape);
    }
}

// Options::timeLaunches: one positive time per launch, in order, named by
// kernel and role; the result is the untimed call's.
TEST(NSLaunchTimes, EveryLaunchTimedAndNamed) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  const ns::Shape shape{2, 192, 320};
  Result plainRun, timedRun;
  ASSERT_TRUE(run(ns::Variant::Aol4, shape, 11u, false, plainRun));
  ASSERT_TRUE(run(ns::Variant::Aol4, shape, 11u, false, timedRun,
                  ns::SmallPath::Auto, true));
  const ns::CallInfo &plain = plainRun.info, &timed = timedRun.info;
  const ns::Plan &plan = timedRun.plan;
  EXPECT_TRUE(plain.launchTimes.empty());
  ASSERT_EQ((int)timed.launchTimes.size(), timed.launches);
  // AOL: line 1 on the raw input, the two scalings, then per step lines 1
  // (but the first), 2 and 3.
  std::vector<std::string> want = {"syrk (AOL's line 1)", "aol_rowsum",
                                   "aol_scale"};
  for (int i = 0; i < plan.iterations; ++i) {
    if (i)
      want.push_back("syrk (line 1)");
    want.push_back("syrk (line 2)");
    want.push_back("ns_line3 (line 3)");
  }
  ASSERT_EQ(timed.launchTimes.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(timed.launchTimes[i].kernel, want[i]);
    EXPECT_GT(timed.launchTimes[i].ms, 0.0) << want[i];
    std::printf("RESULT ns-launch-times %zu %s %.4f ms\n", i,
                timed.launchTimes[i].kernel.c_str(), timed.launchTimes[i].ms);
  }
  EXPECT_EQ(plainRun.gpu, timedRun.gpu);

  // A wide X on the TMA lines (sm_90a): AOL scales A alone, and the first
  // step scales B's columns before its line 3 reads the input.
  const ns::Shape wide{1, 128, 320};
  Result w;
  ASSERT_TRUE(
      run(ns::Variant::Aol4, wide, 11u, false, w, ns::SmallPath::Auto, true));
  std::printf("RESULT ns-launch-times 1x128x320 aol_colscale %s (line 3: "
              "%s)\n",
              aolScalesB(w) ? "taken" : "not taken (TMA lines only)",
              w.info.lineConfigs[2].c_str());
  if (!aolScalesB(w))
    return;
  std::vector<std::string> wantWide = {
      "syrk (AOL's line 1)", "aol_rowsum",   "aol_scale",
      "syrk (line 2)",       "aol_colscale", "ns_line3 (line 3)"};
  for (int i = 1; i < w.plan.iterations; ++i)
    for (const char *k :
         {"syrk (line 1)", "syrk (line 2)", "ns_line3 (line 3)"})
      wantWide.push_back(k);
  ASSERT_EQ(w.info.launchTimes.size(), wantWide.size());
  for (size_t i = 0; i < wantWide.size(); ++i)
    EXPECT_EQ(w.info.launchTimes[i].kernel, wantWide[i]);
  EXPECT_LT(maxAbsFromIteration(w), 0.02);
}

// Which lines run: on sm_90a a shape whose m and n are multiples of 8 takes
// the TMA lines (CallInfo says "(tma)"), a tall one too (its first, AOL, line
// 1 reads the input transposed through the general kernel), an unaligned
// one the general kernels; every one agrees with the float64 iteration.
// (A tuned TMA config says "(tma, tuned)".)
TEST(NSTma, AlignedShapesTakeTheTmaLinesOnHopper) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  auto device = rt::queryDevice(0);
  ASSERT_TRUE(device);
  const bool hopper = rt::targetFor(*device) == "sm_90a";
  for (ns::Shape shape : {ns::Shape{2, 96, 160}, ns::Shape{1, 160, 96},
                          ns::Shape{1, 100, 160}}) {
    Result r;
    ASSERT_TRUE(run(ns::Variant::Aol4, shape, 7u, false, r));
    const bool aligned = r.plan.m % 8 == 0 && r.plan.n % 8 == 0;
    for (const std::string &label : r.info.lineConfigs)
      EXPECT_EQ(label.find("(tma") != std::string::npos, hopper && aligned)
          << shape.batch << "x" << shape.rows << "x" << shape.cols << ": "
          << label;
    double maxAbs = maxAbsFromIteration(r);
    std::printf("RESULT ns-tma aol4 %lldx%lldx%lld lines %s max_abs=%.3e\n",
                (long long)shape.batch, (long long)shape.rows,
                (long long)shape.cols, r.info.lineConfigs[0].c_str(), maxAbs);
    EXPECT_LT(maxAbs, 0.02);
  }
}

// batch x rows x cols past 2^31 elements: the batch offsets are 64-bit.
// Entries repeat three different random matrices, so an offset that wrapped
// to another entry (or faulted) shows; entries 0, 8191 and the last are
// compared with the float64 iteration. ~21 GB of device memory.
TEST(NSLarge, BatchPast2To31Elements) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  const ns::Shape shape{16385, 256, 512};
  const int64_t per = shape.rows * shape.cols;
  const int64_t total = shape.batch * per;
  ASSERT_GT(total, int64_t(1) << 31);
  auto plan = ns::makePlan(shape, ns::Variant::Aol4);
  ASSERT_TRUE(plan);
  std::mt19937 rng(99);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<std::vector<double>> mats(3, std::vector<double>(per));
  std::vector<std::vector<uint16_t>> bits(3, std::vector<uint16_t>(per));
  for (int k = 0; k < 3; ++k)
    for (int64_t i = 0; i < per; ++i) {
      mats[k][i] = ns::roundToBf16(gauss(rng));
      bits[k][i] = gpu::doubleToBf16(mats[k][i]);
    }
  std::vector<uint16_t> host((size_t)total);
  for (int64_t e = 0; e < shape.batch; ++e)
    std::memcpy(&host[(size_t)(e * per)], bits[e % 3].data(), per * 2);
  auto in = rt::DeviceBuffer::allocate((size_t)total * 2);
  auto out = rt::DeviceBuffer::allocate((size_t)total * 2);
  ASSERT_TRUE(in && out) << "allocation of 2 x " << total * 2 << " bytes";
  ASSERT_TRUE(in->copyFromHost(host.data(), (size_t)total * 2).ok());
  ASSERT_TRUE(out->fillBytes(0xFF).ok());
  ASSERT_TRUE(gpu().ctx.synchronize().ok());
  auto stream = rt::Stream::create();
  ASSERT_TRUE(stream);
  ns::Options options;
  options.variant = ns::Variant::Aol4;
  auto status = ns::orthogonalize(in->ptr(), out->ptr(), shape, options,
                                  stream->handle());
  ASSERT_TRUE(status.ok()) << status.message();
  ns::Shape one{1, shape.rows, shape.cols};
  auto onePlan = ns::makePlan(one, ns::Variant::Aol4);
  for (int64_t e : {int64_t(0), int64_t(8191), shape.batch - 1}) {
    std::vector<uint16_t> back(per);
    ASSERT_TRUE(
        out->copyToHost(back.data(), per * 2, (size_t)(e * per * 2)).ok());
    std::vector<double> ref(per);
    ns::referenceOrthogonalizeBf16(mats[e % 3].data(), ref.data(), *onePlan);
    double maxAbs = 0;
    bool finite = true;
    for (int64_t i = 0; i < per; ++i) {
      double y = (double)gpu::bf16ToFloat(back[i]);
      finite = finite && std::isfinite(y);
      maxAbs = std::max(maxAbs, std::fabs(y - ref[i]));
    }
    std::printf("RESULT ns-large aol4 %s entry=%lld elements=%lld max_abs=%.3e "
                "tol=0.02 %s\n",
                ns::shapeString(shape).c_str(), (long long)e, (long long)total,
                maxAbs, finite && maxAbs < 0.02 ? "ok" : "FAIL");
    EXPECT_TRUE(finite) << "entry " << e;
    EXPECT_LT(maxAbs, 0.02) << "entry " << e;
  }
}

// fp32 input: converted on the GPU to the bf16 working copy (one more
// launch), then the same iteration: against the float64 iteration with bf16
// roundings (which rounds the input first), and with the quality report of
// the call equal to the host's own on the same data.
TEST(NSInput, Float32InputAndQualityReport) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  for (ns::Variant v : {ns::Variant::Muon5, ns::Variant::PolarExpress5,
                        ns::Variant::Aol4})
    // 2x96x256 and (tall) 2x256x96: AOL takes diag(s) into B on the TMA
    // lines, its first line 3 reading the bf16 copy of the input (launch
    // counts below); the last two (m = 72 and 60): one launch.
    for (ns::Shape shape :
         {ns::Shape{1, 96, 160}, ns::Shape{1, 160, 96}, ns::Shape{2, 96, 160},
          ns::Shape{2, 160, 96}, ns::Shape{2, 96, 256}, ns::Shape{2, 256, 96},
          ns::Shape{2, 120, 72}, ns::Shape{2, 120, 60}}) {
      auto plan = ns::makePlan(shape, v);
      ASSERT_TRUE(plan);
      size_t count = (size_t)(shape.batch * shape.rows * shape.cols);
      std::mt19937 rng(7u + (uint32_t)shape.rows);
      std::normal_distribution<float> gauss(0.f, 1.f);
      std::vector<float> xf(count);
      std::vector<double> x(count);
      for (size_t i = 0; i < count; ++i)
        x[i] = xf[i] = gauss(rng);
      auto in = rt::DeviceBuffer::allocate(count * 4);
      auto res = rt::DeviceBuffer::allocate(count * 2);
      ASSERT_TRUE(in && res);
      ASSERT_TRUE(in->copyFromHost(xf.data(), count * 4).ok());
      ASSERT_TRUE(res->fillBytes(0xFF).ok());
      ASSERT_TRUE(gpu().ctx.synchronize().ok());
      auto stream = rt::Stream::create();
      ASSERT_TRUE(stream);
      ns::Options options;
      options.variant = v;
      options.input = ns::InputType::F32;
      options.quality = true;
      ns::CallInfo info;
      auto status = ns::orthogonalize(in->ptr(), res->ptr(), shape, options,
                                      stream->handle(), &info);
      ASSERT_TRUE(status.ok()) << status.message();
      std::vector<uint16_t> back(count);
      ASSERT_TRUE(res->copyToHost(back.data(), count * 2).ok());
      std::vector<double> y(count), ref(count);
      for (size_t i = 0; i < count; ++i)
        y[i] = gpu::bf16ToFloat(back[i]);
      ns::referenceOrthogonalizeBf16(x.data(), ref.data(), *plan);
      double maxAbs = 0;
      for (size_t i = 0; i < count; ++i)
        maxAbs = std::max(maxAbs, std::isfinite(y[i]) ? std::fabs(y[i] - ref[i])
                                                      : INFINITY);
      ASSERT_TRUE(info.quality.has_value());
      ns::Quality host = ns::quality(y.data(), x.data(), *plan);
      std::printf("RESULT ns-f32 %s %s launches=%d max_abs=%.3e tol=0.02 "
                  "quality sigma=[%.4f, %.4f] polar=%.4f (host: [%.4f, "
                  "%.4f] %.4f) %s\n",
                  std::string(ns::variantName(v)).c_str(),
                  ns::shapeString(shape).c_str(), info.launches, maxAbs,
                  info.quality->sigmaMin, info.quality->sigmaMax,
                  info.quality->polarError, host.sigmaMin, host.sigmaMax,
                  host.polarError, maxAbs < 0.02 ? "ok" : "FAIL");
      EXPECT_LT(maxAbs, 0.02);
      // The conversion, then the lines (or the one launch).
      EXPECT_EQ(info.launches,
                1 + (ns::oneLaunch(info.target, *plan)
                         ? 1
                         : lineLaunches(*plan, info, /*fp32Input=*/true)));
      EXPECT_DOUBLE_EQ(info.quality->sigmaMin, host.sigmaMin);
      EXPECT_DOUBLE_EQ(info.quality->sigmaMax, host.sigmaMax);
      EXPECT_DOUBLE_EQ(info.quality->polarError, host.polarError);
    }
}

// Tuning persists across processes: a child process (this binary, filtered
// to NSTuning.TuneChild) tunes 1x92x188 into a fresh cache root; this
// process then finds those configs at its first call for the shape, uses
// them (CallInfo says "(tuned)" with the database's best) and still agrees
// with the float64 iteration. (92 and 188 are not multiples of 8: on sm_90a
// an aligned shape takes the TMA lines, whose configs are fixed.)
TEST(NSTuning, SecondProcessReusesTheFirstOnesTuning) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  if (std::getenv("TESSEL_TEST_TUNE_CHILD"))
    GTEST_SKIP() << "this is the child process";
  char root[] = "/tmp/tessel-tune-test-XXXXXX";
  ASSERT_NE(mkdtemp(root), nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("TESSEL_CACHE_DIR", root, 1);
    setenv("TESSEL_TEST_TUNE_CHILD", "1", 1);
    execl("/proc/self/exe", "tessel-gpu-ns-tests",
          "--gtest_filter=NSTuning.TuneChild", (char *)nullptr);
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "child tuning process failed, status " << status;

  const char *old = std::getenv("TESSEL_CACHE_DIR");
  std::string saved = old ? old : "";
  setenv("TESSEL_CACHE_DIR", root, 1);
  auto device = rt::queryDevice(0);
  ASSERT_TRUE(device);
  tune::TuneDB db(root, tune::DeviceKey::of(*device));
  auto records = db.all();
  ASSERT_TRUE(records) << records.status().message();
  ASSERT_EQ(records->size(), 3u) << db.file();
  ns::Shape shape{1, 92, 188};
  auto plan = ns::makePlan(shape, ns::Variant::Aol4);
  ASSERT_TRUE(plan);
  std::array<std::string, 3> expected;
  for (ns::TunedLine line : ns::kTunedLines) {
    auto found = db.lookup(ns::problemKey(line, *plan));
    ASSERT_TRUE(found && *found) << ns::lineName(line);
    EXPECT_TRUE((*found)->exact);
    expected[(size_t)line] = tune::configString((*found)->config) + " (tuned)";
  }
  Result r;
  ASSERT_TRUE(run(ns::Variant::Aol4, shape, 21u, false, r));
  if (old)
    setenv("TESSEL_CACHE_DIR", saved.c_str(), 1);
  else
    unsetenv("TESSEL_CACHE_DIR");
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(r.info.lineConfigs[i], expected[i]) << "line " << i + 1;
  double maxAbs = maxAbsFromIteration(r);
  std::printf("RESULT ns-tuned aol4 1x92x188 configs: %s | %s | %s "
              "max_abs=%.3e\n",
              r.info.lineConfigs[0].c_str(), r.info.lineConfigs[1].c_str(),
              r.info.lineConfigs[2].c_str(), maxAbs);
  EXPECT_LT(maxAbs, 0.02);
  std::filesystem::remove_all(root);
}

/// Sets an environment variable for one scope, restoring it after.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name))
      old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

private:
  const char *name_;
  std::optional<std::string> old_;
};

// In lookup mode (the default) a call on the TMA lines takes a record of
// another shape only from its own power-of-two bucket: with a database
// holding 32 x 512^2's records (64-row tiles) 1 x 640 x 1280 keeps its
// tmaDefaultConfig ("(tma)"), and 1 x 576 x 1152 takes 1 x 640 x 1280's
// records (bucket 1 x 1024 x 2048: "(tma, tuned)"). Both agree with the
// float64 iteration.
TEST(NSTuning, TmaLinesTakeOnlyTheirBucketsRecords) {
  if (!gpu().ok)
    GTEST_SKIP() << "no CUDA device: " << gpu().why;
  auto device = rt::queryDevice(0);
  ASSERT_TRUE(device);
  if (rt::targetFor(*device) != "sm_90a")
    GTEST_SKIP() << "the TMA lines need sm_90a";
  char root[] = "/tmp/tessel-bucket-test-XXXXXX";
  ASSERT_NE(mkdtemp(root), nullptr);
  ScopedEnv cache("TESSEL_CACHE_DIR", root), mode("TESSEL_TUNE", "lookup");
  tune::TuneDB db(root, tune::DeviceKey::of(*device));
  // Each line's record at `at`, with the configs tmaDefaultConfig gives
  // `like` (a small shape's: 64-row tiles).
  auto recordAt = [&](ns::Shape at, ns::Shape like) {
    auto plan = ns::makePlan(at, ns::Variant::Aol4);
    auto small = ns::makePlan(like, ns::Variant::Aol4);
    ASSERT_TRUE(plan && small);
    for (ns::TunedLine line : ns::kTunedLines) {
      tune::Record rec;
      rec.key = ns::problemKey(line, *plan, /*tma=*/true);
      rec.best =
          ns::tmaDefaultConfig(line, *small, device->smCount, device->l2Bytes);
      rec.bestMs = 1.0;
      rec.trials = {{rec.best, 1.0, ""}};
      ASSERT_TRUE(db.record(rec).ok());
    }
  };
  // Every line's label says where its config came from and holds `warps`.
  auto expectLines = [](const Result &r, const char *from, const char *warps) {
    for (size_t i = 0; i < 3; ++i)
      for (const char *needle : {from, warps})
        EXPECT_NE(r.info.lineConfigs[i].find(needle), std::string::npos)
            << "line " << i + 1 << ": " << r.info.lineConfigs[i];
  };
  const ns::Shape far{32, 512, 512}, near{1, 640, 1280}, run2{1, 576, 1152};
  recordAt(far, far);
  Result a;
  ASSERT_TRUE(run(ns::Variant::Aol4, near, 31u, false, a));
  expectLines(a, "(tma)", "num_warps=8");
  EXPECT_LT(maxAbsFromIteration(a), 0.02);
  recordAt(near, far);
  Result b;
  ASSERT_TRUE(run(ns::Variant::Aol4, run2, 32u, false, b));
  expectLines(b, "(tma, tuned)", "num_warps=4");
  EXPECT_LT(maxAbsFromIteration(b), 0.02);
  std::printf("RESULT ns-bucket 1x640x1280 configs: %s | %s | %s\n"
              "RESULT ns-bucket 1x576x1152 configs: %s | %s | %s\n",
              a.info.lineConfigs[0].c_str(), a.info.lineConfigs[1].c_str(),
              a.info.lineConfigs[2].c_str(), b.info.lineConfigs[0].c_str(),
              b.info.lineConfigs[1].c_str(), b.info.lineConfigs[2].c_str());
  std::filesystem::remove_all(root);
}

// The child of NSTuning.SecondProcessReusesTheFirstOnesTuning (skipped unless
// it is that child).
TEST(NSTuning, TuneChild) {
  if (!std::getenv("TESSEL_TEST_TUNE_CHILD"))
    GTEST_SKIP() << "runs only as the child of "
                    "NSTuning.SecondProcessReusesTheFirstOnesTuning";
  ASSERT_TRUE(gpu().ok) << gpu().why;
  auto device = rt::queryDevice(0);
  ASSERT_TRUE(device);
  auto stream = rt::Stream::create();
  ASSERT_TRUE(stream);
  tune::TuneOptions options;
  options.budgetSeconds = 3;
  auto records = ns::tuneShape(ns::Shape{1, 92, 188}, rt::targetFor(*device),
                               *device, stream->handle(), options);
  ASSERT_TRUE(records) << records.status().message();
  for (const tune::Record &rec : *records)
    std::printf("RESULT ns-tune-child %s: %zu configs, best %s %.4f ms "
                "(default %.4f ms)\n",
                rec.key.layout.c_str(), rec.trials.size(),
                tune::configString(rec.best).c_str(), rec.bestMs,
                rec.defaultMs ? *rec.defaultMs : NAN);
}

} // namespace
