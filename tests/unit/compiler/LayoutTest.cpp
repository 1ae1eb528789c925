//===- LayoutTest.cpp - exhaustive tests of the thread layouts ------------===//
//
// Every (thread, register) of blocked, mma and slice layouts over many shapes,
// checked against coverage properties and against the mappings re-derived
// here from their definitions (Triton's blocked layout, the PTX ISA fragment
// of mma.m16n8k16), in the CuTe style: no GPU, no MLIR.
//
//===----------------------------------------------------------------------===//
#include "tessel/Dialect/TesselGPU/Layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

using tessel::layout::applyLayout;
using tessel::layout::defaultBlocked;
using tessel::layout::defaultMma;
using tessel::layout::isPowerOf2;
using tessel::layout::kWarpSize;
using tessel::layout::Layout;
using tessel::layout::LayoutMap;

namespace {

using Shape = std::vector<int64_t>;
using U = std::vector<unsigned>;

std::string str(const Shape &s) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < s.size(); ++i)
    os << (i ? "x" : "") << s[i];
  os << "]";
  return os.str();
}

int64_t product(const Shape &s) {
  int64_t p = 1;
  for (int64_t v : s)
    p *= v;
  return p;
}

unsigned product(const U &v) {
  unsigned p = 1;
  for (unsigned x : v)
    p *= x;
  return p;
}

/// Row-major linear index of `c` in `shape`.
int64_t linear(const std::vector<int64_t> &c, const Shape &shape) {
  int64_t idx = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    idx = idx * shape[d] + c[d];
  return idx;
}

/// How many (thread, register) pairs hold each element; fails on coordinates
/// outside the shape.
::testing::AssertionResult countHolders(const Layout &l, const Shape &shape,
                                        std::vector<int64_t> &counts) {
  LayoutMap m = applyLayout(l, shape);
  counts.assign(product(shape), 0);
  for (int64_t t = 0; t < l.numThreads(); ++t)
    for (int64_t r = 0; r < m.numRegs(); ++r) {
      auto c = m.coords(t, r);
      if (c.size() != shape.size())
        return ::testing::AssertionFailure() << "rank of coords " << c.size();
      for (size_t d = 0; d < shape.size(); ++d)
        if (c[d] < 0 || c[d] >= shape[d])
          return ::testing::AssertionFailure()
                 << l.str() << " on " << str(shape) << ": thread " << t
                 << " reg " << r << " dim " << d << " = " << c[d];
      ++counts[linear(c, shape)];
    }
  return ::testing::AssertionSuccess();
}

/// Every element held exactly `times` times (or, with times = 0, the same
/// positive number of times).
::testing::AssertionResult coversEvenly(const Layout &l, const Shape &shape,
                                        int64_t times = 0) {
  std::vector<int64_t> counts;
  if (auto r = countHolders(l, shape, counts); !r)
    return r;
  int64_t want = times ? times : counts[0];
  if (want <= 0)
    return ::testing::AssertionFailure()
           << l.str() << " on " << str(shape) << ": element 0 is not held";
  for (size_t i = 0; i < counts.size(); ++i)
    if (counts[i] != want)
      return ::testing::AssertionFailure()
             << l.str() << " on " << str(shape) << ": element " << i << " held "
             << counts[i] << " times, element 0 " << want << " times (want "
             << times << ")";
  return ::testing::AssertionSuccess();
}

/// Every way to write `total` (a power of two) as an ordered product of
/// `rank` powers of two.
std::vector<U> pow2Splits(unsigned total, unsigned rank) {
  std::vector<U> out;
  if (rank == 1)
    return {U{total}};
  for (unsigned first = 1; first <= total; first *= 2)
    for (U rest : pow2Splits(total / first, rank - 1)) {
      rest.insert(rest.begin(), first);
      out.push_back(rest);
    }
  return out;
}

