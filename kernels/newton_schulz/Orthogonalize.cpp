//===- Orthogonalize.cpp - the launch sequence of each NS variant ---------===//
//
// Compiles the NS kernels (syrk, line3, aol, frobenius) for the target once
// per process through the compile cache, the GEMM-shaped lines (syrk as
// line 1 and 2, line3) with the configs tuned for the shape when the
// device's tuning database has them (Tuning.h), then issues, per call:
//   AOL:       syrk (A = X X^T) -> aol_rowsum -> aol_scale, then per step
//              [syrk (A = X X^T) except the first] -> syrk (B = aI + bA +
//              cAA) -> [aol_colscale: B diag(s), the first step of a wide X
//              only] -> line3
//   Frobenius: frob_rowsq -> frob_scale, then per step syrk -> syrk -> line3
// The working X is a compact m x n matrix; the first reads (AOL's line 1, the
// scaling, or a wide X's first line 3) and the last write use the caller's
// layout (transposed for tall inputs). Matrices that fit one tile take
// small.mlir instead, the whole run in one launch: by default but for large
// batches of larger matrices on the TMA lines (oneLaunch), with
// SmallPath::OneLaunch wherever they fit.
//
//===----------------------------------------------------------------------===//
#include "Orthogonalize.h"
#include "NSKernelSources.h"
#include "Tuning.h"

#include "tessel/autotune/DslTarget.h"
#include "tessel/autotune/TuneDB.h"

#include "tessel/Target/CompileCache.h"
#include "tessel/Target/Launch.h"
#include "tessel/Target/ParallelCompile.h"
#include "tessel/runtime/ArgPack.h"
#include "tessel/runtime/CudaDriver.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Memory.h"
#include "tessel/runtime/Module.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace tessel::ns {
namespace {

/// One compiled DSL file: its module and kernels with launch metadata.
struct Compiled {
  rt::Module module;
  std::map<std::string, std::pair<rt::Kernel, KernelInfo>> kernels;
};

struct KernelSet {
  Compiled syrk, line3, aol, frob, convert;
};

/// Options for the NS file `name` with `config`, its diagnostics located
/// at its path in the source tree.
CompileOptions optionsFor(const std::string &name, const std::string &target,
                          const tune::Config &config, bool wgmma) {
  return tune::compileOptionsFor(target, "kernels/newton_schulz/" + name,
                                 config, wgmma);
}

/// Loads a compiled file into the current context.
rt::Status load(const CompileJob &job, Compiled &out) {
  const std::string &name = job.options.bufferName;
  if (!job.ok)
    return rt::Status::error("compiling ", name, " for ", job.options.target,
                             ":\n", job.errors);
  auto module = rt::Module::load(job.result.cubin, name);
  if (!module)
    return module.status();
  out.module = std::move(*module);
  for (const KernelInfo &k : job.result.result.kernels) {
    auto kernel = out.module.kernel(k.name);
    if (!kernel)
      return kernel.status();
    out.kernels.emplace(k.name, std::make_pair(*kernel, k));
  }
  return rt::Status::success();
}

/// The kernels for `target`, compiled on first use, all at once (cached on
/// disk across processes, in memory for this one).
rt::Expected<KernelSet *> kernelsFor(const std::string &target) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<KernelSet>> sets;
  std::lock_guard<std::mutex> lock(mutex);
  auto &slot = sets[target];
  if (slot)
    return slot.get();
  auto set = std::make_unique<KernelSet>();
  const struct {
    const char *source, *name;
    Compiled *out;
  } files[] = {{kSyrkSource, "syrk.mlir", &set->syrk},
               {kLine3Source, "line3.mlir", &set->line3},
               {kAolSource, "aol.mlir", &set->aol},
               {kFrobeniusSource, "frobenius.mlir", &set->frob},
               {kConvertSource, "convert.mlir", &set->convert}};
  std::vector<CompileJob> jobs;
  for (const auto &f : files)
    jobs.push_back({f.source, optionsFor(f.name, target, {}, false)});
  compileInParallel(jobs, rt::DiskCache::fromEnvironment());
  for (size_t i = 0; i < std::size(files); ++i)
    TESSEL_RETURN_IF_ERROR(load(jobs[i], *files[i].out));
  slot = std::move(set);
  return slot.get();
}

