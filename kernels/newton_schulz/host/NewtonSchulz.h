//===- NewtonSchulz.h - Newton-Schulz variants and reference -*- C++ -*-===//
//
// The host side of the Newton-Schulz library: the variants and their exact
// coefficient tables, the plan of a call (shape checks, the transposed view of
// tall inputs, FLOP counts), a float64 reference of the iteration the GPU
// runs, and quality measures (singular values, distance to the polar factor).
// No MLIR and no CUDA here: everything builds and is tested on the CPU.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_NS_NEWTONSCHULZ_H
#define TESSEL_NS_NEWTONSCHULZ_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessel::ns {

//===----------------------------------------------------------------------===//
// Variants and coefficients (Coefficients.cpp)
//===----------------------------------------------------------------------===//

/// The Newton-Schulz variants of the library (DESIGN.md, "Newton-Schulz
/// library"). Each is a fixed table of quintic steps and a normalization.
enum class Variant { Muon5, Quintic5, PolarExpress5, Aol4 };

/// The variant's name as the CLI, the benchmarks and the C ABI spell it:
/// "muon5", "quintic5", "polar_express5", "aol4".
std::string_view variantName(Variant variant);

/// The variant named `name` (exactly one of variantName's spellings), or
/// nullopt.
std::optional<Variant> parseVariant(std::string_view name);

/// Every variant, in declaration order.
const std::vector<Variant> &allVariants();

/// One quintic step: X ← a·X + (b·A + c·A·A)·X with A = X·Xᵀ, which maps each
/// singular value σ of X to a·σ + b·σ³ + c·σ⁵.
struct Step {
  double a, b, c;
};

/// The variant's steps, in the order they run; the table's length is the
/// iteration count (5 for muon5, quintic5, polar_express5; 4 for aol4).
const std::vector<Step> &steps(Variant variant);

/// How the input is scaled before the first step.
struct Normalization {
  enum Kind {
    /// X ← X / (scale·‖X‖_F + eps): σ_max(X) ≤ 1 afterwards.
    Frobenius,
    /// AOL: A = X·Xᵀ on the raw input, s_i = 1/sqrt(max(Σ_j |A_ij|, eps)),
    /// X ← diag(s)·X, A ← diag(s)·A·diag(s) (reused as the first step's A).
    /// Then σ_max(X) ≤ 1 (Schur test). `scale` is unused (1).
    Aol
  } kind;
  double scale;
  double eps;
};

/// muon5, quintic5: Frobenius, scale 1, eps 1e-7. polar_express5: Frobenius,
/// scale 1.02, eps 1e-6. aol4: Aol, eps kAolRowSumEps.
Normalization normalization(Variant variant);

/// The floor AOL puts under each row sum r_i = Σ_j |A_ij| (absolute, in the
/// units of A = X·Xᵀ). Since r_i ≥ A_ii = ‖x_i‖², it only acts on rows with
/// ‖x_i‖ < 1e-15 — in practice only on zero rows, whose r_i is exactly 0: they
/// get s_i = 1e15 times a zero row, so zero output, never 0·Inf = NaN. It is
/// an absolute floor (a relative one needs a global max over all rows: one
/// more reduction across the grid) and a normal fp32 number with rsqrt(eps) =
/// 1e15 and 1/eps = 1e30 finite in fp32 (no FTZ or overflow on the GPU).
/// Taking s_i below r_i^{-1/2} never breaks AOL's bound σ_max ≤ 1; it only
/// leaves such tiny rows less scaled.
inline constexpr double kAolRowSumEps = 1e-30;

//===----------------------------------------------------------------------===//
// Plans (Plan.cpp)
//===----------------------------------------------------------------------===//

/// A (batch of) row-major rows × cols matrices; 2-D inputs have batch 1.
struct Shape {
  int64_t batch, rows, cols;
};

/// "BxMxN", as the benchmarks' CSV `shape` column writes it.
std::string shapeString(Shape shape);

/// The largest Gram side m = min(rows, cols) supported for now.
inline constexpr int64_t kMaxGramSide = 16384;