std::vector<U> permutations(unsigned rank) {
  U p(rank);
  for (unsigned i = 0; i < rank; ++i)
    p[i] = i;
  std::vector<U> out;
  do
    out.push_back(p);
  while (std::next_permutation(p.begin(), p.end()));
  return out;
}

/// Triton's blocked layout, from its definition: lanes and warps are split
/// over the dimensions fastest-first in `order`; each thread holds
/// sizePerThread contiguous elements; the CTA tile repeats over larger shapes
/// (registers enumerate the repetitions fastest-first in `order`) and wraps
/// (mod shape) over smaller ones.
std::vector<int64_t> blockedReference(const Layout &l, const Shape &shape,
                                      int64_t thread, int64_t reg) {
  size_t rank = shape.size();
  int64_t lane = thread % 32, warp = thread / 32;
  std::vector<int64_t> laneIdx(rank), warpIdx(rank), elem(rank), out(rank);
  for (unsigned d : l.order) {
    laneIdx[d] = lane % l.threadsPerWarp[d];
    lane /= l.threadsPerWarp[d];
    warpIdx[d] = warp % l.warpsPerCTA[d];
    warp /= l.warpsPerCTA[d];
  }
  for (unsigned d : l.order) {
    int64_t cta =
        int64_t(l.sizePerThread[d]) * l.threadsPerWarp[d] * l.warpsPerCTA[d];
    int64_t perDim = l.sizePerThread[d] * std::max<int64_t>(1, shape[d] / cta);
    elem[d] = reg % perDim;
    reg /= perDim;
    int64_t spt = l.sizePerThread[d];
    out[d] = ((elem[d] / spt) * cta + warpIdx[d] * spt * l.threadsPerWarp[d] +
              laneIdx[d] * spt + elem[d] % spt) %
             shape[d];
  }
  return out;
}

/// The f32 accumulator fragment of mma.m16n8k16 (PTX ISA, "Matrix Fragments
/// for mma.m16n8k16"): groupID = laneid >> 2, threadID_in_group = laneid % 4,
///   row = groupID + 8 * (i >= 2),  col = 2 * threadID_in_group + (i & 1)
/// for c_i, i in 0..3. Warp w of a wm x wn grid is (w / wn, w % wn) and owns
/// the 16x8 block at (16 * (w / wn), 8 * (w % wn)) of each repetition; the
/// repetitions tile M x N with M-major register order (rep_m, rep_n, i).
std::vector<int64_t> mmaReference(unsigned wm, unsigned wn, int64_t m,
                                  int64_t n, int64_t thread, int64_t reg) {
  int64_t lane = thread % 32, warp = thread / 32;
  int64_t groupID = lane >> 2, threadInGroup = lane % 4;
  int64_t i = reg % 4, rep = reg / 4;
  int64_t repN = std::max<int64_t>(1, n / (8 * wn));
  int64_t repM = rep / repN, repCol = rep % repN;
  int64_t warpRow = (warp / wn) % wm, warpCol = warp % wn;
  int64_t row = repM * 16 * wm + 16 * warpRow + groupID + 8 * (i >= 2);
  int64_t col = repCol * 8 * wn + 8 * warpCol + 2 * threadInGroup + (i & 1);
  return {row % m, col % n};
}

/// Blocked layouts of a rank over the given warp counts: every split of the
/// lanes and warps, every order, and a few sizePerThread.
std::vector<Layout> blockedLayouts(unsigned rank, std::vector<unsigned> warps,
                                   std::vector<U> spts) {
  std::vector<Layout> out;
  for (unsigned w : warps)
    for (const U &tpw : pow2Splits(32, rank))
      for (const U &wpc : pow2Splits(w, rank))
        for (const U &order : permutations(rank))
          for (const U &spt : spts)
            out.push_back(Layout::blocked(spt, tpw, wpc, order));
  return out;
}

std::vector<Shape> shapes2d(std::vector<int64_t> sizes) {
  std::vector<Shape> out;
  for (int64_t a : sizes)
    for (int64_t b : sizes)
      out.push_back({a, b});
  return out;
}

