//===- NewtonSchulzHostTest.cpp - The Newton-Schulz library's host side ---===//
//
// CPU-only checks (ctest label "unit"): coefficient tables against DESIGN.md,
// names, plans and argument errors, FLOP counts, bf16 rounding, the Jacobi
// solver and quality measures on matrices with a known answer, and the
// float64 reference against an independent naive iteration and against the
// scalar map each variant applies to singular values.
//
//===----------------------------------------------------------------------===//

#include "NewtonSchulz.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace tessel::ns;

namespace {

//===----------------------------------------------------------------------===//
// Test helpers, written independently of the library
//===----------------------------------------------------------------------===//

/// DESIGN.md's tables, typed again here (not read from the library).
const std::map<Variant, std::vector<Step>> &designTables() {
  static const std::map<Variant, std::vector<Step>> tables = {
      {Variant::Muon5,
       {{3.4445, -4.7750, 2.0315},
        {3.4445, -4.7750, 2.0315},
        {3.4445, -4.7750, 2.0315},
        {3.4445, -4.7750, 2.0315},
        {3.4445, -4.7750, 2.0315}}},
      {Variant::Quintic5,
       {{4.0848, -6.8946, 2.9270},
        {3.9505, -6.3029, 2.6377},
        {3.7418, -5.5913, 2.3037},
        {2.8769, -3.1427, 1.2046},
        {2.8366, -3.0525, 1.2012}}},
      {Variant::PolarExpress5,
       {{8.156554524902461, -22.48329292557795, 15.878769915207462},
        {4.042929935166739, -2.808917465908714, 0.5000178451051316},
        {3.8916678022926607, -2.772484153217685, 0.5060648178503393},
        {3.285753657755655, -2.3681294933425376, 0.46449024233003106},
        {2.3465413258596377, -1.7097828382687081, 0.42323551169305323}}},
      {Variant::Aol4,
       {{4.6051, -9.6552, 5.6769},
        {4.7505, -6.0861, 2.1790},
        {2.7763, -2.3190, 0.5523},
        {2.4231, -2.2861, 0.8193}}},
  };
  return tables;
}

/// The scalar map a variant applies to each singular value of the
/// normalized input: its steps' quintics composed.
double phi(Variant variant, double sigma) {
  for (const Step &s : designTables().at(variant))
    sigma = s.a * sigma + s.b * sigma * sigma * sigma +
            s.c * sigma * sigma * sigma * sigma * sigma;
  return sigma;
}

/// max and min of phi over [from, 1] on a fine grid (plus the endpoints).
std::pair<double, double> phiRange(Variant variant, double from) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  const int kPoints = 200000;
  for (int k = 0; k <= kPoints; ++k) {
    double v = phi(variant, from + (1 - from) * k / kPoints);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

/// Reproducible standard normal samples: mt19937_64 is specified bit for
/// bit, std::normal_distribution is not, so Box-Muller by hand.
std::vector<double> gaussian(int64_t count, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<double> values(static_cast<size_t>(count));
  const double kTwoPi = 6.283185307179586;
  for (int64_t i = 0; i < count; i += 2) {
    double u1 = (static_cast<double>(gen() >> 11) + 1) * 0x1.0p-53;
    double u2 = static_cast<double>(gen() >> 11) * 0x1.0p-53;
    double r = std::sqrt(-2 * std::log(u1));
    values[i] = r * std::cos(kTwoPi * u2);
    if (i + 1 < count)
      values[i + 1] = r * std::sin(kTwoPi * u2);
  }
  return values;
}

using Matrix = std::vector<std::vector<double>>;

Matrix zeros(size_t rows, size_t cols) {
  return Matrix(rows, std::vector<double>(cols, 0.0));
}

Matrix multiply(const Matrix &a, const Matrix &b) {
  Matrix c = zeros(a.size(), b[0].size());
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b[0].size(); ++j)
      for (size_t k = 0; k < b.size(); ++k)
        c[i][j] += a[i][k] * b[k][j];
  return c;
}

Matrix transpose(const Matrix &a) {
  Matrix t = zeros(a[0].size(), a.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[0].size(); ++j)
      t[j][i] = a[i][j];
  return t;
}

Matrix fromRowMajor(const double *values, size_t rows, size_t cols) {
  Matrix a = zeros(rows, cols);
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j)
      a[i][j] = values[i * cols + j];
  return a;
}

std::vector<double> toRowMajor(const Matrix &a) {
  std::vector<double> values;
  for (const auto &row : a)
    values.insert(values.end(), row.begin(), row.end());
  return values;
}

/// A random orthogonal size × size matrix: a product of Householder
/// reflections I - 2vvᵀ/‖v‖².
Matrix randomOrthogonal(size_t size, uint64_t seed) {
  Matrix q = zeros(size, size);
  for (size_t i = 0; i < size; ++i)
    q[i][i] = 1;
  for (int r = 0; r < 6; ++r) {
    std::vector<double> v =
        gaussian(static_cast<int64_t>(size), seed * 101 + r);
    double norm2 = 0;
    for (double x : v)
      norm2 += x * x;
    Matrix h = zeros(size, size);
    for (size_t i = 0; i < size; ++i)
      for (size_t j = 0; j < size; ++j)
        h[i][j] = (i == j ? 1.0 : 0.0) - 2 * v[i] * v[j] / norm2;
    q = multiply(q, h);
  }
  return q;
}

