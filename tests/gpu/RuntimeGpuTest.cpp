//===- RuntimeGpuTest.cpp - The runtime on a real GPU ---------------------===//
//
// Loads hand-written PTX (JIT) and an nvJitLink cubin, launches with ArgPack on
// a stream, checks every output element, and checks that failures name the
// kernel and the CUDA error. Skips, with the reason, where there is no GPU.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/Cubin.h"
#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"
#include "tessel/runtime/Stream.h"
#include "tessel/runtime/Timer.h"

#include "TestPtx.h"
#include "TestText.h"
#include "TmaTestPtx.h"
#include "tessel/runtime/TensorMap.h"
#include "tessel/runtime/TmaArgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <tuple>

using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::kScaleKernel;

namespace {

/// Why this machine cannot run GPU tests, or "" when it can.
std::string whyNoDevice() {
  Expected<int> count = deviceCount();
  if (!count)
    return count.status().message();
  if (*count == 0)
    return "the driver sees no device";
  return "";
}

class RuntimeGpu : public ::testing::Test {
protected:
  void SetUp() override {
    std::string reason = whyNoDevice();
    if (!reason.empty())
      GTEST_SKIP() << "no CUDA device: " << reason;
    Expected<Context> context = Context::acquire(0);
    ASSERT_TRUE(context) << context.status().message();
    context_ = context.take();
    Expected<DeviceInfo> info = queryDevice(0);
    ASSERT_TRUE(info) << info.status().message();
    info_ = *info;
    Expected<Stream> stream = Stream::create();
    ASSERT_TRUE(stream) << stream.status().message();
    stream_ = stream.take();
  }

  /// Runs y = 2x + 1 over n random floats with `kernel` and checks all of y,
  /// and that the poisoned elements past n are untouched.
  void runScale(Kernel &kernel, int n, unsigned sharedBytes = 0) {
    constexpr int kSlack = 64; // elements past n that must stay poisoned
    std::mt19937 random(n);
    std::uniform_real_distribution<float> uniform(-1000.0f, 1000.0f);
    std::vector<float> x(n);
    for (float &value : x)
      value = uniform(random);

    Expected<DeviceBuffer> dx = DeviceBuffer::allocate(n * sizeof(float));
    Expected<DeviceBuffer> dy =
        DeviceBuffer::allocate((n + kSlack) * sizeof(float));
    ASSERT_TRUE(dx) << dx.status().message();
    ASSERT_TRUE(dy) << dy.status().message();
    ASSERT_TRUE(dx->upload(x).ok());
    Status poisoned = dy->fillBytes(0xff);
    ASSERT_TRUE(poisoned.ok()) << poisoned.message();

    ArgPack args;
    args.ptr(dx->ptr()).ptr(dy->ptr()).i32(n);
    constexpr unsigned kBlock = 128;
    Status launched =
        kernel.launch({(n + kBlock - 1) / kBlock, 1, 1}, {kBlock, 1, 1},
                      sharedBytes, stream_.handle(), args);
    ASSERT_TRUE(launched.ok()) << launched.message();
    Status synced = stream_.synchronize();
    ASSERT_TRUE(synced.ok()) << synced.message();

    std::vector<float> y(n + kSlack);
    ASSERT_TRUE(dy->download(y).ok());
    int wrong = 0;
    for (int i = 0; i < n; ++i)
      if (y[i] != std::fma(x[i], 2.0f, 1.0f) && ++wrong <= 5)
        ADD_FAILURE() << "y[" << i << "] = " << y[i] << ", want "
                      << std::fma(x[i], 2.0f, 1.0f);
    EXPECT_EQ(wrong, 0);
    for (int i = n; i < n + kSlack; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, &y[i], 4);
      EXPECT_EQ(bits, 0xffffffffu) << "bounds check: y[" << i << "] written";
    }
  }

  Context context_;
  DeviceInfo info_;
  Stream stream_;
};

TEST_F(RuntimeGpu, DeviceInfoIsSane) {
  EXPECT_FALSE(info_.name.empty());
  EXPECT_GT(info_.smCount, 0);
  EXPECT_GE(info_.ccMajor, 7);
  EXPECT_EQ(info_.warpSize, 32);
  EXPECT_GT(info_.l2Bytes, 0);
  EXPECT_GE(info_.maxSharedPerBlockOptin, info_.maxSharedPerBlock);
  std::cout << "device: " << info_.name << ", cc " << info_.ccMajor << "."
            << info_.ccMinor << ", " << info_.smCount << " SMs, target '"
            << targetFor(info_) << "', driver "
            << (*CudaDriver::get())->driverVersion() << "\n";
}

