// CPU tests of the NS launch shapes: syrk's triangular grid for square and
// wide tiles, and the default choice between them.
#include "Tuning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <vector>

using namespace tessel;
using namespace tessel::ns;

namespace {

/// The tiles syrk.mlir's program ids map to (its float quadratic, replayed
/// in double): (row block i, column block J) per program.
std::vector<std::pair<int64_t, int64_t>> tilesOf(int64_t programs, int64_t w) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t t = 0; t < programs; ++t) {
    int64_t j = (int64_t)((std::sqrt(8.0 * t / w + 1) - 1) / 2);
    auto start = [&](int64_t J) { return w * J * (J + 1) / 2; };
    if (start(j) > t)
      --j;
    if (start(j + 1) <= t)
      ++j;
    out.push_back({t - start(j), j});
  }
  return out;
}

/// A COLUMN_PAIRS = 2 tile: row block r against column blocks c1 and c2.
struct PairTile {
  int64_t r, c1, c2;
};

/// The tiles syrk.mlir's COLUMN_PAIRS = 2 maps program ids to (its float
/// square root and corrections, replayed in float) for T row blocks.
std::vector<PairTile> pairTilesOf(int64_t programs, int64_t t) {
  const int64_t h = (t + 1) / 2, te = 2 * h;
  std::vector<PairTile> out;
  for (int64_t p = 0; p < programs; ++p) {
    if (p >= h * h) {
      const int64_t c1 = 4 * (p - h * h) + 1;
      out.push_back({te - 1, c1, c1 + 2});
      continue;
    }
    int64_t g = (int64_t)((std::sqrt(4.0f * (float)p + 1.0f) - 1.0f) * 0.5f);
    if (g * (g + 1) > p)
      --g;
    if ((g + 1) * (g + 2) <= p)
      ++g;
    const int64_t w = p - g * (g + 1);
    if (w <= g)
      out.push_back({2 * w, 2 * g, 2 * g + 1});
    else
      out.push_back({2 * (w - g - 1) + 1, 2 * g + 1, 2 * g + 2});
  }
  return out;
}

} // namespace

// COLUMN_PAIRS = 2: every block (r, c), r <= c < T, is computed by exactly
// one tile (as (r, c) or mirrored as (c, r)); a tile's blocks past the
// matrix only where T or H is odd; and at m = 4096 the 264 tiles make exactly
// two rounds on 132 SMs, where adjacent pairs need 272.
TEST(SyrkGrid, ColumnPairsCoverEveryBlockOnce) {
  for (int64_t block : {64, 128})
    for (int64_t m : {64, 128, 200, 256, 384, 1000, 2048, 2304, 4096, 8192}) {
      const int64_t t = (m + block - 1) / block;
      const int64_t programs = syrkGrid(m, block, 2 * block, 1, 1, true).x;
      std::map<std::pair<int64_t, int64_t>, int> seen;
      for (const PairTile &p : pairTilesOf(programs, t))
        for (int64_t c : {p.c1, p.c2}) {
          if (p.r >= t || c >= t) {
            // Row T's blocks (T odd), or past Te: odd H's last row-Te - 1
            // tile has one block.
            EXPECT_TRUE(t % 2 == 1 || c >= t + 1)
                << "m " << m << ": block past the matrix";
            continue;
          }
          ++seen[{std::min(p.r, c), std::max(p.r, c)}];
        }
      for (int64_t r = 0; r < t; ++r)
        for (int64_t c = r; c < t; ++c)
          ASSERT_EQ((seen[{r, c}]), 1) << "m " << m << " block " << block
                                       << " (" << r << ", " << c << ")";
      EXPECT_EQ(seen.size(), (size_t)(t * (t + 1) / 2));
    }
  EXPECT_EQ(syrkGrid(4096, 128, 256, 1, 1, true).x, 264u);
  EXPECT_EQ(syrkGrid(4096, 128, 256, 1).x, 272u);
  EXPECT_EQ(syrkGrid(2048, 128, 256, 1, 1, true).x, 68u);
  std::map<std::string, int64_t> knobs = {
      {"BLOCK", 128}, {"BLOCK_N", 256}, {"COLUMN_PAIRS", 2}};
  EXPECT_EQ(syrkGridFor(4096, knobs, 1, 1, 132).x, 264u);
  knobs["COLUMN_PAIRS"] = 1;
  EXPECT_EQ(syrkGridFor(4096, knobs, 1, 1, 132).x, 272u);
}