/// What compiledOnce needs to compile one file with one config.
struct FileConfig {
  const char *source;
  std::string name; ///< file name, e.g. "syrk.mlir"
  tune::Config config;
  bool wgmma = false;
};

/// `file`s for `target`, each compiled once per process (and cached on
/// disk): the tuned lines' configs and small.mlir's. The ones not compiled
/// yet are compiled all at once.
rt::Expected<std::vector<Compiled *>>
compiledOnce(const std::vector<FileConfig> &files, const std::string &target) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Compiled>> compiled;
  std::lock_guard<std::mutex> lock(mutex);
  // Each file's key once; the new ones (each once) compiled together.
  std::vector<std::string> keys;
  std::vector<CompileJob> jobs;
  std::vector<std::string> newKeys;
  for (const FileConfig &f : files) {
    keys.push_back(target + "/" + f.name + (f.wgmma ? "/tma/" : "/") +
                   tune::configString(f.config));
    if (!compiled.count(keys.back()) &&
        std::find(newKeys.begin(), newKeys.end(), keys.back()) ==
            newKeys.end()) {
      newKeys.push_back(keys.back());
      jobs.push_back({f.source, optionsFor(f.name, target, f.config, f.wgmma)});
    }
  }
  compileInParallel(jobs, rt::DiskCache::fromEnvironment());
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto fresh = std::make_unique<Compiled>();
    TESSEL_RETURN_IF_ERROR(load(jobs[i], *fresh));
    compiled[newKeys[i]] = std::move(fresh);
  }
  std::vector<Compiled *> out;
  for (const std::string &key : keys)
    out.push_back(compiled[key].get());
  return out;
}

unsigned cdiv(int64_t a, int64_t b) { return (unsigned)((a + b - 1) / b); }

/// The kernel and config each tuned line of one shape uses.
struct LineChoice {
  Compiled *compiled = nullptr;
  /// What CallInfo::lineConfigs reports: "KNOB=V,... (tuned|default)", or
  /// "(tma|tma, tuned)" on the TMA path.
  std::string label;
};
using LineChoices = std::array<LineChoice, 3>;

