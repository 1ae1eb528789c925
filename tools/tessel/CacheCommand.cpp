//===- CacheCommand.cpp - `tessel cache ls|clear|show KEY` ----------------===//
//
// The compile cache from the shell: list the compiles (kernels, target,
// stages, size, age), show one (its launch metadata and stage sizes, or one
// stage's text with --stage), clear them all. A compile is two entries (the
// launch entry and its stages, CompileCache.h), shown as one. Reading an
// entry verifies its checksum, so a damaged one is reported (and removed).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "tessel/Target/CompileCache.h"
#include "tessel/runtime/DiskCache.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <vector>

namespace tessel::cli {

namespace {

const char *kCacheUsage =
    "usage: tessel cache ls | clear | show KEY [--stage NAME]\n"
    "  (root: $TESSEL_CACHE_DIR, default ~/.cache/tessel; KEY may be a "
    "unique prefix)\n";

/// Kernel names and target of an entry, from its launch metadata.
std::string describe(const rt::CacheEntry &entry) {
  CompileResult result;
  const std::string *info = entry.find("info.json");
  if (!info || !parseKernelInfoJson(*info, result))
    return "(no launch metadata)";
  std::string names;
  for (const KernelInfo &k : result.kernels)
    names += (names.empty() ? "" : ",") + k.name;
  return names + " " + result.target;
}

size_t entryBytes(const rt::CacheEntry &entry) {
  size_t bytes = 0;
  for (const auto &[name, blob] : entry.blobs)
    bytes += blob.size();
  return bytes;
}

/// The cache's compiles: each launch entry with the blobs of its stages
/// entry merged in (stage entries are never listed on their own; one whose
/// launch entry is gone is an orphan), and damaged entries (removed).
struct Listing {
  std::map<std::string, rt::CacheEntry> compiles;
  std::map<std::string, std::string> damaged; ///< key -> why
  std::vector<std::string> orphans;           ///< stage keys
};

rt::Expected<Listing> listing(const rt::DiskCache &cache) {
  auto keys = cache.list();
  if (!keys)
    return keys.status();
  Listing out;
  std::map<std::string, rt::CacheEntry> stages; // by launch key
  for (const std::string &key : *keys) {
    auto lookup = cache.lookup(key);
    if (!lookup)
      return lookup.status();
    if (!lookup->entry) {
      out.damaged[key] = lookup->reason;
      continue;
    }
    if (const std::string *of = lookup->entry->find(kStagesOfBlob))
      stages[*of] = std::move(*lookup->entry);
    else
      out.compiles[key] = std::move(*lookup->entry);
  }
  for (auto &[key, entry] : stages) {
    auto it = out.compiles.find(key);
    if (it == out.compiles.end()) {
      out.orphans.push_back(stagesCacheKey(key));
      continue;
    }
    for (auto &[name, blob] : entry.blobs)
      if (name != kStagesOfBlob)
        it->second.set(name, std::move(blob));
  }
  return out;
}

/// The one compile whose key starts with `prefix`.
rt::Expected<std::string> resolve(const Listing &l, const std::string &prefix,
                                  const rt::DiskCache &cache) {
  std::string found;
  for (const auto &[key, entry] : l.compiles)
    if (key.rfind(prefix, 0) == 0) {
      if (!found.empty())
        return rt::Status::error("key prefix '", prefix,
                                 "' matches more than one entry");
      found = key;
    }
  if (found.empty()) {
    for (const auto &[key, why] : l.damaged)
      if (key.rfind(prefix, 0) == 0)
        return rt::Status::error("entry ", key, ": ", why,
                                 " (removed; the next compile rebuilds it)");
    return rt::Status::error("no cache entry with key '", prefix, "' under ",
                             cache.root().string());
  }
  return found;
}

int list(const rt::DiskCache &cache) {
  auto l = listing(cache);
  if (!l)
    return fail(l.status().message());
  std::printf("%-16s %-40s %10s %8s  %s\n", "key", "kernels target", "bytes",
              "age", "stages");
  size_t total = 0;
  for (const auto &[key, entry] : l->compiles) {
    std::string stages;
    for (const auto &[name, blob] : entry.blobs)
      stages += (stages.empty() ? "" : " ") + name;
    std::error_code ec;
    auto when = std::filesystem::last_write_time(cache.pathOf(key), ec);
    double hours =
        ec ? 0
           : std::chrono::duration<double, std::ratio<3600>>(
                 std::filesystem::file_time_type::clock::now() - when)
                 .count();
    size_t bytes = entryBytes(entry);
    total += bytes;
    std::printf("%-16s %-40s %10zu %7.1fh  %s\n", key.substr(0, 16).c_str(),
                describe(entry).c_str(), bytes, hours, stages.c_str());
  }
  for (const auto &[key, why] : l->damaged)
    std::printf("%-16s (%s: removed)\n", key.substr(0, 16).c_str(),
                why.c_str());
  for (const std::string &key : l->orphans)
    std::printf("%-16s (stages without their launch entry)\n",
                key.substr(0, 16).c_str());
  std::printf("%zu entries, %zu bytes, under %s\n", l->compiles.size(), total,
              cache.root().string().c_str());
  return 0;
}

int show(const rt::DiskCache &cache, const std::string &prefix,
         const std::string &stage) {
  auto l = listing(cache);
  if (!l)
    return fail(l.status().message());
  auto key = resolve(*l, prefix, cache);
  if (!key)
    return fail(key.status().message());
  const rt::CacheEntry &entry = l->compiles.at(*key);
  if (!stage.empty()) {
    const std::string *blob = entry.find(stage);
    if (!blob) {
      std::string names;
      for (const auto &[name, b] : entry.blobs)
        names += " " + name;
      return fail("entry " + *key + " has no stage '" + stage +
                  "'; it has:" + names);
    }
    std::cout << *blob;
    return 0;
  }
  std::cout << "key: " << *key << "\nfile: " << cache.pathOf(*key).string()
            << "\nstages file: " << cache.pathOf(stagesCacheKey(*key)).string()
            << "\nkernels: " << describe(entry) << "\nstages:\n";
  for (const auto &[name, blob] : entry.blobs)
    std::printf("  %-12s %10zu bytes\n", name.c_str(), blob.size());
  if (const std::string *info = entry.find("info.json"))
    std::cout << "launch metadata: " << *info << "\n";
  return 0;
}

} // namespace

int cacheCommand(int argc, char **argv) {
  if (argc < 1)
    return fail(std::string("cache: missing subcommand\n") + kCacheUsage);
  rt::DiskCache cache = rt::DiskCache::fromEnvironment();
  std::string sub = argv[0];
  if (sub == "ls" && argc == 1)
    return list(cache);
  if (sub == "clear" && argc == 1) {
    auto l = listing(cache);
    size_t count = l ? l->compiles.size() : 0;
    if (rt::Status s = cache.clear(); !s.ok())
      return fail(s.message());
    std::cout << "removed " << count << " entries under "
              << cache.root().string() << "\n";
    return 0;
  }
  if (sub == "show" && (argc == 2 || argc == 4)) {
    std::string stage;
    if (argc == 4) {
      if (std::string(argv[2]) != "--stage")
        return fail(std::string("cache show: unexpected '") + argv[2] +
                    "'\n" + kCacheUsage);
      stage = argv[3];
    }
    return show(cache, argv[1], stage);
  }
  return fail("cache: unexpected arguments\n" + std::string(kCacheUsage));
}

} // namespace tessel::cli
