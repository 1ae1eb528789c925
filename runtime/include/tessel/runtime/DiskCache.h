//===- DiskCache.h - Content-addressed on-disk compile cache ----*- C++ -*-===//
//
// Keeps every stage of a compiled kernel (tessel/gpu/llvm IR, PTX, cubin)
// under a key the caller hashes; entries are written atomically and
// checksummed, and a damaged entry is reported as a miss, never returned.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_DISKCACHE_H
#define TESSEL_RUNTIME_DISKCACHE_H

#include "tessel/runtime/Status.h"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessel::rt {

/// The named blobs of one cache entry, e.g. "tessel.mlir", "gpu.mlir",
/// "llvm.ll", "ptx", "cubin". Blob names are 1-128 characters of
/// [A-Za-z0-9._-]; blobs are arbitrary bytes.
struct CacheEntry {
  std::map<std::string, std::string, std::less<>> blobs;

  /// Sets blob `name` to `bytes`.
  CacheEntry &set(std::string name, std::string bytes) {
    blobs[std::move(name)] = std::move(bytes);
    return *this;
  }
  /// Blob `name`, or null when the entry has none.
  const std::string *find(std::string_view name) const {
    auto it = blobs.find(name);
    return it == blobs.end() ? nullptr : &it->second;
  }
  bool operator==(const CacheEntry &other) const {
    return blobs == other.blobs;
  }
};

/// The answer of DiskCache::lookup: a hit, or a miss and why.
struct CacheLookup {
  /// The entry on a hit.
  std::optional<CacheEntry> entry;
  /// True when a file was there but failed its checks (and was removed).
  bool corrupt = false;
  /// Why it missed ("no entry", or what was wrong with the file).
  std::string reason;
};

/// A directory of entries, `<root>/compile-v2/<key[0:2]>/<key>`, one file
/// per entry. Safe to share between threads and processes: an entry is
/// written to a temporary file in its final directory and renamed into place,
/// so a reader sees a whole old entry, a whole new one or none. Each file
/// holds a SHA-256 of its payload, checked on every load. Files are not
/// fsync'd: an entry cut short by a crash fails its checksum and is a miss.
class DiskCache {
public:
  /// A cache under `root` (created on first store).
  explicit DiskCache(std::filesystem::path root);

  /// A cache under defaultRoot().
  static DiskCache fromEnvironment();

  /// `$TESSEL_CACHE_DIR` when set and not empty, else
  /// `$HOME/.cache/tessel`, else `<temp dir>/tessel-cache`.
  static std::filesystem::path defaultRoot();

  /// True for a valid key: 64 lowercase hex digits (a SHA-256 in hex).
  static bool isValidKey(std::string_view key);

  /// The root directory.
  const std::filesystem::path &root() const { return root_; }

  /// The file that holds entry `key` (whether or not it exists); empty for
  /// an invalid key.
  std::filesystem::path pathOf(std::string_view key) const;

  /// Writes `entry` under `key`, atomically replacing any previous entry.
  Status store(std::string_view key, const CacheEntry &entry) const;

  /// The entry under `key`, or std::nullopt on a miss. A file that fails its
  /// checks is removed and reported as a miss (lookup() says why). Fails
  /// only for an invalid key or an unreadable file.
  Expected<std::optional<CacheEntry>> load(std::string_view key) const;

  /// load(), with the reason for a miss.
  Expected<CacheLookup> lookup(std::string_view key) const;

  /// Removes the entry under `key` (nothing to do when there is none).
  Status remove(std::string_view key) const;

  /// The keys of all entries, sorted (unchecked: load() verifies).
  Expected<std::vector<std::string>> list() const;

  /// Removes every entry (and stray temporary files); other files under the
  /// root (e.g. an autotune database) are left alone.
  Status clear() const;

  /// The bytes of the file that stores `entry` under `key`.
  static std::string encode(std::string_view key, const CacheEntry &entry);

  /// Parses and verifies the bytes of an entry file written for `key`.
  static Expected<CacheEntry> decode(std::string_view key,
                                     std::string_view bytes);

private:
  std::filesystem::path entriesDir() const;

  std::filesystem::path root_;
};

} // namespace tessel::rt

#endif // TESSEL_RUNTIME_DISKCACHE_H
