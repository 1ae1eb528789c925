//===- CubinTest.cpp - PTX to cubin through nvJitLink, on the CPU ---------===//
//
// nvJitLink needs no GPU: a hand-written kernel becomes an ELF cubin for
// sm_80 and sm_90a, and a broken one fails with the assembler's own log.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Cubin.h"
#include "tessel/runtime/Module.h"

#include "TestPtx.h"
#include "TestText.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <regex>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::startsWith;

namespace {

// ELF e_machine of NVIDIA CUDA objects.
constexpr std::uint16_t kElfMachineCuda = 190;

void expectCudaElf(const std::vector<char> &cubin) {
  ASSERT_GT(cubin.size(), 64u);
  EXPECT_EQ(Module::classify(std::string_view(cubin.data(), cubin.size())),
            Module::ImageKind::Cubin);
  EXPECT_EQ(cubin[4], 2) << "ELFCLASS64";
  std::uint16_t machine = static_cast<unsigned char>(cubin[18]) |
                          static_cast<unsigned char>(cubin[19]) << 8;
  EXPECT_EQ(machine, kElfMachineCuda);
}

bool containsText(const std::vector<char> &bytes, std::string_view text) {
  return std::string_view(bytes.data(), bytes.size()).find(text) !=
         std::string_view::npos;
}

TEST(NvJitLink, ReportsItsVersion) {
  Expected<std::string> version = nvJitLinkVersion();
  ASSERT_TRUE(version) << version.status().message();
  EXPECT_TRUE(std::regex_match(*version, std::regex("[0-9]+\\.[0-9]+")))
      << *version;
}

TEST(PtxToCubin, Sm80) {
  Expected<std::vector<char>> cubin =
      ptxToCubin(test::scalePtx("sm_80"), "sm_80", test::kScaleKernel);
  ASSERT_TRUE(cubin) << cubin.status().message();
  expectCudaElf(*cubin);
  EXPECT_TRUE(containsText(*cubin, test::kScaleKernel));
}

TEST(PtxToCubin, Sm90a) {
  Expected<std::vector<char>> cubin =
      ptxToCubin(test::scalePtx("sm_90a"), "sm_90a", test::kScaleKernel);
  ASSERT_TRUE(cubin) << cubin.status().message();
  expectCudaElf(*cubin);
}

TEST(PtxToCubin, OlderPtxForANewerTarget) {
  // What the GPU tests do: sm_80 PTX assembled for the device's own target.
  Expected<std::vector<char>> cubin =
      ptxToCubin(test::scalePtx("sm_80"), "sm_90a");
  ASSERT_TRUE(cubin) << cubin.status().message();
  expectCudaElf(*cubin);
}

TEST(PtxToCubin, BrokenPtxFailsWithTheAssemblerLog) {
  Expected<std::vector<char>> cubin =
      ptxToCubin(test::brokenScalePtx("sm_80"), "sm_80", test::kScaleKernel);
  ASSERT_FALSE(cubin);
  const std::string &message = cubin.status().message();
  EXPECT_TRUE(startsWith(message,
                         "ptxToCubin(sm_80) for kernel 'tessel_test_scale': "));
  EXPECT_TRUE(hasSubstr(message, "NVJITLINK_ERROR_PTX_COMPILE"));
  EXPECT_TRUE(hasSubstr(message, "nvJitLink error log:"));
  // Only the assembler's log can name the bad instruction.
  EXPECT_TRUE(hasSubstr(message, "frobnicate"));
}

TEST(PtxToCubin, BadArchitectures) {
  Expected<std::vector<char>> noPrefix = ptxToCubin(test::scalePtx(), "90a");
  ASSERT_FALSE(noPrefix);
  EXPECT_TRUE(
      hasSubstr(noPrefix.status().message(), "arch must look like \"sm_90a\""));

  Expected<std::vector<char>> unknown =
      ptxToCubin(test::scalePtx(), "sm_12345");
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(hasSubstr(unknown.status().message(), "-arch=sm_12345"));
  EXPECT_TRUE(hasSubstr(unknown.status().message(), "NVJITLINK_ERROR"));
}

TEST(PtxToCubin, EmptyPtx) {
  Expected<std::vector<char>> cubin = ptxToCubin("", "sm_80", "k");
  ASSERT_FALSE(cubin);
  EXPECT_EQ(cubin.status().message(),
            "ptxToCubin(sm_80) for kernel 'k': empty PTX");
}

TEST(PtxToCubin, ExtraOptionsReachNvJitLink) {
  Expected<std::vector<char>> bogus =
      ptxToCubin(test::scalePtx(), "sm_80", "", {"-no-such-option"});
  ASSERT_FALSE(bogus);
  EXPECT_TRUE(hasSubstr(bogus.status().message(), "-no-such-option"));

  Expected<std::vector<char>> lineinfo =
      ptxToCubin(test::scalePtx(), "sm_80", "", {"-lineinfo"});
  ASSERT_TRUE(lineinfo) << lineinfo.status().message();
  expectCudaElf(*lineinfo);
}

} // namespace
