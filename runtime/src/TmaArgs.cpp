//===- TmaArgs.cpp - binding tensor maps to a launch's arguments ----------===//
//
// Launch arguments -> TensorMapND per spec (checked) -> CUtensorMap -> one
// device copy per distinct map -> hidden ptr arguments. Every error names the
// kernel, the map and the argument the bad number came from.
//
//===----------------------------------------------------------------------===//
#include "tessel/runtime/TmaArgs.h"

#include "tessel/runtime/CudaDriver.h"

#include <cstring>
#include <sstream>

namespace tessel::rt {

namespace {

const char *kindName(ArgKind kind) {
  switch (kind) {
  case ArgKind::Pointer:
    return "ptr";
  case ArgKind::I32:
    return "i32";
  case ArgKind::U32:
    return "u32";
  case ArgKind::I64:
    return "i64";
  case ArgKind::F32:
    return "f32";
  case ArgKind::Bytes:
    return "by-value struct";
  }
  return "?";
}

/// "kernel 'gemm': tensor map 1 (base = argument 1)".
std::string mapContext(const std::string &kernel, size_t index,
                       const TmaArgSpec &spec) {
  std::ostringstream os;
  os << "kernel '" << kernel << "': tensor map " << index
     << " (base = argument " << spec.baseArg << ")";
  return os.str();
}

/// " (argument 3)" for an operand read from an argument, "" for a constant.
std::string sourceOf(const TmaOperand &op) {
  return op.arg < 0 ? "" : " (argument " + std::to_string(op.arg) + ")";
}

/// `what` ("size of dimension 1") is argument `arg`: it must exist.
Status checkArgIndex(int arg, const char *what, size_t d, const ArgPack &args) {
  if (arg >= 0 && static_cast<size_t>(arg) < args.size())
    return Status::success();
  return Status::error(what, d, " is argument ", arg, ", but the launch has ",
                       args.size(), " arguments ", args.describe());
}

/// The value of a shape or stride operand for these arguments.
Expected<int64_t> operandValue(const TmaOperand &op, const char *what, size_t d,
                               const ArgPack &args) {
  if (op.arg < 0)
    return op.value;
  TESSEL_RETURN_IF_ERROR(checkArgIndex(op.arg, what, d, args));
  const void *data = args.data(op.arg);
  switch (args.kind(op.arg)) {
  case ArgKind::I32: {
    int32_t v;
    std::memcpy(&v, data, sizeof v);
    return int64_t(v);
  }
  case ArgKind::U32: {
    uint32_t v;
    std::memcpy(&v, data, sizeof v);
    return int64_t(v);
  }
  case ArgKind::I64: {
    int64_t v;
    std::memcpy(&v, data, sizeof v);
    return v;
  }
  default:
    return Status::error(what, d, " is argument ", op.arg, ", which is ",
                         kindName(args.kind(op.arg)),
                         "; sizes and strides come from i32, u32 or i64 "
                         "arguments (the launch passes ",
                         args.describe(), ")");
  }
}

/// "[argument 4 = 1000, 64]": where each entry came from, for messages.
std::string operandsText(const std::vector<TmaOperand> &ops,
                         const std::vector<int64_t> &values) {
  std::ostringstream os;
  os << "[";
  for (size_t d = 0; d < ops.size(); ++d) {
    os << (d ? ", " : "");
    if (ops[d].arg >= 0)
      os << "argument " << ops[d].arg << " = ";
    os << (d < values.size() ? values[d] : ops[d].value);
  }
  os << "]";
  return os.str();
}

/// One spec against the arguments; errors without the map's context.
Expected<TensorMapND> describeOne(const TmaArgSpec &spec, const ArgPack &args) {
  const size_t rank = spec.shape.size();
  if (rank < 1 || rank > TensorMapND::kMaxRank)
    return Status::error("rank ", rank, "; TMA maps have rank 1 .. ",
                         TensorMapND::kMaxRank);
  if (spec.strides.size() != rank)
    return Status::error(spec.strides.size(), " strides for rank ", rank,
                         " (one per dimension, the innermost 1)");
  if (spec.box.size() != rank)
    return Status::error(spec.box.size(), " box entries for rank ", rank);
  if (spec.baseArg < 0 || static_cast<size_t>(spec.baseArg) >= args.size())
    return Status::error("the base is argument ", spec.baseArg,
                         ", but the launch has ", args.size(), " arguments ",
                         args.describe());
  if (args.kind(spec.baseArg) != ArgKind::Pointer)
    return Status::error("the base is argument ", spec.baseArg, ", which is ",
                         kindName(args.kind(spec.baseArg)),
                         ", not a ptr (the launch passes ", args.describe(),
                         ")");

  std::vector<int64_t> sizes, strides;
  for (size_t d = 0; d < rank; ++d) {
    Expected<int64_t> size =
        operandValue(spec.shape[d], "size of dimension ", d, args);
    if (!size)
      return size.status();
    if (*size <= 0)
      return Status::error("size of dimension ", d, " is ", *size,
                           sourceOf(spec.shape[d]), "; sizes must be positive");
    sizes.push_back(*size);
  }
  for (size_t d = 0; d < rank; ++d) {
    Expected<int64_t> stride =
        operandValue(spec.strides[d], "stride of dimension ", d, args);
    if (!stride)
      return stride.status();
    if (*stride <= 0)
      return Status::error("stride of dimension ", d, " is ", *stride,
                           sourceOf(spec.strides[d]),
                           "; strides must be positive");
    strides.push_back(*stride);
  }
  if (strides.back() != 1)
    return Status::error("the innermost stride (dimension ", rank - 1, ") is ",
                         strides.back(), sourceOf(spec.strides.back()),
                         "; TMA needs the innermost dimension contiguous "
                         "(stride 1)");

  TensorMapND map;
  std::memcpy(&map.base, args.data(spec.baseArg), sizeof map.base);
  map.element = spec.element;
  map.dims.assign(sizes.begin(), sizes.end());
  map.strides.assign(strides.begin(), strides.end() - 1);
  map.box = spec.box;
  map.swizzle = spec.swizzle;
  Status rules = map.check();
  if (!rules.ok())
    return rules.withDetail("shape " + operandsText(spec.shape, sizes) +
                            ", strides " + operandsText(spec.strides, strides));
  return map;
}

/// cuCtxGetId of the calling thread's current context; 0 when none is.
Expected<unsigned long long> currentContextId() {
  Expected<CudaDriver *> drv = CudaDriver::get();
  if (!drv)
    return drv.status();
  CUcontext context = nullptr;
  TESSEL_CU((*drv)->cuCtxGetCurrent(&context), "");
  if (!context)
    return 0ull;
  unsigned long long id = 0;
  TESSEL_CU((*drv)->cuCtxGetId(context, &id), "");
  return id;
}

} // namespace

size_t TensorMapCache::BytesHash::operator()(const Bytes &b) const {
  // FNV-1a over the words: the maps of one process differ in a few of them
  // (base address, sizes), which this spreads well enough.
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t word : b)
    h = (h ^ word) * 0x100000001b3ull;
  return static_cast<size_t>(h ^ (h >> 32));
}

