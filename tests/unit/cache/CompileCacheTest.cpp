//===- CompileCacheTest.cpp - compile once per content --------------------===//
//
// compileWithCache against a scratch cache: a miss compiles and stores every
// stage, the same content hits with the same bytes, any change to target or
// knobs misses, a corrupted entry is rebuilt, and a bad kernel is reported
// with a located error and never cached. Needs nvJitLink (in the toolkit),
// not a GPU. The launch metadata (info.json), TMA tensor maps included,
// reads back as it was written.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/CompileCache.h"
#include "KernelSource.h"
#include "ScratchRootTest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tessel;

namespace {

using test::readKernel;

using CompileCacheTest = test::ScratchRootTest;

TEST_F(CompileCacheTest, MissThenHitWithTheSameBytes) {
  rt::DiskCache cache(root);
  std::string source = readKernel("elementwise.mlir");
  ASSERT_FALSE(source.empty());
  CompileOptions options;
  options.target = "sm_80";
  CachedCompile first, second;
  std::string errors;
  ASSERT_TRUE(compileWithCache(source, options, cache, first, errors))
      << errors;
  EXPECT_FALSE(first.hit);
  EXPECT_EQ(first.cubin.substr(0, 4), std::string("\x7f"
                                                  "ELF"));
  EXPECT_NE(first.result.ptx.find(".entry axpy"), std::string::npos);
  ASSERT_TRUE(compileWithCache(source, options, cache, second, errors,
                               /*withStages=*/true))
      << errors;
  EXPECT_TRUE(second.hit);
  EXPECT_EQ(first.key, second.key);
  EXPECT_EQ(first.result.ptx, second.result.ptx);
  EXPECT_EQ(first.result.gpuIR, second.result.gpuIR);
  EXPECT_EQ(first.cubin, second.cubin);
  ASSERT_EQ(second.result.kernels.size(), 1u);
  EXPECT_EQ(second.result.kernels[0].name, "axpy");
  EXPECT_EQ(second.result.kernels[0].params.at("BLOCK"), 1024);
  EXPECT_EQ(second.result.kernels[0].args,
            (std::vector<std::string>{"ptr", "ptr", "f32", "i32"}));
}

// A warm start reads only the small launch entry (cubin, info.json): with
// the stages entry gone it still hits; asked for the stages it recompiles and
// stores both again.
TEST_F(CompileCacheTest, LaunchEntryAloneServesAWarmStart) {
  rt::DiskCache cache(root);
  std::string source = readKernel("elementwise.mlir");
  CompileOptions options;
  options.target = "sm_80";
  CachedCompile first, launchOnly, withStages, again;
  std::string errors;
  ASSERT_TRUE(compileWithCache(source, options, cache, first, errors))
      << errors;
  auto stages = cache.load(stagesCacheKey(first.key));
  ASSERT_TRUE(stages && *stages);
  EXPECT_EQ(*(*stages)->find(kStagesOfBlob), first.key);
  EXPECT_EQ(*(*stages)->find("ptx"), first.result.ptx);
  auto launch = cache.load(first.key);
  ASSERT_TRUE(launch && *launch);
  EXPECT_EQ((*launch)->blobs.size(), 2u); // cubin, info.json
  ASSERT_TRUE(cache.remove(stagesCacheKey(first.key)).ok());

  ASSERT_TRUE(compileWithCache(source, options, cache, launchOnly, errors))
      << errors;
  EXPECT_TRUE(launchOnly.hit);
  EXPECT_EQ(launchOnly.cubin, first.cubin);
  EXPECT_TRUE(launchOnly.result.ptx.empty());
  ASSERT_EQ(launchOnly.result.kernels.size(), 1u);

  ASSERT_TRUE(compileWithCache(source, options, cache, withStages, errors,
                               /*withStages=*/true))
      << errors;
  EXPECT_FALSE(withStages.hit);
  EXPECT_EQ(withStages.result.ptx, first.result.ptx);
  ASSERT_TRUE(compileWithCache(source, options, cache, again, errors,
                               /*withStages=*/true))
      << errors;
  EXPECT_TRUE(again.hit);
  EXPECT_EQ(again.result.gpuIR, first.result.gpuIR);
}

TEST_F(CompileCacheTest, KeyCoversTargetKnobsAndSource) {
  std::string source = readKernel("elementwise.mlir");
  CompileOptions a;
  a.target = "sm_80";
  CompileOptions b = a;
  b.target = "sm_90a";
  CompileOptions c = a;
  c.params = {"BLOCK=256"};
  CompileOptions d = a;
  d.params = {"num_warps=8", "BLOCK=256"};
  CompileOptions e = a;
  e.params = {"BLOCK=256", "num_warps=8"};
  std::string k = compileCacheKey(source, a);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_NE(k, compileCacheKey(source, b));
  EXPECT_NE(k, compileCacheKey(source, c));
  EXPECT_NE(k, compileCacheKey(source + " ", a));
  EXPECT_EQ(compileCacheKey(source, d), compileCacheKey(source, e));
}

// A kernel compiled with another LLVM IR pipeline ($TESSEL_LLVM_PASSES) is
// another cubin: it must not be served for the default's key.
TEST_F(CompileCacheTest, KeyCoversTheLlvmPipeline) {
  std::string source = readKernel("elementwise.mlir");
  CompileOptions options;
  options.target = "sm_80";
  ASSERT_EQ(std::getenv("TESSEL_LLVM_PASSES"), nullptr);
  std::string o2 = compileCacheKey(source, options);
  ::setenv("TESSEL_LLVM_PASSES", "O2", 1);
  std::string named = compileCacheKey(source, options);
  ::setenv("TESSEL_LLVM_PASSES", "light", 1);
  std::string light = compileCacheKey(source, options);
  ::unsetenv("TESSEL_LLVM_PASSES");
  EXPECT_EQ(o2, named);
  EXPECT_NE(o2, light);
}

TEST_F(CompileCacheTest, CorruptEntryIsRebuilt) {
  rt::DiskCache cache(root);
  std::string source = readKernel("elementwise.mlir");
  CompileOptions options;
  options.target = "sm_80";
  CachedCompile first, again;
  std::string errors;
  ASSERT_TRUE(compileWithCache(source, options, cache, first, errors))
      << errors;
  fs::path file = cache.pathOf(first.key);
  ASSERT_TRUE(fs::exists(file));
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(file) / 2));
    f.put('\x5a');
  }
  ASSERT_TRUE(compileWithCache(source, options, cache, again, errors))
      << errors;
  EXPECT_FALSE(again.hit);
  EXPECT_EQ(again.result.ptx, first.result.ptx);
  CachedCompile third;
  ASSERT_TRUE(compileWithCache(source, options, cache, third, errors))
      << errors;
  EXPECT_TRUE(third.hit);
}

