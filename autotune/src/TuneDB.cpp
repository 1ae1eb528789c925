//===- TuneDB.cpp - persisted autotuning results, one file per GPU --------===//
//
// Reads, merges and atomically rewrites the per-GPU tuning file, and answers
// "which config for this problem?" from the nearest tuned shape.
//
// The file (`<root>/autotune-v1/<device slug>.json`):
//
//   {"format": "tessel-autotune-v1",
//    "device": {"name": "NVIDIA H100 80GB HBM3", "cc_major": 9,
//               "cc_minor": 0, "sm_count": 132},
//    "records": [
//      {"kernel": "syrk", "kernel_hash": "3f1a...", "dtypes": "bf16",
//       "layout": "rowmajor", "shape": [8, 4096, 4096],
//       "bucket": [8, 4096, 4096],
//       "trials": [{"config": {"BLOCK_M": 128, "stages": 3}, "ms": 0.412},
//                  {"config": {"BLOCK_M": 256, "stages": 4},
//                   "failure": "needs 262144 bytes of shared memory"}],
//       "best": {"BLOCK_M": 128, "stages": 3}, "best_ms": 0.412,
//       "defaults": {"BLOCK_M": 64, "stages": 2}, "default_ms": 0.630,
//       "updated": "2026-03-01T12:00:00Z"}]}
//
// Configs are JSON objects (knob -> integer). "bucket" is written for people
// reading the file and ignored on read (it is recomputed from "shape").
// "default_ms" is left out when the default was not measured. A record whose
// every trial failed has "best": {} and "best_ms": 0; lookup() skips such
// records as if they were absent, since they have no config to offer.
//
// Writers serialise on flock(LOCK_EX) of `<file>.lock` across
// read-merge-write and rename a temporary file (same directory) into place,
// so readers need no lock: they see the old file or the new one. A file that
// does not parse, breaks the schema or names another device is renamed to
// `<file>.corrupt` (under the lock, after re-reading, so a file a writer has
// just fixed is never moved aside) and read as empty.
//
//===----------------------------------------------------------------------===//

#include "tessel/autotune/TuneDB.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <utility>

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace tessel::tune {
namespace {

// Bump both when the file format changes: old files are then never read.
constexpr const char *kDir = "autotune-v1";
constexpr const char *kFormat = "tessel-autotune-v1";

std::string errnoText(int error) { return std::strerror(error); }

fs::path lockPathOf(const fs::path &file) {
  return fs::path(file.string() + ".lock");
}

fs::path corruptPathOf(const fs::path &file) {
  return fs::path(file.string() + ".corrupt");
}

/// Closes the descriptor when it goes out of scope.
class UniqueFd {
public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd &operator=(UniqueFd &&other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd &) = delete;
  UniqueFd &operator=(const UniqueFd &) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_;
};

/// Takes flock(LOCK_EX) on `path` (created when missing); the lock is held
/// until the returned descriptor is closed. flock locks belong to the open
/// file description, so two opens in one process exclude each other too.
rt::Expected<UniqueFd> lockExclusive(const fs::path &path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0)
    return rt::Status::error("cannot open lock file ", path.string(), ": ",
                             errnoText(errno));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR)
      return rt::Status::error("cannot lock ", path.string(), ": ",
                               errnoText(errno));
  }
  return fd;
}

/// The whole file, or nothing when it does not exist.
rt::Expected<std::optional<std::string>> readFile(const fs::path &path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return std::optional<std::string>();
    return rt::Status::error("cannot open ", path.string(), ": ",
                             errnoText(errno));
  }
  std::string bytes;
  char chunk[1 << 16];
  for (;;) {
    ssize_t got = ::read(fd.get(), chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR)
        continue;
      return rt::Status::error("cannot read ", path.string(), ": ",
                               errnoText(errno));
    }
    if (got == 0)
      return std::optional<std::string>(std::move(bytes));
    bytes.append(chunk, static_cast<std::size_t>(got));
  }
}

