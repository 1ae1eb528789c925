//===- LaunchShapes.cpp - NS kernels' grids and untuned configs -----------===//
//
// What a launch of the NS lines looks like before any tuning: syrk's
// triangular grid, line 3's, and the TMA lines' default tiles. Kept apart
// from the tuner so the CPU tests need no compiler.
//
//===----------------------------------------------------------------------===//
#include "Tuning.h"

#include <algorithm>

namespace tessel::ns {

bool tmaFits(const std::string &target, const Plan &plan) {
  return target == "sm_90a" && plan.m % 8 == 0 && plan.n % 8 == 0;
}

/// Rounds of `sms` programs for syrk's 128-row tiles of `blockN` columns.
static int64_t syrkRounds(int64_t m, int64_t batch, int sms, int64_t blockN,
                          bool pairs) {
  int64_t tiles = (int64_t)syrkGrid(m, 128, blockN, 1, 1, pairs).x * batch;
  return (tiles + sms - 1) / sms;
}

bool pairedSyrkTiles(int64_t m, int64_t batch, int sms) {
  return sms > 0 && syrkRounds(m, batch, sms, 256, true) <
                        syrkRounds(m, batch, sms, 256, false);
}

bool wideSyrkTiles(int64_t m, int64_t batch, int sms) {
  if (m <= 1024 || sms <= 0)
    return false;
  const int64_t wide =
      syrkRounds(m, batch, sms, 256, pairedSyrkTiles(m, batch, sms));
  return wide * 16 < syrkRounds(m, batch, sms, 128, false) * 10;
}

std::vector<int64_t> keyShape(TunedLine line, const Plan &plan) {
  return {plan.shape.batch, plan.m, line == TunedLine::Line2 ? plan.m : plan.n};
}

bool takesRecord(const tune::Found &found, TunedLine line, const Plan &plan,
                 bool tma) {
  if (found.exact || !tma)
    return true;
  return tune::shapeBucket(found.shape) ==
         tune::shapeBucket(keyShape(line, plan));
}

tune::Config tmaDefaultConfig(TunedLine line, const Plan &plan, int sms,
                              int64_t l2Bytes) {
  const bool small = plan.m <= 512;
  if (line != TunedLine::Line3) {
    const bool wide = wideSyrkTiles(plan.m, plan.shape.batch, sms);
    const bool pairs = wide && pairedSyrkTiles(plan.m, plan.shape.batch, sms);
    return {{"BLOCK", small ? 64 : 128},
            {"BLOCK_N", small  ? 64
                        : wide ? 256
                               : 128},
            {"BLOCK_K", 64},
            {"NUM_STAGES", 4},
            {"X_LAYOUT", 2},
            {"COLUMN_PAIRS", pairs ? 2 : 1},
            {"num_warps", small ? 4 : 8}};
  }
  const bool bOverL2 = l2Bytes > 0 && plan.m * plan.m * 2 > l2Bytes;
  return {{"BLOCK_M", small ? 64 : 128},
          {"BLOCK_N", small ? 128 : 256},
          {"BLOCK_K", 64},
          {"NUM_STAGES", 4},
          {"X_LAYOUT", 2},
          {"GROUP_M", bOverL2 ? 16 : 1},
          {"num_warps", small ? 4 : 8}};
}

/// `x` rounded up to a multiple of `cluster`.
static int64_t roundUp(int64_t x, int64_t cluster) {
  return (x + cluster - 1) / cluster * cluster;
}

rt::Grid syrkGrid(int64_t m, int64_t block, int64_t blockN, int64_t batch,
                  int64_t cluster, bool pairs) {
  const int64_t w = blockN / block;
  const int64_t t = (m + block - 1) / block, u = (m + blockN - 1) / blockN;
  int64_t tiles = w * (u - 1) * u / 2 + std::min(w * u, t);
  if (pairs && w == 2) {
    // H^2 tiles in column-pair groups, then row Te - 1's (none where that
    // row is past m: T odd).
    const int64_t h = (t + 1) / 2;
    tiles = h * h + (t % 2 == 0 ? (h + 1) / 2 : 0);
  }
  return rt::Grid{(unsigned)roundUp(tiles, cluster), 1, (unsigned)batch};
}

bool columnPairs(const std::map<std::string, int64_t> &knobs) {
  auto pairs = knobs.find("COLUMN_PAIRS");
  return pairs != knobs.end() && pairs->second == 2;
}

int64_t streamKPrograms(int sms, int64_t batch) {
  return std::max<int64_t>(1, sms / std::max<int64_t>(1, batch));
}

bool streamK(const std::map<std::string, int64_t> &knobs) {
  auto schedule = knobs.find("SCHEDULE");
  return schedule != knobs.end() && schedule->second == 2;
}

rt::Grid syrkGridFor(int64_t m, const std::map<std::string, int64_t> &knobs,
                     int64_t batch, int64_t cluster, int sms) {
  if (streamK(knobs))
    return rt::Grid{(unsigned)streamKPrograms(sms, batch), 1, (unsigned)batch};
  return syrkGrid(m, knobs.at("BLOCK"), knobs.at("BLOCK_N"), batch, cluster,
                  columnPairs(knobs));
}

int64_t streamKSlots(const rt::Grid &grid) {
  return 2 * (int64_t)grid.x * grid.z;
}

int64_t streamKPartialBytes(const std::map<std::string, int64_t> &knobs,
                            const rt::Grid &grid) {
  if (!streamK(knobs))
    return 0;
  return streamKSlots(grid) * knobs.at("BLOCK") * knobs.at("BLOCK_N") * 4;
}

std::optional<tune::Config> smallConfig(const Plan &plan,
                                        Normalization::Kind norm) {
  if (!fitsOneTile(plan))
    return std::nullopt;
  auto tile = [](int64_t side) {
    int64_t t = 16;
    while (t < side)
      t *= 2;
    return t;
  };
  const int64_t bm = tile(plan.m), bn = tile(plan.n);
  const int64_t side = std::max(bm, bn);
  return tune::Config{{"BLOCK_M", bm},
                      {"BLOCK_N", bn},
                      {"NORM", norm == Normalization::Aol ? 2 : 1},
                      {"num_warps", side >= 128  ? 16
                                    : side == 64 ? 8
                                                 : 4}};
}

rt::Grid line3Grid(int64_t m, int64_t n, int64_t bm, int64_t bn, int64_t batch,
                   int64_t cluster) {
  return rt::Grid{(unsigned)roundUp((m + bm - 1) / bm, cluster),
                  (unsigned)((n + bn - 1) / bn), (unsigned)batch};
}

} // namespace tessel::ns