int64_t ctaTile(const Layout &l, unsigned d) {
  return int64_t(l.sizePerThread[d]) * l.threadsPerWarp[d] * l.warpsPerCTA[d];
}

//===----------------------------------------------------------------------===//
// Blocked
//===----------------------------------------------------------------------===//

TEST(BlockedLayout, OneDimensionalCoversEveryElement) {
  for (const Layout &l : blockedLayouts(1, {1, 2, 4, 8}, {{1}, {2}, {4}, {8}}))
    for (int64_t n = 1; n <= 4096; n *= 2) {
      int64_t cta = ctaTile(l, 0);
      EXPECT_TRUE(coversEvenly(l, {n}, n >= cta ? 1 : cta / n));
    }
}

TEST(BlockedLayout, TwoDimensionalCoversEveryElement) {
  auto layouts = blockedLayouts(2, {1, 4}, {{1, 1}, {1, 4}, {4, 2}});
  for (const Layout &l : layouts)
    for (const Shape &s : shapes2d({1, 8, 64})) {
      // Each dimension smaller than the CTA tile replicates by cta/size.
      int64_t times = 1;
      for (unsigned d = 0; d < 2; ++d)
        times *= std::max<int64_t>(1, ctaTile(l, d) / s[d]);
      ASSERT_TRUE(coversEvenly(l, s, times));
    }
}

TEST(BlockedLayout, ThreeDimensionalCoversEveryElement) {
  auto layouts = blockedLayouts(3, {2}, {{1, 1, 1}, {1, 1, 4}});
  for (const Layout &l : layouts)
    for (Shape s : {Shape{1, 1, 1}, Shape{2, 4, 8}, Shape{16, 2, 64}}) {
      int64_t times = 1;
      for (unsigned d = 0; d < 3; ++d)
        times *= std::max<int64_t>(1, ctaTile(l, d) / s[d]);
      ASSERT_TRUE(coversEvenly(l, s, times));
    }
}

TEST(BlockedLayout, MatchesReferenceMapping) {
  auto layouts = blockedLayouts(2, {1, 8}, {{1, 1}, {1, 8}, {2, 2}});
  for (const Layout &l : layouts)
    for (Shape s : {Shape{1, 1}, Shape{2, 16}, Shape{16, 2}, Shape{128, 8},
                    Shape{8, 128}, Shape{64, 64}}) {
      LayoutMap m = applyLayout(l, s);
      ASSERT_EQ(m.shape, s);
      int64_t regs = 1;
      for (unsigned d = 0; d < 2; ++d)
        regs *= l.sizePerThread[d] * std::max<int64_t>(1, s[d] / ctaTile(l, d));
      ASSERT_EQ(m.numRegs(), regs) << l.str() << " on " << str(s);
      for (int64_t t = 0; t < l.numThreads(); ++t)
        for (int64_t r = 0; r < m.numRegs(); ++r)
          ASSERT_EQ(m.coords(t, r), blockedReference(l, s, t, r))
              << l.str() << " on " << str(s) << " thread " << t << " reg " << r;
    }
}

TEST(BlockedLayout, SizePerThreadIsContiguousAlongTheFastestDimension) {
  Layout l = Layout::blocked({2, 4}, {8, 4}, {2, 2}, {1, 0});
  LayoutMap m = applyLayout(l, {64, 64});
  for (int64_t t = 0; t < l.numThreads(); ++t)
    for (int64_t r = 0; r + 1 < m.numRegs(); ++r)
      if ((r + 1) % 4 != 0) {
        auto a = m.coords(t, r), b = m.coords(t, r + 1);
        EXPECT_EQ(a[0], b[0]);
        EXPECT_EQ(a[1] + 1, b[1]) << "thread " << t << " reg " << r;
      }
}