TEST_F(RuntimeGpu, PtxKernelRunsOnAStream) {
  Expected<Module> module = Module::load(test::scalePtx("sm_80"), "scale");
  ASSERT_TRUE(module) << module.status().message();
  Expected<Kernel> kernel = module->kernel(kScaleKernel);
  ASSERT_TRUE(kernel) << kernel.status().message();
  runScale(*kernel, 1000 * 1000 + 37);
  runScale(*kernel, 1);
}

TEST_F(RuntimeGpu, CubinFromNvJitLinkRuns) {
  std::string target = targetFor(info_);
  if (target.empty())
    GTEST_SKIP() << "Tessel has no target for compute capability "
                 << info_.ccMajor << "." << info_.ccMinor;
  Expected<std::vector<char>> cubin =
      ptxToCubin(test::scalePtx("sm_80"), target, kScaleKernel);
  ASSERT_TRUE(cubin) << cubin.status().message();
  Expected<Module> module = Module::load(
      std::string_view(cubin->data(), cubin->size()), "scale.cubin");
  ASSERT_TRUE(module) << module.status().message();
  EXPECT_TRUE(module->jitInfoLog().empty() ||
              module->jitInfoLog().find("error") == std::string::npos);
  Expected<Kernel> kernel = module->kernel(kScaleKernel);
  ASSERT_TRUE(kernel) << kernel.status().message();
  Expected<KernelAttributes> attributes = kernel->attributes();
  ASSERT_TRUE(attributes) << attributes.status().message();
  EXPECT_GT(attributes->numRegs, 0);
  EXPECT_EQ(attributes->binaryVersion, info_.ccMajor * 10 + info_.ccMinor);
  runScale(*kernel, 4096 + 5);
}

TEST_F(RuntimeGpu, BadLaunchNamesKernelAndError) {
  Expected<Module> module = Module::load(test::scalePtx("sm_80"), "scale");
  ASSERT_TRUE(module) << module.status().message();
  Expected<Kernel> kernel = module->kernel(kScaleKernel);
  ASSERT_TRUE(kernel) << kernel.status().message();
  ArgPack args;
  args.ptr(0).ptr(0).i32(0);
  // 4096 threads: more than any GPU allows in a block.
  Status status =
      kernel->launch({1, 1, 1}, {4096, 1, 1}, 0, stream_.handle(), args);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(
      hasSubstr(status.message(),
                "cuLaunchKernel failed for kernel 'tessel_test_scale'"));
  EXPECT_TRUE(hasSubstr(status.message(), "CUDA_ERROR_"));
  EXPECT_TRUE(hasSubstr(status.message(), "block 4096x1x1"));
  std::cout << "bad launch: " << status.message() << "\n";
  // A bad configuration is not sticky: the context still runs kernels.
  runScale(*kernel, 1000);
}

TEST_F(RuntimeGpu, DynamicSharedMemoryBeyond48KiB) {
  Expected<Module> module = Module::load(test::scalePtx("sm_80"), "scale");
  ASSERT_TRUE(module) << module.status().message();
  Expected<Kernel> kernel = module->kernel(kScaleKernel);
  ASSERT_TRUE(kernel) << kernel.status().message();
  if (info_.maxSharedPerBlockOptin <= int(kSharedBytesWithoutOptin))
    GTEST_SKIP() << "device allows no opt-in above 48 KiB";
  // Needs cuFuncSetAttribute first; the launch fails without it.
  runScale(*kernel, 5000, info_.maxSharedPerBlockOptin);
  Expected<KernelAttributes> attributes = kernel->attributes();
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->maxDynamicSharedBytes, info_.maxSharedPerBlockOptin);

  ArgPack args;
  args.ptr(0).ptr(0).i32(0);
  Status tooMuch =
      kernel->launch({1, 1, 1}, {32, 1, 1}, info_.maxSharedPerBlockOptin + 1024,
                     stream_.handle(), args);
  ASSERT_FALSE(tooMuch.ok());
  EXPECT_TRUE(hasSubstr(tooMuch.message(), "kernel 'tessel_test_scale'"));
  EXPECT_TRUE(hasSubstr(tooMuch.message(), "CUDA_ERROR_"));
}

