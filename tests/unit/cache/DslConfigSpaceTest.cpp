//===- DslConfigSpaceTest.cpp - config spaces read from DSL kernels -------===//
//
// What the autotuner gets from a kernel's source, without a GPU: the knobs
// and constraints of the NS syrk kernel as tune::ConfigSpace (and what the
// H100's limits prune), the kernel hash tuning results are keyed on, and
// located errors for bad sources and unknown kernels.
//
//===----------------------------------------------------------------------===//
#include "KernelSource.h"
#include "tessel/Target/Compiler.h"
#include "tessel/autotune/DslTarget.h"

#include <gtest/gtest.h>

#include <set>

using namespace tessel;

namespace {

using test::readKernel;

TEST(DslConfigSpace, SyrkKnobsAndConstraints) {
  std::string source = readKernel("newton_schulz/syrk.mlir");
  ASSERT_FALSE(source.empty());
  auto space = tune::configSpaceOf(source, "syrk.mlir", "syrk");
  ASSERT_TRUE(space) << space.status().message();
  ASSERT_EQ(space->knobs.size(), 10u);
  EXPECT_EQ(space->knobs[0].name, "BLOCK");
  EXPECT_EQ(space->knobs[0].defaultValue, 64);
  EXPECT_EQ(space->knobs[0].values, (std::vector<int64_t>{32, 64, 128}));
  // Tiles are square or twice as wide.
  EXPECT_EQ(space->knobs[1].name, "BLOCK_N");
  EXPECT_EQ(space->knobs[1].values, (std::vector<int64_t>{32, 64, 128, 256}));
  EXPECT_EQ(space->knobs[2].name, "BLOCK_K");
  EXPECT_EQ(space->knobs[2].values, (std::vector<int64_t>{16, 32, 64, 128}));
  EXPECT_EQ(space->knobs[3].name, "num_warps");
  // One tile per program, or stream-K.
  EXPECT_EQ(space->knobs[4].name, "SCHEDULE");
  EXPECT_EQ(space->knobs[4].defaultValue, 1);
  EXPECT_EQ(space->knobs[4].values, (std::vector<int64_t>{1, 2}));
  // Wide tiles' two column blocks adjacent, or apart (split boxes).
  EXPECT_EQ(space->knobs[5].name, "COLUMN_PAIRS");
  EXPECT_EQ(space->knobs[5].defaultValue, 1);
  EXPECT_EQ(space->knobs[5].values, (std::vector<int64_t>{1, 2}));
  // The TMA path's knobs: X's layout promise and the ring depth.
  EXPECT_EQ(space->knobs[6].name, "X_LAYOUT");
  EXPECT_EQ(space->knobs[6].values, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(space->knobs[7].name, "NUM_STAGES");
  // Programs in pairs multicasting X's column rows: wide TMA tiles only.
  EXPECT_EQ(space->knobs[8].name, "CLUSTER");
  EXPECT_EQ(space->knobs[8].values, (std::vector<int64_t>{1, 2}));
  // A producer warpgroup feeding the ring.
  EXPECT_EQ(space->knobs[9].name, "WARP_ROLES");
  EXPECT_EQ(space->size(), 3 * 4 * 4 * 2 * 2 * 2 * 2 * 3 * 2 * 2);
  ASSERT_EQ(space->constraints.size(), 8u);
  EXPECT_EQ(space->constraints[0].text(),
            "BLOCK_N == BLOCK || BLOCK_N == 2 * BLOCK");
  EXPECT_EQ(space->constraints[1].text(),
            "CLUSTER == 1 || (BLOCK_N == 2 * BLOCK && X_LAYOUT == 2)");
  EXPECT_EQ(space->constraints[2].text(),
            "SCHEDULE == 1 || (CLUSTER == 1 && WARP_ROLES == 1)");
  EXPECT_EQ(space->constraints[3].text(),
            "COLUMN_PAIRS == 1 || (BLOCK_N == 2 * BLOCK && SCHEDULE == 1 && "
            "CLUSTER == 1)");
  EXPECT_EQ(space->defaults(), (tune::Config{{"BLOCK", 64},
                                             {"BLOCK_K", 32},
                                             {"BLOCK_N", 64},
                                             {"CLUSTER", 1},
                                             {"COLUMN_PAIRS", 1},
                                             {"NUM_STAGES", 4},
                                             {"SCHEDULE", 1},
                                             {"WARP_ROLES", 1},
                                             {"X_LAYOUT", 1},
                                             {"num_warps", 4}}));
  // H100-like limits. Of the 12 (BLOCK, BLOCK_N) pairs 6 are tile shapes
  // (48 configs each over BLOCK_K, warps, X_LAYOUT, NUM_STAGES). 128 x 128
  // loses 4 warps with the masked form's 64 accumulators (12) and the
  // 4-stage ring of BLOCK_K = 128 (3); 128 x 256 keeps only 8 warps on the
  // ring (X_LAYOUT = 2) and rings up to 4 stages of BLOCK_K = 64 (the mirror
  // tile's staging reuses the ring) or 2 of 128: 10 configs. CLUSTER = 2
  // adds the wide shapes' ring configs again: 24 each for 32 x 64 and
  // 64 x 128, and 128 x 256's 10. With WARP_ROLES = 1; a producer
  // (WARP_ROLES = 2) has the ring to itself, so the mirror tile's staging
  // must fit beside it: of those, the configs where it does. COLUMN_PAIRS
  // = 2 repeats exactly the wide, one-tile-per-program, cluster-less ones.
  std::map<std::string, int64_t> limits = {
      {"SMEM", 232448}, {"SMEM_SM", 233472}, {"REGS", 65536},
      {"THREADS", 1024}, {"SMS", 132},       {"WARP", 32},
      {"CC", 90}};
  std::vector<tune::Pruned> pruned;
  auto configs = space->enumerate(limits, &pruned);
  size_t oneRole = 0, producers = 0, stagingFits = 0, streamK = 0;
  size_t pairs = 0, pairable = 0;
  const std::set<tune::Config> all(configs.begin(), configs.end());
  for (const tune::Config &c : configs) {
    const bool wideOneTile = c.at("BLOCK_N") == 2 * c.at("BLOCK") &&
                             c.at("SCHEDULE") == 1 && c.at("CLUSTER") == 1;
    if (c.at("COLUMN_PAIRS") == 2) {
      ++pairs;
      EXPECT_TRUE(wideOneTile);
      tune::Config adjacent = c;
      adjacent["COLUMN_PAIRS"] = 1;
      EXPECT_TRUE(all.count(adjacent));
      continue;
    }
    pairable += wideOneTile;
    // Stream-K: the one-role, cluster-less configs again.
    if (c.at("SCHEDULE") == 2) {
      ++streamK;
      EXPECT_EQ(c.at("CLUSTER"), 1);
      EXPECT_EQ(c.at("WARP_ROLES"), 1);
      continue;
    }
    if (c.at("WARP_ROLES") == 2) {
      ++producers;
      continue;
    }
    ++oneRole;
    const int64_t rows = c.at("BLOCK"), cols = c.at("BLOCK_N");
    const int64_t ring =
        (rows + cols) * c.at("BLOCK_K") * 2 * c.at("NUM_STAGES");
    if (ring + 1024 + cols * (rows + 8) * 2 <= limits.at("SMEM"))
      ++stagingFits;
  }
  EXPECT_EQ(oneRole, 48u * 4 + 33 + 10 + 24 + 24 + 10);
  EXPECT_EQ(streamK, 48u * 4 + 33 + 10);
  EXPECT_EQ(producers, stagingFits);
  EXPECT_LT(producers, oneRole);
  EXPECT_EQ(pairs, pairable);
  ASSERT_EQ(pruned.size(), 9216u - configs.size());
  int notATile = 0;
  for (const tune::Pruned &p : pruned) {
    const int64_t rows = p.config.at("BLOCK"), cols = p.config.at("BLOCK_N");
    if (cols != rows && cols != 2 * rows) {
      ++notATile;
      EXPECT_NE(p.reason.find("BLOCK_N == BLOCK"), std::string::npos)
          << p.reason;
      continue;
    }
    if (p.reason.find("COLUMN_PAIRS == 1") != std::string::npos) {
      EXPECT_EQ(p.config.at("COLUMN_PAIRS"), 2);
      EXPECT_TRUE(cols != 2 * rows || p.config.at("SCHEDULE") == 2 ||
                  p.config.at("CLUSTER") == 2);
      continue;
    }
    if (p.reason.find("SCHEDULE == 1") != std::string::npos) {
      EXPECT_EQ(p.config.at("SCHEDULE"), 2);
      EXPECT_TRUE(p.config.at("CLUSTER") == 2 ||
                  p.config.at("WARP_ROLES") == 2);
      continue;
    }
    if (p.reason.find("WARP_ROLES == 1") != std::string::npos) {
      EXPECT_EQ(p.config.at("WARP_ROLES"), 2);
      continue;
    }
    if (p.reason.find("CLUSTER == 1") != std::string::npos) {
      EXPECT_EQ(p.config.at("CLUSTER"), 2);
      EXPECT_FALSE(cols == 2 * rows && p.config.at("X_LAYOUT") == 2);
      continue;
    }
    EXPECT_EQ(rows, 128);
  }
  EXPECT_EQ(notATile, 2 * 4 * 6 * 96);
  for (const tune::Config &c : configs)
    if (c.at("BLOCK_N") == 256) {
      EXPECT_EQ(c.at("num_warps"), 8);
      EXPECT_EQ(c.at("X_LAYOUT"), 2);
    }
  // A device with little shared memory also prunes by shared memory.
  limits["SMEM"] = 8192;
  EXPECT_LT(space->enumerate(limits).size(), configs.size());
}

TEST(DslConfigSpace, EveryKernelOfAFileAndItsHash) {
  std::string source = readKernel("newton_schulz/aol.mlir");
  std::vector<KernelSpaceInfo> spaces;
  std::string errors;
  ASSERT_TRUE(kernelConfigSpaces(source, "aol.mlir", spaces, errors))
      << errors;
  ASSERT_EQ(spaces.size(), 3u);
  EXPECT_EQ(spaces[0].name, "aol_rowsum");
  EXPECT_EQ(spaces[1].name, "aol_scale");
  EXPECT_EQ(spaces[2].name, "aol_colscale");
  EXPECT_TRUE(spaces[1].constraints.empty());
  // The hash follows the source (an edited kernel is tuned afresh).
  std::string h = tune::kernelHash(source);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, tune::kernelHash(source));
  EXPECT_NE(h, tune::kernelHash(source + "\n"));
}

TEST(DslConfigSpace, BadSourcesAndNamesAreReported) {
  auto missing = tune::configSpaceOf(readKernel("newton_schulz/syrk.mlir"),
                                     "syrk.mlir", "syrkk");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("no kernel named 'syrkk'"),
            std::string::npos)
      << missing.status().message();
  auto broken = tune::configSpaceOf("func.func @k( {", "broken.mlir", "k");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.status().message().find("broken.mlir:1:"),
            std::string::npos)
      << broken.status().message();
  // A constraint naming something that is neither a knob nor a limit.
  std::string typo = R"(func.func @k() attributes {tessel.kernel,
      tessel.constraints = ["BLOKC <= 64"]} {
    %b = tessel.param "BLOCK" {default_value = 64 : i64, values = array<i64: 64>} : index
    return
  })";
  auto bad = tune::configSpaceOf(typo, "typo.mlir", "k");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("BLOKC"), std::string::npos)
      << bad.status().message();
}

} // namespace