/// The lines' kernels for `plan` on `device`: the tuning database's configs
/// (exact shape, else the nearest tuned one that takesRecord allows;
/// TuneMode::Auto tunes a shape unless all three lines have an exact
/// record), else the defaults. Decided once per target and shape per process;
/// each distinct config is compiled (through the cache) once.
rt::Expected<LineChoices> linesFor(const std::string &target,
                                   const rt::DeviceInfo &device,
                                   const Plan &plan, TuneMode mode,
                                   CUstream stream, KernelSet &defaults) {
  static std::mutex mutex;
  static std::map<std::string, LineChoices> chosen;
  std::lock_guard<std::mutex> lock(mutex);
  std::string shapeKey = rt::DiskCache::defaultRoot().string() + "/" + target +
                         "/" + std::to_string(plan.shape.batch) + "x" +
                         std::to_string(plan.m) + "x" + std::to_string(plan.n) +
                         "/" + std::to_string((int)mode);
  if (auto it = chosen.find(shapeKey); it != chosen.end())
    return it->second;
  // On sm_90a with aligned m and n every line's K loop is the TMA ring,
  // keyed "+tma" in the database and starting from tmaDefaultConfig;
  // elsewhere the masked-load kernels, starting from their defaults.
  const bool tma = tmaFits(target, plan);
  // Each line's record in the database (read once; again after tuning).
  std::optional<tune::TuneDB> db;
  std::array<std::optional<tune::Found>, 3> records;
  auto readRecords = [&]() -> rt::Status {
    for (TunedLine line : kTunedLines) {
      auto hit = db->lookup(problemKey(line, plan, tma));
      if (!hit)
        return hit.status();
      records[(size_t)line] = std::move(*hit);
    }
    return rt::Status::success();
  };
  if (mode != TuneMode::Off) {
    db.emplace(rt::DiskCache::defaultRoot(), tune::DeviceKey::of(device));
    TESSEL_RETURN_IF_ERROR(readRecords());
  }
  if (mode == TuneMode::Auto) {
    // Every line's record, not only line 1's: a kernel whose source changed
    // (its hash is in the key) has none for this shape while the others
    // still do, and would take another shape's record.
    bool exact = true;
    for (const std::optional<tune::Found> &record : records)
      exact = exact && record && record->exact;
    if (!exact) {
      TESSEL_RETURN_IF_ERROR(
          tuneShape(plan.shape, target, device, stream, {}).status());
      TESSEL_RETURN_IF_ERROR(readRecords());
    }
  }
  // Each line's config (tuned, else the TMA default, else none: the
  // default kernel set's), then the ones not compiled yet all at once.
  LineChoices lines;
  std::array<std::optional<tune::Config>, 3> configs;
  std::array<bool, 3> tuned{};
  std::vector<FileConfig> files;
  for (TunedLine line : kTunedLines) {
    std::optional<tune::Config> &config = configs[(size_t)line];
    std::optional<tune::Config> byShape;
    if (tma)
      config = byShape =
          tmaDefaultConfig(line, plan, device.smCount, device.l2Bytes);
    const std::optional<tune::Found> &record = records[(size_t)line];
    if (record && takesRecord(*record, line, plan, tma)) {
      config = record->config;
      tuned[(size_t)line] = true;
    }
    // Line 3's tile order follows this shape's B against the L2 (tuning pins
    // it so), not the size a borrowed record was tuned at.
    if (byShape && config && byShape->count("GROUP_M"))
      (*config)["GROUP_M"] = byShape->at("GROUP_M");
    if (config) {
      LineKernel k = lineKernel(line);
      std::string file(k.file);
      files.push_back(
          {k.source, file.substr(file.rfind('/') + 1), *config, tma});
    }
  }
  auto compiled = compiledOnce(files, target);
  if (!compiled)
    return compiled.status();
  size_t next = 0;
  for (TunedLine line : kTunedLines) {
    LineChoice &choice = lines[(size_t)line];
    const std::optional<tune::Config> &config = configs[(size_t)line];
    choice.compiled =
        config ? (*compiled)[next++]
               : (line == TunedLine::Line3 ? &defaults.line3 : &defaults.syrk);
    const bool t = tuned[(size_t)line];
    const char *how = tma ? (t ? " (tma, tuned)" : " (tma)")
                          : (t ? " (tuned)" : " (default)");
    choice.label =
        tune::configString(
            config ? *config
                   : choice.compiled->kernels.begin()->second.second.params) +
        how;
  }
  chosen[shapeKey] = lines;
  return lines;
}

/// The current context's device, queried once per ordinal per process (a
/// call must not pay a dozen driver queries).
rt::Expected<rt::DeviceInfo> currentDevice() {
  static std::mutex mutex;
  static std::map<int, rt::DeviceInfo> known;
  auto drv = rt::CudaDriver::get();
  if (!drv)
    return drv.status();
  CUdevice ordinal;
  TESSEL_CU((*drv)->cuCtxGetDevice(&ordinal), "tessel::ns::orthogonalize");
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = known.find((int)ordinal); it != known.end())
    return it->second;
  auto device = rt::queryDevice((int)ordinal);
  if (!device)
    return device.status();
  return known[(int)ordinal] = *device;
}

/// Launches `name` of `c` with block/shared memory and tensor maps from its
/// metadata; with `timed`, an event before each launch (labelled `role`, else
/// the kernel's name) and, at finish(), one after the last.
struct Launcher {
  CUstream stream;
  bool timed = false;
  int launches = 0;
  std::vector<std::pair<std::string, CUevent>> marks;