TEST_F(RuntimeGpu, JitFailureCarriesTheDriverLog) {
  Expected<Module> module =
      Module::load(test::brokenScalePtx("sm_80"), "broken_scale");
  ASSERT_FALSE(module);
  const std::string &message = module.status().message();
  EXPECT_TRUE(hasSubstr(message,
                        "cuModuleLoadDataEx failed for kernel 'broken_scale'"));
  EXPECT_TRUE(hasSubstr(message, "CUDA_ERROR_"));
  EXPECT_TRUE(hasSubstr(message, "driver JIT log:"));
  EXPECT_TRUE(hasSubstr(message, "frobnicate"));
}

TEST_F(RuntimeGpu, MissingKernelIsNamed) {
  Expected<Module> module = Module::load(test::scalePtx("sm_80"), "scale");
  ASSERT_TRUE(module) << module.status().message();
  Expected<Kernel> kernel = module->kernel("no_such_kernel");
  ASSERT_FALSE(kernel);
  EXPECT_TRUE(hasSubstr(kernel.status().message(),
                        "cuModuleGetFunction failed for kernel "
                        "'no_such_kernel': CUDA_ERROR_NOT_FOUND"));
  EXPECT_TRUE(hasSubstr(kernel.status().message(), "in module 'scale'"));
}

TEST_F(RuntimeGpu, MemoryCopiesAndFills) {
  Expected<DeviceBuffer> a = DeviceBuffer::allocate(1024);
  Expected<DeviceBuffer> b = DeviceBuffer::allocate(1024);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->fillU32(0x12345678u).ok());
  ASSERT_TRUE(b->fillBytes(0).ok());
  ASSERT_TRUE(b->copyFromDevice(a->ptr(), 512, 512).ok());
  std::vector<std::uint32_t> host(256, 0);
  ASSERT_TRUE(b->download(host).ok());
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(host[i], i < 128 ? 0u : 0x12345678u) << i;
  std::vector<std::uint8_t> bytes = {1, 2, 3};
  ASSERT_TRUE(a->copyFromHost(bytes.data(), 3, 1021).ok());
  std::uint8_t tail[4] = {};
  ASSERT_TRUE(a->copyToHost(tail, 4, 1020).ok());
  EXPECT_EQ(tail[0], 0x78); // little-endian low byte of 0x12345678
  EXPECT_EQ(tail[1], 1);
  EXPECT_EQ(tail[3], 3);
  EXPECT_FALSE(a->copyToHost(tail, 4, 1021).ok());
  Expected<DeviceBuffer> odd = DeviceBuffer::allocate(6);
  ASSERT_TRUE(odd);
  EXPECT_FALSE(odd->fillU32(0).ok());
}

TEST_F(RuntimeGpu, EventTimerTimesKernels) {
  Expected<Module> module = Module::load(test::scalePtx("sm_80"), "scale");
  ASSERT_TRUE(module) << module.status().message();
  Expected<Kernel> kernel = module->kernel(kScaleKernel);
  ASSERT_TRUE(kernel);
  constexpr int n = 1 << 24;
  Expected<DeviceBuffer> x = DeviceBuffer::allocate(n * sizeof(float));
  Expected<DeviceBuffer> y = DeviceBuffer::allocate(n * sizeof(float));
  ASSERT_TRUE(x && y);
  ASSERT_TRUE(x->fillBytes(0).ok());
  ArgPack args = ArgPack::of(x->ptr(), y->ptr(), n);
  Expected<EventTimer> timer = EventTimer::create();
  ASSERT_TRUE(timer) << timer.status().message();
  std::vector<double> samples;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(timer->start(stream_.handle()).ok());
    ASSERT_TRUE(
        kernel->launch({n / 256, 1, 1}, {256, 1, 1}, 0, stream_.handle(), args)
            .ok());
    ASSERT_TRUE(timer->stop(stream_.handle()).ok());
    Expected<double> ms = timer->elapsedMs();
    ASSERT_TRUE(ms) << ms.status().message();
    samples.push_back(*ms);
  }
  double ms = median(samples);
  EXPECT_GT(ms, 0.0);
  EXPECT_LT(ms, 100.0);
  std::cout << "scale over 2^24 floats: median " << ms << " ms\n";
}