/// The iteration as DESIGN.md states it, one matrix, naively (full
/// products, no symmetry), from the test's own tables.
std::vector<double> naiveOrthogonalize(const double *x, int64_t rows,
                                       int64_t cols, Variant variant) {
  Matrix X = fromRowMajor(x, rows, cols);
  bool tall = rows > cols;
  if (tall)
    X = transpose(X);
  size_t m = X.size(), n = X[0].size();
  Matrix A;
  bool haveA = false;
  if (variant == Variant::Aol4) {
    A = multiply(X, transpose(X));
    std::vector<double> s(m);
    for (size_t i = 0; i < m; ++i) {
      double rowSum = 0;
      for (size_t j = 0; j < m; ++j)
        rowSum += std::fabs(A[i][j]);
      s[i] = 1 / std::sqrt(std::max(rowSum, 1e-30));
    }
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j)
        X[i][j] *= s[i];
      for (size_t j = 0; j < m; ++j)
        A[i][j] *= s[i] * s[j];
    }
    haveA = true;
  } else {
    double scale = variant == Variant::PolarExpress5 ? 1.02 : 1.0;
    double eps = variant == Variant::PolarExpress5 ? 1e-6 : 1e-7;
    double sum = 0;
    for (auto &row : X)
      for (double v : row)
        sum += v * v;
    for (auto &row : X)
      for (double &v : row)
        v /= scale * std::sqrt(sum) + eps;
  }
  for (const Step &step : designTables().at(variant)) {
    if (!haveA)
      A = multiply(X, transpose(X));
    haveA = false;
    Matrix AA = multiply(A, A);
    Matrix B = zeros(m, m);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < m; ++j)
        B[i][j] = step.b * A[i][j] + step.c * AA[i][j];
    Matrix BX = multiply(B, X);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j)
        X[i][j] = step.a * X[i][j] + BX[i][j];
  }
  return toRowMajor(tall ? transpose(X) : X);
}

/// The singular values (ascending) each batch entry of `x` has after the
/// variant's normalization, computed by the test: the view is transposed by
/// hand and the AOL scaling redone, then the library's singularValues on a
/// plain wide plan.
std::vector<double> normalizedInputSigmas(const std::vector<double> &x,
                                          Shape shape, Variant variant,
                                          int64_t batchIndex) {
  Matrix X = fromRowMajor(x.data() + batchIndex * shape.rows * shape.cols,
                          shape.rows, shape.cols);
  if (shape.rows > shape.cols)
    X = transpose(X);
  size_t m = X.size(), n = X[0].size();
  if (variant == Variant::Aol4) {
    Matrix A = multiply(X, transpose(X));
    for (size_t i = 0; i < m; ++i) {
      double rowSum = 0;
      for (size_t j = 0; j < m; ++j)
        rowSum += std::fabs(A[i][j]);
      for (size_t j = 0; j < n; ++j)
        X[i][j] /= std::sqrt(std::max(rowSum, 1e-30));
    }
  } else {
    double scale = variant == Variant::PolarExpress5 ? 1.02 : 1.0;
    double eps = variant == Variant::PolarExpress5 ? 1e-6 : 1e-7;
    double sum = 0;
    for (auto &row : X)
      for (double v : row)
        sum += v * v;
    for (auto &row : X)
      for (double &v : row)
        v /= scale * std::sqrt(sum) + eps;
  }
  std::vector<double> view = toRowMajor(X);
  Shape viewShape{1, static_cast<int64_t>(m), static_cast<int64_t>(n)};
  return singularValues(view.data(), *makePlan(viewShape, variant), 0);
}

double maxAbsDiff(const std::vector<double> &a, const std::vector<double> &b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i)
    d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

bool allFinite(const std::vector<double> &values) {
  return std::all_of(values.begin(), values.end(),
                     [](double v) { return std::isfinite(v); });
}

//===----------------------------------------------------------------------===//
// Coefficients and names
//===----------------------------------------------------------------------===//

void expectTable(Variant variant) {
  const std::vector<Step> &expected = designTables().at(variant);
  const std::vector<Step> &actual = steps(variant);
  ASSERT_EQ(actual.size(), expected.size()) << variantName(variant);
  for (size_t k = 0; k < expected.size(); ++k) {
    SCOPED_TRACE(std::string(variantName(variant)) + " step " +
                 std::to_string(k));
    // Exactly: the same decimal literals give the same doubles.
    EXPECT_EQ(actual[k].a, expected[k].a);
    EXPECT_EQ(actual[k].b, expected[k].b);
    EXPECT_EQ(actual[k].c, expected[k].c);
  }
}

TEST(Coefficients, Muon5IsDesignTable) { expectTable(Variant::Muon5); }
TEST(Coefficients, Quintic5IsDesignTable) { expectTable(Variant::Quintic5); }
TEST(Coefficients, PolarExpress5IsDesignTable) {
  expectTable(Variant::PolarExpress5);
}
TEST(Coefficients, Aol4IsDesignTable) { expectTable(Variant::Aol4); }

TEST(Coefficients, IterationCounts) {
  EXPECT_EQ(steps(Variant::Muon5).size(), 5u);
  EXPECT_EQ(steps(Variant::Quintic5).size(), 5u);
  EXPECT_EQ(steps(Variant::PolarExpress5).size(), 5u);
  EXPECT_EQ(steps(Variant::Aol4).size(), 4u);
}

TEST(Coefficients, Normalizations) {
  Normalization muon = normalization(Variant::Muon5);
  EXPECT_EQ(muon.kind, Normalization::Frobenius);
  EXPECT_EQ(muon.scale, 1.0);
  EXPECT_EQ(muon.eps, 1e-7);
  Normalization quintic = normalization(Variant::Quintic5);
  EXPECT_EQ(quintic.kind, Normalization::Frobenius);
  EXPECT_EQ(quintic.scale, 1.0);
  EXPECT_EQ(quintic.eps, 1e-7);
  Normalization polar = normalization(Variant::PolarExpress5);
  EXPECT_EQ(polar.kind, Normalization::Frobenius);
  EXPECT_EQ(polar.scale, 1.02);
  EXPECT_EQ(polar.eps, 1e-6);
  Normalization aol = normalization(Variant::Aol4);
  EXPECT_EQ(aol.kind, Normalization::Aol);
  EXPECT_EQ(aol.eps, 1e-30);
  // rsqrt(eps) and 1/eps must be finite, normal fp32 numbers.
  EXPECT_GT(static_cast<float>(1 / aol.eps), 0.0f);
  EXPECT_TRUE(std::isfinite(static_cast<float>(1 / aol.eps)));
  EXPECT_TRUE(std::isnormal(static_cast<float>(aol.eps)));
}

