//===- Quality.cpp - Singular values and polar error on the host ----------===//
//
// The optional quality report of a call: σ_min, σ_max of the output and its
// distance to the input's polar factor, in float64 on the host, from a cyclic
// Jacobi eigen-solver (small and robust; O(sweeps·m³), meant for m ≤ 1024).
//
//===----------------------------------------------------------------------===//

#include "Dense.h"
#include "NewtonSchulz.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tessel::ns {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr int kMaxSweeps = 64;
} // namespace

bool symmetricEigen(int64_t m, const double *a, double *eigenvalues,
                    double *eigenvectors) {
  const size_t size = static_cast<size_t>(m * m);
  // Rows of w are padded: a power-of-two row pitch (m = 512: 4 KiB) would
  // send every column access to the same few cache sets.
  const int64_t ld = m + 8;
  // w: the upper triangle of the matrix, rotated in place; v: the rotations'
  // product with one eigenvector per row (so rotations touch two rows).
  std::vector<double> w(static_cast<size_t>(m * ld)), v;
  bool finite = true;
  double normSquared = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = i; j < m; ++j) {
      double value = a[i * m + j];
      finite &= std::isfinite(value);
      w[i * ld + j] = value;
      normSquared += (i == j ? 1 : 2) * value * value;
    }
  auto failWithNaN = [&] {
    std::fill(eigenvalues, eigenvalues + m, kNaN);
    if (eigenvectors)
      std::fill(eigenvectors, eigenvectors + size, kNaN);
    return false;
  };
  if (!finite || !std::isfinite(normSquared))
    return failWithNaN();
  if (eigenvectors) {
    v.assign(size, 0.0);
    for (int64_t i = 0; i < m; ++i)
      v[i * m + i] = 1;
  }

  // A rotation is skipped when a_pq cannot move an eigenvalue measurably:
  // below ε·sqrt(|a_pp·a_qq|) (the relative test that keeps small
  // eigenvalues accurate) or below ε²·‖A‖_F (noise around zero diagonals).
  const double floor = kEpsilon * kEpsilon * std::sqrt(normSquared);
  bool converged = false;
  for (int sweep = 0; sweep < kMaxSweeps && !converged; ++sweep) {
    converged = true;
    for (int64_t p = 0; p + 1 < m; ++p) {
      for (int64_t q = p + 1; q < m; ++q) {
        double apq = w[p * ld + q];
        double app = w[p * ld + p], aqq = w[q * ld + q];
        if (std::fabs(apq) <= floor ||
            std::fabs(apq) <= kEpsilon * std::sqrt(std::fabs(app)) *
                                  std::sqrt(std::fabs(aqq)))
          continue;
        converged = false;
        // The rotation that zeroes a_pq, smaller angle, tan = t.
        double theta = (aqq - app) / (2 * apq);
        double t = std::fabs(theta) > 1e150
                       ? 1 / (2 * theta)
                       : std::copysign(1.0, theta) /
                             (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        // Only the upper triangle is kept: a_kp, a_kq sit in column p, q of
        // row k above p, in row p and column q between, in rows p, q after.
        double *wp = &w[p * ld], *wq = &w[q * ld];
        for (int64_t k = 0; k < p; ++k) {
          double *wk = &w[k * ld];
          double akp = wk[p], akq = wk[q];
          wk[p] = c * akp - s * akq;
          wk[q] = s * akp + c * akq;
        }
        for (int64_t k = p + 1; k < q; ++k) {
          double akp = wp[k], akq = w[k * ld + q];
          wp[k] = c * akp - s * akq;
          w[k * ld + q] = s * akp + c * akq;
        }
        for (int64_t k = q + 1; k < m; ++k) {
          double akp = wp[k], akq = wq[k];
          wp[k] = c * akp - s * akq;
          wq[k] = s * akp + c * akq;
        }
        wp[p] = app - t * apq;
        wq[q] = aqq + t * apq;
        wp[q] = 0;
        if (eigenvectors) {
          double *vp = &v[p * m], *vq = &v[q * m];
          for (int64_t k = 0; k < m; ++k) {
            double x = vp[k], y = vq[k];
            vp[k] = c * x - s * y;
            vq[k] = s * x + c * y;
          }
        }
      }
    }
  }
  if (!converged)
    return failWithNaN();

  std::vector<int64_t> order(static_cast<size_t>(m));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
    return w[i * ld + i] < w[j * ld + j];
  });
  for (int64_t k = 0; k < m; ++k) {
    int64_t from = order[k];
    eigenvalues[k] = w[from * ld + from];
    if (eigenvectors)
      std::copy(&v[from * m], &v[from * m] + m, eigenvectors + k * m);
  }
  return true;
}

