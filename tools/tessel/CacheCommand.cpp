//===- CacheCommand.cpp - `tessel cache ls|clear|show KEY` ----------------===//
//
// The compile cache from the shell: list the entries (kernels, target,
// stages, size, age), show one (its launch metadata and stage sizes, or one
// stage's text with --stage), clear them all. Reading an entry verifies its
// checksum, so a damaged one is reported (and removed) here too.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "tessel/Target/CompileCache.h"
#include "tessel/runtime/DiskCache.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

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

/// The one key starting with `prefix`, or an error naming the problem.
rt::Expected<std::string> resolve(const rt::DiskCache &cache,
                                  const std::string &prefix) {
  auto keys = cache.list();
  if (!keys)
    return keys.status();
  std::string found;
  for (const std::string &k : *keys)
    if (k.rfind(prefix, 0) == 0) {
      if (!found.empty())
        return rt::Status::error("key prefix '", prefix,
                                 "' matches more than one entry");
      found = k;
    }
  if (found.empty())
    return rt::Status::error("no cache entry with key '", prefix, "' under ",
                             cache.root().string());
  return found;
}

int list(const rt::DiskCache &cache) {
  auto keys = cache.list();
  if (!keys)
    return fail(keys.status().message());
  std::printf("%-16s %-40s %10s %8s  %s\n", "key", "kernels target", "bytes",
              "age", "stages");
  size_t total = 0;
  for (const std::string &key : *keys) {
    auto lookup = cache.lookup(key);
    if (!lookup)
      return fail(lookup.status().message());
    if (!lookup->entry) {
      std::printf("%-16s (%s: removed)\n", key.substr(0, 16).c_str(),
                  lookup->reason.c_str());
      continue;
    }
    const rt::CacheEntry &entry = *lookup->entry;
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
  std::printf("%zu entries, %zu bytes, under %s\n", keys->size(), total,
              cache.root().string().c_str());
  return 0;
}

int show(const rt::DiskCache &cache, const std::string &prefix,
         const std::string &stage) {
  auto key = resolve(cache, prefix);
  if (!key)
    return fail(key.status().message());
  auto lookup = cache.lookup(*key);
  if (!lookup)
    return fail(lookup.status().message());
  if (!lookup->entry)
    return fail("entry " + *key + ": " + lookup->reason +
                (lookup->corrupt ? " (removed; the next compile rebuilds it)"
                                 : ""));
  const rt::CacheEntry &entry = *lookup->entry;
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
    auto keys = cache.list();
    size_t count = keys ? keys->size() : 0;
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
