//===- Dense.cpp - Small float64 matrix kernels for the host reference ----===//
//
// Plain loops written so that -O2 keeps them fast enough for tests (a few
// GFLOP/s on one core): dot products four rows at a time, row axpys.
//
//===----------------------------------------------------------------------===//

#include "Dense.h"

#include <cmath>

namespace tessel::ns::detail {

std::vector<double> gatherView(const double *matrix, const Plan &plan,
                               int64_t batchIndex) {
  std::vector<double> view(static_cast<size_t>(plan.m * plan.n));
  for (int64_t i = 0; i < plan.m; ++i)
    for (int64_t j = 0; j < plan.n; ++j)
      view[i * plan.n + j] = matrix[elementOffset(plan, batchIndex, i, j)];
  return view;
}

void scatterView(const std::vector<double> &view, const Plan &plan,
                 int64_t batchIndex, double *matrix) {
  for (int64_t i = 0; i < plan.m; ++i)
    for (int64_t j = 0; j < plan.n; ++j)
      matrix[elementOffset(plan, batchIndex, i, j)] = view[i * plan.n + j];
}

void gram(const double *x, int64_t m, int64_t n, double *g) {
  for (int64_t i = 0; i < m; ++i) {
    const double *xi = x + i * n;
    int64_t j = i;
    // Four dot products share each load of row i: four independent chains.
    for (; j + 4 <= m; j += 4) {
      const double *x0 = x + j * n, *x1 = x0 + n, *x2 = x1 + n, *x3 = x2 + n;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int64_t k = 0; k < n; ++k) {
        double v = xi[k];
        s0 += v * x0[k];
        s1 += v * x1[k];
        s2 += v * x2[k];
        s3 += v * x3[k];
      }
      g[i * m + j] = s0;
      g[i * m + j + 1] = s1;
      g[i * m + j + 2] = s2;
      g[i * m + j + 3] = s3;
    }
    for (; j < m; ++j) {
      const double *xj = x + j * n;
      double s = 0;
      for (int64_t k = 0; k < n; ++k)
        s += xi[k] * xj[k];
      g[i * m + j] = s;
    }
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < i; ++j)
      g[i * m + j] = g[j * m + i];
}

void multiply(const double *b, const double *x, int64_t m, int64_t n,
              double *c) {
  for (int64_t i = 0; i < m; ++i) {
    double *ci = c + i * n;
    for (int64_t j = 0; j < n; ++j)
      ci[j] = 0;
    for (int64_t k = 0; k < m; ++k) {
      double bik = b[i * m + k];
      const double *xk = x + k * n;
      for (int64_t j = 0; j < n; ++j)
        ci[j] += bik * xk[j];
    }
  }
}

bool allFinite(const double *values, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(values[i]))
      return false;
  return true;
}

} // namespace tessel::ns::detail