// Every element on or above the diagonal is in exactly one program's tile,
// and no program's tile starts past the matrix, for square and wide tiles.
TEST(SyrkGrid, CoversTheUpperTriangleOnce) {
  for (int64_t block : {64, 128})
    for (int64_t w : {1, 2})
      for (int64_t m : {1, 100, 128, 129, 256, 300, 1000, 2048, 4096}) {
        const int64_t cols = w * block;
        const int64_t programs = syrkGrid(m, block, cols, 1).x;
        std::set<std::pair<int64_t, int64_t>> seen;
        for (auto [i, J] : tilesOf(programs, w)) {
          ASSERT_LT(i * block, m) << "m " << m << " w " << w;
          ASSERT_LT(J * cols, m) << "m " << m << " w " << w;
          ASSERT_TRUE(seen.insert({i, J}).second) << "tile twice";
        }
        // Each 8 x 8 sample point of the upper triangle is in a tile.
        for (int64_t r = 0; r < m; r += 8)
          for (int64_t c = r; c < m; c += 8)
            ASSERT_TRUE(seen.count({r / block, c / cols}))
                << "m " << m << " w " << w << " (" << r << ", " << c << ")";
      }
}

TEST(SyrkGrid, SquareTilesAreTheTriangleNumber) {
  EXPECT_EQ(syrkGrid(8192, 128, 128, 1).x, 64u * 65 / 2);
  EXPECT_EQ(syrkGrid(8192, 128, 256, 1).x, 32u * 33);
  EXPECT_EQ(syrkGrid(2048, 128, 256, 3).z, 3u);
}

// The default tile shape follows the rounds of programs on 132 SMs: wide
// at 2048 (72 tiles, one round, against two for 136 square ones), 4096
// (column pairs: 264 tiles, 2 rounds, against 4 of square ones; adjacent
// pairs would take 3) and 8192 (8 rounds against 16, column pairs no
// fewer); square for m <= 1024.
TEST(SyrkGrid, WideTilesWhereTheyTakeFewerRounds) {
  EXPECT_TRUE(wideSyrkTiles(2048, 1, 132));
  EXPECT_TRUE(wideSyrkTiles(8192, 1, 132));
  EXPECT_TRUE(wideSyrkTiles(4096, 1, 132));
  EXPECT_FALSE(wideSyrkTiles(1024, 32, 132));
  EXPECT_FALSE(wideSyrkTiles(8192, 1, 0));
  EXPECT_TRUE(pairedSyrkTiles(4096, 1, 132));
  EXPECT_FALSE(pairedSyrkTiles(2048, 1, 132));
  EXPECT_FALSE(pairedSyrkTiles(8192, 1, 132));
  Plan plan;
  plan.m = 8192;
  plan.n = 8192;
  plan.shape.batch = 1;
  tessel::tune::Config c = tmaDefaultConfig(TunedLine::Line1, plan, 132, 0);
  EXPECT_EQ(c.at("BLOCK_N"), 256);
  EXPECT_EQ(c.at("NUM_STAGES"), 4);
  EXPECT_EQ(c.at("COLUMN_PAIRS"), 1);
  plan.m = plan.n = 4096;
  c = tmaDefaultConfig(TunedLine::Line2, plan, 132, 0);
  EXPECT_EQ(c.at("BLOCK_N"), 256);
  EXPECT_EQ(c.at("COLUMN_PAIRS"), 2);
  plan.m = plan.n = 1024;
  EXPECT_EQ(tmaDefaultConfig(TunedLine::Line2, plan, 132, 0).at("BLOCK_N"),
            128);
}