TEST_F(RuntimeGpu, TensorMapEncodeTiledResolves) {
  // The TMA descriptor entry point: encode a 2-D bf16 tile map.
  Expected<CudaDriver *> drv = CudaDriver::get();
  ASSERT_TRUE(drv);
  if (info_.ccMajor < 9)
    GTEST_SKIP() << "TMA needs sm_90 or newer";
  Expected<DeviceBuffer> buffer = DeviceBuffer::allocate(256 * 256 * 2);
  ASSERT_TRUE(buffer);
  CUtensorMap map;
  cuuint64_t dims[2] = {256, 256};
  cuuint64_t strides[1] = {256 * 2};
  cuuint32_t box[2] = {64, 64};
  cuuint32_t elementStrides[2] = {1, 1};
  Status status = CudaDriver::check(
      (*drv)->cuTensorMapEncodeTiled(
          &map, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2,
          reinterpret_cast<void *>(buffer->ptr()), dims, strides, box,
          elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE,
          CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_NONE,
          CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
      "cuTensorMapEncodeTiled", "", __FILE__, __LINE__);
  EXPECT_TRUE(status.ok()) << status.message();
  ArgPack args;
  args.bytes(map);
  EXPECT_EQ(args.sizeOf(0), sizeof(CUtensorMap));
}

/// Elements of the 64 x 64 box `out`, copied from (row, col) of a rows x
/// cols row-major matrix `m` (leading dimension ld), that differ from it
/// (zero outside the matrix).
int wrongInBox(const std::vector<uint16_t> &out, uint64_t row, uint64_t col,
               uint64_t rows, uint64_t cols, const uint16_t *m, uint64_t ld) {
  int wrong = 0;
  for (uint64_t i = 0; i < 64; ++i)
    for (uint64_t j = 0; j < 64; ++j) {
      uint64_t r = row + i, c = col + j;
      uint16_t want = r < rows && c < cols ? m[r * ld + c] : 0;
      wrong += out[i * 64 + j] != want;
    }
  return wrong;
}

// TMA end to end: a map encoded by TensorMap2D, uploaded to global memory,
// read by cp.async.bulk.tensor in hand-written PTX, for a box inside the
// matrix and one over its ragged corner (out-of-bounds elements read as
// zero), plain and with the 128-byte swizzle wgmma wants.
TEST_F(RuntimeGpu, TmaCopiesBoxesThroughTensorMaps) {
  if (info_.ccMajor < 9)
    GTEST_SKIP() << "TMA needs sm_90 or newer";
  const uint64_t rows = 100, cols = 150, ld = 152;
  std::vector<uint16_t> src(rows * ld);
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t c = 0; c < ld; ++c)
      src[r * ld + c] = (uint16_t)(1 + (r * 331 + c * 7) % 60000);
  Expected<DeviceBuffer> dsrc = DeviceBuffer::allocate(src.size() * 2);
  Expected<DeviceBuffer> dout = DeviceBuffer::allocate(64 * 64 * 2);
  Expected<DeviceBuffer> dmap = DeviceBuffer::allocate(sizeof(CUtensorMap));
  ASSERT_TRUE(dsrc && dout && dmap);
  ASSERT_TRUE(dsrc->upload(src).ok());
  for (bool swizzled : {false, true}) {
    Expected<Module> module =
        Module::load(test::tmaTilePtx(swizzled), "tma tile");
    ASSERT_TRUE(module) << module.status().message();
    Expected<Kernel> kernel = module->kernel(test::kTmaTileKernel);
    ASSERT_TRUE(kernel) << kernel.status().message();
    TensorMap2D spec;
    spec.base = dsrc->ptr();
    spec.rows = rows;
    spec.cols = cols;
    spec.rowStride = ld;
    spec.boxRows = spec.boxCols = 64;
    spec.swizzle = swizzled ? TmaSwizzle::Span128 : TmaSwizzle::None;
    Expected<CUtensorMap> map = spec.encode();
    ASSERT_TRUE(map) << map.status().message();
    ASSERT_TRUE(dmap->copyFromHost(&*map, sizeof(CUtensorMap)).ok());
    for (auto [col, row] : {std::pair<uint32_t, uint32_t>{64, 0}, {128, 64}}) {
      ASSERT_TRUE(dout->fillBytes(0xff).ok());
      ArgPack args;
      args.ptr(dmap->ptr()).ptr(dout->ptr()).u32(col).u32(row);
      Status launched =
          kernel->launch({1, 1, 1}, {128, 1, 1}, test::kTmaTileSharedBytes,
                         stream_.handle(), args);
      ASSERT_TRUE(launched.ok()) << launched.message();
      ASSERT_TRUE(stream_.synchronize().ok());
      std::vector<uint16_t> out(64 * 64);
      ASSERT_TRUE(dout->download(out).ok());
      int wrong = wrongInBox(out, row, col, rows, cols, src.data(), ld);
      EXPECT_EQ(wrong, 0) << "box at (col " << col << ", row " << row
                          << "), swizzle " << (swizzled ? "128B" : "none");
      std::cout << "RESULT tma box (" << col << ", " << row << ") swizzle "
                << (swizzled ? "128B" : "none") << ": " << 4096 - wrong
                << "/4096 elements right\n";
    }
  }
}

