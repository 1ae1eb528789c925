//===- TuneDB.h - persisted autotuning results, one file per GPU -*- C++ -*-===//
//
// What the tuner found, kept across processes: one JSON file per GPU model
// (name, compute capability, SM count) under
// `<root>/autotune-v1/<device slug>.json`, keyed by kernel (and a hash of
// its source and compiler), dtypes, layout and shape; every config tried
// with its median time (or why it failed), the winner marked. Several
// processes may record at once: each write takes an exclusive lock, re-reads
// the file, merges and renames a new file into place.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_AUTOTUNE_TUNEDB_H
#define TESSEL_AUTOTUNE_TUNEDB_H

#include "tessel/autotune/ConfigSpace.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/Status.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tessel::tune {

/// The GPU a file is for.
struct DeviceKey {
  std::string name; ///< e.g. "NVIDIA H100 80GB HBM3"
  int ccMajor = 0, ccMinor = 0;
  int smCount = 0;
  /// File-name form: lowercase, runs of other characters as one '-', then
  /// "-sm<major><minor>-<sms>sm", e.g. "nvidia-h100-80gb-hbm3-sm90-132sm".
  std::string slug() const;
  /// The key of a queried device.
  static DeviceKey of(const rt::DeviceInfo &device);
  bool operator==(const DeviceKey &o) const {
    return name == o.name && ccMajor == o.ccMajor && ccMinor == o.ccMinor &&
           smCount == o.smCount;
  }
};

/// What a tuning result applies to.
struct ProblemKey {
  std::string kernel;     ///< kernel function name, e.g. "syrk"
  std::string kernelHash; ///< hash of its source and the compiler (hex)
  std::string dtypes;     ///< e.g. "bf16"
  std::string layout;     ///< e.g. "rowmajor", "transposed"
  std::vector<int64_t> shape; ///< the problem's sizes, e.g. {batch, m, n}
  /// Everything but the shape: records with the same family may stand in
  /// for each other's shapes. "<kernel>/<hash>/<dtypes>/<layout>".
  std::string family() const;
};

/// Each size rounded up to a power of two (0 stays 0): shapes in one bucket
/// are expected to like the same config.
std::vector<int64_t> shapeBucket(const std::vector<int64_t> &shape);

/// "AxBxC".
std::string shapeString(const std::vector<int64_t> &shape);

/// One config tried: its median time, or why it did not run.
struct Trial {
  Config config;
  std::optional<double> ms; ///< median milliseconds; empty when it failed
  std::string failure;      ///< why it failed (compile, launch, pruned...)
};

/// Everything known about one problem on one GPU.
struct Record {
  ProblemKey key;
  std::vector<Trial> trials;
  Config best;        ///< the fastest trial's config
  double bestMs = 0;  ///< its time
  Config defaults;    ///< the kernel's default config (for comparisons)
  std::optional<double> defaultMs; ///< its time, when it was measured
  std::string updated; ///< UTC time of the last write, ISO 8601
};

/// What lookup() found.
struct Found {
  Config config;
  double ms = 0;
  bool exact = false;            ///< same shape (else nearest, see lookup)
  std::vector<int64_t> shape;    ///< the shape it was tuned on
};

class TuneDB {
public:
  /// The database for `device` under `root` (the compile cache's root:
  /// rt::DiskCache::defaultRoot()). Nothing is read or created yet.
  TuneDB(std::filesystem::path root, DeviceKey device);

  /// `<root>/autotune-v1/<device.slug()>.json`.
  const std::filesystem::path &file() const { return file_; }
  const DeviceKey &device() const { return device_; }

  /// The best config for `key`: the record of the same family and exact
  /// shape; else the nearest shape of that family in the same bucket; else
  /// the nearest of that family at all (distance: sum over sizes of
  /// |log2(a / b)|, ties to the earlier record); else none. A missing file
  /// is no error (none); so is a corrupt one (see all()).
  rt::Expected<std::optional<Found>> lookup(const ProblemKey &key) const;

  /// Every record in the file. A file that does not parse, or is for
  /// another device, is moved aside to `<file>.corrupt` and read as empty
  /// (`*warning` says so when not null); it is never fatal.
  rt::Expected<std::vector<Record>> all(std::string *warning = nullptr) const;

  /// Merges `record` into the file, under an exclusive lock on
  /// `<file>.lock` held across read-merge-write, written to a temporary file
  /// and renamed into place. Merge with a record of the same family and
  /// shape: trials are united by config (a config tried again keeps the new
  /// time), best and bestMs recomputed over every trial with a time,
  /// defaults/defaultMs taken from the new record when it has them. Other
  /// records are kept as they are.
  rt::Status record(const Record &record) const;
  /// record() of each of `records` in one read-merge-write (one lock, one
  /// fsync'd file): what a tuning run of several kernels writes at its end.
  rt::Status record(const std::vector<Record> &records) const;

  /// Removes the file (nothing to do when there is none).
  rt::Status clear() const;

private:
  std::filesystem::path root_, file_;
  DeviceKey device_;
};

} // namespace tessel::tune

#endif // TESSEL_AUTOTUNE_TUNEDB_H