TEST(Variants, NamesRoundTrip) {
  ASSERT_EQ(allVariants().size(), 4u);
  EXPECT_EQ(variantName(Variant::Muon5), "muon5");
  EXPECT_EQ(variantName(Variant::Quintic5), "quintic5");
  EXPECT_EQ(variantName(Variant::PolarExpress5), "polar_express5");
  EXPECT_EQ(variantName(Variant::Aol4), "aol4");
  for (Variant variant : allVariants()) {
    std::optional<Variant> parsed = parseVariant(variantName(variant));
    ASSERT_TRUE(parsed.has_value()) << variantName(variant);
    EXPECT_EQ(*parsed, variant);
  }
}

TEST(Variants, UnknownNamesAreRejected) {
  for (const char *name :
       {"", "muon", "Muon5", "AOL4", "polar-express5", "quintic5 ", "aol"})
    EXPECT_FALSE(parseVariant(name).has_value()) << "'" << name << "'";
}

//===----------------------------------------------------------------------===//
// Plans
//===----------------------------------------------------------------------===//

TEST(Plan, Wide) {
  std::string error;
  std::optional<Plan> plan = makePlan({2, 128, 512}, Variant::Quintic5, &error);
  ASSERT_TRUE(plan) << error;
  EXPECT_FALSE(plan->transposed);
  EXPECT_EQ(plan->m, 128);
  EXPECT_EQ(plan->n, 512);
  EXPECT_EQ(plan->rowStride, 512);
  EXPECT_EQ(plan->colStride, 1);
  EXPECT_EQ(plan->matrixStride, 128 * 512);
  EXPECT_EQ(plan->iterations, 5);
  EXPECT_EQ(plan->variant, Variant::Quintic5);
  EXPECT_EQ(elementOffset(*plan, 1, 3, 7), 128 * 512 + 3 * 512 + 7);
}

TEST(Plan, TallIsTheTransposedView) {
  std::optional<Plan> plan = makePlan({1, 256, 64}, Variant::Muon5);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->transposed);
  EXPECT_EQ(plan->m, 64);
  EXPECT_EQ(plan->n, 256);
  EXPECT_EQ(plan->rowStride, 1);
  EXPECT_EQ(plan->colStride, 64);
  EXPECT_EQ(plan->matrixStride, 256 * 64);
  // View element (i, j) is Xᵀ(i, j) = x[j][i] of the row-major 256 × 64 X.
  EXPECT_EQ(elementOffset(*plan, 0, 5, 200), 200 * 64 + 5);
  // Every element of X is reached exactly once.
  std::vector<int> hits(256 * 64, 0);
  for (int64_t i = 0; i < plan->m; ++i)
    for (int64_t j = 0; j < plan->n; ++j)
      ++hits[elementOffset(*plan, 0, i, j)];
  EXPECT_TRUE(
      std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
}

TEST(Plan, SquareIsNotTransposed) {
  std::optional<Plan> plan = makePlan({1, 512, 512}, Variant::Aol4);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->transposed);
  EXPECT_EQ(plan->m, 512);
  EXPECT_EQ(plan->n, 512);
  EXPECT_EQ(plan->rowStride, 512);
  EXPECT_EQ(plan->colStride, 1);
  EXPECT_EQ(plan->iterations, 4);
}

TEST(Plan, BatchedTall) {
  std::optional<Plan> plan = makePlan({3, 128, 64}, Variant::PolarExpress5);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->transposed);
  EXPECT_EQ(plan->m, 64);
  EXPECT_EQ(plan->n, 128);
  EXPECT_EQ(plan->matrixStride, 128 * 64);
  // The last element of the last entry: view (63, 127) = x[2][127][63].
  EXPECT_EQ(elementOffset(*plan, 2, 63, 127), 3 * 128 * 64 - 1);
}

TEST(Plan, OffsetsAre64Bit) {
  // 4096 × 1024 × 1024 = 2^32 elements: past 32-bit offsets.
  std::optional<Plan> plan = makePlan({4096, 1024, 1024}, Variant::Aol4);
  ASSERT_TRUE(plan);
  EXPECT_EQ(elementOffset(*plan, 4095, 1023, 1023), (int64_t(1) << 32) - 1);
  std::optional<Plan> tall = makePlan({3, 1 << 22, 1024}, Variant::Muon5);
  ASSERT_TRUE(tall);
  EXPECT_EQ(elementOffset(*tall, 2, 1023, (1 << 22) - 1),
            3 * (int64_t(1) << 32) - 1);
}

TEST(Plan, ShapeString) {
  EXPECT_EQ(shapeString({32, 512, 1024}), "32x512x1024");
}

void expectPlanError(Shape shape, const std::string &needle,
                     Variant variant = Variant::Muon5) {
  std::string error = "untouched";
  EXPECT_FALSE(makePlan(shape, variant, &error)) << shapeString(shape);
  EXPECT_NE(error.find(needle), std::string::npos)
      << "'" << error << "' lacks '" << needle << "'";
  EXPECT_NE(error.find(shapeString(shape)), std::string::npos) << error;
  EXPECT_FALSE(makePlan(shape, variant, nullptr)); // no error string: fine
}

TEST(Plan, NonPositiveDimensions) {
  expectPlanError({0, 64, 64}, "must all be positive");
  expectPlanError({1, 0, 64}, "must all be positive");
  expectPlanError({1, 64, -3}, "must all be positive");
  expectPlanError({-1, 64, 64}, "must all be positive", Variant::Aol4);
}

TEST(Plan, ElementCountOverflow) {
  // 2^40 · 2^10 · 2^10: the product overflows int64 itself.
  expectPlanError({int64_t(1) << 40, 1024, 1024}, "overflow");
  // 2^61 elements: fits in int64, its byte offsets do not.
  expectPlanError({int64_t(1) << 41, 1 << 10, 1 << 10}, "overflow");
  // rows · cols alone overflows.
  expectPlanError({1, int64_t(1) << 40, int64_t(1) << 40}, "overflow");
  // Just below the limit (2^60 - 1 elements) passes the overflow check,
  // here with a small Gram side.
  EXPECT_TRUE(makePlan({(int64_t(1) << 57) - 1, 1, 8}, Variant::Muon5));
}