// Line 3 groups its tiles (GROUP_M = 16) only where B (m^2 bf16) is larger
// than the L2: 8192^2 (128 MiB) on a 50 MiB L2, not 4096^2 (32 MiB), not B
// of exactly the L2's size, and not where the L2's size is unknown (0).
TEST(Line3Order, GroupsWhereBIsLargerThanTheL2) {
  Plan plan;
  plan.shape.batch = 1;
  const int64_t l2 = 50 << 20;
  auto groupM = [&](int64_t m, int64_t l2Bytes) {
    plan.m = plan.n = m;
    return tmaDefaultConfig(TunedLine::Line3, plan, 132, l2Bytes).at("GROUP_M");
  };
  EXPECT_EQ(groupM(8192, l2), 16);
  EXPECT_EQ(groupM(8192, 0), 1);
  EXPECT_EQ(groupM(4096, l2), 1);
  EXPECT_EQ(groupM(4096, 4096 * 4096 * 2), 1);
  EXPECT_EQ(groupM(4096, 4096 * 4096 * 2 - 1), 16);
}

// A call takes an exact record, or on the masked-load path any shape's;
// on the TMA path another shape's only from the same power-of-two bucket
// (a 32 x 512^2 record's 64-row tiles are not 8192^2's).
TEST(NSTuning, TakesAnotherShapesRecordOnlyFromItsBucketOnTheTmaPath) {
  Plan plan;
  plan.shape = {1, 8192, 8192};
  plan.m = plan.n = 8192;
  tessel::tune::Found exact{{}, 1.0, true, {1, 8192, 8192}};
  tessel::tune::Found small{{}, 1.0, false, {32, 512, 512}};
  tessel::tune::Found near{{}, 1.0, false, {1, 6144, 8192}};
  for (TunedLine line : kTunedLines) {
    EXPECT_TRUE(takesRecord(exact, line, plan, true));
    EXPECT_FALSE(takesRecord(small, line, plan, true));
    EXPECT_TRUE(takesRecord(small, line, plan, false));
    // 6144 rounds up to 8192: the same bucket (line 2's key is m x m).
    EXPECT_TRUE(takesRecord(near, line, plan, true)) << (int)line;
  }
}

/// small.mlir's config for one shape and variant (the plan must exist).
std::optional<tessel::tune::Config> smallFor(Shape shape, Variant v) {
  std::string why;
  auto plan = makePlan(shape, v, &why);
  EXPECT_TRUE(plan.has_value()) << why;
  return plan ? smallConfig(*plan, normalization(v).kind) : std::nullopt;
}

TEST(SmallConfig, TilesCoverTheWorkingMatrix) {
  auto c = smallFor({128, 128, 128}, Variant::Aol4);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("BLOCK_M"), 128);
  EXPECT_EQ(c->at("BLOCK_N"), 128);
  EXPECT_EQ(c->at("NORM"), 2);
  EXPECT_EQ(c->at("num_warps"), 16);
  // Tall: the working matrix is the transpose (m = 40 rows of n = 100).
  c = smallFor({3, 100, 40}, Variant::Muon5);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("BLOCK_M"), 64);
  EXPECT_EQ(c->at("BLOCK_N"), 128);
  EXPECT_EQ(c->at("NORM"), 1);
  EXPECT_EQ(c->at("num_warps"), 16);
  // The dot's least side is 16.
  c = smallFor({5, 3, 9}, Variant::PolarExpress5);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("BLOCK_M"), 16);
  EXPECT_EQ(c->at("BLOCK_N"), 16);
  EXPECT_EQ(c->at("num_warps"), 4);
  c = smallFor({2, 64, 33}, Variant::Quintic5);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("BLOCK_M"), 64);
  EXPECT_EQ(c->at("BLOCK_N"), 64);
  EXPECT_EQ(c->at("num_warps"), 8);
}

TEST(SmallConfig, NothingPastOneTile) {
  EXPECT_FALSE(smallFor({1, 129, 129}, Variant::Aol4));
  EXPECT_FALSE(smallFor({1, 64, 4096}, Variant::Aol4));
  EXPECT_FALSE(smallFor({1, 4096, 64}, Variant::Aol4));
  EXPECT_TRUE(smallFor({1, 128, 128}, Variant::Aol4));
}

/// Whether a default call takes one launch for `shape` (aol4), on the TMA
/// lines or not.
bool oneLaunchFor(Shape shape, bool tmaLines) {
  auto plan = makePlan(shape, Variant::Aol4);
  EXPECT_TRUE(plan.has_value());
  return plan && oneLaunch(*plan, tmaLines);
}

