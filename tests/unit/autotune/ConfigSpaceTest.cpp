//===- ConfigSpaceTest.cpp - Config strings, limits and enumeration -------===//
//
// Config strings both ways, device limits from a hand-filled DeviceInfo, and
// enumerating a config space: order, count, pruning and its reasons, check().
//
//===----------------------------------------------------------------------===//

#include "tessel/autotune/ConfigSpace.h"

#include "tessel/runtime/Device.h"

#include <gtest/gtest.h>

using namespace tessel::tune;
using tessel::rt::Expected;
using tessel::rt::Status;

namespace {

/// A constraint that must parse.
Constraint constraint(std::string_view text) {
  Expected<Constraint> parsed = Constraint::parse(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.status().message();
  return parsed ? *parsed : Constraint();
}

/// configString of each config, in order.
std::vector<std::string> strings(const std::vector<Config> &configs) {
  std::vector<std::string> out;
  for (const Config &config : configs)
    out.push_back(configString(config));
  return out;
}

/// The parse error of `text`; "" when it parses.
std::string parseError(std::string_view text) {
  Expected<Config> config = parseConfigString(text);
  return config ? std::string() : config.status().message();
}

/// A GEMM-like space: the knobs are not in name order, so that enumeration
/// order (knob order) and config strings (name order) differ.
ConfigSpace gemmSpace() {
  ConfigSpace space;
  space.knobs = {{"stages", 2, {2, 3}},
                 {"BLOCK_M", 64, {64, 128}},
                 {"BLOCK_K", 32, {32, 64}}};
  return space;
}

TEST(ConfigSpace, ConfigStringIsInNameOrder) {
  EXPECT_EQ(configString({}), "");
  EXPECT_EQ(configString({{"b", 2}, {"a", -1}}), "a=-1,b=2");
  EXPECT_EQ(configString({{"BLOCK_M", 128}}), "BLOCK_M=128");
}

TEST(ConfigSpace, ConfigStringRoundTrips) {
  const Config configs[] = {
      {},
      {{"x", 0}},
      {{"BLOCK_M", 128}, {"BLOCK_N", 64}, {"num_warps", 8}, {"_s2", -3}},
      {{"lo", INT64_MIN}, {"hi", INT64_MAX}},
  };
  for (const Config &config : configs) {
    std::string text = configString(config);
    Expected<Config> parsed = parseConfigString(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.status().message();
    EXPECT_EQ(*parsed, config) << text;
  }
}

TEST(ConfigSpace, ParseConfigStringInAnyOrder) {
  Expected<Config> parsed = parseConfigString("b=2,a=1");
  ASSERT_TRUE(parsed) << parsed.status().message();
  EXPECT_EQ(configString(*parsed), "a=1,b=2");
}

TEST(ConfigSpace, ParseConfigStringErrors) {
  EXPECT_EQ(parseError("=1"), "column 1: expected a name");
  EXPECT_EQ(parseError("1a=1"), "column 1: expected a name");
  EXPECT_EQ(parseError(" a=1"), "column 1: expected a name");
  EXPECT_EQ(parseError("a=1,"), "column 5: expected a name");
  EXPECT_EQ(parseError("a=1,,b=2"), "column 5: expected a name");
  EXPECT_EQ(parseError("a"), "column 2: expected '='");
  EXPECT_EQ(parseError("a:1"), "column 2: expected '='");
  EXPECT_EQ(parseError("a =1"), "column 2: expected '='");
  EXPECT_EQ(parseError("a="), "column 3: expected an integer");
  EXPECT_EQ(parseError("a=-"), "column 3: expected an integer");
  EXPECT_EQ(parseError("a=x"), "column 3: expected an integer");
  EXPECT_EQ(parseError("a=+1"), "column 3: expected an integer");
  EXPECT_EQ(parseError("a=1;b=2"), "column 4: expected ',' or end of text");
  EXPECT_EQ(parseError("a=1 "), "column 4: expected ',' or end of text");
  EXPECT_EQ(parseError("a=1.5"), "column 4: expected ',' or end of text");
  EXPECT_EQ(parseError("a=9223372036854775808"),
            "column 3: expected an integer that fits in 64 bits");
  EXPECT_EQ(parseError("a=-9223372036854775809"),
            "column 3: expected an integer that fits in 64 bits");
  EXPECT_EQ(parseError("a=1,b=2,a=3"), "column 9: duplicate name 'a'");
}

TEST(ConfigSpace, Defaults) {
  EXPECT_EQ(gemmSpace().defaults(),
            (Config{{"stages", 2}, {"BLOCK_M", 64}, {"BLOCK_K", 32}}));
  EXPECT_EQ(ConfigSpace().defaults(), Config());
}

TEST(ConfigSpace, Size) {
  EXPECT_EQ(gemmSpace().size(), 8);
  EXPECT_EQ(ConfigSpace().size(), 1); // The one empty config.

  // 2^63 combinations do not fit; size() saturates.
  ConfigSpace huge;
  for (int i = 0; i < 63; ++i)
    huge.knobs.push_back({"k" + std::to_string(i), 0, {0, 1}});
  EXPECT_EQ(huge.size(), INT64_MAX);
  huge.knobs.pop_back();
  EXPECT_EQ(huge.size(), INT64_C(1) << 62);
}

TEST(ConfigSpace, EnumeratesFirstKnobSlowest) {
  ConfigSpace space = gemmSpace();
  std::vector<Pruned> pruned;
  std::vector<Config> configs = space.enumerate({}, &pruned);
  EXPECT_EQ(int64_t(configs.size()), space.size());
  EXPECT_TRUE(pruned.empty());
  EXPECT_EQ(strings(configs), (std::vector<std::string>{
                                  "BLOCK_K=32,BLOCK_M=64,stages=2",
                                  "BLOCK_K=64,BLOCK_M=64,stages=2",
                                  "BLOCK_K=32,BLOCK_M=128,stages=2",
                                  "BLOCK_K=64,BLOCK_M=128,stages=2",
                                  "BLOCK_K=32,BLOCK_M=64,stages=3",
                                  "BLOCK_K=64,BLOCK_M=64,stages=3",
                                  "BLOCK_K=32,BLOCK_M=128,stages=3",
                                  "BLOCK_K=64,BLOCK_M=128,stages=3",
                              }));
}

TEST(ConfigSpace, EnumeratesValuesInTheirOrder) {
  ConfigSpace space;
  space.knobs = {{"w", 4, {8, 4, 2}}};
  EXPECT_EQ(strings(space.enumerate({})),
            (std::vector<std::string>{"w=8", "w=4", "w=2"}));
}

TEST(ConfigSpace, NoKnobsIsOneEmptyConfig) {
  ConfigSpace space;
  EXPECT_EQ(space.enumerate({}), std::vector<Config>{Config()});

  space.constraints = {constraint("SMEM >= 49152")};
  EXPECT_EQ(space.enumerate({{"SMEM", 232448}}).size(), 1u);
  std::vector<Pruned> pruned;
  EXPECT_TRUE(space.enumerate({{"SMEM", 1024}}, &pruned).empty());
  ASSERT_EQ(pruned.size(), 1u);
  EXPECT_EQ(pruned[0].config, Config());
}

TEST(ConfigSpace, KnobWithoutValuesGivesNothing) {
  // Knobs always have values; an empty list must not crash the odometer.
  ConfigSpace space;
  space.knobs = {{"a", 1, {1, 2}}, {"b", 0, {}}};
  EXPECT_EQ(space.size(), 0);
  EXPECT_TRUE(space.enumerate({}).empty());
}

TEST(ConfigSpace, PrunesWithTheConstraintAsReason) {
  ConfigSpace space = gemmSpace();
  space.constraints = {
      constraint("stages * BLOCK_M * BLOCK_K * 2 <= SMEM"),
      constraint("BLOCK_K <= BLOCK_M / 2"),
  };
  std::vector<Pruned> pruned;
  // 32 KiB: 3 * 128 * 64 * 2 = 48 KiB and 2 * 128 * 64 * 2 = 32 KiB is the
  // most that fits.
  std::vector<Config> configs = space.enumerate({{"SMEM", 32768}}, &pruned);
  EXPECT_EQ(strings(configs), (std::vector<std::string>{
                                  "BLOCK_K=32,BLOCK_M=64,stages=2",
                                  "BLOCK_K=32,BLOCK_M=128,stages=2",
                                  "BLOCK_K=64,BLOCK_M=128,stages=2",
                                  "BLOCK_K=32,BLOCK_M=64,stages=3",
                                  "BLOCK_K=32,BLOCK_M=128,stages=3",
                              }));
  ASSERT_EQ(pruned.size(), 3u);
  // The first constraint that rejects a config is its reason.
  EXPECT_EQ(configString(pruned[0].config), "BLOCK_K=64,BLOCK_M=64,stages=2");
  EXPECT_EQ(pruned[0].reason, "BLOCK_K <= BLOCK_M / 2");
  EXPECT_EQ(configString(pruned[1].config), "BLOCK_K=64,BLOCK_M=64,stages=3");
  EXPECT_EQ(pruned[1].reason, "BLOCK_K <= BLOCK_M / 2");
  EXPECT_EQ(configString(pruned[2].config), "BLOCK_K=64,BLOCK_M=128,stages=3");
  EXPECT_EQ(pruned[2].reason, "stages * BLOCK_M * BLOCK_K * 2 <= SMEM");

  // Without somewhere to put them, pruned configs are just dropped.
  EXPECT_EQ(space.enumerate({{"SMEM", 32768}}), configs);
}

TEST(ConfigSpace, KnobsBindBeforeLimits) {
  ConfigSpace space;
  space.knobs = {{"WARP", 16, {16}}};
  space.constraints = {constraint("WARP == 16")};
  EXPECT_EQ(space.enumerate({{"WARP", 32}}).size(), 1u);
}

TEST(ConfigSpace, AConstraintThatFailsToEvaluatePrunes) {
  ConfigSpace space;
  space.knobs = {{"BLOCK", 64, {64, 128}}};
  space.constraints = {constraint("1024 / (BLOCK - 64) > 0")};
  std::vector<Pruned> pruned;
  std::vector<Config> configs = space.enumerate({}, &pruned);
  EXPECT_EQ(strings(configs), std::vector<std::string>{"BLOCK=128"});
  ASSERT_EQ(pruned.size(), 1u);
  EXPECT_EQ(configString(pruned[0].config), "BLOCK=64");
  EXPECT_EQ(pruned[0].reason, "1024 / (BLOCK - 64) > 0: division by zero");

  // A name bound neither by a knob nor by a limit fails every config.
  space.constraints = {constraint("BLOCK <= SMEM")};
  pruned.clear();
  EXPECT_TRUE(space.enumerate({}, &pruned).empty());
  ASSERT_EQ(pruned.size(), 2u);
  EXPECT_EQ(pruned[1].reason, "BLOCK <= SMEM: unknown name 'SMEM'");
}

TEST(ConfigSpace, CheckCatchesUnknownNames) {
  ConfigSpace space = gemmSpace();
  space.constraints = {constraint("stages * BLOCK_M * BLOCK_K * 2 <= SMEM")};
  EXPECT_TRUE(space.check(limitNames()).ok());
  EXPECT_TRUE(space.check({"SMEM"}).ok());

  Status noLimits = space.check({});
  EXPECT_FALSE(noLimits.ok());
  EXPECT_EQ(noLimits.message(),
            "constraint 'stages * BLOCK_M * BLOCK_K * 2 <= SMEM' reads 'SMEM', "
            "which is neither a knob nor a device limit");

  space.constraints.push_back(constraint("BLOKC_K <= 64"));
  Status typo = space.check(limitNames());
  EXPECT_FALSE(typo.ok());
  EXPECT_EQ(typo.message(), "constraint 'BLOKC_K <= 64' reads 'BLOKC_K', "
                            "which is neither a knob nor a device limit");
}

TEST(ConfigSpace, DeviceLimits) {
  // An H100 SXM, filled by hand.
  tessel::rt::DeviceInfo device;
  device.name = "NVIDIA H100 80GB HBM3";
  device.ccMajor = 9;
  device.ccMinor = 0;
  device.smCount = 132;
  device.maxSharedPerBlockOptin = 232448;
  device.maxSharedPerBlock = 49152;
  device.maxSharedPerSm = 233472;
  device.l2Bytes = 52428800;
  device.maxRegistersPerBlock = 65536;
  device.maxThreadsPerBlock = 1024;
  device.warpSize = 32;

  std::map<std::string, int64_t> limits = deviceLimits(device);
  EXPECT_EQ(limits, (std::map<std::string, int64_t>{{"CC", 90},
                                                    {"REGS", 65536},
                                                    {"SMEM", 232448},
                                                    {"SMEM_SM", 233472},
                                                    {"SMS", 132},
                                                    {"THREADS", 1024},
                                                    {"WARP", 32}}));

  // limitNames() names exactly what deviceLimits() defines.
  std::vector<std::string> names;
  for (const auto &[name, value] : limits)
    names.push_back(name);
  EXPECT_EQ(names, limitNames());

  device.ccMajor = 8;
  device.ccMinor = 6;
  EXPECT_EQ(deviceLimits(device).at("CC"), 86);
}

} // namespace
