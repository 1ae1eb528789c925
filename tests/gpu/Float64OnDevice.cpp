//===- Float64OnDevice.cpp - cuBLAS/cuSOLVER float64 helpers for checks --===//
//
// Row-major host matrices are column-major transposes on the device: for a
// row-major m x n X (column-major X^T, leading dimension n), X X^T is DSYRK
// with trans = T, and B X is DGEMM computing (B X)^T = X^T B^T.
//
//===----------------------------------------------------------------------===//
#include "Float64OnDevice.h"

#include <algorithm>
#include <cmath>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>
#include <limits>

namespace tessel::gpu {

namespace {

/// Device buffers and library handles freed on every path out.
struct Scope {
  cublasHandle_t blas = nullptr;
  cusolverDnHandle_t solver = nullptr;
  std::vector<void *> buffers;
  ~Scope() {
    for (void *p : buffers)
      cudaFree(p);
    if (solver)
      cusolverDnDestroy(solver);
    if (blas)
      cublasDestroy(blas);
  }
  double *alloc(size_t count) {
    void *p = nullptr;
    if (cudaMalloc(&p, count * sizeof(double)) != cudaSuccess)
      return nullptr;
    buffers.push_back(p);
    return (double *)p;
  }
  bool upload(double *dst, const double *src, size_t count) {
    return cudaMemcpy(dst, src, count * sizeof(double),
                      cudaMemcpyHostToDevice) == cudaSuccess;
  }
  bool download(double *dst, const double *src, size_t count) {
    return cudaMemcpy(dst, src, count * sizeof(double),
                      cudaMemcpyDeviceToHost) == cudaSuccess;
  }
};

void poison(double *out, size_t count) {
  std::fill(out, out + count, std::numeric_limits<double>::quiet_NaN());
}

/// dg = x x^T for the device's row-major x (m x n): the column-major upper
/// triangle, by DSYRK (all DSYEVD with UPPER reads).
bool gramOnDevice(Scope &s, const double *dx, int64_t m, int64_t n,
                  double *dg) {
  const double one = 1.0, zero = 0.0;
  // Column-major: x^T is n x m (ld n); G = (x^T)^T x^T, m x m (ld m).
  return (s.blas || cublasCreate(&s.blas) == CUBLAS_STATUS_SUCCESS) &&
         cublasDsyrk(s.blas, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_T, (int)m,
                     (int)n, &one, dx, (int)n, &zero, dg,
                     (int)m) == CUBLAS_STATUS_SUCCESS;
}

/// g = x x^T (row-major x: m x n), upper triangle by DSYRK, then mirrored.
bool gram(const double *x, int64_t m, int64_t n, double *g) {
  Scope s;
  const size_t mm = (size_t)(m * m), mn = (size_t)(m * n);
  double *dx = s.alloc(mn), *dg = s.alloc(mm);
  if (!dx || !dg || !s.upload(dx, x, mn) || !gramOnDevice(s, dx, m, n, dg) ||
      !s.download(g, dg, mm))
    return false;
  // Column-major upper (row <= col) is row-major lower: mirror it up.
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = i + 1; j < m; ++j)
      g[i * m + j] = g[j * m + i];
  return true;
}

/// cuSOLVER DSYEVD of the m x m symmetric matrix whose upper triangle dg
/// holds: eigenvalues (ascending) into `lambda`, and with `vectors` the
/// eigenvectors in dg's columns. False, with `why` set, on failure.
bool symmetricEigen(Scope &s, double *dg, int64_t m, bool vectors,
                    std::vector<double> &lambda, std::string &why) {
  const auto mode =
      vectors ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
  double *dw = s.alloc((size_t)m);
  int *dinfo = nullptr;
  if (!dw || cudaMalloc((void **)&dinfo, sizeof(int)) != cudaSuccess) {
    why = "cudaMalloc failed";
    return false;
  }
  s.buffers.push_back(dinfo);
  int lwork = 0;
  if ((!s.solver && cusolverDnCreate(&s.solver) != CUSOLVER_STATUS_SUCCESS) ||
      cusolverDnDsyevd_bufferSize(s.solver, mode, CUBLAS_FILL_MODE_UPPER,
                                  (int)m, dg, (int)m, dw,
                                  &lwork) != CUSOLVER_STATUS_SUCCESS) {
    why = "cuSOLVER did not start";
    return false;
  }
  double *work = s.alloc((size_t)std::max(lwork, 1));
  int info = 0;
  lambda.resize((size_t)m);
  if (!work ||
      cusolverDnDsyevd(s.solver, mode, CUBLAS_FILL_MODE_UPPER, (int)m, dg,
                       (int)m, dw, work, lwork,
                       dinfo) != CUSOLVER_STATUS_SUCCESS ||
      cudaMemcpy(&info, dinfo, sizeof(int), cudaMemcpyDeviceToHost) !=
          cudaSuccess ||
      !s.download(lambda.data(), dw, lambda.size())) {
    why = "cusolverDnDsyevd failed";
    return false;
  }
  if (info != 0) {
    why = "DSYEVD did not converge (info " + std::to_string(info) + ")";
    return false;
  }
  return true;
}

/// c = b x (row-major b: m x m, x: m x n) as column-major c^T = x^T b^T.
bool multiply(const double *b, const double *x, int64_t m, int64_t n,
              double *c) {
  Scope s;
  const size_t mm = (size_t)(m * m), mn = (size_t)(m * n);
  double *db = s.alloc(mm), *dx = s.alloc(mn), *dc = s.alloc(mn);
  const double one = 1.0, zero = 0.0;
  // Column-major: x^T is n x m (ld n), b^T is m x m (ld m); c^T n x m.
  return db && dx && dc && s.upload(db, b, mm) && s.upload(dx, x, mn) &&
         cublasCreate(&s.blas) == CUBLAS_STATUS_SUCCESS &&
         cublasDgemm(s.blas, CUBLAS_OP_N, CUBLAS_OP_N, (int)n, (int)m, (int)m,
                     &one, dx, (int)n, db, (int)m, &zero, dc,
                     (int)n) == CUBLAS_STATUS_SUCCESS &&
         s.download(c, dc, mn);
}

} // namespace

