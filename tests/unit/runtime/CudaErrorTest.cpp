//===- CudaErrorTest.cpp - The text of driver failures --------------------===//
//
// formatCudaError, cudaCallName and the TESSEL_CU macro, without a GPU: the
// results fed to them are made up.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"

#include "TestText.h"

#include <gtest/gtest.h>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::startsWith;

namespace {

TEST(FormatCudaError, NamesCallKernelErrorAndPlace) {
  EXPECT_EQ(formatCudaError(1, "CUDA_ERROR_INVALID_VALUE", "invalid argument",
                            "cuLaunchKernel", "gemm", "runtime/src/Launch.cpp",
                            42),
            "cuLaunchKernel failed for kernel 'gemm': CUDA_ERROR_INVALID_VALUE "
            "(invalid argument) [runtime/src/Launch.cpp:42]");
}

TEST(FormatCudaError, WithoutKernelOrFile) {
  EXPECT_EQ(formatCudaError(2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory",
                            "cuMemAlloc_v2", "", nullptr, 0),
            "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
}

TEST(FormatCudaError, NumericCodeWhenNamesAreUnavailable) {
  EXPECT_EQ(formatCudaError(700, nullptr, nullptr, "cuCtxSynchronize", "ns5",
                            "a.cpp", 7),
            "cuCtxSynchronize failed for kernel 'ns5': CUDA error 700 "
            "[a.cpp:7]");
}

TEST(CudaCallName, ExtractsTheCalledFunction) {
  EXPECT_EQ(cudaCallName("drv->cuLaunchKernel(f, 1, 1, 1)"), "cuLaunchKernel");
  EXPECT_EQ(cudaCallName("(*drv)->cuMemFree_v2(ptr)"), "cuMemFree_v2");
  EXPECT_EQ(cudaCallName("cu.cuInit (0)"), "cuInit");
  EXPECT_EQ(cudaCallName("cuModuleLoadDataEx"), "cuModuleLoadDataEx");
  EXPECT_EQ(cudaCallName("(result)"), "(result)");
}

CUresult fakeDriverCall(CUresult result) { return result; }

Status checkedSequence(CUresult first, CUresult second, int &calls) {
  calls = 0;
  ++calls;
  TESSEL_CU(fakeDriverCall(first), "gemm");
  ++calls;
  TESSEL_CU(fakeDriverCall(second), std::string("ns_line3"));
  ++calls;
  return Status::success();
}

TEST(TesselCu, ReturnsTheFirstFailureNamingCallAndKernel) {
  int calls = 0;
  EXPECT_TRUE(checkedSequence(CUDA_SUCCESS, CUDA_SUCCESS, calls).ok());
  EXPECT_EQ(calls, 3);

  Status status =
      checkedSequence(CUDA_SUCCESS, CUDA_ERROR_INVALID_VALUE, calls);
  EXPECT_EQ(calls, 2);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(startsWith(status.message(),
                         "fakeDriverCall failed for kernel 'ns_line3': "));
  // The name comes from the driver when one is loaded, else the code.
  Expected<CudaDriver *> driver = CudaDriver::get();
  EXPECT_TRUE(hasSubstr(status.message(),
                        driver ? "CUDA_ERROR_INVALID_VALUE" : "CUDA error 1"));
  EXPECT_TRUE(hasSubstr(status.message(), "CudaErrorTest.cpp:"));

  status = checkedSequence(CUDA_ERROR_LAUNCH_FAILED, CUDA_SUCCESS, calls);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(hasSubstr(status.message(), "for kernel 'gemm'"));
}

Expected<int> checkedValue(CUresult result) {
  TESSEL_CU(fakeDriverCall(result), "");
  return 5;
}

TEST(TesselCu, WorksInFunctionsReturningExpected) {
  EXPECT_EQ(*checkedValue(CUDA_SUCCESS), 5);
  Expected<int> failed = checkedValue(CUDA_ERROR_NOT_FOUND);
  ASSERT_FALSE(failed);
  EXPECT_TRUE(startsWith(failed.status().message(), "fakeDriverCall failed: "));
}

} // namespace
