//===- DiskCacheTest.cpp - The on-disk compile cache ----------------------===//
//
// Round trips, every single-byte corruption and every truncation turned into
// a miss (and removed), two processes writing at once, list/clear and the
// TESSEL_CACHE_DIR / HOME defaults.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/DiskCache.h"

#include "tessel/runtime/Hash.h"

#include "TestText.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace tessel::rt;
using tessel::rt::test::hasSubstr;
using tessel::rt::test::startsWith;

namespace {

std::string keyFor(std::string_view what) { return sha256Hex(what); }

std::string readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const fs::path &path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

CacheEntry sampleEntry() {
  CacheEntry entry;
  entry.set("tessel.mlir", "tessel.func @k() {}\n")
      .set("gpu.mlir", "// gpu\n")
      .set("llvm.ll", "define void @k() { ret void }\n")
      .set("ptx", ".version 8.0\n.target sm_90a\n")
      .set("cubin", std::string("\x7f"
                                "ELF\0\0\n\n binary \xff\x00 end",
                                22))
      .set("empty", "");
  return entry;
}

class DiskCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::random_device random;
    root_ = fs::temp_directory_path() /
            ("tessel-cache-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(random()));
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  fs::path root_;
};

TEST_F(DiskCacheTest, RoundTrip) {
  DiskCache cache(root_ / "cache");
  std::string key = keyFor("gemm sm_90a BLOCK_M=128");
  CacheEntry entry = sampleEntry();
  ASSERT_TRUE(cache.store(key, entry).ok());

  fs::path path = cache.pathOf(key);
  EXPECT_EQ(path, root_ / "cache" / "compile-v2" / key.substr(0, 2) / key);
  ASSERT_TRUE(fs::exists(path));
  EXPECT_TRUE(startsWith(readFile(path), "TESSEL-CACHE 2\nkey " + key + "\n"));

  Expected<std::optional<CacheEntry>> loaded = cache.load(key);
  ASSERT_TRUE(loaded) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, entry);
  ASSERT_NE((*loaded)->find("cubin"), nullptr);
  EXPECT_EQ((*loaded)->find("cubin")->size(), 22u);
  EXPECT_EQ((*loaded)->find("missing"), nullptr);
}