TEST(Plan, GramSideLimit) {
  expectPlanError({1, 16385, 20000}, "16385");
  expectPlanError({1, 20000, 16385}, "not supported yet");
  EXPECT_TRUE(makePlan({1, 16384, 65536}, Variant::Muon5));
  EXPECT_TRUE(makePlan({1, 65536, 16384}, Variant::Muon5));
}

TEST(Plan, UnknownVariant) {
  expectPlanError({1, 8, 8}, "unknown variant", static_cast<Variant>(17));
}

TEST(Plan, ErrorUntouchedOnSuccess) {
  std::string error = "before";
  EXPECT_TRUE(makePlan({1, 8, 8}, Variant::Muon5, &error));
  EXPECT_EQ(error, "before");
}

//===----------------------------------------------------------------------===//
// FLOP counts
//===----------------------------------------------------------------------===//

TEST(Flops, PerIteration) {
  // 512 × 512: 4·512³ + 2·512³ = 6·2^27; symmetric 3·512³ + 512³ = 4·2^27.
  EXPECT_EQ(flopsPerIteration(512, 512, false), 805306368.0);
  EXPECT_EQ(flopsPerIteration(512, 512, true), 536870912.0);
  // 4096 × 14336: 4·4096²·14336 + 2·4096³ = 2^40.
  EXPECT_EQ(flopsPerIteration(4096, 14336, false), 1099511627776.0);
  EXPECT_EQ(flopsPerIteration(4096, 14336, true), 790273982464.0);
  // 64 × 256: 4·64²·256 + 2·64³ and 3·64²·256 + 64³.
  EXPECT_EQ(flopsPerIteration(64, 256, false), 4718592.0);
  EXPECT_EQ(flopsPerIteration(64, 256, true), 3407872.0);
}

TEST(Flops, TotalCountsBatchAndIterations) {
  std::optional<Plan> muon = makePlan({32, 512, 512}, Variant::Muon5);
  std::optional<Plan> aol = makePlan({32, 512, 512}, Variant::Aol4);
  ASSERT_TRUE(muon && aol);
  EXPECT_EQ(totalFlops(*muon, false), 32.0 * 5 * 805306368.0);
  EXPECT_EQ(totalFlops(*muon, true), 32.0 * 5 * 536870912.0);
  // AOL's A = X·Xᵀ on the raw input is iteration 1's A: 4 iterations.
  EXPECT_EQ(totalFlops(*aol, false), 32.0 * 4 * 805306368.0);
  // A tall input counts as its transposed view (m = 4096, n = 14336).
  std::optional<Plan> tall = makePlan({1, 14336, 4096}, Variant::Quintic5);
  ASSERT_TRUE(tall);
  EXPECT_EQ(totalFlops(*tall, false), 5 * 1099511627776.0);
}