TensorMapCache &TensorMapCache::forCurrentContext() {
  static std::mutex mutex;
  // Never destroyed: freeing device memory at exit could run after the
  // driver is gone, and the context's memory goes with the context anyway.
  static auto *caches =
      new std::unordered_map<unsigned long long,
                             std::unique_ptr<TensorMapCache>>();
  Expected<unsigned long long> id = currentContextId();
  // No driver or no context: a cache of "context 0", whose deviceCopy()
  // says what is missing.
  const unsigned long long key = id ? *id : 0;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<TensorMapCache> &slot = (*caches)[key];
  if (!slot)
    slot.reset(new TensorMapCache(key));
  return *slot;
}

Expected<std::unique_ptr<TensorMapCache>> TensorMapCache::create() {
  Expected<unsigned long long> id = currentContextId();
  if (!id)
    return id.status().withContext("TensorMapCache::create");
  if (*id == 0)
    return Status::error(
        "TensorMapCache::create: no CUDA context is current on this thread");
  return std::unique_ptr<TensorMapCache>(new TensorMapCache(*id));
}

TensorMapCache::~TensorMapCache() = default;

size_t TensorMapCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return copies_.size();
}

Expected<CUdeviceptr> TensorMapCache::deviceCopy(const CUtensorMap &map) {
  Expected<unsigned long long> current = currentContextId();
  if (!current)
    return current.status().withContext("TensorMapCache");
  if (*current == 0)
    return Status::error(
        "TensorMapCache: no CUDA context is current on this thread");
  if (*current != contextId_) {
    if (contextId_ == 0)
      return Status::error("TensorMapCache: this cache was taken while no "
                           "CUDA context was current; take "
                           "TensorMapCache::forCurrentContext() again");
    return Status::error("TensorMapCache: the cache is for CUDA context #",
                         contextId_, " but context #", *current, " is current");
  }
  Bytes key;
  static_assert(sizeof(key) == sizeof(CUtensorMap), "a map is 128 bytes");
  std::memcpy(key.data(), &map, sizeof(CUtensorMap));

  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = copies_.find(key); it != copies_.end())
    return it->second;
  if (usedInSlab_ == kSlabMaps) {
    // cuMemAlloc returns 256-byte aligned memory; maps need 64 (TMA) and
    // sit at multiples of 128.
    Expected<DeviceBuffer> slab =
        DeviceBuffer::allocate(kSlabMaps * sizeof(CUtensorMap));
    if (!slab)
      return slab.status().withContext("TensorMapCache: a slab of " +
                                       std::to_string(kSlabMaps) + " maps");
    slabs_.push_back(slab.take());
    usedInSlab_ = 0;
  }
  const size_t offset = usedInSlab_ * sizeof(CUtensorMap);
  TESSEL_RETURN_IF_ERROR(slabs_.back()
                             .copyFromHost(&map, sizeof(CUtensorMap), offset)
                             .withContext("TensorMapCache"));
  // A synchronous copy from pageable memory may return before its DMA
  // lands; a kernel on a non-blocking stream could then read a stale map.
  // It runs on the legacy stream: wait for that (on a miss only).
  Expected<CudaDriver *> drv = CudaDriver::get();
  TESSEL_CU((*drv)->cuStreamSynchronize(CU_STREAM_LEGACY), "");
  const CUdeviceptr at = slabs_.back().ptr() + offset;
  ++usedInSlab_;
  copies_.emplace(key, at);
  return at;
}