TEST_F(DiskCacheTest, EmptyEntryRoundTrips) {
  DiskCache cache(root_);
  std::string key = keyFor("nothing");
  ASSERT_TRUE(cache.store(key, CacheEntry()).ok());
  Expected<std::optional<CacheEntry>> loaded = cache.load(key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_TRUE((*loaded)->blobs.empty());
}

TEST_F(DiskCacheTest, MissIsNotAnError) {
  DiskCache cache(root_ / "never-created");
  Expected<CacheLookup> found = cache.lookup(keyFor("absent"));
  ASSERT_TRUE(found) << found.status().message();
  EXPECT_FALSE(found->entry);
  EXPECT_FALSE(found->corrupt);
  EXPECT_EQ(found->reason, "no entry");
  Expected<std::optional<CacheEntry>> loaded = cache.load(keyFor("absent"));
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(DiskCacheTest, StoreReplacesTheEntry) {
  DiskCache cache(root_);
  std::string key = keyFor("k");
  ASSERT_TRUE(cache.store(key, CacheEntry().set("ptx", "old")).ok());
  ASSERT_TRUE(cache.store(key, CacheEntry().set("ptx", "new")).ok());
  Expected<std::optional<CacheEntry>> loaded = cache.load(key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(*(*loaded)->find("ptx"), "new");
}

TEST_F(DiskCacheTest, InvalidKeysAndNamesAreRefused) {
  DiskCache cache(root_);
  for (std::string key : {std::string(""), std::string("abc"),
                          std::string(64, 'G'), std::string(63, 'a'),
                          "../" + std::string(61, 'a'), std::string(64, 'A')}) {
    EXPECT_FALSE(cache.store(key, CacheEntry()).ok()) << key;
    EXPECT_FALSE(cache.load(key)) << key;
    EXPECT_TRUE(cache.pathOf(key).empty()) << key;
  }
  std::string key = keyFor("k");
  for (const std::string &name : std::vector<std::string>{
           "", "a b", "line\nbreak", "../up", std::string(129, 'x')}) {
    Status status = cache.store(key, CacheEntry().set(name, "x"));
    EXPECT_FALSE(status.ok()) << name;
    EXPECT_TRUE(hasSubstr(status.message(), "invalid blob name")) << name;
  }
  EXPECT_TRUE(
      cache.store(key, CacheEntry().set(std::string(128, 'x'), "")).ok());
}

TEST_F(DiskCacheTest, EveryFlippedByteIsAMissAndRemoved) {
  DiskCache cache(root_);
  std::string key = keyFor("flip");
  CacheEntry entry = CacheEntry()
                         .set("ptx", "abc\n")
                         .set("cubin", "\x7f"
                                       "ELF");
  ASSERT_TRUE(cache.store(key, entry).ok());
  const std::string good = readFile(cache.pathOf(key));
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      writeFile(cache.pathOf(key), bad);
      Expected<CacheLookup> found = cache.lookup(key);
      ASSERT_TRUE(found) << found.status().message();
      EXPECT_FALSE(found->entry) << "byte " << i << " mask " << int(mask);
      EXPECT_TRUE(found->corrupt) << "byte " << i;
      EXPECT_TRUE(startsWith(found->reason, "corrupt cache entry "));
      EXPECT_TRUE(hasSubstr(found->reason, "; removed"));
      EXPECT_FALSE(fs::exists(cache.pathOf(key))) << "byte " << i;
    }
  }
  // The next store (the caller's recompile) makes it a hit again.
  ASSERT_TRUE(cache.store(key, entry).ok());
  Expected<std::optional<CacheEntry>> loaded = cache.load(key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, entry);
}

TEST_F(DiskCacheTest, PayloadFlipIsAChecksumMismatch) {
  DiskCache cache(root_);
  std::string key = keyFor("payload");
  ASSERT_TRUE(cache.store(key, CacheEntry().set("ptx", "ret;")).ok());
  std::string bytes = readFile(cache.pathOf(key));
  bytes[bytes.size() - 2] ^= 0x20;
  writeFile(cache.pathOf(key), bytes);
  Expected<CacheLookup> found = cache.lookup(key);
  ASSERT_TRUE(found);
  EXPECT_TRUE(hasSubstr(found->reason, "checksum mismatch"));
}

TEST_F(DiskCacheTest, EveryTruncationIsAMissAndRemoved) {
  DiskCache cache(root_);
  std::string key = keyFor("truncate");
  ASSERT_TRUE(cache.store(key, sampleEntry()).ok());
  const std::string good = readFile(cache.pathOf(key));
  for (std::size_t length = 0; length < good.size(); ++length) {
    EXPECT_FALSE(DiskCache::decode(key, good.substr(0, length)))
        << "length " << length;
    writeFile(cache.pathOf(key), good.substr(0, length));
    Expected<CacheLookup> found = cache.lookup(key);
    ASSERT_TRUE(found) << found.status().message();
    EXPECT_FALSE(found->entry) << "length " << length;
    EXPECT_TRUE(found->corrupt) << "length " << length;
    EXPECT_FALSE(fs::exists(cache.pathOf(key)));
  }
  EXPECT_TRUE(DiskCache::decode(key, good));
}

TEST_F(DiskCacheTest, TrailingBytesAndForeignKeysAreCorrupt) {
  DiskCache cache(root_);
  std::string key = keyFor("a"), other = keyFor("b");
  ASSERT_TRUE(cache.store(key, sampleEntry()).ok());
  std::string bytes = readFile(cache.pathOf(key));
  Expected<CacheEntry> trailing = DiskCache::decode(key, bytes + "x");
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.status().message(), "1 bytes after the payload");

  // An entry copied under another key's name is not that key's entry.
  fs::create_directories(cache.pathOf(other).parent_path());
  writeFile(cache.pathOf(other), bytes);
  Expected<CacheLookup> found = cache.lookup(other);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->corrupt);
  EXPECT_TRUE(hasSubstr(found->reason, "header names another key"));
}

TEST_F(DiskCacheTest, ListAndClear) {
  DiskCache cache(root_);
  Expected<std::vector<std::string>> none = cache.list();
  ASSERT_TRUE(none) << none.status().message();
  EXPECT_TRUE(none->empty());

  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    keys.push_back(keyFor("kernel " + std::to_string(i)));
    ASSERT_TRUE(cache.store(keys.back(), sampleEntry()).ok());
  }
  std::sort(keys.begin(), keys.end());
  // Strays that are not entries: a writer's leftover temporary file, and a
  // file of someone else's beside the cache (an autotune database).
  writeFile(cache.pathOf(keys[0]).parent_path() / ".tmp-leftover", "x");
  writeFile(root_ / "autotune.json", "{}");

  Expected<std::vector<std::string>> listed = cache.list();
  ASSERT_TRUE(listed) << listed.status().message();
  EXPECT_EQ(*listed, keys);

  ASSERT_TRUE(cache.remove(keys[3]).ok());
  ASSERT_TRUE(cache.remove(keys[3]).ok()) << "removing a missing entry is ok";
  listed = cache.list();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), keys.size() - 1);

  ASSERT_TRUE(cache.clear().ok());
  listed = cache.list();
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  EXPECT_FALSE(
      fs::exists(cache.pathOf(keys[0]).parent_path() / ".tmp-leftover"));
  EXPECT_TRUE(fs::exists(root_ / "autotune.json"));
  Expected<std::optional<CacheEntry>> loaded = cache.load(keys[1]);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

