//===- ModuleTest.cpp - Module image detection and empty loads ------------===//
//
// Telling PTX from cubins and fatbins by their first bytes, and the errors
// given before the driver is involved.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/Module.h"

#include "TestPtx.h"
#include "TestText.h"

#include <gtest/gtest.h>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;

namespace {

TEST(Module, ClassifiesImagesByMagic) {
  EXPECT_EQ(Module::classify(std::string("\x7f"
                                         "ELF\x02\x01\x01",
                                         7)),
            Module::ImageKind::Cubin);
  EXPECT_EQ(Module::classify(std::string("\x50\xed\x55\xba\x01\x00", 6)),
            Module::ImageKind::Fatbin);
  EXPECT_EQ(Module::classify(test::scalePtx()), Module::ImageKind::Ptx);
  EXPECT_EQ(Module::classify("\x7f"
                             "EL"),
            Module::ImageKind::Ptx);
  EXPECT_EQ(Module::classify(""), Module::ImageKind::Ptx);
}

TEST(Module, EmptyImageIsRefused) {
  Expected<Module> module = Module::load("", "scale");
  ASSERT_FALSE(module);
  EXPECT_EQ(module.status().message(),
            "cannot load module 'scale': empty image");
}

TEST(Module, UnloadedModuleHasNoKernels) {
  Module module;
  Expected<Kernel> kernel = module.kernel("gemm");
  ASSERT_FALSE(kernel);
  EXPECT_TRUE(hasSubstr(kernel.status().message(), "no kernel 'gemm'"));
}

TEST(Module, SharedMemoryOptinThreshold) {
  // 48 KiB: the most a block gets without cuFuncSetAttribute, on every GPU.
  EXPECT_EQ(kSharedBytesWithoutOptin, 49152u);
}

} // namespace
