//===- Wgmma.h - when a tessel.dot can use Hopper's wgmma ------*- C++ -*-===//
//
// Shared by tessel-assign-layouts (which gives such dots a warpgroup-shaped
// accumulator layout) and the lowering (which then emits wgmma.mma_async):
// one rule, in one place. No MLIR here.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_DIALECT_TESSELGPU_WGMMA_H
#define TESSEL_DIALECT_TESSELGPU_WGMMA_H

#include <cstdint>
#include <string_view>

namespace tessel::layout {

/// Module attribute naming the PTX target a kernel is compiled for; the
/// compile driver sets it. Absent: the rules of sm_80 (no wgmma).
inline constexpr const char *kTargetAttr = "tessel.target";

/// Module unit attribute opting the dots that fit into wgmma (the compile
/// driver sets it for CompileOptions::wgmma).
inline constexpr const char *kWgmmaAttr = "tessel.wgmma";

/// Targets with wgmma (the `a` variant of sm_90: plain sm_90 PTX cannot name
/// it).
inline bool hasWgmma(std::string_view target) { return target == "sm_90a"; }

/// True when an m x k by k x n dot on `numWarps` warps maps onto wgmma:
/// whole warpgroups (numWarps a multiple of 4), each warp owning 16-row
/// slices of the tile (m a multiple of 16 * numWarps), n a multiple of 8 up
/// to 256 (one instruction covers the tile's width), k a multiple of 16.
/// The accumulator layout is then mma with warpsPerCTA = [numWarps, 1], whose
/// registers are exactly wgmma's m64nNk16 fragments, warpgroup by warpgroup.
inline bool wgmmaFits(int64_t m, int64_t n, int64_t k, int64_t numWarps) {
  return numWarps % 4 == 0 && m % (16 * numWarps) == 0 && n % 8 == 0 &&
         n >= 8 && n <= 256 && k % 16 == 0 && k >= 16;
}

} // namespace tessel::layout

#endif // TESSEL_DIALECT_TESSELGPU_WGMMA_H