/// A name in `dir` no other writer (thread or process) picks at once.
fs::path temporaryPath(const fs::path &file) {
  static std::atomic<unsigned long> counter{0};
  return file.parent_path() /
         ("." + file.filename().string() + ".tmp-" +
          std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

/// Writes `bytes` to a temporary file next to `file`, flushes it to disk
/// and renames it over `file`: a crash leaves the old file or the new one,
/// never a torn one.
rt::Status replaceFile(const fs::path &file, std::string_view bytes) {
  fs::path temporary = temporaryPath(file);
  UniqueFd fd(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0)
    return rt::Status::error("cannot create ", temporary.string(), ": ",
                             errnoText(errno));
  rt::Status status;
  while (!bytes.empty() && status.ok()) {
    ssize_t written = ::write(fd.get(), bytes.data(), bytes.size());
    if (written < 0 && errno != EINTR)
      status = rt::Status::error("cannot write ", temporary.string(), ": ",
                                 errnoText(errno));
    else if (written > 0)
      bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  if (status.ok() && ::fsync(fd.get()) != 0)
    status = rt::Status::error("cannot flush ", temporary.string(), ": ",
                               errnoText(errno));
  fd.reset();
  if (status.ok()) {
    std::error_code error;
    fs::rename(temporary, file, error);
    if (error)
      status = rt::Status::error("cannot rename ", temporary.string(), " to ",
                                 file.string(), ": ", error.message());
  }
  if (!status.ok())
    ::unlink(temporary.c_str());
  return status;
}

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

//===--- JSON <-> records -------------------------------------------------===//
//
// The readers throw (nlohmann's exceptions, or SchemaError for what nlohmann
// accepts but the format does not); decode() turns either into a reason.

struct SchemaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int64_t getInt(const Json &value, const char *what) {
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    throw SchemaError(std::string(what) + " is out of range");
  if (!value.is_number_integer())
    throw SchemaError(std::string(what) + " is not an integer");
  return value.get<int64_t>();
}

double getNumber(const Json &value, const char *what) {
  if (!value.is_number())
    throw SchemaError(std::string(what) + " is not a number");
  return value.get<double>();
}

const std::string &getString(const Json &value, const char *what) {
  if (!value.is_string())
    throw SchemaError(std::string(what) + " is not a string");
  return value.get_ref<const std::string &>();
}

Json configToJson(const Config &config) {
  Json object = Json::object();
  for (const auto &[name, value] : config)
    object[name] = value;
  return object;
}

Config configFromJson(const Json &object, const char *what) {
  if (!object.is_object())
    throw SchemaError(std::string(what) + " is not an object");
  Config config;
  for (const auto &[name, value] : object.items())
    config[name] = getInt(value, what);
  return config;
}

Json shapeToJson(const std::vector<int64_t> &shape) {
  Json array = Json::array();
  for (int64_t size : shape)
    array.push_back(size);
  return array;
}

std::vector<int64_t> shapeFromJson(const Json &array) {
  if (!array.is_array())
    throw SchemaError("shape is not an array");
  std::vector<int64_t> shape;
  for (const Json &size : array)
    shape.push_back(getInt(size, "shape size"));
  return shape;
}

Json recordToJson(const Record &record) {
  Json trials = Json::array();
  for (const Trial &trial : record.trials) {
    Json object = {{"config", configToJson(trial.config)}};
    if (trial.ms)
      object["ms"] = *trial.ms;
    else
      object["failure"] = trial.failure;
    trials.push_back(std::move(object));
  }
  Json object = {{"kernel", record.key.kernel},
                 {"kernel_hash", record.key.kernelHash},
                 {"dtypes", record.key.dtypes},
                 {"layout", record.key.layout},
                 {"shape", shapeToJson(record.key.shape)},
                 {"bucket", shapeToJson(shapeBucket(record.key.shape))},
                 {"trials", std::move(trials)},
                 {"best", configToJson(record.best)},
                 {"best_ms", record.bestMs},
                 {"defaults", configToJson(record.defaults)}};
  if (record.defaultMs)
    object["default_ms"] = *record.defaultMs;
  object["updated"] = record.updated;
  return object;
}

Record recordFromJson(const Json &object) {
  if (!object.is_object())
    throw SchemaError("record is not an object");
  Record record;
  record.key.kernel = getString(object.at("kernel"), "kernel");
  record.key.kernelHash = getString(object.at("kernel_hash"), "kernel_hash");
  record.key.dtypes = getString(object.at("dtypes"), "dtypes");
  record.key.layout = getString(object.at("layout"), "layout");
  record.key.shape = shapeFromJson(object.at("shape"));
  const Json &trials = object.at("trials");
  if (!trials.is_array())
    throw SchemaError("trials is not an array");
  for (const Json &entry : trials) {
    if (!entry.is_object())
      throw SchemaError("trial is not an object");
    Trial trial;
    trial.config = configFromJson(entry.at("config"), "trial config");
    if (entry.contains("ms"))
      trial.ms = getNumber(entry.at("ms"), "trial ms");
    else
      trial.failure = getString(entry.at("failure"), "trial failure");
    record.trials.push_back(std::move(trial));
  }
  record.best = configFromJson(object.at("best"), "best");
  record.bestMs = getNumber(object.at("best_ms"), "best_ms");
  record.defaults = configFromJson(object.at("defaults"), "defaults");
  if (object.contains("default_ms"))
    record.defaultMs = getNumber(object.at("default_ms"), "default_ms");
  record.updated = getString(object.at("updated"), "updated");
  return record;
}

std::string encode(const DeviceKey &device,
                   const std::vector<Record> &records) {
  Json file = {{"format", kFormat},
               {"device",
                {{"name", device.name},
                 {"cc_major", device.ccMajor},
                 {"cc_minor", device.ccMinor},
                 {"sm_count", device.smCount}}},
               {"records", Json::array()}};
  for (const Record &record : records)
    file["records"].push_back(recordToJson(record));
  // Names come from users and drivers: replace invalid UTF-8 instead of
  // throwing halfway through a write.
  return file.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

/// What a file holds: its records, or why it cannot be used.
struct Decoded {
  std::vector<Record> records;
  std::string corrupt; ///< empty when the file is good
};

Decoded decode(std::string_view bytes, const DeviceKey &device) {
  Decoded decoded;
  try {
    Json file = Json::parse(bytes);
    if (!file.is_object())
      throw SchemaError("not a JSON object");
    const Json &format = file.at("format");
    if (!format.is_string() || format.get<std::string>() != kFormat)
      throw SchemaError("format is not \"" + std::string(kFormat) + "\"");
    const Json &onFile = file.at("device");
    if (!onFile.is_object())
      throw SchemaError("device is not an object");
    DeviceKey other;
    other.name = getString(onFile.at("name"), "device name");
    other.ccMajor = static_cast<int>(getInt(onFile.at("cc_major"), "cc"));
    other.ccMinor = static_cast<int>(getInt(onFile.at("cc_minor"), "cc"));
    other.smCount = static_cast<int>(getInt(onFile.at("sm_count"), "sms"));
    if (!(other == device)) {
      decoded.corrupt = "is for device '" + other.name + "' (sm" +
                        std::to_string(other.ccMajor) +
                        std::to_string(other.ccMinor) + ", " +
                        std::to_string(other.smCount) + " SMs), not '" +
                        device.name + "' (sm" + std::to_string(device.ccMajor) +
                        std::to_string(device.ccMinor) + ", " +
                        std::to_string(device.smCount) + " SMs)";
      return decoded;
    }
    const Json &records = file.at("records");
    if (!records.is_array())
      throw SchemaError("records is not an array");
    for (const Json &record : records)
      decoded.records.push_back(recordFromJson(record));
  } catch (const nlohmann::json::exception &e) {
    decoded.records.clear();
    decoded.corrupt = std::string("does not parse: ") + e.what();
  } catch (const SchemaError &e) {
    decoded.records.clear();
    decoded.corrupt = std::string("does not parse: ") + e.what();
  }
  return decoded;
}

/// Reads and decodes `file`; a missing file decodes to no records.
rt::Expected<Decoded> load(const fs::path &file, const DeviceKey &device) {
  rt::Expected<std::optional<std::string>> bytes = readFile(file);
  if (!bytes)
    return bytes.status();
  if (!*bytes)
    return Decoded();
  return decode(**bytes, device);
}

/// Renames a corrupt `file` out of the way; returns what to tell the user.
std::string moveAside(const fs::path &file, const std::string &why) {
  fs::path aside = corruptPathOf(file);
  std::error_code error;
  fs::rename(file, aside, error);
  if (error && error != std::errc::no_such_file_or_directory)
    return "autotune database " + file.string() + " " + why +
           "; read as empty, but it could not be moved to " + aside.string() +
           ": " + error.message();
  return "autotune database " + file.string() + " " + why + "; moved to " +
         aside.string() + " and read as empty";
}

//===--- merging and lookup -----------------------------------------------===//

bool sameProblem(const ProblemKey &a, const ProblemKey &b) {
  return a.kernel == b.kernel && a.kernelHash == b.kernelHash &&
         a.dtypes == b.dtypes && a.layout == b.layout && a.shape == b.shape;
}

bool sameFamily(const ProblemKey &a, const ProblemKey &b) {
  return a.kernel == b.kernel && a.kernelHash == b.kernelHash &&
         a.dtypes == b.dtypes && a.layout == b.layout;
}

/// Adds `trial` to `trials`, replacing the trial of the same config: the
/// newer measurement wins (the code or the machine may have changed).
void uniteTrial(std::vector<Trial> &trials, const Trial &trial) {
  for (Trial &old : trials) {
    if (old.config == trial.config) {
      old = trial;
      return;
    }
  }
  trials.push_back(trial);
}

/// best/bestMs from the fastest timed trial (ties to the earlier one);
/// empty when no trial ran.
void recomputeBest(Record &record) {
  record.best.clear();
  record.bestMs = 0;
  const Trial *fastest = nullptr;
  for (const Trial &trial : record.trials)
    if (trial.ms && (!fastest || *trial.ms < *fastest->ms))
      fastest = &trial;
  if (fastest) {
    record.best = fastest->config;
    record.bestMs = *fastest->ms;
  }
}

/// `incoming` as it will be stored on its own: best is always derived from
/// the trials, so a winner the caller names without a trial for it becomes
/// one (its time bestMs) instead of being dropped.
Record normalised(const Record &incoming) {
  Record record = incoming;
  record.trials.clear();
  for (const Trial &trial : incoming.trials)
    uniteTrial(record.trials, trial);
  if (!incoming.best.empty()) {
    bool tried = false;
    for (const Trial &trial : record.trials)
      tried = tried || trial.config == incoming.best;
    if (!tried)
      record.trials.push_back(Trial{incoming.best, incoming.bestMs, ""});
  }
  recomputeBest(record);
  return record;
}

void mergeInto(Record &old, const Record &incoming) {
  for (const Trial &trial : incoming.trials)
    uniteTrial(old.trials, trial);
  recomputeBest(old);
  if (!incoming.defaults.empty()) {
    // A time measured for other defaults says nothing about these.
    if (incoming.defaults != old.defaults)
      old.defaultMs.reset();
    old.defaults = incoming.defaults;
  }
  if (incoming.defaultMs)
    old.defaultMs = incoming.defaultMs;
}

rt::Status validate(const Record &record) {
  std::string shape = shapeString(record.key.shape);
  if (record.key.kernel.empty())
    return rt::Status::error("cannot record shape ", shape,
                             ": the record names no kernel");
  auto badTime = [](double ms) { return !std::isfinite(ms) || ms < 0; };
  for (const Trial &trial : record.trials)
    if (trial.ms && badTime(*trial.ms))
      return rt::Status::error("cannot record kernel '", record.key.kernel,
                               "' shape ", shape, ": trial time ", *trial.ms,
                               " ms is not a finite non-negative number");
  if (!record.best.empty() && badTime(record.bestMs))
    return rt::Status::error("cannot record kernel '", record.key.kernel,
                             "' shape ", shape, ": best time ", record.bestMs,
                             " ms is not a finite non-negative number");
  if (record.defaultMs && badTime(*record.defaultMs))
    return rt::Status::error("cannot record kernel '", record.key.kernel,
                             "' shape ", shape, ": default time ",
                             *record.defaultMs,
                             " ms is not a finite non-negative number");
  return rt::Status::success();
}

/// Sum over sizes of |log2(a / b)|, a size of 0 (or less) counting as 1;
/// shapes of different rank are not comparable (nullopt).
std::optional<double> shapeDistance(const std::vector<int64_t> &a,
                                    const std::vector<int64_t> &b) {
  if (a.size() != b.size())
    return std::nullopt;
  double distance = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double x = static_cast<double>(std::max<int64_t>(a[i], 1));
    double y = static_cast<double>(std::max<int64_t>(b[i], 1));
    distance += std::fabs(std::log2(x) - std::log2(y));
  }
  return distance;
}

} // namespace

DeviceKey DeviceKey::of(const rt::DeviceInfo &device) {
  return {device.name, device.ccMajor, device.ccMinor, device.smCount};
}

std::string DeviceKey::slug() const {
  std::string text;
  bool pendingDash = false;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      // Leading and trailing runs give no dash: "  H100 " -> "h100".
      if (pendingDash && !text.empty())
        text += '-';
      pendingDash = false;
      text += c;
    } else {
      pendingDash = true;
    }
  }
  if (text.empty())
    text = "unknown";
  return text + "-sm" + std::to_string(ccMajor) + std::to_string(ccMinor) +
         "-" + std::to_string(smCount) + "sm";
}