TEST(Flops, EffectiveTflops) {
  std::optional<Plan> muon = makePlan({32, 512, 512}, Variant::Muon5);
  std::optional<Plan> tall = makePlan({1, 14336, 4096}, Variant::Quintic5);
  ASSERT_TRUE(muon && tall);
  EXPECT_DOUBLE_EQ(effectiveTflops(*muon, 1.0), 128.84901888);
  EXPECT_DOUBLE_EQ(effectiveTflops(*tall, 10.0), 549.755813888);
  EXPECT_TRUE(std::isnan(effectiveTflops(*muon, 0.0)));
  EXPECT_TRUE(std::isnan(effectiveTflops(*muon, -1.0)));
  EXPECT_TRUE(std::isnan(
      effectiveTflops(*muon, std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(
      effectiveTflops(*muon, std::numeric_limits<double>::infinity())));
}

//===----------------------------------------------------------------------===//
// bf16 rounding
//===----------------------------------------------------------------------===//

/// bf16 by the usual bit trick on fp32 (round half to even), as a check.
float bf16ByBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits = (bits + 0x7fff + ((bits >> 16) & 1)) & 0xffff0000u;
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

TEST(Bf16, KnownValues) {
  EXPECT_EQ(roundToBf16(1.0), 1.0);
  EXPECT_EQ(roundToBf16(-3.0), -3.0);
  // bf16 spacing at 1 is 2^-7: halfway cases go to the even mantissa.
  EXPECT_EQ(roundToBf16(1 + 0x1p-8), 1.0);
  EXPECT_EQ(roundToBf16(1 + 3 * 0x1p-8), 1 + 0x1p-6);
  EXPECT_EQ(roundToBf16(1 + 0x1p-8 + 0x1p-30), 1 + 0x1p-7);
  EXPECT_EQ(roundToBf16(3.4445), 3.4375);
  EXPECT_EQ(roundToBf16(0x1p-133), 0x1p-133); // smallest subnormal
  EXPECT_EQ(roundToBf16(0x1p-135), 0.0);
  EXPECT_EQ(roundToBf16(0x1.fep127), 0x1.fep127); // largest finite
  EXPECT_TRUE(std::isinf(roundToBf16(0x1.ffp127)));
  EXPECT_TRUE(std::isinf(roundToBf16(1e300)));
  EXPECT_TRUE(std::isnan(roundToBf16(std::nan(""))));
  EXPECT_EQ(roundToBf16(-std::numeric_limits<double>::infinity()),
            -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::signbit(roundToBf16(-0.0)));
}

TEST(Bf16, MatchesFp32BitTrick) {
  std::mt19937 gen(3);
  for (int k = 0; k < 200000; ++k) {
    uint32_t bits = static_cast<uint32_t>(gen());
    float value;
    std::memcpy(&value, &bits, sizeof value);
    if (!std::isfinite(value))
      continue;
    float expected = bf16ByBits(value);
    EXPECT_EQ(roundToBf16(value), static_cast<double>(expected))
        << std::hexfloat << value;
    if (::testing::Test::HasFailure())
      return;
  }
}

//===----------------------------------------------------------------------===//
// Jacobi eigen-solver
//===----------------------------------------------------------------------===//

TEST(Jacobi, Diagonal) {
  std::vector<double> a = {3, 0, 0, 0, -1, 0, 0, 0, 2}, values(3), vectors(9);
  ASSERT_TRUE(symmetricEigen(3, a.data(), values.data(), vectors.data()));
  EXPECT_EQ(values, (std::vector<double>{-1, 2, 3}));
  // Row k is the eigenvector of values[k]: e1, e2, e0.
  EXPECT_EQ(std::fabs(vectors[0 * 3 + 1]), 1.0);
  EXPECT_EQ(std::fabs(vectors[1 * 3 + 2]), 1.0);
  EXPECT_EQ(std::fabs(vectors[2 * 3 + 0]), 1.0);
}

TEST(Jacobi, TwoByTwo) {
  std::vector<double> a = {2, 1, 1, 2}, values(2), vectors(4);
  ASSERT_TRUE(symmetricEigen(2, a.data(), values.data(), vectors.data()));
  EXPECT_NEAR(values[0], 1, 1e-15);
  EXPECT_NEAR(values[1], 3, 1e-15);
  double h = std::sqrt(0.5);
  EXPECT_NEAR(std::fabs(vectors[0]), h, 1e-15);
  EXPECT_NEAR(vectors[0] + vectors[1], 0, 1e-15); // ±(1, -1)/√2
  EXPECT_NEAR(vectors[2] - vectors[3], 0, 1e-15); // ±(1, 1)/√2
}

TEST(Jacobi, OneByOneAndZero) {
  std::vector<double> one = {7}, value(1), vector(1);
  ASSERT_TRUE(symmetricEigen(1, one.data(), value.data(), vector.data()));
  EXPECT_EQ(value[0], 7);
  EXPECT_EQ(vector[0], 1);
  std::vector<double> zero(25, 0.0), values(5), vectors(25);
  ASSERT_TRUE(symmetricEigen(5, zero.data(), values.data(), vectors.data()));
  EXPECT_EQ(values, std::vector<double>(5, 0.0));
  EXPECT_TRUE(allFinite(vectors));
}

/// Eigenvalues and vectors of Q·diag(λ)·Qᵀ for a random orthogonal Q.
void expectKnownSpectrum(const std::vector<double> &lambda, uint64_t seed) {
  size_t m = lambda.size();
  Matrix q = randomOrthogonal(m, seed);
  Matrix d = zeros(m, m);
  for (size_t i = 0; i < m; ++i)
    d[i][i] = lambda[i];
  std::vector<double> a = toRowMajor(multiply(multiply(q, d), transpose(q)));
  std::vector<double> values(m), vectors(m * m);
  ASSERT_TRUE(symmetricEigen(static_cast<int64_t>(m), a.data(), values.data(),
                             vectors.data()));
  std::vector<double> sorted = lambda;
  std::sort(sorted.begin(), sorted.end());
  double scale = std::max(std::fabs(sorted.front()), std::fabs(sorted.back()));
  for (size_t k = 0; k < m; ++k)
    EXPECT_NEAR(values[k], sorted[k], 1e-13 * scale) << k;
  // A·v = λ·v and the vectors orthonormal.
  for (size_t k = 0; k < m; ++k) {
    for (size_t i = 0; i < m; ++i) {
      double av = 0;
      for (size_t j = 0; j < m; ++j)
        av += a[i * m + j] * vectors[k * m + j];
      EXPECT_NEAR(av, values[k] * vectors[k * m + i], 1e-12 * scale);
    }
    for (size_t l = 0; l < m; ++l) {
      double dot = 0;
      for (size_t i = 0; i < m; ++i)
        dot += vectors[k * m + i] * vectors[l * m + i];
      EXPECT_NEAR(dot, k == l ? 1.0 : 0.0, 1e-13);
    }
  }
}

TEST(Jacobi, KnownSpectrum) {
  std::vector<double> lambda;
  for (int i = 0; i < 40; ++i)
    lambda.push_back(std::ldexp(1.0, i % 20 - 10) * (i % 3 == 0 ? -1 : 1));
  expectKnownSpectrum(lambda, 1);
}

TEST(Jacobi, RepeatedAndZeroEigenvalues) {
  std::vector<double> lambda(30, 1.0);
  for (int i = 0; i < 10; ++i)
    lambda[i] = 0;
  lambda[29] = 5;
  expectKnownSpectrum(lambda, 2);
}

TEST(Jacobi, ReadsOnlyTheUpperTriangle) {
  std::vector<double> a = {2, 1, -99, 2}, values(2);
  ASSERT_TRUE(symmetricEigen(2, a.data(), values.data()));
  EXPECT_NEAR(values[0], 1, 1e-15);
  EXPECT_NEAR(values[1], 3, 1e-15);
}

TEST(Jacobi, NonFiniteInputFails) {
  std::vector<double> a = {1, std::nan(""), 0, 1}, values(2), vectors(4);
  EXPECT_FALSE(symmetricEigen(2, a.data(), values.data(), vectors.data()));
  EXPECT_TRUE(std::isnan(values[0]) && std::isnan(values[1]));
  EXPECT_TRUE(std::isnan(vectors[0]));
}

//===----------------------------------------------------------------------===//
// Quality measures
//===----------------------------------------------------------------------===//

/// Rows × cols with orthonormal rows (wide) or columns (tall).
std::vector<double> orthonormal(int64_t rows, int64_t cols, uint64_t seed) {
  int64_t big = std::max(rows, cols);
  Matrix q = randomOrthogonal(static_cast<size_t>(big), seed);
  Matrix out = zeros(rows, cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      out[i][j] = q[i][j];
  return toRowMajor(out);
}

TEST(Quality, OrthogonalInputIsItsOwnPolarFactor) {
  for (Shape shape : {Shape{1, 48, 48}, Shape{1, 24, 72}, Shape{1, 72, 24}}) {
    SCOPED_TRACE(shapeString(shape));
    std::optional<Plan> plan = makePlan(shape, Variant::Muon5);
    ASSERT_TRUE(plan);
    std::vector<double> q = orthonormal(shape.rows, shape.cols, 5);
    Quality same = quality(q.data(), q.data(), *plan);
    EXPECT_NEAR(same.sigmaMin, 1, 1e-12);
    EXPECT_NEAR(same.sigmaMax, 1, 1e-12);
    EXPECT_LT(same.polarError, 1e-12);
    // Y = 2·Q: σ = 2 and ‖Y - Q‖/‖Q‖ = 1.
    std::vector<double> twice = q;
    for (double &v : twice)
      v *= 2;
    Quality doubled = quality(twice.data(), q.data(), *plan);
    EXPECT_NEAR(doubled.sigmaMin, 2, 1e-12);
    EXPECT_NEAR(doubled.sigmaMax, 2, 1e-12);
    EXPECT_NEAR(doubled.polarError, 1, 1e-12);
  }
}

/// x = U·diag(σ)·Vᵀ (m × n, m ≤ n) with known U, V; returns x and U·Vᵀ.
std::pair<std::vector<double>, std::vector<double>>
knownSvd(size_t m, size_t n, const std::vector<double> &sigma) {
  Matrix u = randomOrthogonal(m, 11);
  Matrix v = randomOrthogonal(n, 12);
  Matrix us = zeros(m, n), uv = zeros(m, n);
  for (size_t i = 0; i < m; ++i)
    for (size_t k = 0; k < m; ++k) {
      us[i][k] = u[i][k] * sigma[k];
      uv[i][k] = sigma[k] > 0 ? u[i][k] : 0.0;
    }
  Matrix vt = transpose(v);
  return {toRowMajor(multiply(us, vt)), toRowMajor(multiply(uv, vt))};
}

TEST(Quality, PolarFactorOfAKnownSvd) {
  std::vector<double> sigma;
  for (int k = 0; k < 32; ++k)
    sigma.push_back(std::pow(10.0, -3.0 * k / 31)); // cond(X) = 1e3
  auto [x, polar] = knownSvd(32, 80, sigma);
  std::optional<Plan> plan = makePlan({1, 32, 80}, Variant::Muon5);
  ASSERT_TRUE(plan);
  Quality q = quality(polar.data(), x.data(), *plan);
  EXPECT_LT(q.polarError, 1e-9);
  EXPECT_NEAR(q.sigmaMin, 1, 1e-12);
  EXPECT_NEAR(q.sigmaMax, 1, 1e-12);
  std::vector<double> s = singularValues(x.data(), *plan, 0);
  std::sort(sigma.begin(), sigma.end());
  for (size_t k = 0; k < s.size(); ++k)
    EXPECT_NEAR(s[k], sigma[k], 1e-12);
}

TEST(Quality, RankDeficientInputUsesThePartialIsometry) {
  std::vector<double> sigma(24, 0.0);
  for (int k = 0; k < 16; ++k)
    sigma[k] = 1 + k;
  auto [x, polar] = knownSvd(24, 40, sigma);
  std::optional<Plan> plan = makePlan({1, 24, 40}, Variant::Muon5);
  ASSERT_TRUE(plan);
  Quality q = quality(polar.data(), x.data(), *plan);
  EXPECT_LT(q.polarError, 1e-9);
  EXPECT_NEAR(q.sigmaMin, 0, 1e-7);
  EXPECT_NEAR(q.sigmaMax, 1, 1e-12);
}

TEST(Quality, WorstBatchEntryIsReported) {
  Shape shape{2, 16, 32};
  std::optional<Plan> plan = makePlan(shape, Variant::Muon5);
  ASSERT_TRUE(plan);
  std::vector<double> x = orthonormal(16, 32, 7);
  std::vector<double> second = orthonormal(16, 32, 8);
  x.insert(x.end(), second.begin(), second.end());
  std::vector<double> y = x;
  for (size_t k = 16 * 32; k < y.size(); ++k)
    y[k] *= 1.5; // entry 1: σ = 1.5, polar error 0.5
  Quality q = quality(y.data(), x.data(), *plan);
  EXPECT_NEAR(q.sigmaMin, 1, 1e-12);
  EXPECT_NEAR(q.sigmaMax, 1.5, 1e-12);
  EXPECT_NEAR(q.polarError, 0.5, 1e-12);
}

TEST(Quality, ZeroInputHasADefinedResult) {
  for (Shape shape : {Shape{1, 16, 40}, Shape{2, 40, 16}}) {
    for (Variant variant : allVariants()) {
      SCOPED_TRACE(shapeString(shape) + " " +
                   std::string(variantName(variant)));
      std::optional<Plan> plan = makePlan(shape, variant);
      ASSERT_TRUE(plan);
      size_t count = static_cast<size_t>(shape.batch * shape.rows * shape.cols);
      std::vector<double> x(count, 0.0), y(count, -1.0), yBf16(count, -1.0);
      referenceOrthogonalize(x.data(), y.data(), *plan);
      referenceOrthogonalizeBf16(x.data(), yBf16.data(), *plan);
      EXPECT_EQ(y, x); // exactly zero, no NaN
      EXPECT_EQ(yBf16, x);
      Quality q = quality(y.data(), x.data(), *plan);
      EXPECT_EQ(q.sigmaMin, 0);
      EXPECT_EQ(q.sigmaMax, 0);
      EXPECT_EQ(q.polarError, 0);
      // A nonzero output for a zero input: the absolute ‖Y‖_F.
      std::vector<double> ones(count, 0.0);
      ones[0] = 3;
      ones[1] = 4;
      EXPECT_NEAR(quality(ones.data(), x.data(), *plan).polarError, 5, 1e-12);
    }
  }
}

TEST(Quality, NonFiniteValuesGiveNaN) {
  std::optional<Plan> plan = makePlan({1, 8, 8}, Variant::Muon5);
  ASSERT_TRUE(plan);
  std::vector<double> x = orthonormal(8, 8, 9), y = x;
  y[5] = std::numeric_limits<double>::infinity();
  Quality q = quality(y.data(), x.data(), *plan);
  EXPECT_TRUE(std::isnan(q.sigmaMin) && std::isnan(q.sigmaMax) &&
              std::isnan(q.polarError));
  q = quality(x.data(), y.data(), *plan);
  EXPECT_TRUE(std::isnan(q.polarError));
}

//===----------------------------------------------------------------------===//
// The float64 reference
//===----------------------------------------------------------------------===//

TEST(Reference, MatchesTheNaiveIteration) {
  for (Shape shape :
       {Shape{1, 5, 7}, Shape{1, 7, 5}, Shape{3, 6, 6}, Shape{2, 9, 4}}) {
    std::vector<double> x = gaussian(shape.batch * shape.rows * shape.cols, 21);
    for (Variant variant : allVariants()) {
      SCOPED_TRACE(shapeString(shape) + " " +
                   std::string(variantName(variant)));
      std::optional<Plan> plan = makePlan(shape, variant);
      ASSERT_TRUE(plan);
      std::vector<double> y(x.size());
      referenceOrthogonalize(x.data(), y.data(), *plan);
      for (int64_t b = 0; b < shape.batch; ++b) {
        int64_t offset = b * shape.rows * shape.cols;
        std::vector<double> expected = naiveOrthogonalize(
            x.data() + offset, shape.rows, shape.cols, variant);
        for (size_t k = 0; k < expected.size(); ++k)
          EXPECT_NEAR(y[offset + k], expected[k], 1e-13) << b << " " << k;
      }
    }
  }
}

TEST(Reference, TallIsTheTransposeOfWide) {
  Shape tall{1, 96, 32}, wide{1, 32, 96};
  std::vector<double> x = gaussian(96 * 32, 22), xt(x.size());
  for (int i = 0; i < 96; ++i)
    for (int j = 0; j < 32; ++j)
      xt[j * 96 + i] = x[i * 32 + j];
  for (Variant variant : allVariants()) {
    std::vector<double> y(x.size()), yt(x.size());
    referenceOrthogonalize(x.data(), y.data(), *makePlan(tall, variant));
    referenceOrthogonalize(xt.data(), yt.data(), *makePlan(wide, variant));
    for (int i = 0; i < 96; ++i)
      for (int j = 0; j < 32; ++j)
        ASSERT_EQ(y[i * 32 + j], yt[j * 96 + i]) << variantName(variant);
  }
}

TEST(Reference, AolZeroRowStaysZero) {
  Shape shape{1, 8, 24};
  std::vector<double> x = gaussian(8 * 24, 23);
  std::fill(x.begin() + 3 * 24, x.begin() + 4 * 24, 0.0); // row 3
  std::vector<double> y(x.size());
  referenceOrthogonalize(x.data(), y.data(), *makePlan(shape, Variant::Aol4));
  EXPECT_TRUE(allFinite(y));
  for (int j = 0; j < 24; ++j)
    EXPECT_EQ(y[3 * 24 + j], 0.0);
  Quality q = quality(y.data(), x.data(), *makePlan(shape, Variant::Aol4));
  EXPECT_NEAR(q.sigmaMin, 0, 1e-7);
  EXPECT_LT(q.sigmaMax, 1.06);
}

TEST(Reference, AolIsScaleInvariant) {
  // The eps floor (1e-30) never acts on rows of realistic size: a gradient
  // 1e-12 times smaller gives the same output.
  Shape shape{1, 16, 48};
  std::vector<double> x = gaussian(16 * 48, 24), small = x;
  for (double &v : small)
    v *= 1e-12;
  std::vector<double> y(x.size()), ySmall(x.size());
  std::optional<Plan> plan = makePlan(shape, Variant::Aol4);
  referenceOrthogonalize(x.data(), y.data(), *plan);
  referenceOrthogonalize(small.data(), ySmall.data(), *plan);
  EXPECT_LT(maxAbsDiff(y, ySmall), 1e-12);
}

/// σ of the output against phi(σ of the normalized input), sorted: in exact
/// arithmetic the iteration is a polynomial in X·Xᵀ times X, so it maps each
/// singular value by phi and keeps the singular vectors.
void expectScalarMap(std::vector<double> in, const std::vector<double> &out,
                     Variant variant, double tolerance) {
  for (double &s : in)
    s = phi(variant, s);
  std::sort(in.begin(), in.end());
  ASSERT_EQ(in.size(), out.size());
  EXPECT_LT(maxAbsDiff(in, out), tolerance);
}

void expectScalarMap(const std::vector<double> &x, const std::vector<double> &y,
                     const Plan &plan, double tolerance) {
  for (int64_t b = 0; b < plan.shape.batch; ++b) {
    SCOPED_TRACE("batch entry " + std::to_string(b));
    expectScalarMap(normalizedInputSigmas(x, plan.shape, plan.variant, b),
                    singularValues(y.data(), plan, b), plan.variant, tolerance);
  }
}

TEST(Reference, SmallGaussianShapesConverge) {
  // Tall 256 × 64 (aspect 4) and batched 3 × 64 × 128 (aspect 2): Gaussian
  // matrices this far from square have σ_min/σ_max ≥ (√4-1)/(√4+1) and
  // (√2-1)/(√2+1) ≈ 0.17 (Marchenko-Pastur), so the normalized input's σ
  // are ≥ 0.02 (measured: ≥ 0.035), past every variant's transient
  // (phi ≥ its plateau minimum from σ ≈ 0.008 on). The output σ must lie in
  // phi's range over [0.02, 1]: muon5 [0.682, 1.203], quintic5
  // [0.978, 1.145], polar_express5 [0.859, 1.141], aol4 [0.941, 1.050] —
  // AOL within the issue's [0.90, 1.10].
  for (Shape shape : {Shape{1, 256, 64}, Shape{3, 64, 128}}) {
    std::vector<double> x = gaussian(shape.batch * shape.rows * shape.cols, 31);
    for (Variant variant : allVariants()) {
      SCOPED_TRACE(shapeString(shape) + " " +
                   std::string(variantName(variant)));
      std::optional<Plan> plan = makePlan(shape, variant);
      ASSERT_TRUE(plan);
      std::vector<double> y(x.size()), yBf16(x.size());
      referenceOrthogonalize(x.data(), y.data(), *plan);
      ASSERT_TRUE(allFinite(y));
      expectScalarMap(x, y, *plan, 1e-10);
      auto [lo, hi] = phiRange(variant, 0.02);
      Quality q = quality(y.data(), x.data(), *plan);
      EXPECT_GE(q.sigmaMin, lo - 1e-9);
      EXPECT_LE(q.sigmaMax, hi + 1e-9);
      if (variant == Variant::Aol4) {
        EXPECT_GE(q.sigmaMin, 0.90);
        EXPECT_LE(q.sigmaMax, 1.10);
      }
      // Frobenius variants keep X's singular vectors, so the polar error is
      // the RMS of (σ - 1) over the m singular values.
      if (variant != Variant::Aol4 && shape.batch == 1) {
        std::vector<double> s = singularValues(y.data(), *plan, 0);
        double sum = 0;
        for (double v : s)
          sum += (v - 1) * (v - 1);
        EXPECT_NEAR(q.polarError, std::sqrt(sum / s.size()), 1e-9);
      }
      // The bf16-storage reference stays close (the GPU tests' 0.02 rule).
      referenceOrthogonalizeBf16(x.data(), yBf16.data(), *plan);
      EXPECT_LT(maxAbsDiff(y, yBf16), 0.02);
      for (double v : yBf16)
        ASSERT_EQ(roundToBf16(v), v);
    }
  }
}

/// Gaussian 512 × 512, shared by the tests below: one input and the σ of
/// its Frobenius normalization (computed once: ~1 s).
class Gaussian512 : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    x_ = new std::vector<double>(gaussian(512 * 512, 42));
    sigma_ = new std::vector<double>(
        normalizedInputSigmas(*x_, {1, 512, 512}, Variant::Muon5, 0));
    double sum = 0;
    for (double v : *x_)
      sum += v * v;
    frobenius_ = std::sqrt(sum);
  }
  static void TearDownTestSuite() {
    delete x_;
    delete sigma_;
    x_ = sigma_ = nullptr;
  }
  /// σ of the input after `variant`'s normalization.
  static std::vector<double> inputSigmas(Variant variant) {
    if (variant == Variant::Aol4)
      return normalizedInputSigmas(*x_, {1, 512, 512}, variant, 0);
    // Rescale muon5's (X / (‖X‖_F + 1e-7)) to this variant's divisor.
    Normalization n = normalization(variant);
    double ratio = (frobenius_ + 1e-7) / (n.scale * frobenius_ + n.eps);
    std::vector<double> sigma = *sigma_;
    for (double &v : sigma)
      v *= ratio;
    return sigma;
  }
  static std::vector<double> *x_, *sigma_;
  static double frobenius_;
};
std::vector<double> *Gaussian512::x_ = nullptr;
std::vector<double> *Gaussian512::sigma_ = nullptr;
double Gaussian512::frobenius_ = 0;

TEST_F(Gaussian512, EveryVariant) {
  // A square Gaussian matrix is badly conditioned (σ_min ≈ σ_max/2000 here),
  // so its few smallest σ, normalized to ~1e-5, are still climbing phi's
  // slope at 0 (485 for muon5, 147 for aol4) after the last step: σ_min is
  // ~0.02-0.04 for every variant, which no 4- or 5-step polynomial can lift
  // to 0.9. What the maths does guarantee: the output σ are phi of the
  // input's, so σ_max ≤ sup phi over [0, 1] (1.2024, 1.1450, 1.1411, 1.0500),
  // and only a handful of the 512 σ (those with normalized input below the
  // transient, ~0.008) are outside phi's plateau.
  const std::vector<double> &x = *x_;
  Shape shape{1, 512, 512};
  for (Variant variant : allVariants()) {
    SCOPED_TRACE(variantName(variant));
    std::optional<Plan> plan = makePlan(shape, variant);
    ASSERT_TRUE(plan);
    std::vector<double> y(x.size());
    referenceOrthogonalize(x.data(), y.data(), *plan);
    ASSERT_TRUE(allFinite(y));
    // The smallest input σ sit on phi's steep slope: input errors of ~1e-8
    // (Gram-based σ) are multiplied by up to ~500.
    std::vector<double> s = singularValues(y.data(), *plan, 0);
    expectScalarMap(inputSigmas(variant), s, variant, 1e-4);
    Quality q = quality(y.data(), x.data(), *plan);
    EXPECT_EQ(q.sigmaMin, s.front());
    EXPECT_EQ(q.sigmaMax, s.back());
    EXPECT_LE(q.sigmaMax, phiRange(variant, 0.0).second + 1e-6);
    EXPECT_GT(q.sigmaMin, 0.005);
    EXPECT_LT(q.sigmaMin, 0.1);
    auto below =
        std::count_if(s.begin(), s.end(), [](double v) { return v < 0.5; });
    EXPECT_LE(below, 10);
    if (variant == Variant::Aol4) {
      EXPECT_LE(q.sigmaMax, 1.10); // the bound holds for σ_max
      EXPECT_LT(q.polarError, 0.15);
    } else {
      double sum = 0;
      for (double v : s)
        sum += (v - 1) * (v - 1);
      EXPECT_NEAR(q.polarError, std::sqrt(sum / s.size()), 1e-6);
    }
    std::printf("[ sigma    ] gaussian 512x512 %-15s sigma [%.4f, %.4f] "
                "polar error %.4f\n",
                std::string(variantName(variant)).c_str(), q.sigmaMin,
                q.sigmaMax, q.polarError);
  }
}

} // namespace