  rt::Status operator()(Compiled &c, const std::string &name, rt::Grid grid,
                        rt::ArgPack args, const char *role = nullptr) {
    auto &[kernel, info] = c.kernels.at(name);
    if (timed)
      TESSEL_RETURN_IF_ERROR(mark(role ? role : name));
    ++launches;
    return launchKernel(kernel, info, grid, stream, std::move(args));
  }
  /// Records an event labelled `label` on the stream.
  rt::Status mark(const std::string &label) {
    auto drv = rt::CudaDriver::get();
    if (!drv)
      return drv.status();
    CUevent e = nullptr;
    TESSEL_CU((*drv)->cuEventCreate(&e, CU_EVENT_DEFAULT),
              "tessel::ns launch timing");
    marks.emplace_back(label, e);
    TESSEL_CU((*drv)->cuEventRecord(e, stream), "tessel::ns launch timing");
    return rt::Status::success();
  }
  /// The time of every launch (waits for the last one).
  rt::Expected<std::vector<LaunchTime>> finish() {
    TESSEL_RETURN_IF_ERROR(mark("end"));
    auto drv = rt::CudaDriver::get();
    if (!drv)
      return drv.status();
    TESSEL_CU((*drv)->cuEventSynchronize(marks.back().second),
              "tessel::ns launch timing");
    std::vector<LaunchTime> out;
    for (size_t i = 0; i + 1 < marks.size(); ++i) {
      float ms = 0;
      TESSEL_CU((*drv)->cuEventElapsedTime_v2(&ms, marks[i].second,
                                              marks[i + 1].second),
                "tessel::ns launch timing");
      out.push_back({marks[i].first, (double)ms});
    }
    return out;
  }
  ~Launcher() {
    if (marks.empty())
      return;
    if (auto drv = rt::CudaDriver::get())
      for (auto &[label, e] : marks)
        (*drv)->cuEventDestroy_v2(e);
  }
  static int64_t knob(Compiled &c, const std::string &name,
                      const std::string &knob) {
    return c.kernels.at(name).second.params.at(knob);
  }
  /// Programs per cluster along x of the compiled kernel `name`.
  static int64_t cluster(Compiled &c, const std::string &name) {
    return c.kernels.at(name).second.clusterSize;
  }
};

/// Grows `buf` to at least `bytes`.
rt::Status ensure(rt::DeviceBuffer &buf, int64_t bytes) {
  if ((int64_t)buf.size() >= bytes)
    return rt::Status::success();
  auto fresh = rt::DeviceBuffer::allocate((size_t)bytes);
  if (!fresh)
    return fresh.status();
  buf = std::move(*fresh);
  return rt::Status::success();
}

/// Reads `count` elements of a device array as doubles.
rt::Status readDoubles(CUdeviceptr p, size_t count, bool f32,
                       std::vector<double> &out) {
  auto drv = rt::CudaDriver::get();
  if (!drv)
    return drv.status();
  out.resize(count);
  if (f32) {
    std::vector<float> h(count);
    TESSEL_CU((*drv)->cuMemcpyDtoH_v2(h.data(), p, count * 4),
              "tessel::ns quality report");
    for (size_t i = 0; i < count; ++i)
      out[i] = h[i];
  } else {
    std::vector<uint16_t> h(count);
    TESSEL_CU((*drv)->cuMemcpyDtoH_v2(h.data(), p, count * 2),
              "tessel::ns quality report");
    for (size_t i = 0; i < count; ++i) {
      uint32_t u = (uint32_t)h[i] << 16;
      float f;
      std::memcpy(&f, &u, 4);
      out[i] = f;
    }
  }
  return rt::Status::success();
}

/// The quality report of a finished call, on the host in float64.
rt::Expected<Quality> hostQuality(CUdeviceptr input, CUdeviceptr output,
                                  InputType type, const Plan &plan) {
  size_t count = (size_t)(plan.shape.batch * plan.shape.rows * plan.shape.cols);
  std::vector<double> x, y;
  TESSEL_RETURN_IF_ERROR(readDoubles(input, count, type == InputType::F32, x));
  TESSEL_RETURN_IF_ERROR(readDoubles(output, count, false, y));
  return quality(y.data(), x.data(), plan);
}

} // namespace

