//===- Plan.cpp - Shape checks, the transposed view, FLOP counts ----------===//
//
// makePlan turns a user's shape into the m × n view the kernels iterate on
// (m ≤ n, tall inputs read as Xᵀ through swapped strides) and rejects what
// they cannot run, with a message that names the shape.
//
//===----------------------------------------------------------------------===//

#include "NewtonSchulz.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace tessel::ns {

std::string shapeString(Shape shape) {
  std::ostringstream os;
  os << shape.batch << 'x' << shape.rows << 'x' << shape.cols;
  return os.str();
}

std::optional<Plan> makePlan(Shape shape, Variant variant, std::string *error) {
  auto fail = [&](const std::string &why) -> std::optional<Plan> {
    if (error)
      *error = "newton-schulz " + std::string(variantName(variant)) +
               " on shape " + shapeString(shape) + ": " + why;
    return std::nullopt;
  };
  bool known = false;
  for (Variant v : allVariants())
    known |= v == variant;
  if (!known)
    return fail("unknown variant " + std::to_string(static_cast<int>(variant)));
  if (shape.batch <= 0 || shape.rows <= 0 || shape.cols <= 0)
    return fail("batch, rows and cols must all be positive");

  // Byte offsets of every element must fit in int64 for elements of up to 8
  // bytes (the float64 reference; bf16 and fp32 on the GPU have more room).
  constexpr int64_t kMaxElements = std::numeric_limits<int64_t>::max() / 8;
  if (shape.rows > kMaxElements / shape.cols ||
      shape.batch > kMaxElements / (shape.rows * shape.cols))
    return fail("batch*rows*cols elements overflow 64-bit byte offsets "
                "(at most " +
                std::to_string(kMaxElements) + " elements)");

  Plan plan;
  plan.shape = shape;
  plan.variant = variant;
  plan.iterations = static_cast<int>(steps(variant).size());
  plan.transposed = shape.rows > shape.cols;
  plan.m = std::min(shape.rows, shape.cols);
  plan.n = std::max(shape.rows, shape.cols);
  if (plan.m > kMaxGramSide)
    return fail("the Gram side min(rows, cols) = " + std::to_string(plan.m) +
                " is above " + std::to_string(kMaxGramSide) +
                ", not supported yet");
  // Element (i, j) of the view is x[i][j] for wide/square inputs and
  // x[j][i] (Xᵀ) for tall ones.
  plan.rowStride = plan.transposed ? 1 : shape.cols;
  plan.colStride = plan.transposed ? shape.cols : 1;
  plan.matrixStride = shape.rows * shape.cols;
  return plan;
}

double flopsPerIteration(int64_t m, int64_t n, bool symmetric) {
  double dm = static_cast<double>(m), dn = static_cast<double>(n);
  if (symmetric)
    return 3 * dm * dm * dn + dm * dm * dm;
  return 4 * dm * dm * dn + 2 * dm * dm * dm;
}

double totalFlops(const Plan &plan, bool symmetric) {
  return static_cast<double>(plan.shape.batch) * plan.iterations *
         flopsPerIteration(plan.m, plan.n, symmetric);
}

double effectiveTflops(const Plan &plan, double ms) {
  if (!std::isfinite(ms) || ms <= 0)
    return std::numeric_limits<double>::quiet_NaN();
  return totalFlops(plan, /*symmetric=*/false) / (ms * 1e-3) / 1e12;
}

} // namespace tessel::ns