// The device copies of tensor maps: one per distinct map (the same bytes
// twice give the same address, other bytes another), 128-byte aligned,
// holding the map's bytes; one cache per context.
TEST_F(RuntimeGpu, TensorMapCacheUploadsEachMapOnce) {
  if (info_.ccMajor < 9)
    GTEST_SKIP() << "TMA needs sm_90 or newer";
  Expected<DeviceBuffer> src = DeviceBuffer::allocate(4 * 128 * 128 * 2);
  ASSERT_TRUE(src);
  TensorMapND nd;
  nd.base = src->ptr();
  nd.dims = {4, 128, 128};
  nd.strides = {128 * 128, 128};
  nd.box = {1, 64, 64};
  nd.swizzle = TmaSwizzle::Span128;
  Expected<CUtensorMap> first = nd.encode();
  ASSERT_TRUE(first) << first.status().message();
  Expected<CUtensorMap> again = nd.encode();
  ASSERT_TRUE(again) << again.status().message();
  nd.dims[1] = 100;
  Expected<CUtensorMap> other = nd.encode();
  ASSERT_TRUE(other) << other.status().message();

  Expected<std::unique_ptr<TensorMapCache>> cache = TensorMapCache::create();
  ASSERT_TRUE(cache) << cache.status().message();
  Expected<CUdeviceptr> a = (*cache)->deviceCopy(*first);
  Expected<CUdeviceptr> b = (*cache)->deviceCopy(*again);
  Expected<CUdeviceptr> c = (*cache)->deviceCopy(*other);
  ASSERT_TRUE(a && b && c) << (!a   ? a.status()
                               : !b ? b.status()
                                    : c.status())
                                  .message();
  EXPECT_EQ(*a, *b) << "the same map was uploaded twice";
  EXPECT_NE(*a, *c);
  EXPECT_EQ(*a % 128, 0u);
  EXPECT_EQ(*c % 128, 0u);
  EXPECT_EQ((*cache)->size(), 2u);
  Expected<CudaDriver *> drv = CudaDriver::get();
  ASSERT_TRUE(drv);
  CUtensorMap onDevice;
  ASSERT_EQ((*drv)->cuMemcpyDtoH_v2(&onDevice, *c, sizeof onDevice),
            CUDA_SUCCESS);
  EXPECT_EQ(std::memcmp(&onDevice, &*other, sizeof onDevice), 0);
  // More maps than a slab holds (batch counts 1 .. 264): a second slab,
  // every address distinct.
  std::set<CUdeviceptr> seen{*a, *c};
  nd.dims = {0, 128, 128};
  for (uint64_t batches = 1; batches <= TensorMapCache::kSlabMaps + 8;
       ++batches) {
    nd.dims[0] = batches;
    Expected<CUtensorMap> map = nd.encode();
    ASSERT_TRUE(map) << map.status().message();
    Expected<CUdeviceptr> at = (*cache)->deviceCopy(*map);
    ASSERT_TRUE(at) << at.status().message();
    if (batches == 4) { // `first` again
      EXPECT_EQ(*at, *a);
    } else {
      EXPECT_TRUE(seen.insert(*at).second) << "batches " << batches;
      EXPECT_EQ(*at % 128, 0u);
    }
  }
  EXPECT_EQ((*cache)->size(), TensorMapCache::kSlabMaps + 9);
  EXPECT_EQ(&TensorMapCache::forCurrentContext(),
            &TensorMapCache::forCurrentContext());
}

