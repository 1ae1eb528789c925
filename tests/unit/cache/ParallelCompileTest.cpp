//===- ParallelCompileTest.cpp - compileInParallel against one by one -----===//
//
// Several kernels compiled at once give the PTX and cubins that compiling
// them one after another gives; a job that fails leaves the others whole;
// $TESSEL_COMPILE_THREADS is read as documented.
//
//===----------------------------------------------------------------------===//
#include "tessel/Target/ParallelCompile.h"
#include "KernelSource.h"
#include "ScratchRootTest.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tessel;

namespace {

using test::readKernel;

class ParallelCompileTest : public test::ScratchRootTest {
protected:
  /// Four different compiles: two files, two targets, a knob binding.
  static std::vector<CompileJob> jobs() {
    std::vector<CompileJob> out;
    for (const char *file : {"elementwise.mlir", "rowsum_abs.mlir"})
      for (const char *target : {"sm_80", "sm_90a"}) {
        CompileJob job;
        job.source = readKernel(file);
        job.options.target = target;
        job.options.bufferName = file;
        out.push_back(std::move(job));
      }
    out[3].options.params = {"num_warps=8"};
    return out;
  }
};

TEST_F(ParallelCompileTest, SameOutputAsOneByOne) {
  std::vector<CompileJob> parallel = jobs(), serial = jobs();
  compileInParallel(parallel, rt::DiskCache(root / "parallel"), 4);
  compileInParallel(serial, rt::DiskCache(root / "serial"), 1);
  ASSERT_EQ(parallel.size(), serial.size());
  for (size_t i = 0; i < parallel.size(); ++i) {
    SCOPED_TRACE(parallel[i].options.bufferName + " " +
                 parallel[i].options.target);
    ASSERT_TRUE(parallel[i].ok) << parallel[i].errors;
    ASSERT_TRUE(serial[i].ok) << serial[i].errors;
    EXPECT_FALSE(parallel[i].result.hit);
    EXPECT_EQ(parallel[i].result.key, serial[i].result.key);
    EXPECT_EQ(parallel[i].result.result.ptx, serial[i].result.result.ptx);
    EXPECT_EQ(parallel[i].result.cubin, serial[i].result.cubin);
    EXPECT_FALSE(parallel[i].result.cubin.empty());
  }
  // Stored as they finished: a second round is all hits.
  std::vector<CompileJob> again = jobs();
  compileInParallel(again, rt::DiskCache(root / "parallel"), 4);
  for (const CompileJob &job : again)
    EXPECT_TRUE(job.ok && job.result.hit) << job.errors;
}

TEST_F(ParallelCompileTest, AFailingJobLeavesTheOthersWhole) {
  std::vector<CompileJob> list = jobs();
  list[1].source = "func.func @broken(";
  list[1].options.bufferName = "broken.mlir";
  compileInParallel(list, rt::DiskCache(root), 4);
  EXPECT_FALSE(list[1].ok);
  EXPECT_NE(list[1].errors.find("broken.mlir:1:"), std::string::npos)
      << list[1].errors;
  for (size_t i : {0, 2, 3}) {
    EXPECT_TRUE(list[i].ok) << list[i].errors;
    EXPECT_NE(list[i].result.result.ptx.find(".entry"), std::string::npos);
  }
}

TEST_F(ParallelCompileTest, NoJobsIsNothingToDo) {
  std::vector<CompileJob> none;
  compileInParallel(none, rt::DiskCache(root));
  EXPECT_TRUE(none.empty());
}

TEST(CompileThreads, EnvironmentOrHardware) {
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  ASSERT_EQ(std::getenv("TESSEL_COMPILE_THREADS"), nullptr);
  EXPECT_EQ(defaultCompileThreads(), hardware);
  ::setenv("TESSEL_COMPILE_THREADS", "3", 1);
  EXPECT_EQ(defaultCompileThreads(), 3u);
  ::setenv("TESSEL_COMPILE_THREADS", "1", 1);
  EXPECT_EQ(defaultCompileThreads(), 1u);
  for (const char *bad : {"0", "-2", "four", "2x", ""}) {
    ::setenv("TESSEL_COMPILE_THREADS", bad, 1);
    EXPECT_EQ(defaultCompileThreads(), hardware) << "'" << bad << "'";
  }
  ::unsetenv("TESSEL_COMPILE_THREADS");
}

} // namespace