/// How one call runs. The iteration works on an m × n view with m ≤ n, so that
/// the Gram matrices A, B are the small side (m × m): wide and square inputs
/// as they are, tall inputs (rows > cols) through the transposed formulation
/// — the view is Xᵀ, read and written through swapped strides, no copy.
struct Plan {
  Shape shape{1, 1, 1};
  /// True for tall inputs (rows > cols): the view is Xᵀ.
  bool transposed = false;
  /// m = min(rows, cols), the Gram side; n = max(rows, cols).
  int64_t m = 1, n = 1;
  /// Element strides of the m × n view of one row-major rows × cols matrix:
  /// (cols, 1) when not transposed, (1, cols) when transposed.
  int64_t rowStride = 1, colStride = 1;
  /// Elements between batch entries: rows·cols.
  int64_t matrixStride = 1;
  Variant variant = Variant::Muon5;
  /// steps(variant).size().
  int iterations = 0;
};

/// The plan for `shape` and `variant`, or nullopt with a message in `*error`
/// (when `error` is not null; untouched on success): every dimension must be
/// positive, batch·rows·cols elements must have byte offsets that fit in
/// int64 (at 8 bytes an element), and m = min(rows, cols) ≤ kMaxGramSide.
std::optional<Plan> makePlan(Shape shape, Variant variant,
                             std::string *error = nullptr);

/// The offset in elements of the view's element (i, j) of batch entry
/// `batchIndex` (i < m, j < n); 64-bit throughout.
inline int64_t elementOffset(const Plan &plan, int64_t batchIndex, int64_t i,
                             int64_t j) {
  return batchIndex * plan.matrixStride + i * plan.rowStride +
         j * plan.colStride;
}

//===----------------------------------------------------------------------===//
// FLOP counts (Plan.cpp)
//===----------------------------------------------------------------------===//

/// GEMM FLOPs of one step on an m × n view (m ≤ n): A = X·Xᵀ (2m²n), A·A (2m³),
/// B·X (2m²n): 4m²n + 2m³; with symmetry used (only the upper triangle of
/// X·Xᵀ and A·A): 3m²n + m³. Elementwise terms (b·A, a·X) are not counted.
double flopsPerIteration(int64_t m, int64_t n, bool symmetric);

/// batch × iterations × flopsPerIteration. For aol4, AOL's A = X·Xᵀ on the
/// raw input is counted as the first iteration's A (which it replaces), so
/// aol4 counts 4 full iterations; its row sums and rescaling (O(m²)) and the
/// Frobenius norm of the other variants (O(mn)) are not counted.
double totalFlops(const Plan &plan, bool symmetric);

/// totalFlops(plan, /*symmetric=*/false) / time, in TFLOP/s: the "effective"
/// rate the benchmarks report, which credits kernels that skip the lower
/// triangle with the full count. NaN unless `ms` is finite and positive.
double effectiveTflops(const Plan &plan, double ms);

//===----------------------------------------------------------------------===//
// Host reference (Reference.cpp)
//===----------------------------------------------------------------------===//

/// `value` rounded to the nearest bfloat16 (8 significant bits, fp32's
/// exponent range with subnormals), ties to even; ±Inf past the largest
/// bf16, NaN stays NaN. Rounds the double directly (no double rounding
/// through float).
double roundToBf16(double value);

/// The library's iteration in float64, for tests. `x` and `y` hold
/// plan.shape.batch row-major rows × cols matrices (y may not alias x). Per
/// batch entry, on the m × n view (Xᵀ for tall inputs, written back
/// transposed): normalization(plan.variant), then for each step (a, b, c):
///   A = X·Xᵀ (for aol4's first step: AOL's scaled A), B = a·I + b·A +
///   c·A·A, X = B·X (a·X carried in B's diagonal, as the GPU stores it).
/// A and A·A are computed on the upper triangle and mirrored, so they are
/// exactly symmetric, as on the GPU. A zero input gives a zero output (for
/// every variant); non-finite input values are not checked and propagate.
void referenceOrthogonalize(const double *x, double *y, const Plan &plan);