TEST(BlockedLayout, LanesOfAWarpAreConsecutiveAlongOrder) {
  // order = [0, 1]: dimension 0 is fastest, so lanes 0..7 walk down column 0.
  Layout l = Layout::blocked({1, 1}, {8, 4}, {1, 1}, {0, 1});
  LayoutMap m = applyLayout(l, {8, 4});
  for (int64_t lane = 0; lane < 32; ++lane)
    EXPECT_EQ(m.coords(lane, 0), (std::vector<int64_t>{lane % 8, lane / 8}));
}

//===----------------------------------------------------------------------===//
// defaultBlocked
//===----------------------------------------------------------------------===//

TEST(DefaultBlocked, UsesAllLanesAndWarpsWithVectorsAlongTheLastDimension) {
  std::vector<Shape> shapes;
  for (int64_t a = 1; a <= 1024; a *= 2) {
    shapes.push_back({a});
    for (int64_t b = 1; b <= 1024; b *= 4)
      shapes.push_back({a, b});
  }
  for (Shape s : {Shape{1, 1, 1}, Shape{2, 8, 64}, Shape{64, 2, 2},
                  Shape{16, 16, 16}, Shape{1, 4, 256}})
    shapes.push_back(s);
  for (const Shape &s : shapes)
    for (int64_t bytes : {1, 2, 4, 8})
      for (int64_t warps : {1, 2, 4, 8, 16}) {
        SCOPED_TRACE(str(s) + " bytes " + std::to_string(bytes) + " warps " +
                     std::to_string(warps));
        Layout l = defaultBlocked(s, bytes, warps);
        unsigned rank = s.size();
        ASSERT_EQ(l.kind, Layout::Kind::Blocked);
        ASSERT_EQ(l.rank(), rank);
        ASSERT_EQ(l.sizePerThread.size(), rank);
        ASSERT_EQ(l.threadsPerWarp.size(), rank);
        ASSERT_EQ(l.warpsPerCTA.size(), rank);
        EXPECT_EQ(product(l.threadsPerWarp), 32u) << l.str();
        EXPECT_EQ(product(l.warpsPerCTA), unsigned(warps)) << l.str();
        EXPECT_EQ(l.numThreads(), 32 * warps);
        for (unsigned d = 0; d < rank; ++d) {
          EXPECT_TRUE(isPowerOf2(l.sizePerThread[d])) << l.str();
          EXPECT_TRUE(isPowerOf2(l.threadsPerWarp[d])) << l.str();
          EXPECT_TRUE(isPowerOf2(l.warpsPerCTA[d])) << l.str();
          EXPECT_EQ(l.order[d], rank - 1 - d) << l.str(); // row-major
        }
        // 16 bytes per thread along the last dimension, or all of it.
        EXPECT_EQ(l.sizePerThread[rank - 1],
                  std::min<int64_t>(16 / bytes, s[rank - 1]))
            << l.str();
        for (unsigned d = 0; d + 1 < rank; ++d)
          EXPECT_EQ(l.sizePerThread[d], 1u) << l.str();
        // A tile with at least one vector per thread is not replicated
        // (checked over every thread and register where that is cheap).
        if (product(s) > 16384)
          continue;
        if (product(s) >= 32 * warps * int64_t(l.sizePerThread[rank - 1])) {
          EXPECT_TRUE(coversEvenly(l, s, 1));
        } else {
          EXPECT_TRUE(coversEvenly(l, s));
        }
      }
}

TEST(DefaultBlocked, KnownLayouts) {
  EXPECT_EQ(defaultBlocked({1024}, 4, 4), Layout::blocked({4}, {32}, {4}, {0}));
  EXPECT_EQ(defaultBlocked({64, 64}, 4, 4),
            Layout::blocked({1, 4}, {2, 16}, {4, 1}, {1, 0}));
  EXPECT_EQ(defaultBlocked({64, 64}, 2, 4),
            Layout::blocked({1, 8}, {4, 8}, {4, 1}, {1, 0}));
  EXPECT_EQ(defaultBlocked({32, 128}, 4, 4),
            Layout::blocked({1, 4}, {1, 32}, {4, 1}, {1, 0}));
  // Fewer elements than lanes: the leftover lanes replicate the fastest dim.
  EXPECT_EQ(defaultBlocked({8}, 4, 1), Layout::blocked({4}, {32}, {1}, {0}));
}

