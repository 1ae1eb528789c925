//===- Tuning.cpp - NS lines as tuning targets ----------------------------===//
//
// Each line runs on scratch buffers sized for the shape (random bf16: the
// tensor cores' power, and so the clocks, depend on the values), with the
// same arguments tessel::ns::orthogonalize passes for compact X.
//
//===----------------------------------------------------------------------===//
#include "Tuning.h"
#include "NSKernelSources.h"

#include "tessel/autotune/DslTarget.h"
#include "tessel/runtime/DiskCache.h"
#include "tessel/runtime/Memory.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

namespace tessel::ns {

const char *lineName(TunedLine line) {
  switch (line) {
  case TunedLine::Line1:
    return "line1";
  case TunedLine::Line2:
    return "line2";
  case TunedLine::Line3:
    return "line3";
  }
  return "?";
}

LineKernel lineKernel(TunedLine line) {
  if (line == TunedLine::Line3)
    return {"kernels/newton_schulz/line3.mlir", kLine3Source, "ns_line3"};
  return {"kernels/newton_schulz/syrk.mlir", kSyrkSource, "syrk"};
}

tune::ProblemKey problemKey(TunedLine line, const Plan &plan, bool tma) {
  LineKernel k = lineKernel(line);
  tune::ProblemKey key;
  key.kernel = k.kernel;
  key.kernelHash = tune::kernelHash(k.source);
  key.dtypes = "bf16";
  key.layout = std::string(lineName(line)) + (tma ? "+tma" : "");
  key.shape = keyShape(line, plan);
  return key;
}

rt::Expected<TuneMode> tuneModeFromEnvironment() {
  const char *v = std::getenv("TESSEL_TUNE");
  if (!v || !*v || !std::strcmp(v, "lookup"))
    return TuneMode::Lookup;
  if (!std::strcmp(v, "auto"))
    return TuneMode::Auto;
  if (!std::strcmp(v, "off"))
    return TuneMode::Off;
  return rt::Status::error("TESSEL_TUNE='", v,
                           "': expected lookup, auto or off");
}

namespace {

/// Fills `buf` with bf16 values uniform in [-scale, scale): a 1 MiB pattern
/// (or less) uploaded once, then doubled on the device until the buffer is
/// full. The tensor cores' power, and so the clocks under the card's power
/// limit, depends on the bits they multiply: a constant fill underrates it,
/// and a tuning ranked at the clocks of constants need not hold on the
/// caller's data.
rt::Status fillRandomBf16(rt::DeviceBuffer &buf, float scale, uint32_t seed) {
  const size_t pattern = std::min<size_t>(buf.size(), 1 << 20) & ~size_t(1);
  std::vector<uint16_t> bits(pattern / 2);
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(-scale, scale);
  for (uint16_t &b : bits) {
    const float v = uniform(random);
    uint32_t word;
    std::memcpy(&word, &v, sizeof word);
    b = (uint16_t)(word >> 16); // bf16: the float's upper half
  }
  TESSEL_RETURN_IF_ERROR(buf.copyFromHost(bits.data(), pattern));
  for (size_t filled = pattern; filled < buf.size();) {
    const size_t chunk = std::min(filled, buf.size() - filled);
    TESSEL_RETURN_IF_ERROR(buf.copyFromDevice(buf.ptr(), chunk, filled));
    filled += chunk;
  }
  return rt::Status::success();
}

/// Scratch buffers of one shape: X, X', A, B (bf16), random (X's entries
/// of a matrix with rows of about unit norm, A's and B's of about unit
/// spectral norm, as the lines see after the normalization).
struct Scratch {
  rt::DeviceBuffer x, xo, a, b;
  static rt::Expected<Scratch> create(const Plan &plan) {
    const size_t mn = (size_t)(plan.shape.batch * plan.m * plan.n);
    const size_t mm = (size_t)(plan.shape.batch * plan.m * plan.m);
    const float xScale = 1.7f / std::sqrt((float)plan.n);
    const float aScale = 1.7f / std::sqrt((float)plan.m);
    Scratch s;
    uint32_t seed = 1;
    for (auto [buf, count, scale] :
         {std::tuple{&s.x, mn, xScale}, std::tuple{&s.xo, mn, xScale},
          std::tuple{&s.a, mm, aScale}, std::tuple{&s.b, mm, aScale}}) {
      auto fresh = rt::DeviceBuffer::allocate(count * 2);
      if (!fresh)
        return fresh.status().withContext("NS tuning scratch");
      *buf = std::move(*fresh);
      TESSEL_RETURN_IF_ERROR(fillRandomBf16(*buf, scale, seed++));
    }
    return s;
  }
};

/// The config's programs per cluster (1 where the kernel has no CLUSTER).
int64_t cluster(const tune::Config &c) {
  auto it = c.find("CLUSTER");
  return it == c.end() ? 1 : it->second;
}

tune::LaunchFn launchFor(TunedLine line, const Plan &plan, Scratch &s) {
  const int64_t batch = plan.shape.batch, m = plan.m, n = plan.n;
  const int32_t M = (int32_t)m, N = (int32_t)n;
  const int64_t mm = m * m, mn = m * n;
  // syrk's stream-K buffers (ws, flags): none, tuning pins SCHEDULE = 1
  // (so its grid, syrkGridFor, needs no SM count).
  const CUdeviceptr none = 0;
  return [=, &s](const tune::Config &c) -> rt::Expected<tune::LaunchSpec> {
    if (line != TunedLine::Line3 && streamK(c))
      return rt::Status::error("NS tuning runs syrk with one tile per "
                               "program (SCHEDULE = 1)");
    switch (line) {
    case TunedLine::Line1:
      return tune::LaunchSpec{syrkGridFor(m, c, batch, cluster(c), /*sms=*/0),
                              rt::ArgPack::of(s.x.ptr(), s.a.ptr(), s.a.ptr(),
                                              M, N, N, (int32_t)1, M, mn, mm,
                                              1.0f, 0.0f, 0.0f, none, none)};
    case TunedLine::Line2:
      return tune::LaunchSpec{syrkGridFor(m, c, batch, cluster(c), /*sms=*/0),
                              rt::ArgPack::of(s.a.ptr(), s.a.ptr(), s.b.ptr(),
                                              M, M, M, (int32_t)1, M, mm, mm,
                                              2.0f, -3.0f, 3.0f, none, none)};
    case TunedLine::Line3:
      // a = 0, as tessel::ns runs it (line 2 holds a I): no X tile read
      // after the K loop.
      return tune::LaunchSpec{
          line3Grid(m, n, c.at("BLOCK_M"), c.at("BLOCK_N"), batch, cluster(c)),
          rt::ArgPack::of(s.b.ptr(), s.x.ptr(), s.xo.ptr(), M, N, M, N,
                          (int32_t)1, N, (int32_t)1, mm, mn, 0.0f)};
    }
    return rt::Status::error("unknown NS line");
  };
}

/// What tuneShape keeps of its budget for after the tuning: one fsync'd
/// database write, three modules unloaded, the scratch buffers freed (the
/// H100's 8192^2 tunings ended 20-30 ms past their budget without it).
constexpr double kTuneShapeTailSeconds = 0.05;

} // namespace

rt::Expected<std::vector<tune::Record>>
tuneShape(Shape shape, const std::string &target, const rt::DeviceInfo &device,
          CUstream stream, tune::TuneOptions options,
          const std::function<void(TunedLine, const tune::TuneProgress &)>
              &progress,
          const std::vector<TunedLine> &lines) {
  const auto start = std::chrono::steady_clock::now();
  std::string why;
  auto plan = makePlan(shape, Variant::Aol4, &why);
  if (!plan)
    return rt::Status::error("tessel::ns tuning: ", why);
  auto scratch = Scratch::create(*plan);
  if (!scratch)
    return scratch.status();
  tune::TuneDB db(rt::DiskCache::defaultRoot(),
                  tune::DeviceKey::of(device));
  std::vector<std::unique_ptr<tune::DslTarget>> targets;
  for (TunedLine line : lines) {
    LineKernel k = lineKernel(line);
    const bool tma = tmaFits(target, *plan);
    auto target_ = tune::DslTarget::create(
        k.source, k.file, k.kernel, target, device,
        problemKey(line, *plan, tma), launchFor(line, *plan, *scratch), tma);
    if (!target_)
      return target_.status();
    targets.push_back(std::move(*target_));
    tune::DslTarget &t = *targets.back();
    if (tma) {
      // The ring's form: row-major X, BLOCK_K 64 or 128 (one or two swizzle
      // rows), tiles of 64 or 128 rows; from the untuned TMA config.
      tune::Config d =
          tmaDefaultConfig(line, *plan, device.smCount, device.l2Bytes);
      TESSEL_RETURN_IF_ERROR(t.pin("X_LAYOUT", 2));
      // BLOCK_K = 128 halves the ring's iterations: worth trying only where
      // the K loops are long (m > 1024); the smaller shapes keep their
      // tuning time (H100: 5.0-5.5 s for 128 x 128^2 and 32 x 1024^2 with
      // it, where it gained nothing measurable).
      if (plan->m > 1024)
        TESSEL_RETURN_IF_ERROR(t.narrow("BLOCK_K", {64, 128}, 64));
      else
        TESSEL_RETURN_IF_ERROR(t.pin("BLOCK_K", 64));
      TESSEL_RETURN_IF_ERROR(
          t.narrow("NUM_STAGES", {2, 3, 4}, d.at("NUM_STAGES")));
      TESSEL_RETURN_IF_ERROR(t.narrow("num_warps", {4, 8}, d.at("num_warps")));
      // Pairs of programs multicasting one operand (CLUSTER = 2), with or
      // without a producer warpgroup (WARP_ROLES = 2), and the producer
      // alone measured slower than the plain ring for every tile at
      // 32 x 512^2 and 1 x 2048 x 8192 on the H100, or within noise of it
      // (bench/results/experiments/cluster-multicast-h100.txt): not worth
      // the tuning time.
      TESSEL_RETURN_IF_ERROR(t.pin("CLUSTER", 1));
      TESSEL_RETURN_IF_ERROR(t.pin("WARP_ROLES", 1));
      if (line == TunedLine::Line3) {
        // The tile order follows from B's size against the L2, not tried.
        TESSEL_RETURN_IF_ERROR(t.pin("GROUP_M", d.at("GROUP_M")));
        TESSEL_RETURN_IF_ERROR(t.narrow("BLOCK_M", {64, 128}, d.at("BLOCK_M")));
        TESSEL_RETURN_IF_ERROR(
            t.narrow("BLOCK_N", {64, 128, 256}, d.at("BLOCK_N")));
      } else {
        TESSEL_RETURN_IF_ERROR(t.narrow("BLOCK", {64, 128}, d.at("BLOCK")));
        // Square tiles or twice as wide (the constraints keep the pairs);
        // 256 columns only where m is large, keeping small shapes' tuning
        // time.
        TESSEL_RETURN_IF_ERROR(t.narrow(
            "BLOCK_N",
            plan->m > 1024 ? std::vector<int64_t>{128, 256}
                           : std::vector<int64_t>{64, 128},
            d.at("BLOCK_N")));
        // Stream-K (SCHEDULE = 2) measured slower than one tile per program
        // for every tile shape of both lines at every m >= 2048 NS shape on
        // the H100, tile-major and chunk-major (1.02-1.20x the time; even
        // at 2048 x 8192, whose 72 wide tiles leave 60 SMs idle;
        // bench/results/experiments/syrk-stream-k-h100.txt), and its
        // compiles took a shape's whole tuning budget: not tried.
        TESSEL_RETURN_IF_ERROR(t.pin("SCHEDULE", 1));
        // Wide tiles of two column blocks apart (COLUMN_PAIRS = 2) fill
        // whole rounds where adjacent ones leave a few tiles over (m = 4096:
        // 264 tiles, two rounds on 132 SMs, against 272).
        if (plan->m > 1024)
          TESSEL_RETURN_IF_ERROR(
              t.narrow("COLUMN_PAIRS", {1, 2}, d.at("COLUMN_PAIRS")));
        else
          TESSEL_RETURN_IF_ERROR(t.pin("COLUMN_PAIRS", 1));
      }
    } else {
      // The masked-load kernels: any strides, and no ring for NUM_STAGES.
      TESSEL_RETURN_IF_ERROR(t.pin("X_LAYOUT", 1));
      TESSEL_RETURN_IF_ERROR(t.pin("NUM_STAGES", 4));
      TESSEL_RETURN_IF_ERROR(t.pin("CLUSTER", 1));
      TESSEL_RETURN_IF_ERROR(t.pin("WARP_ROLES", 1));
      if (line == TunedLine::Line3) {
        TESSEL_RETURN_IF_ERROR(t.pin("GROUP_M", 1));
      } else {
        TESSEL_RETURN_IF_ERROR(t.pin("SCHEDULE", 1));
        TESSEL_RETURN_IF_ERROR(t.pin("COLUMN_PAIRS", 1));
      }
      // BLOCK_K = 128 is for the ring (two swizzle atoms per stage).
      TESSEL_RETURN_IF_ERROR(t.narrow("BLOCK_K", {16, 32, 64}, 32));
    }
  }
  // The lines share the budget and the compile threads (syrk's configs, the
  // same for lines 1 and 2, compiled once): tuned one after another with a
  // third of the budget each, every line waited for its own defaults'
  // compile (~1.5 s for a TMA tile on the H100), 5.3-5.7 s a shape.
  if (progress)
    options.progress = [&](const tune::TuneProgress &p) {
      progress(lines[p.target], p);
    };
  std::vector<tune::TuneTarget *> all;
  for (auto &t : targets)
    all.push_back(t.get());
  // The budget is the whole call's: the scratch buffers and the config
  // spaces (tens of ms at 8192^2) come out of it, and so does the end (the
  // database write, the modules and buffers freed).
  const double setUp =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  options.budgetSeconds =
      std::max(0.0, options.budgetSeconds - kTuneShapeTailSeconds - setUp);
  auto records = tune::tuneAll(all, device, stream, options);
  if (!records)
    return records.status();
  TESSEL_RETURN_IF_ERROR(db.record(*records));
  return records;
}

} // namespace tessel::ns