// A default call takes small.mlir's one launch wherever the matrices fit
// one tile, but for batches of at least kLinesMinElements elements with m
// above kOneLaunchMaxM (after the tall transpose) on the TMA lines: those
// take the lines, where they measured faster. small.mlir still fits them
// (SmallPath::OneLaunch).
TEST(SmallConfig, DefaultOneLaunchBoundaries) {
  for (bool tma : {false, true}) {
    EXPECT_TRUE(oneLaunchFor({1, 64, 64}, tma));
    EXPECT_TRUE(oneLaunchFor({1024, 64, 128}, tma)); // m = 64: any batch
    EXPECT_TRUE(oneLaunchFor({1024, 128, 64}, tma)); // tall: m = 64
    EXPECT_TRUE(oneLaunchFor({128, 128, 128}, tma)); // 2 M elements
    EXPECT_TRUE(oneLaunchFor({255, 128, 128}, tma)); // just under 4 M
    EXPECT_FALSE(oneLaunchFor({1, 64, 129}, tma));   // past one tile
  }
  EXPECT_FALSE(oneLaunchFor({256, 128, 128}, true)); // 4 M elements
  EXPECT_TRUE(oneLaunchFor({256, 128, 128}, false));
  EXPECT_FALSE(oneLaunchFor({4096, 65, 72}, true)); // m = 65
  EXPECT_TRUE(oneLaunchFor({4096, 65, 72}, false));
  EXPECT_TRUE(smallFor({256, 128, 128}, Variant::Aol4));
}

namespace {

/// syrk.mlir's stream-K split (SCHEDULE = 2), replayed: for `programs`
/// programs over `tiles` tiles of `kiters` K iterations, each program's
/// whole tiles first (p, p + programs, ... of the first dp, with tiles /
/// programs - 1 rounds of them), then the last sk tiles split, laid out
/// chunk by chunk (kc = min(share, kiters) iterations of every split tile
/// per chunk): the program that runs each K iteration of each tile, each
/// tile's finisher and the programs whose partial tiles it adds.
struct StreamKReplay {
  std::vector<std::vector<int64_t>> itersOfTile; // iteration -> program
  std::vector<std::vector<int64_t>> addedBy;     // finisher's sharers
  std::vector<int64_t> finisher;
  std::vector<std::set<int64_t>> slotsOfTile; // the finisher's reads
  std::set<int64_t> written;                  // every hand-over's slot
  int64_t kc = 0;
  StreamKReplay(int64_t tiles, int64_t kiters, int64_t programs)
      : itersOfTile(tiles, std::vector<int64_t>(kiters, -1)), addedBy(tiles),
        finisher(tiles, -1), slotsOfTile(tiles) {
    const int64_t ndp = std::max<int64_t>(tiles / programs - 1, 0);
    const int64_t dp = ndp * programs, sk = tiles - dp;
    for (int64_t p = 0; p < programs; ++p)
      for (int64_t i = 0; i < ndp; ++i) {
        const int64_t t = p + i * programs;
        std::fill(itersOfTile[t].begin(), itersOfTile[t].end(), p);
        finisher[t] = p;
      }
    const int64_t work = sk * kiters;
    const int64_t share = (work + programs - 1) / programs;
    kc = std::min(share, kiters);
    const int64_t chunks = (kiters + kc - 1) / kc;
    const int64_t lastLen = kiters - (chunks - 1) * kc, span = sk * kc;
    auto len = [&](int64_t c) { return c == chunks - 1 ? lastLen : kc; };
    auto unitOf = [&](int64_t i) {
      const int64_t c = std::min(i / span, chunks - 1);
      return c * sk + (i - c * span) / len(c);
    };
    for (int64_t p = 0; p < programs; ++p) {
      const int64_t beg = p * share, end = std::min(beg + share, work);
      if (beg >= end)
        continue;
      for (int64_t u = unitOf(beg); u <= unitOf(end - 1); ++u) {
        // t counts the split tiles; T is the tile.
        const int64_t c = u / sk, t = u % sk, T = dp + t;
        const int64_t start = c * span + t * len(c);
        const int64_t kb = std::max<int64_t>(beg - start, 0);
        const int64_t ke = std::min(end - start, len(c));
        for (int64_t i = kb; i < ke; ++i) {
          EXPECT_EQ(itersOfTile[T][c * kc + i], -1) << "iteration run twice";
          itersOfTile[T][c * kc + i] = p;
        }
        if (kb > 0 || c > 0) { // hands its partial tile over
          const int64_t slot =
              std::max(beg, start) == beg ? p : programs + u - sk;
          EXPECT_LT(slot, 2 * programs);
          EXPECT_TRUE(written.insert(slot).second) << "slot written twice";
          continue;
        }
        finisher[T] = p;
        for (int64_t cc = 0; cc < chunks; ++cc) {
          const int64_t cs = cc * span + t * len(cc), ce = cs + len(cc);
          const int64_t from = cc == 0 ? p + 1 : cs / share;
          const int64_t to = std::min((ce + share - 1) / share, programs);
          for (int64_t q = from; q < to; ++q) {
            addedBy[T].push_back(q);
            const int64_t qs = std::max(q * share, cs);
            slotsOfTile[T].insert(
                qs == q * share ? q : programs + cc * sk + t - sk);
          }
        }
      }
    }
  }
};

} // namespace