Expected<std::vector<TensorMapND>>
describeTensorMaps(const std::string &kernel,
                   const std::vector<TmaArgSpec> &specs, const ArgPack &args) {
  std::vector<TensorMapND> maps;
  maps.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    Expected<TensorMapND> map = describeOne(specs[i], args);
    if (!map)
      return map.status().withContext(mapContext(kernel, i, specs[i]));
    maps.push_back(map.take());
  }
  return maps;
}

Status appendTensorMaps(const std::string &kernel,
                        const std::vector<TmaArgSpec> &specs, ArgPack &args,
                        TensorMapCache &cache) {
  if (specs.empty())
    return Status::success();
  Expected<std::vector<TensorMapND>> maps =
      describeTensorMaps(kernel, specs, args);
  if (!maps)
    return maps.status();
  std::vector<CUdeviceptr> addresses;
  addresses.reserve(maps->size());
  for (size_t i = 0; i < maps->size(); ++i) {
    Expected<CUtensorMap> encoded = (*maps)[i].encode();
    if (!encoded)
      return encoded.status().withContext(mapContext(kernel, i, specs[i]));
    Expected<CUdeviceptr> at = cache.deviceCopy(*encoded);
    if (!at)
      return at.status().withContext(mapContext(kernel, i, specs[i]));
    addresses.push_back(*at);
  }
  for (CUdeviceptr at : addresses)
    args.ptr(at);
  return Status::success();
}

} // namespace tessel::rt