std::string ProblemKey::family() const {
  return kernel + "/" + kernelHash + "/" + dtypes + "/" + layout;
}

std::vector<int64_t> shapeBucket(const std::vector<int64_t> &shape) {
  std::vector<int64_t> bucket;
  bucket.reserve(shape.size());
  for (int64_t size : shape) {
    // Sizes that are not positive, or too large to round up without
    // overflow, are their own bucket.
    if (size <= 0 || size > (int64_t(1) << 62)) {
      bucket.push_back(size);
      continue;
    }
    int64_t power = 1;
    while (power < size)
      power <<= 1;
    bucket.push_back(power);
  }
  return bucket;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += 'x';
    text += std::to_string(shape[i]);
  }
  return text;
}

TuneDB::TuneDB(fs::path root, DeviceKey device)
    : root_(std::move(root)), device_(std::move(device)) {
  file_ = root_ / kDir / (device_.slug() + ".json");
}

rt::Expected<std::vector<Record>> TuneDB::all(std::string *warning) const {
  if (warning)
    warning->clear();
  rt::Expected<Decoded> loaded = load(file_, device_);
  if (!loaded)
    return loaded.status();
  if (loaded->corrupt.empty())
    return std::move(loaded->records);

  // Move it aside under the writers' lock, and only if it is still bad: a
  // writer may have renamed a good file into place since we read.
  std::string message;
  rt::Expected<UniqueFd> lock = lockExclusive(lockPathOf(file_));
  if (!lock) {
    message = "autotune database " + file_.string() + " " + loaded->corrupt +
              "; read as empty, but it was not moved aside (" +
              lock.status().message() + ")";
  } else {
    loaded = load(file_, device_);
    if (!loaded)
      return loaded.status();
    if (loaded->corrupt.empty())
      return std::move(loaded->records);
    message = moveAside(file_, loaded->corrupt);
  }
  if (warning)
    *warning = message;
  return std::vector<Record>();
}