rt::Status Workspace::reserve(const Plan &plan) {
  const int64_t batch = plan.shape.batch, m = plan.m, n = plan.n;
  TESSEL_RETURN_IF_ERROR(ensure(a_, batch * m * m * 2));
  TESSEL_RETURN_IF_ERROR(ensure(b_, batch * m * m * 2));
  TESSEL_RETURN_IF_ERROR(ensure(x1_, batch * m * n * 2));
  TESSEL_RETURN_IF_ERROR(ensure(x2_, batch * m * n * 2));
  TESSEL_RETURN_IF_ERROR(ensure(r_, batch * m * 4));
  return rt::Status::success();
}

/// Waits for the legacy stream, where the workspace's own copies and
/// memsets run: a non-blocking stream is not ordered after it.
static rt::Status waitForLegacyStream(const char *what) {
  auto drv = rt::CudaDriver::get();
  if (!drv)
    return drv.status();
  TESSEL_CU((*drv)->cuStreamSynchronize(CU_STREAM_LEGACY), what);
  return rt::Status::success();
}

rt::Status Workspace::reserveStreamK(int64_t partialBytes, int64_t slots) {
  TESSEL_RETURN_IF_ERROR(ensure(partials_, partialBytes));
  if ((int64_t)flags_.size() >= slots * 4)
    return rt::Status::success();
  TESSEL_RETURN_IF_ERROR(ensure(flags_, slots * 4));
  TESSEL_RETURN_IF_ERROR(flags_.fillU32(0));
  // The memset runs on the legacy stream (as the coefficient table's copy).
  return waitForLegacyStream("tessel::ns stream-K flags");
}

rt::Expected<CUdeviceptr> Workspace::coefficients(Variant variant) {
  // Every variant's table at once, copied on first use and never rewritten:
  // a kernel of an earlier call may still be reading it on its stream.
  if (!coefReady_) {
    std::vector<float> packed;
    for (Variant v : allVariants())
      for (const Step &st : steps(v))
        packed.insert(packed.end(), {(float)st.a, (float)st.b, (float)st.c});
    auto fresh = rt::DeviceBuffer::allocate(packed.size() * 4);
    if (!fresh)
      return fresh.status();
    TESSEL_RETURN_IF_ERROR(
        fresh->copyFromHost(packed.data(), packed.size() * 4));
    // A copy from pageable memory may return before its DMA lands (once per
    // workspace, as TensorMapCache does).
    TESSEL_RETURN_IF_ERROR(waitForLegacyStream("tessel::ns coefficient table"));
    coef_ = std::move(*fresh);
    coefReady_ = true;
  }
  // This variant's rows follow those of the variants before it.
  size_t at = 0;
  for (Variant v : allVariants()) {
    if (v == variant)
      break;
    at += 3 * steps(v).size();
  }
  return coef_.ptr() + (CUdeviceptr)(at * 4);
}