//===----------------------------------------------------------------------===//
// Mma (version 2, m16n8k16 accumulators)
//===----------------------------------------------------------------------===//

TEST(MmaLayout, MatchesThePtxAccumulatorFragment) {
  for (unsigned wm = 1; wm <= 8; wm *= 2)
    for (unsigned wn = 1; wn <= 8; wn *= 2) {
      if (wm * wn > 16)
        continue;
      Layout l = Layout::mma(wm, wn);
      ASSERT_EQ(l.numThreads(), int64_t(32 * wm * wn));
      ASSERT_EQ(l.rank(), 2u);
      for (int64_t m = 16; m <= 128; m *= 2)
        for (int64_t n = 8; n <= 128; n *= 2) {
          LayoutMap map = applyLayout(l, {m, n});
          int64_t repM = std::max<int64_t>(1, m / (16 * wm));
          int64_t repN = std::max<int64_t>(1, n / (8 * wn));
          ASSERT_EQ(map.numRegs(), repM * repN * 4)
              << l.str() << " " << m << "x" << n;
          for (int64_t t = 0; t < l.numThreads(); ++t)
            for (int64_t r = 0; r < map.numRegs(); ++r)
              ASSERT_EQ(map.coords(t, r), mmaReference(wm, wn, m, n, t, r))
                  << l.str() << " on " << m << "x" << n << " thread " << t
                  << " reg " << r;
        }
    }
}

TEST(MmaLayout, CoversEveryElement) {
  for (unsigned wm = 1; wm <= 8; wm *= 2)
    for (unsigned wn = 1; wn <= 8; wn *= 2) {
      if (wm * wn > 16)
        continue;
      Layout l = Layout::mma(wm, wn);
      for (int64_t m = 16; m <= 128; m *= 2)
        for (int64_t n = 8; n <= 128; n *= 2) {
          // Tiles smaller than the warps' 16x8 blocks are replicated.
          int64_t times = std::max<int64_t>(1, 16 * wm / m) *
                          std::max<int64_t>(1, 8 * wn / n);
          ASSERT_TRUE(coversEvenly(l, {m, n}, times));
        }
    }
}

