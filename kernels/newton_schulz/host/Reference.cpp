//===- Reference.cpp - The Newton-Schulz iteration in float64 -------------===//
//
// The same iteration the GPU runs, line for line, on the host: the reference
// the library's tests compare against, exact (float64) or with the GPU's
// bf16 storage (every stored matrix rounded to bf16).
//
//===----------------------------------------------------------------------===//

#include "Dense.h"
#include "NewtonSchulz.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace tessel::ns {

using detail::gram;
using detail::multiply;

double roundToBf16(double value) {
  if (!std::isfinite(value) || value == 0)
    return value;
  // |value| in [2^(e-1), 2^e): 8 significant bits put the unit in the last
  // place at 2^(e-8); below bf16's smallest normal (2^-126) the spacing stays
  // that of the subnormals, 2^-133.
  int e = 0;
  std::frexp(value, &e);
  int quantum = std::max(e - 8, -133);
  // nearbyint rounds half to even in the default rounding mode.
  double rounded =
      std::ldexp(std::nearbyint(std::ldexp(value, -quantum)), quantum);
  const double kMaxBf16 = std::ldexp(255.0, 120); // 0x7f7f: (2 - 2^-7)·2^127
  if (std::fabs(rounded) > kMaxBf16)
    return std::copysign(std::numeric_limits<double>::infinity(), value);
  return rounded;
}

namespace {

/// Runs the plan's normalization and steps on one m × n view `x`, in place.
/// `store` is applied to every matrix the GPU stores (identity or bf16).
template <class Store>
void iterate(std::vector<double> &x, const Plan &plan, Store store,
             const DenseProducts &dense) {
  const int64_t m = plan.m, n = plan.n;
  std::vector<double> a(static_cast<size_t>(m * m));
  std::vector<double> aa(a.size()), b(a.size());
  std::vector<double> bx(x.size());
  for (double &v : x)
    v = store(v);

  Normalization norm = normalization(plan.variant);
  bool haveA = false;
  if (norm.kind == Normalization::Frobenius) {
    double sumSquares = 0;
    for (double v : x)
      sumSquares += v * v;
    double divisor = norm.scale * std::sqrt(sumSquares) + norm.eps;
    for (double &v : x)
      v = store(v / divisor);
  } else {
    // AOL: s_i = 1/sqrt(max(Σ_j |A_ij|, eps)) from A = X·Xᵀ of the raw
    // input; a zero row has A_ij = 0 exactly, so s_i is finite and its row
    // stays zero.
    dense.gram(x.data(), m, n, a.data());
    std::vector<double> s(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) {
      double rowSum = 0;
      for (int64_t j = 0; j < m; ++j)
        rowSum += std::fabs(a[i * m + j]);
      s[i] = 1 / std::sqrt(std::max(rowSum, norm.eps));
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        x[i * n + j] = store(s[i] * x[i * n + j]);
    // diag(s)·A·diag(s), upper triangle then mirrored: exactly symmetric.
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = i; j < m; ++j)
        a[i * m + j] = store(s[i] * a[i * m + j] * s[j]);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < i; ++j)
        a[i * m + j] = a[j * m + i];
    haveA = true;
  }

  for (const Step &step : steps(plan.variant)) {
    // Line 1: A = X·Xᵀ (AOL's first step reuses its scaled A).
    if (!haveA) {
      dense.gram(x.data(), m, n, a.data());
      for (double &v : a)
        v = store(v);
    }
    haveA = false;
    // Line 2: B = a·I + b·A + c·A·A (A symmetric, so A·A = A·Aᵀ); a·I is
    // line 3's a·X, stored in B as the GPU stores it.
    dense.gram(a.data(), m, m, aa.data());
    for (size_t k = 0; k < b.size(); ++k)
      b[k] = store((k % (size_t)(m + 1) == 0 ? step.a : 0.0) + step.b * a[k] +
                   step.c * aa[k]);
    // Line 3: X = B·X (= a·X + (b·A + c·A·A)·X).
    dense.multiply(b.data(), x.data(), m, n, bx.data());
    for (size_t k = 0; k < x.size(); ++k)
      x[k] = store(bx[k]);
  }
}

template <class Store>
void orthogonalize(const double *x, double *y, const Plan &plan, Store store,
                   const DenseProducts &dense) {
  assert(x != y && "the reference does not work in place");
  for (int64_t batch = 0; batch < plan.shape.batch; ++batch) {
    std::vector<double> view = detail::gatherView(x, plan, batch);
    iterate(view, plan, store, dense);
    detail::scatterView(view, plan, batch, y);
  }
}

} // namespace

DenseProducts hostDenseProducts() {
  return DenseProducts{detail::gram, detail::multiply};
}

void referenceOrthogonalize(const double *x, double *y, const Plan &plan,
                            bool bf16, const DenseProducts &products) {
  if (bf16)
    orthogonalize(x, y, plan, roundToBf16, products);
  else
    orthogonalize(x, y, plan, [](double v) { return v; }, products);
}

void referenceOrthogonalize(const double *x, double *y, const Plan &plan) {
  referenceOrthogonalize(x, y, plan, false, hostDenseProducts());
}

void referenceOrthogonalizeBf16(const double *x, double *y, const Plan &plan) {
  referenceOrthogonalize(x, y, plan, true, hostDenseProducts());
}

} // namespace tessel::ns