rt::Expected<std::optional<Found>> TuneDB::lookup(const ProblemKey &key) const {
  rt::Expected<std::vector<Record>> records = all();
  if (!records)
    return records.status();

  std::vector<int64_t> bucket = shapeBucket(key.shape);
  const Record *nearestInBucket = nullptr, *nearest = nullptr;
  double bucketDistance = 0, distance = 0;
  // Distances are sums of logarithms: treat what differs only by rounding
  // as a tie, which goes to the earlier record.
  constexpr double kTie = 1e-9;
  for (const Record &record : *records) {
    if (record.best.empty() || !sameFamily(record.key, key))
      continue;
    if (record.key.shape == key.shape)
      return std::optional<Found>(
          Found{record.best, record.bestMs, true, record.key.shape});
    std::optional<double> d = shapeDistance(record.key.shape, key.shape);
    if (!d)
      continue;
    if (shapeBucket(record.key.shape) == bucket &&
        (!nearestInBucket || *d < bucketDistance - kTie)) {
      nearestInBucket = &record;
      bucketDistance = *d;
    }
    if (!nearest || *d < distance - kTie) {
      nearest = &record;
      distance = *d;
    }
  }
  const Record *chosen = nearestInBucket ? nearestInBucket : nearest;
  if (!chosen)
    return std::optional<Found>();
  return std::optional<Found>(
      Found{chosen->best, chosen->bestMs, false, chosen->key.shape});
}

