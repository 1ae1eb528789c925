//===- Layout.h - thread layouts of tiles as pure functions ------*- C++
//-*-===//
//
// A layout says which (thread, register) holds which element of a tile. These
// are the maths behind #tessel_gpu.blocked / mma / slice, kept free of MLIR so
// they can be tested exhaustively on the CPU (every thread, every register).
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_DIALECT_TESSELGPU_LAYOUT_H
#define TESSEL_DIALECT_TESSELGPU_LAYOUT_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tessel::layout {

/// Threads per warp on every NVIDIA target.
constexpr int64_t kWarpSize = 32;

/// One layout, independent of the tile shape it is applied to.
struct Layout {
  enum class Kind { Blocked, Mma, Slice };
  Kind kind = Kind::Blocked;
  // Blocked: per dimension; `order` lists dimensions fastest first.
  std::vector<unsigned> sizePerThread, threadsPerWarp, warpsPerCTA, order;
  // Mma (version 2, m16n8 fragments): warpsPerCTA = [wm, wn] above.
  // Slice: `parent` with dimension `sliceDim` removed.
  unsigned sliceDim = 0;
  std::shared_ptr<Layout> parent;

  static Layout blocked(std::vector<unsigned> spt, std::vector<unsigned> tpw,
                        std::vector<unsigned> wpc, std::vector<unsigned> order);
  static Layout mma(unsigned warpsM, unsigned warpsN);
  static Layout slice(unsigned dim, Layout parent);

  /// Threads of the CTA this layout is written for.
  int64_t numThreads() const;
  /// Rank of the tiles it applies to.
  unsigned rank() const;
  bool operator==(const Layout &other) const;
  std::string str() const;
};

/// One term of a thread's offset along a dimension:
/// `((warp ? warpId : laneId) / div) % mod * mul`.
struct ThreadTerm {
  bool warp;
  int64_t div, mod, mul;
};

/// A layout applied to a static shape: element coordinates are
/// `(threadOffset(t)[d] + regOffset[r][d]) mod shape[d]` (shapes are powers
/// of two, so the mod is a mask; it replicates tiles smaller than the layout).
struct LayoutMap {
  std::vector<int64_t> shape;
  std::vector<std::vector<ThreadTerm>> threadTerms; // [dim]
  std::vector<std::vector<int64_t>> regOffsets;     // [reg][dim]

  int64_t numRegs() const { return (int64_t)regOffsets.size(); }
  int64_t threadOffset(int64_t thread, unsigned dim) const;
  std::vector<int64_t> coords(int64_t thread, int64_t reg) const;
  /// Whether threadOffset + regOffset can reach shape[dim] (needs the mask).
  bool wraps(unsigned dim) const;
};

/// Applies `layout` to `shape`; shapes must be static powers of two.
LayoutMap applyLayout(const Layout &layout, const std::vector<int64_t> &shape);

/// The blocked layout Tessel picks for a tile: row-major, each thread holding
/// up to 16 bytes contiguous along the last dimension.
Layout defaultBlocked(const std::vector<int64_t> &shape, int64_t elemBytes,
                      int64_t numWarps);

/// The warps of an mma.sync accumulator for an M×N tile: split the larger
/// per-warp extent until all warps are placed.
Layout defaultMma(int64_t m, int64_t n, int64_t numWarps);

bool isPowerOf2(int64_t v);

} // namespace tessel::layout

#endif // TESSEL_DIALECT_TESSELGPU_LAYOUT_H
