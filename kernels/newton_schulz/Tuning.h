//===- Tuning.h - autotuning the NS GEMM kernels per shape and GPU -*- C++ -*-===//
//
// The three GEMM-shaped launches of an NS step, tuned per NS shape: syrk as
// line 1 (A = X X^T from the m x n X), syrk as line 2 (B = a I + b A +
// c A A on the m x m A) and line 3 (X' = B X). Results go to the tuning
// database of the device (tessel/autotune/TuneDB.h), which
// tessel::ns::orthogonalize reads at its first call for a shape.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_NS_TUNING_H
#define TESSEL_NS_TUNING_H

#include "NewtonSchulz.h"

#include "tessel/autotune/Tuner.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Module.h"

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessel::ns {

/// The tuned launches of an NS step.
enum class TunedLine { Line1, Line2, Line3 };
inline constexpr std::array<TunedLine, 3> kTunedLines = {
    TunedLine::Line1, TunedLine::Line2, TunedLine::Line3};

/// "line1", "line2", "line3".
const char *lineName(TunedLine line);

/// The DSL file ("syrk.mlir" / "line3.mlir"), its text and kernel name.
struct LineKernel {
  const char *file;
  const char *source;
  const char *kernel;
};
LineKernel lineKernel(TunedLine line);

/// True when the lines of `plan` take the TMA path on `target`: sm_90a, and
/// the compact working copies' rows (n and m elements) 16-byte aligned.
bool tmaFits(const std::string &target, const Plan &plan);

/// The TMA lines' config before tuning: m <= 512 takes 64-row tiles on one
/// warpgroup (more programs), larger m 128-row tiles on two and line 3
/// 128 x 256; BLOCK_K 64, 4 stages, X_LAYOUT 2 (row-major X). For m > 1024
/// syrk takes 128 x 256 tiles where they need fewer rounds of `sms` programs
/// (wideSyrkTiles), else 128 x 128; wide tiles of two column blocks apart
/// (COLUMN_PAIRS = 2) where those need fewer rounds than adjacent ones
/// (pairedSyrkTiles). Line 3 takes its tiles in groups of GROUP_M = 16 row
/// blocks (line3.mlir) where B, m x m bf16, is larger than the L2
/// (`l2Bytes`, 0: unknown, no groups): each round of programs would read all
/// of B from memory again.
tune::Config tmaDefaultConfig(TunedLine line, const Plan &plan, int sms,
                              int64_t l2Bytes);

/// Whether 128 x 256 syrk tiles beat 128 x 128 on `sms` SMs for an m x m
/// output: rounds of programs (ceil(tiles / sms), per batch entry; the wide
/// tiles' as pairedSyrkTiles picks) times a tile's time, a wide tile costing
/// 1.6 square ones (twice the work at the 0.94x-of-cuBLAS rate 128 x 256
/// GEMM tiles reach, against 0.75x for 128 x 128: H100,
/// bench/results/gemm-bench-h100.txt).
bool wideSyrkTiles(int64_t m, int64_t batch, int sms);

/// Whether COLUMN_PAIRS = 2 takes fewer rounds of `sms` programs than
/// adjacent column blocks for 128 x 256 syrk tiles (m = 4096: 2 against 3;
/// where the rounds are equal the H100 timed the two within 0.5 %,
/// bench/results/syrk-column-pairs-order-h100.txt).
bool pairedSyrkTiles(int64_t m, int64_t batch, int sms);

/// The shape a line's results are keyed on: {batch, m, n} (line 2:
/// {batch, m, m}).
std::vector<int64_t> keyShape(TunedLine line, const Plan &plan);

/// What the line's results are keyed on for `plan`: kernel and source hash,
/// dtypes "bf16", layout = the line's name (with "+tma" for the TMA form),
/// shape {batch, m, n} (line 2: {batch, m, m}).
tune::ProblemKey problemKey(TunedLine line, const Plan &plan,
                            bool tma = false);

/// Whether a call takes `found` (the database's record for the line's
/// problemKey) over its own default: an exact record always; another
/// shape's record on the masked-load path (whose defaults know no shape);
/// on the TMA path only one from the same power-of-two bucket
/// (tune::shapeBucket), since tmaDefaultConfig is chosen for the shape: a
/// record of 32 x 512^2 (64-row tiles) would give 8192^2 half its speed.
bool takesRecord(const tune::Found &found, TunedLine line, const Plan &plan,
                 bool tma);

/// Grid of syrk on an m x m output with tiles of `block` rows by `blockN`
/// (= block or 2 block) columns: W (U - 1) U / 2 + min(W U, T) tiles reaching
/// the diagonal or above it (W = blockN / block, U = cdiv(m, blockN), T =
/// cdiv(m, block); T (T + 1) / 2 for square tiles), times the batch; x
/// rounded up to a multiple of `cluster` (CLUSTER: programs in pairs). With
/// `pairs` (COLUMN_PAIRS = 2, wide tiles) H^2 + ceil(H / 2) tiles for even
/// T, H^2 for odd (H = ceil(T / 2); syrk.mlir says why).
rt::Grid syrkGrid(int64_t m, int64_t block, int64_t blockN, int64_t batch,
                  int64_t cluster = 1, bool pairs = false);

/// Whether syrk's knobs pick tiles of two column blocks apart
/// (COLUMN_PAIRS = 2).
bool columnPairs(const std::map<std::string, int64_t> &knobs);

/// syrk's programs per batch entry with SCHEDULE = 2 (stream-K): one per
/// SM, split between the batch entries (at least one each), so that every
/// program is resident at once (its finishers wait for later programs).
int64_t streamKPrograms(int sms, int64_t batch);

/// Whether syrk's knobs pick the stream-K schedule (SCHEDULE = 2).
bool streamK(const std::map<std::string, int64_t> &knobs);

/// syrk's grid for a compiled config's knobs (BLOCK, BLOCK_N, SCHEDULE,
/// COLUMN_PAIRS) and cluster size: the triangular grid (syrkGrid) with SCHEDULE
/// = 1, (streamKPrograms, 1, batch) with SCHEDULE = 2.
rt::Grid syrkGridFor(int64_t m, const std::map<std::string, int64_t> &knobs,
                     int64_t batch, int64_t cluster, int sms);

/// syrk's stream-K partial-tile slots (and flags) for a grid: two per
/// program (its own, and at most one per unit of a later chunk).
int64_t streamKSlots(const rt::Grid &grid);

/// Bytes of syrk's stream-K partial tiles (ws: streamKSlots of BLOCK x
/// BLOCK_N fp32) for a grid; 0 with SCHEDULE = 1.
int64_t streamKPartialBytes(const std::map<std::string, int64_t> &knobs,
                            const rt::Grid &grid);

/// The whole run in one launch (small.mlir) takes matrices whose working
/// m x n (after the tall transpose) fits one tile of this side.
inline constexpr int64_t kSmallMaxSide = 128;

/// Whether small.mlir can run `plan`: its working m x n fits one tile.
inline bool fitsOneTile(const Plan &plan) {
  return plan.m <= kSmallMaxSide && plan.n <= kSmallMaxSide;
}

/// Where a default call (SmallPath::Auto) takes the lines for matrices that
/// fit one tile: m above kOneLaunchMaxM (after the tall transpose), the TMA
/// lines (tmaFits), and at least kLinesMinElements in the batch. There the
/// one program per matrix, each on one SM, loses to the 14-17 launches over
/// the GPU every time it was measured. Elsewhere the one launch wins, or
/// the lines win by less, or only when tuned (H100, every variant, tuned
/// and not, bench/results/ns-small-h100.txt; the lines' time over the one
/// launch's: 256 and 512 of 128², 0.67-0.80; 128 of 128², 0.79-0.96 (aol4
/// 0.84 in ns-bench-h100.txt); 1 and 32 of them 1.02-1.34 untuned, 0.56-0.70
/// tuned; 128 of 100², masked-load lines, 1.84-2.25; m = 64, 1.3-5.3).
inline constexpr int64_t kOneLaunchMaxM = 64;
inline constexpr int64_t kLinesMinElements = int64_t(1) << 22;

/// Whether a default call runs `plan` as small.mlir's one launch (never
/// reading the line kernels' tuning); `tmaLines`: whether its lines would be
/// the TMA ones (tmaFits). With tmaLines = true: whether it does on every
/// target.
inline bool oneLaunch(const Plan &plan, bool tmaLines) {
  return fitsOneTile(plan) &&
         !(plan.m > kOneLaunchMaxM && tmaLines &&
           plan.shape.batch * plan.m * plan.n >= kLinesMinElements);
}

/// The same on `target` (its lines are the TMA ones where tmaFits).
inline bool oneLaunch(const std::string &target, const Plan &plan) {
  return oneLaunch(plan, tmaFits(target, plan));
}

/// small.mlir's config for `plan`, or nothing when the matrices do not fit
/// one tile: BLOCK_M and BLOCK_N the powers of two (at least 16, the dot's
/// least) over m and n, NORM 2 for AOL and 1 for the Frobenius variants, and
/// warps by the larger tile side: 16 at 128 (ptxas keeps 128 registers per
/// thread: A, A A and the line-3 accumulator live at once), 8 at 64, else 4.
/// Launched on a (1, 1, batch) grid.
std::optional<tune::Config> smallConfig(const Plan &plan,
                                        Normalization::Kind norm);

/// Grid of line 3: cdiv(m, bm) (rounded up to a multiple of `cluster`) x
/// cdiv(n, bn) x batch.
rt::Grid line3Grid(int64_t m, int64_t n, int64_t bm, int64_t bn, int64_t batch,
                   int64_t cluster = 1);

/// Where tessel::ns takes its configs from when a shape is not in the
/// database yet: `Lookup` uses the kernels' defaults, `Auto` tunes it then
/// and records it (a few seconds, once per shape and GPU), `Off` always
/// uses the defaults without reading the database.
enum class TuneMode { Lookup, Auto, Off };

/// The mode from $TESSEL_TUNE ("lookup", "auto", "off"); Lookup when unset.
/// An unknown value is an error (the message names the valid ones).
rt::Expected<TuneMode> tuneModeFromEnvironment();

/// Tunes `lines` (default: all three) for `shape` on `device` (current
/// context) for `target`, on scratch buffers, within `options.budgetSeconds`
/// for all of them (tune::tuneAll: one queue, the lines' defaults first,
/// compiles shared), records each result in the device's database and
/// returns the records (in the order of `lines`). Where tmaFits, it tunes
/// the TMA form (tile sizes, warps and stages that keep the ring; keyed
/// "+tma"), else the masked-load form with any strides. `progress`
/// (optional) is called after each config of each line.
rt::Expected<std::vector<tune::Record>>
tuneShape(Shape shape, const std::string &target, const rt::DeviceInfo &device,
          CUstream stream, tune::TuneOptions options,
          const std::function<void(TunedLine, const tune::TuneProgress &)>
              &progress = nullptr,
          const std::vector<TunedLine> &lines = {TunedLine::Line1,
                                                 TunedLine::Line2,
                                                 TunedLine::Line3});

} // namespace tessel::ns

#endif // TESSEL_NS_TUNING_H