// A 3-D map (batch, rows, cols) built by appendTensorMaps from the launch's
// own arguments and passed as the hidden last argument; boxes (1, 64, 64)
// inside, over the ragged corner and in the last batch (whose batch stride
// is padded), plain and 128-byte swizzled.
TEST_F(RuntimeGpu, TmaCopies3DBoxesThroughBoundArguments) {
  if (info_.ccMajor < 9)
    GTEST_SKIP() << "TMA needs sm_90 or newer";
  const uint64_t batches = 3, rows = 100, cols = 150, ld = 152,
                 batchStride = 104 * ld;
  std::vector<uint16_t> src(batches * batchStride);
  for (uint64_t i = 0; i < src.size(); ++i)
    src[i] = (uint16_t)(1 + (i * 331) % 60000);
  Expected<DeviceBuffer> dsrc = DeviceBuffer::allocate(src.size() * 2);
  Expected<DeviceBuffer> dout = DeviceBuffer::allocate(64 * 64 * 2);
  ASSERT_TRUE(dsrc && dout);
  ASSERT_TRUE(dsrc->upload(src).ok());
  for (bool swizzled : {false, true}) {
    Expected<Module> module =
        Module::load(test::tmaTilePtx(swizzled, /*rank3=*/true), "tma tile 3d");
    ASSERT_TRUE(module) << module.status().message();
    Expected<Kernel> kernel = module->kernel(test::kTmaTile3dKernel);
    ASSERT_TRUE(kernel) << kernel.status().message();
    // (src, out, col, row, batch, rows, cols, batchStride): the map's base
    // is argument 0, its sizes arguments 5 and 6 and a constant, its strides
    // argument 7, a constant and the innermost 1.
    TmaArgSpec spec;
    spec.baseArg = 0;
    spec.shape = {{-1, (int64_t)batches}, {5, 0}, {6, 0}};
    spec.strides = {{7, 0}, {-1, (int64_t)ld}, {-1, 1}};
    spec.box = {1, 64, 64};
    spec.swizzle = swizzled ? TmaSwizzle::Span128 : TmaSwizzle::None;
    for (auto [col, row, batch] :
         {std::tuple<uint32_t, uint32_t, uint32_t>{64, 0, 0},
          {128, 64, 1},
          {0, 36, 2}}) {
      ASSERT_TRUE(dout->fillBytes(0xff).ok());
      ArgPack args;
      args.ptr(dsrc->ptr()).ptr(dout->ptr()).u32(col).u32(row).u32(batch);
      args.i32((int32_t)rows).i32((int32_t)cols).i64((int64_t)batchStride);
      Status bound = appendTensorMaps(test::kTmaTile3dKernel, {spec}, args,
                                      TensorMapCache::forCurrentContext());
      ASSERT_TRUE(bound.ok()) << bound.message();
      ASSERT_EQ(args.size(), 9u);
      Status launched =
          kernel->launch({1, 1, 1}, {128, 1, 1}, test::kTmaTileSharedBytes,
                         stream_.handle(), args);
      ASSERT_TRUE(launched.ok()) << launched.message();
      ASSERT_TRUE(stream_.synchronize().ok());
      std::vector<uint16_t> out(64 * 64);
      ASSERT_TRUE(dout->download(out).ok());
      int wrong = wrongInBox(out, row, col, rows, cols,
                             src.data() + batch * batchStride, ld);
      EXPECT_EQ(wrong, 0) << "box at (col " << col << ", row " << row
                          << ", batch " << batch << "), swizzle "
                          << (swizzled ? "128B" : "none");
      std::cout << "RESULT tma 3d box (" << col << ", " << row << ", " << batch
                << ") swizzle " << (swizzled ? "128B" : "none") << ": "
                << 4096 - wrong << "/4096 elements right\n";
    }
  }
  // A bad stride is named before anything reaches the device.
  ArgPack bad;
  bad.ptr(dsrc->ptr()).ptr(dout->ptr()).u32(0).u32(0).u32(0);
  bad.i32((int32_t)rows).i32((int32_t)cols).i64((int64_t)batchStride + 1);
  TmaArgSpec spec;
  spec.baseArg = 0;
  spec.shape = {{-1, (int64_t)batches}, {5, 0}, {6, 0}};
  spec.strides = {{7, 0}, {-1, (int64_t)ld}, {-1, 1}};
  spec.box = {1, 64, 64};
  Status refused = appendTensorMaps("tile3d", {spec}, bad,
                                    TensorMapCache::forCurrentContext());
  EXPECT_TRUE(hasSubstr(refused.message(),
                        "kernel 'tile3d': tensor map 0 (base = argument 0): "
                        "stride of dimension 0 is 15809 elements"));
  EXPECT_EQ(bad.size(), 8u);
}

} // namespace