rt::Status orthogonalize(CUdeviceptr input, CUdeviceptr output, Shape shape,
                         const Options &options, CUstream stream,
                         CallInfo *info, Workspace *workspace) {
  std::string why;
  auto plan = makePlan(shape, options.variant, &why);
  if (!plan)
    return rt::Status::error("tessel::ns::orthogonalize: ", why);
  if (input == output)
    return rt::Status::error("tessel::ns::orthogonalize: output must not "
                             "alias input");
  auto device = currentDevice();
  if (!device)
    return device.status();
  std::string target = options.target;
  if (target.empty()) {
    target = rt::targetFor(*device);
    if (target.empty())
      return rt::Status::error("tessel::ns::orthogonalize: no Tessel target "
                               "for ",
                               device->name);
  }
  auto kernels = kernelsFor(target);
  if (!kernels)
    return kernels.status();
  KernelSet &k = **kernels;

  const int64_t batch = plan->shape.batch, m = plan->m, n = plan->n;
  const int32_t M = (int32_t)m, N = (int32_t)n;
  const int32_t rs = (int32_t)plan->rowStride, cs = (int32_t)plan->colStride;
  const int64_t mm = m * m, mn = m * n;
  Workspace local;
  Workspace &ws = workspace ? *workspace : local;
  Launcher launch{stream, options.timeLaunches};
  const unsigned nb = (unsigned)batch;

  if (options.quality && m > kMaxQualitySide)
    return rt::Status::error("tessel::ns::orthogonalize: the quality report "
                             "is computed on the host and limited to "
                             "min(rows, cols) <= ",
                             kMaxQualitySide, "; got ", m);
  Normalization norm = normalization(options.variant);
  // Matrices that fit one tile, where the default rule takes it (oneLaunch)
  // or the caller asks for it: the whole run is one launch of small.mlir (no
  // tuning: its tiles follow the shape).
  const bool fused =
      options.small == SmallPath::OneLaunch ||
      (options.small == SmallPath::Auto && ns::oneLaunch(target, *plan));
  std::optional<tune::Config> small =
      fused ? smallConfig(*plan, norm.kind) : std::nullopt;
  Compiled *oneLaunch = nullptr;
  if (small) {
    auto c = compiledOnce({{kSmallSource, "small.mlir", *small}}, target);
    if (!c)
      return c.status();
    oneLaunch = c->front();
    if (info)
      info->lineConfigs = {tune::configString(*small) + " (one launch)", "",
                           ""};
  }
  // A one-launch call keeps everything in registers: of the work buffers it
  // needs only x2, for an fp32 input's bf16 copy.
  if (!small || options.input == InputType::F32)
    TESSEL_RETURN_IF_ERROR(ws.reserve(*plan));
  // The line kernels and their grids (not used by a one-launch call).
  Compiled *line1 = nullptr, *line2 = nullptr, *line3 = nullptr;
  // syrk's grid for a compiled config (its tile shape and schedule); a
  // stream-K one gets its partial tiles and flags in the workspace.
  auto syrkGridOf = [&](Compiled &c) -> rt::Expected<rt::Grid> {
    const auto &knobs = c.kernels.at("syrk").second.params;
    rt::Grid grid = syrkGridFor(m, knobs, batch, Launcher::cluster(c, "syrk"),
                                device->smCount);
    if (int64_t bytes = streamKPartialBytes(knobs, grid))
      TESSEL_RETURN_IF_ERROR(ws.reserveStreamK(bytes, streamKSlots(grid)));
    return grid;
  };
  rt::Grid line1Grid, line2Grid, l3Grid;
  if (!small) {
    TuneMode mode = TuneMode::Lookup;
    if (options.tune) {
      mode = *options.tune;
    } else {
      auto env = tuneModeFromEnvironment();
      if (!env)
        return env.status();
      mode = *env;
    }
    auto lines = linesFor(target, *device, *plan, mode, stream, k);
    if (!lines)
      return lines.status();
    line1 = (*lines)[0].compiled;
    line2 = (*lines)[1].compiled;
    line3 = (*lines)[2].compiled;
    for (auto [grid, c] :
         {std::pair{&line1Grid, line1}, std::pair{&line2Grid, line2}}) {
      auto g = syrkGridOf(*c);
      if (!g)
        return g.status();
      *grid = *g;
    }
    l3Grid = line3Grid(m, n, Launcher::knob(*line3, "ns_line3", "BLOCK_M"),
                       Launcher::knob(*line3, "ns_line3", "BLOCK_N"), batch,
                       Launcher::cluster(*line3, "ns_line3"));
    if (info)
      for (size_t i = 0; i < 3; ++i)
        info->lineConfigs[i] = (*lines)[i].label;
  }
  const CUdeviceptr original = input;
  if (options.input == InputType::F32) {
    // The bf16 working copy goes to x2, free until the first line 3.
    int64_t cm = Launcher::knob(k.convert, "to_bf16", "BLOCK_M");
    int64_t cn = Launcher::knob(k.convert, "to_bf16", "BLOCK_N");
    TESSEL_RETURN_IF_ERROR(
        launch(k.convert, "to_bf16", rt::Grid{cdiv(m, cm), cdiv(n, cn), nb},
               rt::ArgPack::of(input, ws.x2(), M, N, rs, cs, mn)));
    input = ws.x2();
  }
  // Where the (bf16) input is read from: the caller's layout, or compact.
  const int32_t irs = options.input == InputType::F32 ? N : rs;
  const int32_t ics = options.input == InputType::F32 ? 1 : cs;

  if (oneLaunch) {
    // The whole iteration, one program per matrix: input (its layout, or the
    // compact bf16 copy) to output, the coefficients from the workspace.
    auto coef = ws.coefficients(options.variant);
    if (!coef)
      return coef.status();
    const int32_t nsteps = (int32_t)steps(options.variant).size();
    TESSEL_RETURN_IF_ERROR(launch(
        *oneLaunch, "ns_small", rt::Grid{1, 1, nb},
        rt::ArgPack::of(input, output, *coef, M, N, irs, ics, rs, cs, mn, mn,
                        nsteps, (float)norm.scale, (float)norm.eps)));
  } else {
    CUdeviceptr xcur = ws.x1(), xnext = ws.x2();
    bool haveA = false;
    // The TMA kernels read X row-major with 16-byte aligned rows (an fp32
    // input's compact bf16 copy always is).
    const bool inputFits = ics == 1 && irs % 8 == 0 && input % 16 == 0;
    // A wide X (n >= 2m) that the TMA line 3 can read in place: AOL's
    // diag(s) goes into the first B (aol_colscale: an m x m read and write)
    // instead of a scaled m x n copy of X (an m x n read and write), and the
    // first line 3 reads the input itself. At n >= 2m the bytes saved are at
    // least twice those added, which pays for the extra launch; measured at
    // n = 3.5m and 4m (bench/results/ns-aol-scaled-b-ab-h100.txt), and only
    // with the TMA line 3, where aligned inputs go.
    const bool scaleB = norm.kind == Normalization::Aol && n >= 2 * m &&
                        Launcher::knob(*line3, "ns_line3", "X_LAYOUT") == 2 &&
                        inputFits;
    if (norm.kind == Normalization::Aol) {
      // A = X X^T on the raw input, then s, diag(s) X -> xcur (not with
      // scaleB: A alone), diag(s) A diag(s). A transposed (tall) or
      // unaligned input takes the general line 1 kernel.
      const bool rowMajorLine1 =
          Launcher::knob(*line1, "syrk", "X_LAYOUT") == 2;
      Compiled &first = rowMajorLine1 && !inputFits ? k.syrk : *line1;
      auto firstGrid = syrkGridOf(first);
      if (!firstGrid)
        return firstGrid.status();
      TESSEL_RETURN_IF_ERROR(
          launch(first, "syrk", *firstGrid,
                 rt::ArgPack::of(input, ws.a(), ws.a(), M, N, irs, ics, M, mn,
                                 mm, 1.0f, 0.0f, 0.0f, ws.partials(), ws.flags()),
                 "syrk (AOL's line 1)"));
      int64_t rm = Launcher::knob(k.aol, "aol_rowsum", "BLOCK_M");
      TESSEL_RETURN_IF_ERROR(launch(
          k.aol, "aol_rowsum", rt::Grid{cdiv(m, rm), 1, nb},
          rt::ArgPack::of(ws.a(), ws.rows(), M, M, mm, (float)norm.eps)));
      // With scaleB only A's columns: the grid stops at m.
      int64_t sm = Launcher::knob(k.aol, "aol_scale", "BLOCK_M");
      int64_t sn = Launcher::knob(k.aol, "aol_scale", "BLOCK_N");
      TESSEL_RETURN_IF_ERROR(launch(
          k.aol, "aol_scale",
          rt::Grid{cdiv(m, sm), cdiv(scaleB ? m : n, sn), nb},
          rt::ArgPack::of(ws.a(), input, ws.rows(), xcur, M, N, M, irs, ics, N,
                          (int32_t)1, mm, mn, mn, (int32_t)!scaleB)));
      haveA = true;
    } else {
      int64_t bm = Launcher::knob(k.frob, "frob_rowsq", "BLOCK_M");
      TESSEL_RETURN_IF_ERROR(
          launch(k.frob, "frob_rowsq", rt::Grid{cdiv(m, bm), 1, nb},
                 rt::ArgPack::of(input, ws.rows(), M, N, irs, ics, mn)));
      int64_t fm = Launcher::knob(k.frob, "frob_scale", "BLOCK_M");
      int64_t fn = Launcher::knob(k.frob, "frob_scale", "BLOCK_N");
      TESSEL_RETURN_IF_ERROR(launch(
          k.frob, "frob_scale", rt::Grid{cdiv(m, fm), cdiv(n, fn), nb},
          rt::ArgPack::of(input, ws.rows(), xcur, M, N, irs, ics, N, (int32_t)1,
                          mn, (float)norm.scale, (float)norm.eps)));
    }

    const std::vector<Step> &coeffs = steps(options.variant);
    for (size_t i = 0; i < coeffs.size(); ++i) {
      const Step &st = coeffs[i];
      if (!(haveA && i == 0))
        TESSEL_RETURN_IF_ERROR(launch(
            *line1, "syrk", line1Grid,
            rt::ArgPack::of(xcur, ws.a(), ws.a(), M, N, N, (int32_t)1, M, mn,
                            mm, 1.0f, 0.0f, 0.0f, ws.partials(), ws.flags()),
            "syrk (line 1)"));
      // B = a I + b A + c A A (A symmetric: A A = A A^T): line 3's a X
      // term rounded into B, so line 3 is B X alone and reads no X tile
      // after its K loop.
      TESSEL_RETURN_IF_ERROR(
          launch(*line2, "syrk", line2Grid,
                 rt::ArgPack::of(ws.a(), ws.a(), ws.b(), M, M, M, (int32_t)1, M,
                                 mm, mm, (float)st.c, (float)st.b, (float)st.a,
                                 ws.partials(), ws.flags()),
                 "syrk (line 2)"));
      // The first step of scaleB: B diag(s), then line 3 on the input. Its
      // output must not overwrite what it reads: an fp32 input's bf16 copy
      // is in x2, the buffer a first step writes, so it writes x1 instead.
      const bool fromInput = scaleB && i == 0;
      if (fromInput) {
        int64_t cm = Launcher::knob(k.aol, "aol_colscale", "BLOCK_M");
        int64_t cn = Launcher::knob(k.aol, "aol_colscale", "BLOCK_N");
        TESSEL_RETURN_IF_ERROR(launch(
            k.aol, "aol_colscale", rt::Grid{cdiv(m, cm), cdiv(m, cn), nb},
            rt::ArgPack::of(ws.b(), ws.rows(), M, M, mm)));
        if (input == xnext)
          std::swap(xcur, xnext);
      }
      bool last = i + 1 == coeffs.size();
      CUdeviceptr out = last ? output : xnext;
      int32_t ors = last ? rs : N, ocs = last ? cs : 1;
      TESSEL_RETURN_IF_ERROR(
          launch(*line3, "ns_line3", l3Grid,
                 rt::ArgPack::of(ws.b(), fromInput ? input : xcur, out, M, N, M,
                                 fromInput ? irs : N, (int32_t)1, ors, ocs, mm,
                                 mn, 0.0f),
                 "ns_line3 (line 3)"));
      std::swap(xcur, xnext);
    }
  }
  std::vector<LaunchTime> times;
  if (options.timeLaunches) {
    auto t = launch.finish();
    if (!t)
      return t.status();
    times = std::move(*t);
  }
  if (!workspace || options.quality) {
    // The call's own buffers are freed when this returns (and the quality
    // report reads the output): wait for the kernels.
    auto drv = rt::CudaDriver::get();
    if (!drv)
      return drv.status();
    TESSEL_CU((*drv)->cuStreamSynchronize(stream), "tessel::ns::orthogonalize");
  }
  if (info) {
    info->launches = launch.launches;
    info->launchTimes = std::move(times);
    info->target = target;
    info->quality.reset();
  }
  if (options.quality) {
    rt::Expected<Quality> q =
        hostQuality(original, output, options.input, *plan);
    if (!q)
      return q.status();
    if (info)
      info->quality = *q;
  }
  return rt::Status::success();
}

} // namespace tessel::ns