rt::Status TuneDB::record(const Record &record) const {
  return this->record(std::vector<Record>{record});
}

rt::Status TuneDB::record(const std::vector<Record> &batch) const {
  for (const Record &record : batch)
    TESSEL_RETURN_IF_ERROR(validate(record));
  std::error_code error;
  fs::create_directories(file_.parent_path(), error);
  if (error)
    return rt::Status::error("cannot create autotune directory ",
                             file_.parent_path().string(), ": ",
                             error.message());
  rt::Expected<UniqueFd> lock = lockExclusive(lockPathOf(file_));
  if (!lock)
    return lock.status();

  rt::Expected<Decoded> loaded = load(file_, device_);
  if (!loaded)
    return loaded.status();
  // A corrupt file cannot be merged into; keep it for inspection and start
  // afresh rather than refuse to record.
  if (!loaded->corrupt.empty())
    (void)moveAside(file_, loaded->corrupt);

  std::vector<Record> &records = loaded->records;
  const std::string now = utcNow();
  for (const Record &record : batch) {
    Record incoming = normalised(record);
    incoming.updated = now;
    bool merged = false;
    for (Record &old : records) {
      if (sameProblem(old.key, incoming.key)) {
        mergeInto(old, incoming);
        old.updated = incoming.updated;
        merged = true;
        break;
      }
    }
    if (!merged)
      records.push_back(std::move(incoming));
  }

  rt::Status written = replaceFile(file_, encode(device_, records));
  if (!written.ok()) {
    std::string what;
    for (const Record &record : batch)
      what += (what.empty() ? "" : ", ") +
              ("kernel '" + record.key.kernel + "' shape " +
               shapeString(record.key.shape));
    return written.withContext("cannot record tuning result for " + what);
  }
  return rt::Status::success();
}

rt::Status TuneDB::clear() const {
  std::error_code error;
  if (!fs::exists(file_.parent_path(), error))
    return rt::Status::success();
  // Under the lock, so a writer between its read and its rename cannot put
  // the cleared records back.
  rt::Expected<UniqueFd> lock = lockExclusive(lockPathOf(file_));
  if (!lock)
    return lock.status();
  if (::unlink(file_.c_str()) != 0 && errno != ENOENT)
    return rt::Status::error("cannot remove autotune database ", file_.string(),
                             ": ", errnoText(errno));
  return rt::Status::success();
}

} // namespace tessel::tune
