//===- CudaDriverTest.cpp - Loading libcuda with dlopen -------------------===//
//
// What get() says on a machine without a driver, open() on libraries that do
// not exist, and the full symbol list resolved against CUDA's stub libcuda.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"

#include "TestText.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::startsWith;

namespace {

TEST(CudaDriver, GetSucceedsOrSaysWhyNot) {
  Expected<CudaDriver *> driver = CudaDriver::get();
  if (driver) {
    ASSERT_NE(*driver, nullptr);
    EXPECT_GT((*driver)->driverVersion(), 0);
    EXPECT_NE((*driver)->cuLaunchKernel, nullptr);
    EXPECT_NE((*driver)->cuTensorMapEncodeTiled, nullptr);
    return;
  }
  const std::string &message = driver.status().message();
  if (startsWith(message, "no CUDA driver: ")) {
    // No library at all: both names tried, each with dlerror's reason.
    EXPECT_TRUE(
        startsWith(message, "no CUDA driver: dlopen(libcuda.so.1) failed: "));
    EXPECT_TRUE(hasSubstr(message, "; dlopen(libcuda.so) failed: "));
  } else {
    // A library that cannot be used (e.g. CUDA's stub, or no GPU).
    EXPECT_TRUE(startsWith(message, "CUDA driver unusable: "));
  }
}

TEST(CudaDriver, GetAnswersTheSameEveryTime) {
  Expected<CudaDriver *> first = CudaDriver::get();
  Expected<CudaDriver *> second = CudaDriver::get();
  ASSERT_EQ(bool(first), bool(second));
  if (first)
    EXPECT_EQ(*first, *second);
  else
    EXPECT_EQ(first.status().message(), second.status().message());
}

TEST(CudaDriver, OpenReportsEveryLibraryTried) {
  Expected<std::unique_ptr<CudaDriver>> driver =
      CudaDriver::open({"libtessel-missing-a.so", "libtessel-missing-b.so.1"});
  ASSERT_FALSE(driver);
  const std::string &message = driver.status().message();
  EXPECT_TRUE(startsWith(
      message, "no CUDA driver: dlopen(libtessel-missing-a.so) failed: "));
  EXPECT_TRUE(
      hasSubstr(message, "; dlopen(libtessel-missing-b.so.1) failed: "));
  EXPECT_TRUE(hasSubstr(message, "cannot open shared object file"));

  Expected<std::unique_ptr<CudaDriver>> none = CudaDriver::open({});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().message(), "no CUDA driver: no library to try");
}

TEST(CudaDriver, EverySymbolResolvesInTheToolkitStub) {
  // CUDA's stub libcuda exports the whole driver API of its release and
  // fails cuInit with CUDA_ERROR_STUB_LIBRARY (34). It has the SONAME
  // libcuda.so.1, so it is opened in a child process: in this one a later
  // dlopen("libcuda.so.1") would find it instead of the real driver.
  const char *stub = TESSEL_CUDA_STUB_LIBCUDA;
  if (!std::filesystem::exists(stub))
    GTEST_SKIP() << "no CUDA stub library at " << stub
                 << " to resolve the symbol list against";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Expected<std::unique_ptr<CudaDriver>> driver = CudaDriver::open({stub});
    std::string message = driver ? "opened" : driver.status().message();
    ssize_t written = write(fds[1], message.data(), message.size());
    _exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = read(fds[0], buffer, sizeof(buffer))) > 0;)
    message.append(buffer, static_cast<size_t>(got));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  // Past dlsym (no "lacks ..."), stopped by the stub's cuInit.
  EXPECT_TRUE(startsWith(message, "CUDA driver unusable: cuInit failed: "));
  EXPECT_FALSE(hasSubstr(message, "lacks"));
  EXPECT_TRUE(hasSubstr(message, "CUDA_ERROR_STUB_LIBRARY") ||
              hasSubstr(message, "CUDA error 34"))
      << message;
}

} // namespace
