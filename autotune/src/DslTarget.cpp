//===- DslTarget.cpp - compile, load, check and run one config ------------===//
//
// Every config goes through compileWithCache, so the tuner's compiles are
// the ones a later launch of the winner finds in the cache.
//
//===----------------------------------------------------------------------===//
#include "tessel/autotune/DslTarget.h"

#include "tessel/Target/CompileCache.h"

#include <algorithm>
#include <chrono>

namespace tessel::tune {

namespace {

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

CompileOptions compileOptionsFor(const std::string &target,
                                 const std::string &bufferName,
                                 const Config &config, bool wgmma) {
  CompileOptions options;
  options.target = target;
  options.wgmma = wgmma;
  options.bufferName = bufferName;
  for (const auto &[name, value] : config)
    options.params.push_back(name + "=" + std::to_string(value));
  return options;
}

std::string kernelHash(const std::string &source) {
  // The compile cache's key without a target or knobs: the source, Tessel's
  // version and build id, LLVM's and nvJitLink's versions.
  CompileOptions options;
  options.target = "any";
  return compileCacheKey(source, options);
}

rt::Expected<ConfigSpace> configSpaceOf(const std::string &source,
                                        const std::string &bufferName,
                                        const std::string &kernel) {
  std::vector<KernelSpaceInfo> spaces;
  std::string errors;
  if (!kernelConfigSpaces(source, bufferName, spaces, errors))
    return rt::Status::error(errors);
  for (const KernelSpaceInfo &info : spaces) {
    if (info.name != kernel)
      continue;
    ConfigSpace space;
    for (const KnobInfo &k : info.knobs) {
      if (!k.hasDefault)
        return rt::Status::error(bufferName, ": knob '", k.name, "' of ",
                                 kernel, " has no default_value to tune from");
      Knob knob{k.name, k.defaultValue, k.values};
      if (knob.values.empty())
        knob.values = {k.defaultValue};
      space.knobs.push_back(std::move(knob));
    }
    for (const std::string &text : info.constraints) {
      auto c = Constraint::parse(text);
      if (!c)
        return rt::Status::error(bufferName, ": constraint '", text, "' of ",
                                 kernel, ": ", c.status().message());
      space.constraints.push_back(std::move(*c));
    }
    TESSEL_RETURN_IF_ERROR(space.check(limitNames()));
    return space;
  }
  return rt::Status::error(bufferName, ": no kernel named '", kernel, "'");
}

rt::Expected<LoadedKernel> compileAndLoad(const std::string &source,
                                          const std::string &bufferName,
                                          const std::string &kernel,
                                          const Config &config,
                                          const std::string &target,
                                          const rt::DeviceInfo &device,
                                          const rt::DiskCache &cache,
                                          bool wgmma) {
  auto start = std::chrono::steady_clock::now();
  CompileOptions options = compileOptionsFor(target, bufferName, config, wgmma);
  CachedCompile compiled;
  std::string errors;
  if (!compileWithCache(source, options, cache, compiled, errors))
    return rt::Status::error("compile ", configString(config), ": ", errors);
  LoadedKernel out;
  out.cacheHit = compiled.hit;
  out.compileMs = msSince(start);
  out.toPtxMs = compiled.compileMs;
  out.toCubinMs = compiled.cubinMs;
  const KernelInfo *info = nullptr;
  for (const KernelInfo &k : compiled.result.kernels)
    if (k.name == kernel)
      info = &k;
  if (!info)
    return rt::Status::error(bufferName, ": no kernel named '", kernel, "'");
  out.threads = (unsigned)(info->numWarps * 32);
  out.sharedBytes = (unsigned)info->sharedBytes;
  out.tma = info->tma;
  out.clusterSize = (unsigned)info->clusterSize;
  if (info->sharedBytes > device.maxSharedPerBlockOptin)
    return rt::Status::error("pruned: ", configString(config), " needs ",
                             info->sharedBytes, " bytes of shared memory; ",
                             device.name, " allows ",
                             device.maxSharedPerBlockOptin);
  start = std::chrono::steady_clock::now();
  auto module = rt::Module::load(compiled.cubin, kernel);
  if (!module)
    return module.status();
  auto function = module->kernel(kernel);
  if (!function)
    return function.status();
  out.loadMs = msSince(start);
  auto attributes = function->attributes();
  if (!attributes)
    return attributes.status();
  if ((int64_t)attributes->numRegs * out.threads >
      device.maxRegistersPerBlock)
    return rt::Status::error("pruned: ", configString(config), " needs ",
                             attributes->numRegs, " registers x ",
                             out.threads, " threads; ", device.name,
                             " has ", device.maxRegistersPerBlock,
                             " per block");
  out.kernel = *function;
  out.module = std::move(*module);
  return out;
}

rt::Expected<std::unique_ptr<DslTarget>>
DslTarget::create(std::string source, std::string bufferName,
                  std::string kernel, std::string target,
                  rt::DeviceInfo device, ProblemKey key, LaunchFn launch,
                  bool wgmma) {
  auto space = configSpaceOf(source, bufferName, kernel);
  if (!space)
    return space.status();
  std::unique_ptr<DslTarget> t(new DslTarget());
  if (key.kernel.empty())
    key.kernel = kernel;
  if (key.kernelHash.empty())
    key.kernelHash = kernelHash(source);
  t->source_ = std::move(source);
  t->bufferName_ = std::move(bufferName);
  t->kernel_ = std::move(kernel);
  t->target_ = std::move(target);
  t->device_ = std::move(device);
  t->key_ = std::move(key);
  t->space_ = std::move(*space);
  t->launch_ = std::move(launch);
  t->wgmma_ = wgmma;
  return t;
}

rt::Status DslTarget::prepare(const Config &config) {
  loaded_.reset();
  spec_.reset();
  auto loaded = compileAndLoad(source_, bufferName_, kernel_, config, target_,
                               device_, rt::DiskCache::fromEnvironment(),
                               wgmma_);
  if (!loaded)
    return loaded.status();
  auto spec = launch_(config);
  if (!spec)
    return spec.status();
  // Every run repeats these arguments: bind the tensor maps once, here.
  TESSEL_RETURN_IF_ERROR(
      rt::appendTensorMaps(kernel_, loaded->tma, spec->args,
                           rt::TensorMapCache::forCurrentContext()));
  loaded_ = std::make_unique<LoadedKernel>(std::move(*loaded));
  spec_ = std::make_unique<LaunchSpec>(std::move(*spec));
  return rt::Status::success();
}

void DslTarget::precompile(const Config &config) {
  CompileOptions options =
      compileOptionsFor(target_, bufferName_, config, wgmma_);
  CachedCompile compiled;
  std::string errors;
  (void)compileWithCache(source_, options, rt::DiskCache::fromEnvironment(),
                         compiled, errors);
}

std::string DslTarget::compileId(const Config &config) const {
  return compileCacheKey(
      source_, compileOptionsFor(target_, bufferName_, config, wgmma_));
}

rt::Status DslTarget::run(CUstream stream) {
  if (!loaded_ || !spec_)
    return rt::Status::error("DslTarget::run before a successful prepare()");
  return loaded_->kernel->launch(spec_->grid, rt::Block{loaded_->threads},
                                 loaded_->sharedBytes, stream, spec_->args,
                                 /*overlapPrevious=*/false,
                                 loaded_->clusterSize);
}

rt::Status DslTarget::narrow(const std::string &knob,
                               const std::vector<int64_t> &values,
                               int64_t defaultValue) {
  for (Knob &k : space_.knobs)
    if (k.name == knob) {
      for (int64_t v : values)
        if (std::find(k.values.begin(), k.values.end(), v) == k.values.end())
          return rt::Status::error("cannot narrow knob '", knob, "' of ",
                                   kernel_, " to ", v,
                                   ": not among its values");
      if (std::find(values.begin(), values.end(), defaultValue) ==
          values.end())
        return rt::Status::error("knob '", knob, "' of ", kernel_,
                                 ": default ", defaultValue,
                                 " is not among the values it is held to");
      k.values = values;
      k.defaultValue = defaultValue;
      return rt::Status::success();
    }
  return rt::Status::error("cannot narrow knob '", knob, "': ", kernel_,
                           " has no such knob");
}

} // namespace tessel::tune