TEST(MmaLayout, LaneZeroOfWarpZeroHoldsTheTopLeftPairs) {
  LayoutMap m = applyLayout(Layout::mma(2, 2), {32, 16});
  EXPECT_EQ(m.coords(0, 0), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(m.coords(0, 1), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(m.coords(0, 2), (std::vector<int64_t>{8, 0}));
  EXPECT_EQ(m.coords(0, 3), (std::vector<int64_t>{8, 1}));
  // Lane 5: groupID 1, threadID_in_group 1.
  EXPECT_EQ(m.coords(5, 0), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(m.coords(5, 3), (std::vector<int64_t>{9, 3}));
  // Warp 1 is (0, 1): columns 8..15; warp 2 is (1, 0): rows 16..31.
  EXPECT_EQ(m.coords(32, 0), (std::vector<int64_t>{0, 8}));
  EXPECT_EQ(m.coords(64, 0), (std::vector<int64_t>{16, 0}));
  EXPECT_EQ(m.coords(127, 3), (std::vector<int64_t>{31, 15}));
}

//===----------------------------------------------------------------------===//
// defaultMma
//===----------------------------------------------------------------------===//

TEST(DefaultMma, UsesAllWarpsAndSplitsSensibly) {
  for (int64_t m = 16; m <= 512; m *= 2)
    for (int64_t n = 16; n <= 512; n *= 2)
      for (int64_t warps : {1, 2, 4, 8, 16}) {
        Layout l = defaultMma(m, n, warps);
        SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(n) + " warps " +
                     std::to_string(warps) + ": " + l.str());
        ASSERT_EQ(l.kind, Layout::Kind::Mma);
        ASSERT_EQ(l.warpsPerCTA.size(), 2u);
        unsigned wm = l.warpsPerCTA[0], wn = l.warpsPerCTA[1];
        EXPECT_EQ(int64_t(wm) * wn, warps);
        EXPECT_TRUE(isPowerOf2(wm) && isPowerOf2(wn));
        EXPECT_EQ(l.numThreads(), 32 * warps);
        // Enough 16x8 fragments for every warp: no warp duplicates another.
        if ((m / 16) * (n / 8) >= warps) {
          EXPECT_LE(16 * int64_t(wm), m);
          EXPECT_LE(8 * int64_t(wn), n);
          EXPECT_TRUE(coversEvenly(l, {m, n}, 1));
        } else {
          EXPECT_TRUE(coversEvenly(l, {m, n}));
        }
        // Per-warp tiles are as square as the fragments allow: moving a
        // factor of 2 between wm and wn (keeping whole 16x8 fragments per
        // warp) never makes them more square.
        auto skew = [](int64_t a, int64_t b) {
          return double(std::max(a, b)) / double(std::min(a, b));
        };
        double have = skew(m / wm, n / wn);
        if (wm > 1 && n / (2 * wn) >= 8) {
          EXPECT_LE(have, skew(m / (wm / 2), n / (2 * wn))) << "move to N";
        }
        if (wn > 1 && m / (2 * wm) >= 16) {
          EXPECT_LE(have, skew(m / (2 * wm), n / (wn / 2))) << "move to M";
        }
      }
}

TEST(DefaultMma, KnownSplits) {
  EXPECT_EQ(defaultMma(64, 64, 4), Layout::mma(2, 2));
  EXPECT_EQ(defaultMma(128, 128, 4), Layout::mma(2, 2));
  EXPECT_EQ(defaultMma(128, 64, 8), Layout::mma(4, 2));
  EXPECT_EQ(defaultMma(128, 128, 8), Layout::mma(4, 2));
  EXPECT_EQ(defaultMma(16, 256, 8), Layout::mma(1, 8));
  EXPECT_EQ(defaultMma(256, 16, 4), Layout::mma(4, 1));
  EXPECT_EQ(defaultMma(64, 64, 1), Layout::mma(1, 1));
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// slice(dim, parent) on `shape` must give, for every thread and register, the
/// parent's coordinates on `shape` with a 1 at `dim`, with `dim` dropped.
void expectSliceOfParent(const Layout &parent, unsigned dim, const Shape &s) {
  Layout l = Layout::slice(dim, parent);
  ASSERT_EQ(l.rank(), parent.rank() - 1);
  ASSERT_EQ(l.numThreads(), parent.numThreads());
  Shape ps = s;
  ps.insert(ps.begin() + dim, 1);
  LayoutMap sm = applyLayout(l, s), pm = applyLayout(parent, ps);
  ASSERT_EQ(sm.shape, s);
  ASSERT_EQ(sm.numRegs(), pm.numRegs()) << l.str() << " on " << str(s);
  for (int64_t t = 0; t < l.numThreads(); ++t)
    for (int64_t r = 0; r < sm.numRegs(); ++r) {
      auto want = pm.coords(t, r);
      ASSERT_EQ(want[dim], 0);
      want.erase(want.begin() + dim);
      ASSERT_EQ(sm.coords(t, r), want)
          << l.str() << " on " << str(s) << " thread " << t << " reg " << r;
    }
  EXPECT_TRUE(coversEvenly(l, s));
}

TEST(SliceLayout, EqualsTheParentWithTheDimensionDropped) {
  std::vector<Layout> parents = {Layout::mma(1, 1), Layout::mma(2, 2),
                                 Layout::mma(4, 2), Layout::mma(1, 8)};
  for (const Layout &b : blockedLayouts(2, {4}, {{1, 1}, {2, 4}}))
    parents.push_back(b);
  for (const Layout &p : parents)
    for (unsigned dim = 0; dim < 2; ++dim)
      for (int64_t n : {1, 8, 64, 256})
        expectSliceOfParent(p, dim, {n});
}

TEST(SliceLayout, OfRankThreeAndNested) {
  Layout p3 = Layout::blocked({1, 2, 2}, {2, 4, 4}, {2, 1, 2}, {2, 0, 1});
  for (unsigned dim = 0; dim < 3; ++dim)
    for (Shape s : {Shape{4, 8}, Shape{16, 2}, Shape{1, 64}})
      expectSliceOfParent(p3, dim, s);
  // A slice of a slice is a 1-D layout over the remaining dimension.
  Layout inner = Layout::slice(2, p3);
  for (unsigned dim = 0; dim < 2; ++dim)
    for (int64_t n : {1, 8, 64})
      expectSliceOfParent(inner, dim, {n});
}

//===----------------------------------------------------------------------===//
// wraps
//===----------------------------------------------------------------------===//

/// wraps(d) must say exactly whether an unmasked coordinate reaches shape[d].
void expectWrapsExact(const Layout &l, const Shape &s) {
  LayoutMap m = applyLayout(l, s);
  for (unsigned d = 0; d < s.size(); ++d) {
    bool exceeds = false;
    for (int64_t t = 0; t < l.numThreads() && !exceeds; ++t)
      for (int64_t r = 0; r < m.numRegs() && !exceeds; ++r)
        exceeds = m.threadOffset(t, d) + m.regOffsets[r][d] >= s[d];
    EXPECT_EQ(m.wraps(d), exceeds)
        << l.str() << " on " << str(s) << " dim " << d;
  }
}

TEST(LayoutMap, WrapsExactlyWhenCoordinatesWouldExceedTheShape) {
  for (const Layout &l : blockedLayouts(2, {1, 4}, {{1, 1}, {2, 4}}))
    for (const Shape &s : shapes2d({1, 4, 16, 64}))
      expectWrapsExact(l, s);
  for (unsigned wm : {1u, 2u, 4u})
    for (unsigned wn : {1u, 2u, 4u})
      for (const Shape &s : shapes2d({1, 8, 16, 64, 128})) {
        expectWrapsExact(Layout::mma(wm, wn), s);
        expectWrapsExact(Layout::slice(0, Layout::mma(wm, wn)), {s[1]});
        expectWrapsExact(Layout::slice(1, Layout::mma(wm, wn)), {s[0]});
      }
}

TEST(LayoutMap, WrapsOnKnownCases) {
  Layout l = Layout::blocked({4}, {32}, {4}, {0}); // CTA tile of 512
  EXPECT_FALSE(applyLayout(l, {512}).wraps(0));
  EXPECT_FALSE(applyLayout(l, {4096}).wraps(0));
  EXPECT_TRUE(applyLayout(l, {256}).wraps(0));
  EXPECT_TRUE(applyLayout(Layout::mma(2, 2), {16, 64}).wraps(0));
  EXPECT_FALSE(applyLayout(Layout::mma(2, 2), {16, 64}).wraps(1));
}

//===----------------------------------------------------------------------===//
// str, ==, rank, numThreads, isPowerOf2
//===----------------------------------------------------------------------===//

TEST(Layout, Str) {
  EXPECT_EQ(Layout::blocked({1, 4}, {4, 8}, {4, 1}, {1, 0}).str(),
            "blocked<spt=[1, 4] tpw=[4, 8] wpc=[4, 1] order=[1, 0]>");
  EXPECT_EQ(Layout::blocked({4}, {32}, {2}, {0}).str(),
            "blocked<spt=[4] tpw=[32] wpc=[2] order=[0]>");
  EXPECT_EQ(Layout::mma(2, 4).str(), "mma<v2 warps=[2, 4]>");
  EXPECT_EQ(Layout::slice(1, Layout::mma(2, 2)).str(),
            "slice<1, mma<v2 warps=[2, 2]>>");
  EXPECT_EQ(
      Layout::slice(0, Layout::slice(2, Layout::blocked({1, 1, 1}, {2, 2, 8},
                                                        {1, 1, 1}, {2, 1, 0})))
          .str(),
      "slice<0, slice<2, blocked<spt=[1, 1, 1] tpw=[2, 2, 8] wpc=[1, 1, 1] "
      "order=[2, 1, 0]>>>");
}

TEST(Layout, Equality) {
  Layout b = Layout::blocked({1, 4}, {4, 8}, {4, 1}, {1, 0});
  EXPECT_EQ(b, Layout::blocked({1, 4}, {4, 8}, {4, 1}, {1, 0}));
  EXPECT_FALSE(b == Layout::blocked({1, 2}, {4, 8}, {4, 1}, {1, 0}));
  EXPECT_FALSE(b == Layout::blocked({1, 4}, {8, 4}, {4, 1}, {1, 0}));
  EXPECT_FALSE(b == Layout::blocked({1, 4}, {4, 8}, {2, 2}, {1, 0}));
  EXPECT_FALSE(b == Layout::blocked({1, 4}, {4, 8}, {4, 1}, {0, 1}));

  Layout m = Layout::mma(2, 2);
  EXPECT_EQ(m, Layout::mma(2, 2));
  EXPECT_FALSE(m == Layout::mma(4, 1));
  EXPECT_FALSE(m == Layout::mma(1, 4));
  // Same warpsPerCTA, different kinds.
  EXPECT_FALSE(m == Layout::blocked({}, {}, {2, 2}, {}));
  EXPECT_FALSE(Layout::blocked({}, {}, {2, 2}, {}) == m);

  Layout s = Layout::slice(1, m);
  EXPECT_EQ(s, Layout::slice(1, Layout::mma(2, 2)));
  EXPECT_FALSE(s == Layout::slice(0, m));
  EXPECT_FALSE(s == Layout::slice(1, Layout::mma(4, 1)));
  EXPECT_FALSE(s == Layout::slice(1, b));
  EXPECT_FALSE(s == m);
  EXPECT_FALSE(m == s);
}

TEST(Layout, RankAndThreads) {
  EXPECT_EQ(Layout::blocked({1}, {32}, {8}, {0}).rank(), 1u);
  EXPECT_EQ(Layout::blocked({1}, {32}, {8}, {0}).numThreads(), 256);
  EXPECT_EQ(Layout::blocked({1, 1, 1}, {2, 2, 8}, {2, 1, 2}, {2, 1, 0}).rank(),
            3u);
  EXPECT_EQ(Layout::mma(4, 2).rank(), 2u);
  EXPECT_EQ(Layout::mma(4, 2).numThreads(), 256);
  EXPECT_EQ(Layout::slice(0, Layout::mma(4, 2)).rank(), 1u);
  EXPECT_EQ(Layout::slice(0, Layout::mma(4, 2)).numThreads(), 256);
  EXPECT_EQ(kWarpSize, 32);
}

TEST(Layout, IsPowerOf2) {
  for (int64_t v = 1; v <= (int64_t(1) << 40); v *= 2) {
    EXPECT_TRUE(isPowerOf2(v));
    if (v > 2) {
      EXPECT_FALSE(isPowerOf2(v + 1));
      EXPECT_FALSE(isPowerOf2(v - 1));
    }
  }
  EXPECT_FALSE(isPowerOf2(0));
  EXPECT_FALSE(isPowerOf2(-4));
  EXPECT_FALSE(isPowerOf2(48));
}

} // namespace