TEST_F(CompileCacheTest, BrokenKernelIsReportedAndNotCached) {
  rt::DiskCache cache(root);
  std::string source = readKernel("elementwise.mlir");
  // The mask no longer matches the pointers' shape.
  std::string broken = source;
  size_t at = broken.find("%mask = arith.cmpi slt, %offs, %ns : tensor<?xi32>");
  ASSERT_NE(at, std::string::npos);
  broken.insert(broken.find("return", at),
                "  %bad = tessel.dot %offs, %offs, %offs : tensor<?xi32>, "
                "tensor<?xi32> -> tensor<?xi32>\n  ");
  CompileOptions options;
  options.bufferName = "broken.mlir";
  CachedCompile out;
  std::string errors;
  EXPECT_FALSE(compileWithCache(broken, options, cache, out, errors));
  EXPECT_NE(errors.find("broken.mlir:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("error:"), std::string::npos) << errors;
  auto keys = cache.list();
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty());
}

/// A GEMM with two tensor maps (sizes and strides from its arguments and
/// constants; bf16 swizzled, f32 plain, one 3-D) and a kernel with none.
CompileResult withTensorMaps() {
  CompileResult result;
  result.target = "sm_90a";
  KernelInfo gemm;
  gemm.name = "gemm";
  gemm.numWarps = 8;
  gemm.sharedBytes = 98304;
  gemm.args = {"ptr", "ptr", "ptr", "i32", "i32", "i32", "i64", "i32"};
  gemm.params = {{"BLOCK_M", 128}, {"NUM_STAGES", 3}};
  rt::TmaArgSpec a;
  a.baseArg = 0;
  a.shape = {{3, 0}, {5, 0}};
  a.strides = {{6, 0}, {-1, 1}};
  a.box = {128, 64};
  rt::TmaArgSpec b;
  b.baseArg = 1;
  b.shape = {{-1, 4}, {5, 0}, {4, 0}};
  b.strides = {{-1, 1 << 20}, {7, 0}, {-1, 1}};
  b.box = {1, 32, 32};
  b.element = rt::TmaElement::F32;
  b.swizzle = rt::TmaSwizzle::None;
  gemm.tma = {a, b};
  gemm.gridDependency = true;
  gemm.clusterSize = 2;
  KernelInfo plain;
  plain.name = "axpy";
  plain.args = {"ptr", "ptr", "f32", "i32"};
  result.kernels = {gemm, plain};
  return result;
}

TEST(KernelInfoJson, TensorMapsRoundTrip) {
  CompileResult written = withTensorMaps();
  std::string json = kernelInfoJson(written);
  EXPECT_NE(json.find("\"tma\": [{"), std::string::npos) << json;
  // Kernels without maps carry no "tma" key (files as before).
  EXPECT_EQ(json.find("\"tma\""), json.rfind("\"tma\"")) << json;
  CompileResult read;
  ASSERT_TRUE(parseKernelInfoJson(json, read)) << json;
  EXPECT_EQ(read.target, "sm_90a");
  ASSERT_EQ(read.kernels.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const KernelInfo &w = written.kernels[i], &r = read.kernels[i];
    EXPECT_EQ(r.name, w.name);
    EXPECT_EQ(r.numWarps, w.numWarps);
    EXPECT_EQ(r.sharedBytes, w.sharedBytes);
    EXPECT_EQ(r.args, w.args);
    EXPECT_EQ(r.params, w.params);
    EXPECT_EQ(r.tma, w.tma) << "kernel " << w.name << " in\n" << json;
    EXPECT_EQ(r.gridDependency, w.gridDependency) << json;
    EXPECT_EQ(r.clusterSize, w.clusterSize) << json;
  }
  // Only a clustered kernel names its cluster size (1 is the default).
  EXPECT_NE(json.find("\"cluster_size\": 2"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"cluster_size\""), json.rfind("\"cluster_size\""))
      << json;
  EXPECT_TRUE(read.kernels[1].tma.empty());
  // Only a kernel that waits for its predecessor says so.
  EXPECT_EQ(json.find("\"grid_dependency\": true"),
            json.rfind("\"grid_dependency\": true"))
      << json;
  EXPECT_NE(json.find("\"grid_dependency\": true"), std::string::npos);
  // Written again, the same text.
  EXPECT_EQ(kernelInfoJson(read), json);
}

TEST(KernelInfoJson, MalformedTensorMapsAreRejected) {
  const std::string json = kernelInfoJson(withTensorMaps());
  auto replaced = [&](const std::string &from, const std::string &to) {
    std::string text = json;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << " not in " << json;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  CompileResult read;
  for (const std::string &bad :
       {replaced("\"swizzle\":128", "\"swizzle\":100"),
        replaced("\"element\":\"bf16\"", "\"element\":\"f8\""),
        replaced("\"box\":[128,64]", "\"box\":[128]"),
        replaced("\"box\":[128,64]", "\"box\":[128,-64]"),
        replaced("\"base\":0", "\"base\":\"A\""),
        replaced("\"shape_args\":[3,5]", "\"shape_args\":[3,-2]"),
        replaced("\"stride_values\":[0,1]", "\"stride_values\":[0,1.5]"),
        replaced("\"tma\": [", "\"tma\": 7, \"x\": ["),
        replaced("\"cluster_size\": 2", "\"cluster_size\": 0")})
    EXPECT_FALSE(parseKernelInfoJson(bad, read)) << bad;
  EXPECT_TRUE(parseKernelInfoJson(json, read));
}

} // namespace