/// referenceOrthogonalize with the GPU's storage: the input, the normalized
/// X (and AOL's scaled A), and every step's A, B and X are rounded to bf16
/// (roundToBf16) as they are stored; sums stay in float64 (the GPU's are
/// fp32). AOL's row sums are taken from the unrounded A. The GPU library is
/// tested against this one (max |Δ| < 0.02 for the 5-step variants). For a
/// wide X on the TMA lines the GPU stores B·diag(s) in AOL's first step
/// instead of diag(s)·X (same product, other roundings).
void referenceOrthogonalizeBf16(const double *x, double *y, const Plan &plan);

/// The two float64 products the reference is made of. The default is the
/// host's loops (one core: fine to m ~ 1024); a GPU test passes DGEMM-based
/// ones to run the same reference at m = 2048 in seconds.
struct DenseProducts {
  /// g = x·xᵀ for a row-major m × n x (g: m × m, must be exactly symmetric).
  std::function<void(const double *x, int64_t m, int64_t n, double *g)> gram;
  /// c = b·x for a row-major m × m b and m × n x (c: m × n, not aliased).
  std::function<void(const double *b, const double *x, int64_t m, int64_t n,
                     double *c)>
      multiply;
};

/// The host loops referenceOrthogonalize uses.
DenseProducts hostDenseProducts();

/// referenceOrthogonalizeBf16 (`bf16` true) or referenceOrthogonalize with
/// the given products.
void referenceOrthogonalize(const double *x, double *y, const Plan &plan,
                            bool bf16, const DenseProducts &products);

//===----------------------------------------------------------------------===//
// Quality measures (Quality.cpp)
//===----------------------------------------------------------------------===//

/// Eigen-decomposition of the symmetric m × m row-major matrix `a` by cyclic
/// Jacobi rotations: `eigenvalues` (m, ascending) and, when not null,
/// `eigenvectors` (m × m row-major; row k is the unit eigenvector of
/// eigenvalue k). Only the upper triangle of `a` is read. Returns false
/// (and NaN eigenvalues/vectors) when `a` has a non-finite entry, or when it
/// did not converge in 64 sweeps (it takes ~6-10); results are finite for
/// finite input. O(sweeps·m³) on one core: values 0.7 s, with vectors 1.2 s
/// at m = 512; 6 s and 16 s at m = 1024. Meant for m ≤ 1024 (larger works,
/// slowly: quality() at m = 1024 takes ~25 s).
bool symmetricEigen(int64_t m, const double *a, double *eigenvalues,
                    double *eigenvectors = nullptr);

/// The singular values (ascending, m of them) of batch entry `batchIndex`'s
/// m × n view of `matrix` (row-major rows × cols per entry, like the
/// reference's x), as sqrt(max(λ, 0)) of the eigenvalues λ of the view's
/// Gram matrix: absolute accuracy ~sqrt(m·ε)·σ_max (~3e-7·σ_max at m = 512).
/// NaN values for non-finite input.
std::vector<double> singularValues(const double *matrix, const Plan &plan,
                                   int64_t batchIndex);

/// What a call's quality report says about output `y` for input `x`.
struct Quality {
  /// Smallest and largest singular value over every batch entry of y.
  double sigmaMin, sigmaMax;
  /// max over batch entries of ‖Y − UVᵀ‖_F / ‖UVᵀ‖_F, UVᵀ the polar factor of
  /// the entry's input X. UVᵀ = (X·Xᵀ)^{-1/2}·X through symmetricEigen on
  /// X·Xᵀ; eigenvalues λ ≤ m·ε·λ_max (noise of X·Xᵀ in float64: σ below
  /// ~sqrt(m·ε)·σ_max) count as zero, so for a rank-deficient X, UVᵀ is the
  /// partial isometry on its nonzero singular directions (what Newton-Schulz
  /// converges to). Trustworthy while cond(X) ≲ 1e6.
  double polarError;
};

/// The quality of output `y` for input `x` (both as referenceOrthogonalize
/// lays them out), computed on the host in float64 (symmetricEigen: meant
/// for m ≤ 1024). Zero input: its polar factor is 0, so polarError is the
/// absolute ‖Y‖_F of that entry (0 for the library's zero output), and
/// σ = 0: {0, 0, 0}. Non-finite values in x or y: all three NaN.
Quality quality(const double *y, const double *x, const Plan &plan);

} // namespace tessel::ns

#endif // TESSEL_NS_NEWTONSCHULZ_H