// Restores an environment variable on scope exit.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name))
      old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

private:
  const char *name_;
  std::optional<std::string> old_;
};

TEST_F(DiskCacheTest, TesselCacheDirIsHonoured) {
  fs::path dir = root_ / "from-env";
  {
    ScopedEnv env("TESSEL_CACHE_DIR", dir.c_str());
    DiskCache cache = DiskCache::fromEnvironment();
    EXPECT_EQ(cache.root(), dir);
    std::string key = keyFor("env");
    ASSERT_TRUE(cache.store(key, sampleEntry()).ok());
    EXPECT_TRUE(fs::exists(dir / "compile-v2" / key.substr(0, 2) / key));
  }
  {
    ScopedEnv env("TESSEL_CACHE_DIR", "");
    ScopedEnv home("HOME", (root_ / "home").c_str());
    EXPECT_EQ(DiskCache::defaultRoot(), root_ / "home" / ".cache" / "tessel");
  }
  {
    ScopedEnv env("TESSEL_CACHE_DIR", nullptr);
    ScopedEnv home("HOME", nullptr);
    EXPECT_EQ(DiskCache::defaultRoot().filename(), "tessel-cache");
  }
}

// A child's work in the concurrency test: `rounds` times, store the shared key
// and one of its own keys (payloads of varying size, 1 B to 200 KiB, so a
// torn write would show), then load both and check each is one whole write.
// Returns the first problem, or "".
std::string hammer(const fs::path &root, int who, int rounds) {
  DiskCache cache(root);
  std::mt19937 random(1234 + who);
  std::string shared = keyFor("shared");
  auto makeEntry = [&](int round) {
    std::string payload(1 + random() % (200 * 1024),
                        static_cast<char>('a' + who));
    payload += "#" + std::to_string(who) + ":" + std::to_string(round);
    return CacheEntry()
        .set("cubin", payload)
        .set("sha", sha256Hex(payload))
        .set("who", std::to_string(who));
  };
  auto consistent = [](const CacheEntry &entry) {
    const std::string *cubin = entry.find("cubin");
    const std::string *sha = entry.find("sha");
    return cubin && sha && entry.find("who") && sha256Hex(*cubin) == *sha;
  };
  for (int round = 0; round < rounds; ++round) {
    std::string own =
        keyFor("own " + std::to_string(who) + " " + std::to_string(round % 8));
    CacheEntry mine = makeEntry(round);
    if (Status s = cache.store(shared, makeEntry(round)); !s.ok())
      return "store shared: " + s.message();
    if (Status s = cache.store(own, mine); !s.ok())
      return "store own: " + s.message();
    for (const std::string &key : {shared, own}) {
      Expected<CacheLookup> found = cache.lookup(key);
      if (!found)
        return "lookup: " + found.status().message();
      if (found->corrupt || !found->entry)
        return "round " + std::to_string(round) + ": miss: " + found->reason;
      if (!consistent(*found->entry))
        return "round " + std::to_string(round) + ": inconsistent entry";
      if (key == own && !(*found->entry == mine))
        return "round " + std::to_string(round) + ": own key lost its write";
    }
  }
  return "";
}

TEST_F(DiskCacheTest, TwoProcessesWritingAtOnce) {
  constexpr int kRounds = 150;
  fs::path cacheRoot = root_ / "shared-cache";
  std::vector<pid_t> children;
  for (int who = 0; who < 2; ++who) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::string problem = hammer(cacheRoot, who, kRounds);
      writeFile(root_ / ("child-" + std::to_string(who) + ".log"), problem);
      _exit(problem.empty() ? 0 : 1);
    }
    children.push_back(child);
  }
  for (int who = 0; who < 2; ++who) {
    int status = 0;
    ASSERT_EQ(waitpid(children[who], &status, 0), children[who]);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "child " << who << ": "
        << readFile(root_ / ("child-" + std::to_string(who) + ".log"));
  }

  // Afterwards: every entry loads and is whole; no temporary file is left.
  DiskCache cache(cacheRoot);
  Expected<std::vector<std::string>> keys = cache.list();
  ASSERT_TRUE(keys) << keys.status().message();
  EXPECT_EQ(keys->size(), 1u + 2 * 8);
  for (const std::string &key : *keys) {
    Expected<CacheLookup> found = cache.lookup(key);
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->entry) << key << ": " << found->reason;
    EXPECT_EQ(sha256Hex(*found->entry->find("cubin")),
              *found->entry->find("sha"));
  }
  for (const auto &file : fs::recursive_directory_iterator(cacheRoot))
    EXPECT_FALSE(startsWith(file.path().filename().string(), ".tmp-"))
        << file.path();
}

} // namespace
