//===- Float64OnDevice.h - float64 linear algebra on the GPU for checks ---===//
//
// For NS quality checks at sizes the host's one-core loops are too slow for
// (2048 x 2048): the reference iteration's products as cuBLAS DGEMM/DSYRK,
// and singular values from cuSOLVER DSYEVD on the Gram matrix. Float64
// throughout; tests only (the library's own quality report is host float64).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TESTS_GPU_FLOAT64ONDEVICE_H
#define TESSEL_TESTS_GPU_FLOAT64ONDEVICE_H

#include "NewtonSchulz.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessel::gpu {

/// Singular values (ascending) of the row-major rows x cols matrix `y`
/// (rows <= cols) as sqrt(max(lambda, 0)) of the eigenvalues of y y^T;
/// empty, with `why` set, when a CUDA library call fails.
std::vector<double> deviceSingularValues(const std::vector<double> &y,
                                         int64_t rows, int64_t cols,
                                         std::string &why);

/// The polar factor (x x^T)^(-1/2) x of the row-major rows x cols matrix
/// `x` (rows <= cols), from cuSOLVER DSYEVD's eigenvectors Q and values l
/// of x x^T: W = Q diag(l^(-1/2)) Q^T (directions with l <= 0 dropped: the
/// partial isometry of a rank-deficient x), then W x by DGEMM. Row-major,
/// rows x cols; empty, with `why` set, when a CUDA library call fails.
std::vector<double> devicePolarFactor(const std::vector<double> &x,
                                      int64_t rows, int64_t cols,
                                      std::string &why);

/// ns::DenseProducts computed with cuBLAS in float64 (gram: DSYRK, then the
/// upper triangle mirrored, so exactly symmetric like the host's). A failed
/// CUDA call fills the result with NaN and sets `*why`.
ns::DenseProducts deviceDenseProducts(std::string *why);

} // namespace tessel::gpu

#endif // TESSEL_TESTS_GPU_FLOAT64ONDEVICE_H