std::vector<double> singularValues(const double *matrix, const Plan &plan,
                                   int64_t batchIndex) {
  const int64_t m = plan.m;
  std::vector<double> view = detail::gatherView(matrix, plan, batchIndex);
  std::vector<double> sigma(static_cast<size_t>(m), kNaN);
  if (!detail::allFinite(view.data(), m * plan.n))
    return sigma;
  std::vector<double> g(static_cast<size_t>(m * m));
  detail::gram(view.data(), m, plan.n, g.data());
  if (!symmetricEigen(m, g.data(), sigma.data()))
    return std::vector<double>(static_cast<size_t>(m), kNaN);
  // Rounding can leave eigenvalues of a PSD matrix slightly negative.
  for (double &s : sigma)
    s = std::sqrt(std::max(s, 0.0));
  return sigma;
}

namespace {

/// ‖Y − UVᵀ‖_F / ‖UVᵀ‖_F for one m × n view (absolute ‖Y‖_F when UVᵀ = 0);
/// NaN when the eigen-solver fails.
double polarError(const std::vector<double> &y, const std::vector<double> &x,
                  int64_t m, int64_t n) {
  std::vector<double> g(static_cast<size_t>(m * m)), w(g.size());
  std::vector<double> lambda(static_cast<size_t>(m));
  detail::gram(x.data(), m, n, g.data());
  if (!symmetricEigen(m, g.data(), lambda.data(), w.data()))
    return kNaN;
  // UVᵀ = (X·Xᵀ)^{-1/2}·X = Wᵀ·diag(λ^{-1/2})·W·X, W's rows the eigenvectors;
  // eigenvalues at the noise level of X·Xᵀ count as zero.
  double lambdaMax = std::max(0.0, lambda.empty() ? 0.0 : lambda.back());
  double tolerance = static_cast<double>(m) * kEpsilon * lambdaMax;
  std::vector<double> t(x.size()), polar(x.size());
  detail::multiply(w.data(), x.data(), m, n, t.data());
  for (int64_t k = 0; k < m; ++k) {
    double scale = lambda[k] > tolerance ? 1 / std::sqrt(lambda[k]) : 0.0;
    for (int64_t j = 0; j < n; ++j)
      t[k * n + j] *= scale;
  }
  std::vector<double> wt(g.size());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t k = 0; k < m; ++k)
      wt[i * m + k] = w[k * m + i];
  detail::multiply(wt.data(), t.data(), m, n, polar.data());
  double diff = 0, ref = 0;
  for (size_t k = 0; k < y.size(); ++k) {
    diff += (y[k] - polar[k]) * (y[k] - polar[k]);
    ref += polar[k] * polar[k];
  }
  return ref > 0 ? std::sqrt(diff / ref) : std::sqrt(diff);
}

} // namespace

Quality quality(const double *y, const double *x, const Plan &plan) {
  Quality result{std::numeric_limits<double>::infinity(), 0.0, 0.0};
  for (int64_t batch = 0; batch < plan.shape.batch; ++batch) {
    std::vector<double> yView = detail::gatherView(y, plan, batch);
    std::vector<double> xView = detail::gatherView(x, plan, batch);
    if (!detail::allFinite(yView.data(), plan.m * plan.n) ||
        !detail::allFinite(xView.data(), plan.m * plan.n))
      return {kNaN, kNaN, kNaN};
    std::vector<double> sigma = singularValues(y, plan, batch);
    double error = polarError(yView, xView, plan.m, plan.n);
    if (std::isnan(sigma.front()) || std::isnan(error))
      return {kNaN, kNaN, kNaN};
    result.sigmaMin = std::min(result.sigmaMin, sigma.front());
    result.sigmaMax = std::max(result.sigmaMax, sigma.back());
    result.polarError = std::max(result.polarError, error);
  }
  return result;
}

} // namespace tessel::ns
