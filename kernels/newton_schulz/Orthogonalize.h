//===- Orthogonalize.h - Newton-Schulz on the GPU, one call ------*- C++
//-*-===//
//
// tessel::ns::orthogonalize: the NS iteration of Muon/Dion on a (batch of)
// bf16 matrices in device memory, on the caller's stream, with the DSL
// kernels of this folder compiled once per GPU target (and cached on disk).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_NS_ORTHOGONALIZE_H
#define TESSEL_NS_ORTHOGONALIZE_H

#include "NewtonSchulz.h"
#include "Tuning.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Status.h"

#include <cuda.h>
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace tessel::ns {

/// Element type of the input (the output is always bf16).
enum class InputType { BF16, F32 };

/// How a call runs matrices that fit one tile: small.mlir takes the whole
/// iteration in one launch (one program per matrix, X, A and B in
/// registers), the line kernels three launches per step as for larger ones.
enum class SmallPath {
  /// One launch but for large batches of m > kOneLaunchMaxM on the TMA
  /// lines, where the lines measured faster every time (Tuning.h,
  /// oneLaunch, says where the two are close).
  Auto,
  /// small.mlir wherever the matrices fit one tile (the lines where they
  /// do not).
  OneLaunch,
  /// The line kernels, as for larger matrices.
  Lines,
};

struct Options {
  Variant variant = Variant::Aol4;
  /// fp32 input is converted into the bf16 working copy by one more launch
  /// (every variant).
  InputType input = InputType::BF16;
  /// Also report the output's singular values and its distance to the
  /// input's polar factor (CallInfo::quality): copies both to the host and
  /// computes in float64 there (Jacobi), so it waits for the call; limited to
  /// min(rows, cols) <= kMaxQualitySide.
  bool quality = false;
  /// PTX target; empty: the current device's.
  std::string target;
  /// Where the GEMM-shaped lines take their configs from when the device's
  /// tuning database lacks the shape (Tuning.h); empty: $TESSEL_TUNE, else
  /// TuneMode::Lookup (tuned configs when recorded, defaults otherwise).
  std::optional<TuneMode> tune;
  /// How matrices whose working m x n fits one tile (both sides at most
  /// kSmallMaxSide) run: SmallPath::Auto (the default) takes one launch but
  /// for large batches of larger matrices on the TMA lines (oneLaunch in
  /// Tuning.h).
  SmallPath small = SmallPath::Auto;
  /// Time every launch (CallInfo::launchTimes): an event before each and one
  /// after the last, and the call waits for them. The events keep kernels
  /// from overlapping, so the times add up to a little more than an untimed
  /// call takes. For finding where a shape's time goes.
  bool timeLaunches = false;
};

/// One launch of a call with Options::timeLaunches: what ran and its time.
struct LaunchTime {
  /// The kernel and its role: "syrk (line 1)", "syrk (line 2)",
  /// "ns_line3 (line 3)", "aol_rowsum", "ns_small"...
  std::string kernel;
  double ms = 0;
};

/// Work buffers of a call (A, B, two X, row sums), reusable across calls of
/// the same or smaller shape so that timing loops do not allocate.
class Workspace {
public:
  /// Makes sure the buffers fit `plan` (allocating only when they do not).
  rt::Status reserve(const Plan &plan);
  CUdeviceptr a() const { return a_.ptr(); }
  CUdeviceptr b() const { return b_.ptr(); }
  CUdeviceptr x1() const { return x1_.ptr(); }
  CUdeviceptr x2() const { return x2_.ptr(); }
  CUdeviceptr rows() const { return r_.ptr(); }
  /// Makes sure syrk's stream-K buffers hold `partialBytes` of partial
  /// tiles and `slots` flags; flags are zero when (re)allocated, and every
  /// launch leaves them zero.
  rt::Status reserveStreamK(int64_t partialBytes, int64_t slots);
  CUdeviceptr partials() const { return partials_.ptr(); }
  CUdeviceptr flags() const { return flags_.ptr(); }
  /// The (a, b, c) of every step of `variant` as f32 in device memory, for
  /// small.mlir. Every variant's table is copied (synchronously) on first
  /// use and never rewritten.
  rt::Expected<CUdeviceptr> coefficients(Variant variant);

private:
  rt::DeviceBuffer a_, b_, x1_, x2_, r_, coef_, partials_, flags_;
  bool coefReady_ = false;
};

/// Largest Gram side Options::quality accepts (host Jacobi is O(m^3)).
inline constexpr int64_t kMaxQualitySide = 1024;

/// What a call reports (launch count, target, the optional quality).
struct CallInfo {
  int launches = 0;
  std::string target;
  /// The config of line 1, 2 and 3 ("BLOCK=64,... (tuned)" or "(default)");
  /// for a one-launch call, small.mlir's config in the first.
  std::array<std::string, 3> lineConfigs;
  std::optional<Quality> quality;
  /// With Options::timeLaunches, every launch in order; else empty.
  std::vector<LaunchTime> launchTimes;
};

/// Orthogonalizes `input` (bf16, [batch, rows, cols] row-major) into
/// `output` (same shape; must not alias `input`). Tall matrices (rows >
/// cols) are handled by the transposed formulation through strides, without
/// a transpose copy. The current CUDA
/// context must be the device's primary context (as tessel::rt::Context
/// sets). The call's kernels run on `stream` only: order it after whatever
/// produced `input` (a copy on the legacy default stream does not order a
/// non-blocking stream). A zero matrix gives zeros; NaN or Inf in the input
/// give NaN out.
/// With `workspace` null, buffers are allocated for the call and freed after
/// it (the call then waits for its kernels); with a workspace, the call only
/// enqueues its kernels on `stream` and returns.
rt::Status orthogonalize(CUdeviceptr input, CUdeviceptr output, Shape shape,
                         const Options &options, CUstream stream,
                         CallInfo *info = nullptr,
                         Workspace *workspace = nullptr);

} // namespace tessel::ns

#endif // TESSEL_NS_ORTHOGONALIZE_H