// Every K iteration of every tile runs in exactly one program; each tile has
// one finisher (the program that starts it), which adds exactly the partial
// tiles of the other programs that ran part of it, once each, all of them
// later programs (waits only go up the program index: no cycle).
TEST(SyrkStreamK, SplitsEveryTileOnceAndAddsEachPartOnce) {
  for (int64_t tiles : {1, 2, 6, 72, 136, 272})
    for (int64_t kiters : {1, 4, 32, 128})
      for (int64_t programs : {1, 7, 132}) {
        StreamKReplay r(tiles, kiters, programs);
        // Every slot written is read by exactly one finisher.
        std::set<int64_t> read;
        for (const std::set<int64_t> &s : r.slotsOfTile)
          for (int64_t slot : s)
            EXPECT_TRUE(read.insert(slot).second) << "slot read twice";
        EXPECT_EQ(read, r.written);
        for (int64_t t = 0; t < tiles; ++t) {
          std::set<int64_t> ran;
          for (int64_t p : r.itersOfTile[t]) {
            ASSERT_GE(p, 0) << "iteration not run: tile " << t;
            ran.insert(p);
          }
          ASSERT_EQ(r.finisher[t], *ran.begin()) << "tile " << t;
          std::set<int64_t> added(r.addedBy[t].begin(), r.addedBy[t].end());
          EXPECT_EQ(added.size(), r.addedBy[t].size()) << "a part added twice";
          ran.erase(ran.begin());
          EXPECT_EQ(added, ran) << "tiles " << tiles << " kiters " << kiters
                                << " programs " << programs << " tile " << t;
          if (!added.empty()) {
            EXPECT_GT(*added.begin(), r.finisher[t]) << "waits for an earlier";
          }
          EXPECT_EQ(r.slotsOfTile[t].size(), added.size()) << "slot shared";
        }
      }
}

TEST(SyrkStreamK, GridAndPartialTiles) {
  EXPECT_EQ(streamKPrograms(132, 1), 132);
  EXPECT_EQ(streamKPrograms(132, 32), 4);
  EXPECT_EQ(streamKPrograms(132, 200), 1);
  std::map<std::string, int64_t> knobs = {
      {"BLOCK", 128}, {"BLOCK_N", 256}, {"SCHEDULE", 1}};
  rt::Grid g = syrkGridFor(2048, knobs, 1, 1, 132);
  EXPECT_EQ(g.x, 72u);
  EXPECT_EQ(streamKPartialBytes(knobs, g), 0);
  knobs["SCHEDULE"] = 2;
  g = syrkGridFor(2048, knobs, 2, 1, 132);
  EXPECT_EQ(g.x, 66u);
  EXPECT_EQ(g.z, 2u);
  EXPECT_EQ(streamKSlots(g), 264);
  EXPECT_EQ(streamKPartialBytes(knobs, g), 264 * 128 * 256 * 4);
}
