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

using namespace tessel;

namespace {

using test::readKernel;

TEST(DslConfigSpace, SyrkKnobsAndConstraints) {
  std::string source = readKernel("newton_schulz/syrk.mlir");
  ASSERT_FALSE(source.empty());
  auto space = tune::configSpaceOf(source, "syrk.mlir", "syrk");
  ASSERT_TRUE(space) << space.status().message();
  ASSERT_EQ(space->knobs.size(), 5u);
  EXPECT_EQ(space->knobs[0].name, "BLOCK");
  EXPECT_EQ(space->knobs[0].defaultValue, 64);
  EXPECT_EQ(space->knobs[0].values, (std::vector<int64_t>{32, 64, 128}));
  EXPECT_EQ(space->knobs[2].name, "num_warps");
  // The TMA path's knobs: X's layout promise and the ring depth.
  EXPECT_EQ(space->knobs[3].name, "X_LAYOUT");
  EXPECT_EQ(space->knobs[3].values, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(space->knobs[4].name, "NUM_STAGES");
  EXPECT_EQ(space->knobs[1].name, "BLOCK_K");
  EXPECT_EQ(space->knobs[1].values, (std::vector<int64_t>{16, 32, 64, 128}));
  EXPECT_EQ(space->size(), 3 * 4 * 2 * 2 * 3);
  ASSERT_EQ(space->constraints.size(), 3u);
  EXPECT_EQ(space->constraints[0].text(),
            "BLOCK * BLOCK <= 64 * 32 * num_warps");
  EXPECT_EQ(space->defaults(),
            (tune::Config{{"BLOCK", 64},
                          {"BLOCK_K", 32},
                          {"NUM_STAGES", 4},
                          {"X_LAYOUT", 1},
                          {"num_warps", 4}}));
  // H100-like limits: BLOCK=128 with 4 warps breaks the register bound
  // (128 * 128 > 64 * 32 * 4), for each BLOCK_K, X_LAYOUT and NUM_STAGES;
  // and with 8 warps the 4-stage ring of BLOCK_K = 128 (2 * 128 * 128 * 2 *
  // 4 + 1024 bytes, plus the mirror tile's staging) is over shared memory,
  // while its 3-stage ring fits exactly.
  std::map<std::string, int64_t> limits = {
      {"SMEM", 232448}, {"SMEM_SM", 233472}, {"REGS", 65536},
      {"THREADS", 1024}, {"SMS", 132},       {"WARP", 32},
      {"CC", 90}};
  std::vector<tune::Pruned> pruned;
  auto configs = space->enumerate(limits, &pruned);
  EXPECT_EQ(configs.size(), 118u);
  ASSERT_EQ(pruned.size(), 26u);
  int byRing = 0;
  for (const tune::Pruned &p : pruned) {
    EXPECT_EQ(p.config.at("BLOCK"), 128);
    if (p.config.at("num_warps") == 4) {
      EXPECT_NE(p.reason.find("BLOCK * BLOCK"), std::string::npos) << p.reason;
      continue;
    }
    ++byRing;
    EXPECT_EQ(p.config.at("BLOCK_K"), 128);
    EXPECT_EQ(p.config.at("NUM_STAGES"), 4);
    EXPECT_NE(p.reason.find("NUM_STAGES"), std::string::npos) << p.reason;
  }
  EXPECT_EQ(byRing, 2);
  // A device with little shared memory also prunes by the second one.
  limits["SMEM"] = 8192;
  EXPECT_LT(space->enumerate(limits).size(), 118u);
}

TEST(DslConfigSpace, EveryKernelOfAFileAndItsHash) {
  std::string source = readKernel("newton_schulz/aol.mlir");
  std::vector<KernelSpaceInfo> spaces;
  std::string errors;
  ASSERT_TRUE(kernelConfigSpaces(source, "aol.mlir", spaces, errors))
      << errors;
  ASSERT_EQ(spaces.size(), 2u);
  EXPECT_EQ(spaces[0].name, "aol_rowscale");
  EXPECT_EQ(spaces[1].name, "aol_symscale");
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
