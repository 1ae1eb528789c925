//===- ScratchRootTest.h - a fixture with an empty cache root -----*- C++ -*-===//
//
// Each test gets its own empty directory (suite, test and process in its
// name, so parallel ctest runs never share one), removed afterwards.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TESTS_UNIT_CACHE_SCRATCHROOTTEST_H
#define TESSEL_TESTS_UNIT_CACHE_SCRATCHROOTTEST_H

#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

namespace tessel::test {

class ScratchRootTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    root = std::filesystem::temp_directory_path() /
           ("tessel-" + std::string(info->test_suite_name()) + "-" +
            std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(root);
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  std::filesystem::path root;
};

} // namespace tessel::test

#endif // TESSEL_TESTS_UNIT_CACHE_SCRATCHROOTTEST_H
