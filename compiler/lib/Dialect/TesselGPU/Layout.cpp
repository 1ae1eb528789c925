//===- Layout.cpp - thread layouts of tiles as pure functions -------------===//
//
// The (thread, register) -> coordinates maps of blocked, mma and slice
// layouts. No MLIR here: the lowering and the exhaustive tests share it.
//
//===----------------------------------------------------------------------===//
#include "tessel/Dialect/TesselGPU/Layout.h"

#include <algorithm>
#include <cassert>
#include <sstream>

namespace tessel::layout {

bool isPowerOf2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

Layout Layout::blocked(std::vector<unsigned> spt, std::vector<unsigned> tpw,
                       std::vector<unsigned> wpc, std::vector<unsigned> order) {
  Layout l;
  l.kind = Kind::Blocked;
  l.sizePerThread = std::move(spt);
  l.threadsPerWarp = std::move(tpw);
  l.warpsPerCTA = std::move(wpc);
  l.order = std::move(order);
  return l;
}

Layout Layout::mma(unsigned warpsM, unsigned warpsN) {
  Layout l;
  l.kind = Kind::Mma;
  l.warpsPerCTA = {warpsM, warpsN};
  return l;
}

Layout Layout::slice(unsigned dim, Layout parent) {
  Layout l;
  l.kind = Kind::Slice;
  l.sliceDim = dim;
  l.parent = std::make_shared<Layout>(std::move(parent));
  return l;
}

int64_t Layout::numThreads() const {
  if (kind == Kind::Slice)
    return parent->numThreads();
  int64_t warps = 1;
  for (unsigned w : warpsPerCTA)
    warps *= w;
  return warps * kWarpSize;
}

unsigned Layout::rank() const {
  switch (kind) {
  case Kind::Blocked:
    return (unsigned)order.size();
  case Kind::Mma:
    return 2;
  case Kind::Slice:
    return parent->rank() - 1;
  }
  return 0;
}

bool Layout::operator==(const Layout &o) const {
  if (kind != o.kind)
    return false;
  if (kind == Kind::Slice)
    return sliceDim == o.sliceDim && *parent == *o.parent;
  return sizePerThread == o.sizePerThread &&
         threadsPerWarp == o.threadsPerWarp && warpsPerCTA == o.warpsPerCTA &&
         order == o.order;
}

static std::string join(const std::vector<unsigned> &v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i)
    os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

std::string Layout::str() const {
  switch (kind) {
  case Kind::Blocked:
    return "blocked<spt=" + join(sizePerThread) +
           " tpw=" + join(threadsPerWarp) + " wpc=" + join(warpsPerCTA) +
           " order=" + join(order) + ">";
  case Kind::Mma:
    return "mma<v2 warps=" + join(warpsPerCTA) + ">";
  case Kind::Slice:
    return "slice<" + std::to_string(sliceDim) + ", " + parent->str() + ">";
  }
  return "?";
}

int64_t LayoutMap::threadOffset(int64_t thread, unsigned dim) const {
  int64_t lane = thread % kWarpSize, warp = thread / kWarpSize, off = 0;
  for (const ThreadTerm &t : threadTerms[dim])
    off += ((t.warp ? warp : lane) / t.div) % t.mod * t.mul;
  return off;
}

std::vector<int64_t> LayoutMap::coords(int64_t thread, int64_t reg) const {
  std::vector<int64_t> c(shape.size());
  for (unsigned d = 0; d < shape.size(); ++d)
    c[d] = (threadOffset(thread, d) + regOffsets[reg][d]) & (shape[d] - 1);
  return c;
}

bool LayoutMap::wraps(unsigned dim) const {
  int64_t maxThread = 0, maxReg = 0;
  for (const ThreadTerm &t : threadTerms[dim])
    maxThread += (t.mod - 1) * t.mul;
  for (const auto &r : regOffsets)
    maxReg = std::max(maxReg, r[dim]);
  return maxThread + maxReg >= shape[dim];
}

static LayoutMap applyBlocked(const Layout &l,
                              const std::vector<int64_t> &shape) {
  unsigned rank = (unsigned)shape.size();
  LayoutMap m;
  m.shape = shape;
  m.threadTerms.resize(rank);
  int64_t laneStride = 1, warpStride = 1;
  std::vector<int64_t> perDim(rank), ctaTile(rank);
  for (unsigned k = 0; k < rank; ++k) {
    unsigned d = l.order[k];
    int64_t spt = l.sizePerThread[d], tpw = l.threadsPerWarp[d],
            wpc = l.warpsPerCTA[d];
    if (tpw > 1)
      m.threadTerms[d].push_back({false, laneStride, tpw, spt});
    if (wpc > 1)
      m.threadTerms[d].push_back({true, warpStride, wpc, spt * tpw});
    laneStride *= tpw;
    warpStride *= wpc;
    ctaTile[d] = spt * tpw * wpc;
    perDim[d] = spt * std::max<int64_t>(1, shape[d] / ctaTile[d]);
  }
  int64_t numRegs = 1;
  for (int64_t n : perDim)
    numRegs *= n;
  m.regOffsets.assign(numRegs, std::vector<int64_t>(rank));
  for (int64_t r = 0; r < numRegs; ++r) {
    int64_t rest = r;
    for (unsigned k = 0; k < rank; ++k) {
      unsigned d = l.order[k];
      int64_t e = rest % perDim[d];
      rest /= perDim[d];
      int64_t spt = l.sizePerThread[d];
      m.regOffsets[r][d] = (e / spt) * ctaTile[d] + e % spt;
    }
  }
  return m;
}

static LayoutMap applyMma(const Layout &l, const std::vector<int64_t> &shape) {
  int64_t wm = l.warpsPerCTA[0], wn = l.warpsPerCTA[1];
  LayoutMap m;
  m.shape = shape;
  m.threadTerms.resize(2);
  // Row: lane / 4 within the 16-row block, warp row index (w / wn) % wm.
  m.threadTerms[0].push_back({false, 4, 8, 1});
  if (wm > 1)
    m.threadTerms[0].push_back({true, wn, wm, 16});
  // Column: 2 * (lane % 4) within the 8-column block, warp column w % wn.
  m.threadTerms[1].push_back({false, 1, 4, 2});
  if (wn > 1)
    m.threadTerms[1].push_back({true, 1, wn, 8});
  int64_t repM = std::max<int64_t>(1, shape[0] / (16 * wm));
  int64_t repN = std::max<int64_t>(1, shape[1] / (8 * wn));
  for (int64_t im = 0; im < repM; ++im)
    for (int64_t in = 0; in < repN; ++in)
      for (int64_t c = 0; c < 4; ++c)
        m.regOffsets.push_back(
            {im * 16 * wm + 8 * (c >> 1), in * 8 * wn + (c & 1)});
  return m;
}

LayoutMap applyLayout(const Layout &l, const std::vector<int64_t> &shape) {
  assert(shape.size() == l.rank() && "layout rank differs from the tile's");
  switch (l.kind) {
  case Layout::Kind::Blocked:
    return applyBlocked(l, shape);
  case Layout::Kind::Mma:
    return applyMma(l, shape);
  case Layout::Kind::Slice: {
    std::vector<int64_t> parentShape = shape;
    parentShape.insert(parentShape.begin() + l.sliceDim, 1);
    LayoutMap p = applyLayout(*l.parent, parentShape);
    p.shape = shape;
    p.threadTerms.erase(p.threadTerms.begin() + l.sliceDim);
    for (auto &r : p.regOffsets)
      r.erase(r.begin() + l.sliceDim);
    return p;
  }
  }
  return {};
}

Layout defaultBlocked(const std::vector<int64_t> &shape, int64_t elemBytes,
                      int64_t numWarps) {
  unsigned rank = (unsigned)shape.size();
  std::vector<unsigned> spt(rank, 1), tpw(rank, 1), wpc(rank, 1), order(rank);
  for (unsigned k = 0; k < rank; ++k)
    order[k] = rank - 1 - k;
  unsigned last = rank - 1;
  int64_t vec = std::max<int64_t>(1, 16 / std::max<int64_t>(1, elemBytes));
  spt[last] = (unsigned)std::min<int64_t>(vec, shape[last]);
  int64_t lanes = kWarpSize;
  for (unsigned k = 0; k < rank; ++k) {
    unsigned d = order[k];
    int64_t avail = std::max<int64_t>(1, shape[d] / spt[d]);
    int64_t t = std::min(lanes, avail);
    tpw[d] = (unsigned)t;
    lanes /= t;
  }
  tpw[order[0]] *= (unsigned)lanes; // leftover lanes replicate
  int64_t warps = numWarps;
  for (unsigned d = 0; d < rank; ++d) {
    int64_t avail = std::max<int64_t>(1, shape[d] / (spt[d] * tpw[d]));
    int64_t w = std::min(warps, avail);
    wpc[d] = (unsigned)w;
    warps /= w;
  }
  wpc[0] *= (unsigned)warps;
  return Layout::blocked(spt, tpw, wpc, order);
}

Layout defaultMma(int64_t m, int64_t n, int64_t numWarps) {
  int64_t wm = 1, wn = 1;
  while (wm * wn < numWarps) {
    bool canM = m / (16 * wm * 2) >= 1, canN = n / (8 * wn * 2) >= 1;
    if (canM && (m / wm >= n / wn || !canN))
      wm *= 2;
    else if (canN)
      wn *= 2;
    else
      wm *= 2; // more warps than fragments: they replicate
  }
  return Layout::mma((unsigned)wm, (unsigned)wn);
}

} // namespace tessel::layout
