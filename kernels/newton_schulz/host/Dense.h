//===- Dense.h - float64 matrix kernels of the host reference -*- C++ -*-===//
//
// Private to the host library: the row-major float64 products the reference
// and the quality measures share, and the gather/scatter of a plan's view.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_NS_DENSE_H
#define TESSEL_NS_DENSE_H

#include "NewtonSchulz.h"

#include <cstdint>
#include <vector>

namespace tessel::ns::detail {

/// Batch entry `batchIndex`'s m × n view of `matrix`, row-major and contiguous.
std::vector<double> gatherView(const double *matrix, const Plan &plan,
                               int64_t batchIndex);

/// Writes the contiguous m × n `view` back as batch entry `batchIndex`.
void scatterView(const std::vector<double> &view, const Plan &plan,
                 int64_t batchIndex, double *matrix);

/// g = x·xᵀ for a row-major m × n `x` (g: m × m). The upper triangle is
/// computed and mirrored, so g is exactly symmetric. For a symmetric x
/// (n = m) this is x·x.
void gram(const double *x, int64_t m, int64_t n, double *g);

/// c = b·x for a row-major m × m `b` and m × n `x` (c: m × n, not aliased).
void multiply(const double *b, const double *x, int64_t m, int64_t n,
              double *c);

/// True when every one of the `count` values is finite.
bool allFinite(const double *values, int64_t count);

} // namespace tessel::ns::detail

#endif // TESSEL_NS_DENSE_H