std::vector<double> deviceSingularValues(const std::vector<double> &y,
                                         int64_t rows, int64_t cols,
                                         std::string &why) {
  const int64_t m = rows;
  const size_t mm = (size_t)(m * m), mn = (size_t)(m * cols);
  Scope s;
  double *dy = s.alloc(mn), *dg = s.alloc(mm);
  if (!dy || !dg || !s.upload(dy, y.data(), mn) ||
      !gramOnDevice(s, dy, m, cols, dg)) {
    why = "cuBLAS DSYRK of Y Y^T failed";
    return {};
  }
  std::vector<double> sigma;
  if (!symmetricEigen(s, dg, m, /*vectors=*/false, sigma, why))
    return {};
  for (double &v : sigma)
    v = std::sqrt(std::max(v, 0.0));
  std::sort(sigma.begin(), sigma.end());
  return sigma;
}

std::vector<double> devicePolarFactor(const std::vector<double> &x,
                                      int64_t rows, int64_t cols,
                                      std::string &why) {
  const int64_t m = rows, n = cols;
  Scope s;
  const size_t mm = (size_t)(m * m), mn = (size_t)(m * n);
  double *dg = s.alloc(mm), *dv = s.alloc(mm), *dW = s.alloc(mm),
         *dx = s.alloc(mn), *dp = s.alloc(mn), *dscale = s.alloc((size_t)m);
  if (!dg || !dv || !dW || !dx || !dp || !dscale) {
    why = "cudaMalloc failed";
    return {};
  }
  if (!s.upload(dx, x.data(), mn) || !gramOnDevice(s, dx, m, n, dg)) {
    why = "cuBLAS DSYRK of X X^T failed";
    return {};
  }
  std::vector<double> lambda;
  if (!symmetricEigen(s, dg, m, /*vectors=*/true, lambda, why))
    return {};
  // V = Q diag(l^(-1/4)) (dg holds Q column-major), W = V V^T; directions
  // at or below the noise of the largest eigenvalue are dropped.
  const double floor = lambda.back() * 1e-28;
  std::vector<double> scale((size_t)m);
  for (int64_t j = 0; j < m; ++j)
    scale[(size_t)j] =
        lambda[(size_t)j] > floor ? std::pow(lambda[(size_t)j], -0.25) : 0.0;
  const double one = 1.0, zero = 0.0;
  std::vector<double> p(mn);
  if (!s.upload(dscale, scale.data(), scale.size()) ||
      cublasDdgmm(s.blas, CUBLAS_SIDE_RIGHT, (int)m, (int)m, dg, (int)m, dscale,
                  1, dv, (int)m) != CUBLAS_STATUS_SUCCESS ||
      cublasDgemm(s.blas, CUBLAS_OP_N, CUBLAS_OP_T, (int)m, (int)m, (int)m,
                  &one, dv, (int)m, dv, (int)m, &zero, dW,
                  (int)m) != CUBLAS_STATUS_SUCCESS ||
      // Row-major P = W x is column-major P^T = x^T W (W symmetric).
      cublasDgemm(s.blas, CUBLAS_OP_N, CUBLAS_OP_N, (int)n, (int)m, (int)m,
                  &one, dx, (int)n, dW, (int)m, &zero, dp,
                  (int)n) != CUBLAS_STATUS_SUCCESS ||
      !s.download(p.data(), dp, mn)) {
    why = "cuBLAS DDGMM/DGEMM of the polar factor failed";
    return {};
  }
  return p;
}

ns::DenseProducts deviceDenseProducts(std::string *why) {
  ns::DenseProducts p;
  p.gram = [why](const double *x, int64_t m, int64_t n, double *g) {
    if (!gram(x, m, n, g)) {
      poison(g, (size_t)(m * m));
      *why = "cuBLAS DSYRK failed";
    }
  };
  p.multiply = [why](const double *b, const double *x, int64_t m, int64_t n,
                     double *c) {
    if (!multiply(b, x, m, n, c)) {
      poison(c, (size_t)(m * n));
      *why = "cuBLAS DGEMM failed";
    }
  };
  return p;
}

} // namespace tessel::gpu
