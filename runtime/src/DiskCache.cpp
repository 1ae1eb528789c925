//===- DiskCache.cpp - Atomic, checksummed cache entry files --------------===//
//
// One file per entry: a three-line text header (format, key, payload size and
// SHA-256) and the payload, a sequence of "<name> <size>\n<bytes>" blobs.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/DiskCache.h"

#include "tessel/runtime/Hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

namespace fs = std::filesystem;

namespace tessel::rt {
namespace {

// Bump the directory's version when the file format changes: old entries are
// then simply never looked at (and `tessel cache clear` of an old build
// removes them).
constexpr const char *kEntriesDir = "compile-v2";
constexpr std::string_view kMagic = "TESSEL-CACHE 2";
constexpr std::size_t kMaxBlobName = 128;

bool isValidBlobName(std::string_view name) {
  if (name.empty() || name.size() > kMaxBlobName)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

/// Parses a decimal size with no sign, no spaces and at most 18 digits.
std::optional<std::size_t> parseSize(std::string_view text) {
  if (text.empty() || text.size() > 18)
    return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

/// Reads the line at `pos` (without its '\n') and moves `pos` past it.
std::optional<std::string_view> readLine(std::string_view bytes,
                                         std::size_t &pos) {
  std::size_t end = bytes.find('\n', pos);
  if (end == std::string_view::npos)
    return std::nullopt;
  std::string_view line = bytes.substr(pos, end - pos);
  pos = end + 1;
  return line;
}

std::string errnoText(int error) { return std::strerror(error); }

/// A name no other writer (thread or process) will pick at the same time.
std::string temporaryName(std::string_view key) {
  static std::atomic<unsigned long> counter{0};
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return ".tmp-" + std::string(key.substr(0, 16)) + "-" +
         std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(random() % 1000000007ULL);
}

Status writeAll(int fd, std::string_view bytes, const fs::path &path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return Status::error("cannot write ", path.string(), ": ",
                           errnoText(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::success();
}

/// Reads the whole file behind `fd`.
Status readAll(int fd, std::string &bytes, const fs::path &path) {
  struct stat info;
  if (::fstat(fd, &info) != 0)
    return Status::error("cannot stat ", path.string(), ": ", errnoText(errno));
  bytes.clear();
  bytes.reserve(static_cast<std::size_t>(info.st_size));
  char chunk[1 << 16];
  for (;;) {
    ssize_t got = ::read(fd, chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR)
        continue;
      return Status::error("cannot read ", path.string(), ": ",
                           errnoText(errno));
    }
    if (got == 0)
      return Status::success();
    bytes.append(chunk, static_cast<std::size_t>(got));
  }
}

} // namespace

DiskCache::DiskCache(fs::path root) : root_(std::move(root)) {}

DiskCache DiskCache::fromEnvironment() { return DiskCache(defaultRoot()); }

fs::path DiskCache::defaultRoot() {
  if (const char *dir = std::getenv("TESSEL_CACHE_DIR"); dir && *dir)
    return fs::path(dir);
  if (const char *home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "tessel";
  std::error_code error;
  fs::path temp = fs::temp_directory_path(error);
  return (error ? fs::path("/tmp") : temp) / "tessel-cache";
}

/// `text` is `digits` lowercase hex digits (a key, a checksum).
static bool isLowerHex(std::string_view text, std::size_t digits) {
  return text.size() == digits &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool DiskCache::isValidKey(std::string_view key) { return isLowerHex(key, 64); }

fs::path DiskCache::entriesDir() const { return root_ / kEntriesDir; }

fs::path DiskCache::pathOf(std::string_view key) const {
  if (!isValidKey(key))
    return {};
  return entriesDir() / std::string(key.substr(0, 2)) / std::string(key);
}

std::string DiskCache::encode(std::string_view key, const CacheEntry &entry) {
  std::string payload;
  for (const auto &[name, bytes] : entry.blobs) {
    payload += name + " " + std::to_string(bytes.size()) + "\n";
    payload += bytes;
  }
  std::string file;
  file.reserve(payload.size() + 200);
  file += kMagic;
  file += "\nkey ";
  file += key;
  file += "\npayload " + std::to_string(payload.size()) + " " +
          checksum64Hex(payload) + "\n";
  file += payload;
  return file;
}

Expected<CacheEntry> DiskCache::decode(std::string_view key,
                                       std::string_view bytes) {
  std::size_t pos = 0;
  std::optional<std::string_view> magic = readLine(bytes, pos);
  if (!magic || *magic != kMagic)
    return Status::error("not a Tessel cache entry of this format (bad magic)");
  std::optional<std::string_view> keyLine = readLine(bytes, pos);
  if (!keyLine)
    return Status::error("truncated header");
  if (keyLine->substr(0, 4) != "key " || keyLine->substr(4) != key)
    return Status::error("header names another key");
  std::optional<std::string_view> payloadLine = readLine(bytes, pos);
  if (!payloadLine)
    return Status::error("truncated header");
  // "payload <size> <checksum64: 16 hex digits>"
  std::string_view line = *payloadLine;
  std::size_t space = line.find(' ', 8);
  if (line.substr(0, 8) != "payload " || space == std::string_view::npos)
    return Status::error("malformed payload line");
  std::optional<std::size_t> size = parseSize(line.substr(8, space - 8));
  std::string_view checksum = line.substr(space + 1);
  if (!size || !isLowerHex(checksum, 16))
    return Status::error("malformed payload line");
  std::string_view payload = bytes.substr(pos);
  if (payload.size() < *size)
    return Status::error("truncated: payload has ", payload.size(), " of ",
                         *size, " bytes");
  if (payload.size() > *size)
    return Status::error(payload.size() - *size, " bytes after the payload");
  if (checksum64Hex(payload) != checksum)
    return Status::error("checksum mismatch");

  CacheEntry entry;
  pos = 0;
  while (pos < payload.size()) {
    std::optional<std::string_view> blobLine = readLine(payload, pos);
    std::size_t blank = blobLine ? blobLine->find(' ') : std::string_view::npos;
    if (blank == std::string_view::npos)
      return Status::error("malformed blob header");
    std::string_view name = blobLine->substr(0, blank);
    std::optional<std::size_t> blobSize =
        parseSize(blobLine->substr(blank + 1));
    if (!isValidBlobName(name) || !blobSize)
      return Status::error("malformed blob header");
    if (payload.size() - pos < *blobSize)
      return Status::error("blob '", name, "' overruns the payload");
    if (!entry.blobs
             .emplace(std::string(name),
                      std::string(payload.substr(pos, *blobSize)))
             .second)
      return Status::error("blob '", name, "' appears twice");
    pos += *blobSize;
  }
  return entry;
}

Status DiskCache::store(std::string_view key, const CacheEntry &entry) const {
  if (!isValidKey(key))
    return Status::error("invalid cache key '", key,
                         "': expected 64 lowercase hex digits");
  for (const auto &blob : entry.blobs)
    if (!isValidBlobName(blob.first))
      return Status::error("invalid blob name '", blob.first,
                           "' in cache entry ", key,
                           ": expected 1-128 of [A-Za-z0-9._-]");
  fs::path path = pathOf(key);
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error)
    return Status::error("cannot create cache directory ",
                         path.parent_path().string(), ": ", error.message());

  fs::path temporary = path.parent_path() / temporaryName(key);
  int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::error("cannot create ", temporary.string(), ": ",
                         errnoText(errno));
  Status written = writeAll(fd, encode(key, entry), temporary);
  if (::close(fd) != 0 && written.ok())
    written = Status::error("cannot write ", temporary.string(), ": ",
                            errnoText(errno));
  // rename() replaces the destination atomically: readers see the old entry
  // or the new one, never a mix.
  if (written.ok() && ::rename(temporary.c_str(), path.c_str()) != 0)
    written = Status::error("cannot rename ", temporary.string(), " to ",
                            path.string(), ": ", errnoText(errno));
  if (!written.ok())
    ::unlink(temporary.c_str());
  return written;
}

Expected<CacheLookup> DiskCache::lookup(std::string_view key) const {
  if (!isValidKey(key))
    return Status::error("invalid cache key '", key,
                         "': expected 64 lowercase hex digits");
  fs::path path = pathOf(key);
  CacheLookup result;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      result.reason = "no entry";
      return result;
    }
    return Status::error("cannot open cache entry ", path.string(), ": ",
                         errnoText(errno));
  }
  std::string bytes;
  Status read = readAll(fd, bytes, path);
  if (!read.ok()) {
    ::close(fd);
    return read;
  }
  Expected<CacheEntry> entry = decode(key, bytes);
  if (entry) {
    ::close(fd);
    result.entry = entry.take();
    return result;
  }

  // Remove the bad file so the caller's fresh compile replaces it, unless a
  // writer has meanwhile renamed a new entry into place.
  struct stat opened, current;
  bool same =
      ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &current) == 0 &&
      opened.st_dev == current.st_dev && opened.st_ino == current.st_ino;
  ::close(fd);
  if (same)
    ::unlink(path.c_str());
  result.corrupt = true;
  result.reason = "corrupt cache entry " + path.string() + ": " +
                  entry.status().message() + "; removed";
  return result;
}

Expected<std::optional<CacheEntry>>
DiskCache::load(std::string_view key) const {
  Expected<CacheLookup> found = lookup(key);
  if (!found)
    return found.status();
  return std::move(found->entry);
}

Status DiskCache::remove(std::string_view key) const {
  if (!isValidKey(key))
    return Status::error("invalid cache key '", key,
                         "': expected 64 lowercase hex digits");
  fs::path path = pathOf(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR)
    return Status::error("cannot remove ", path.string(), ": ",
                         errnoText(errno));
  return Status::success();
}

Expected<std::vector<std::string>> DiskCache::list() const {
  std::vector<std::string> keys;
  std::error_code error;
  fs::path dir = entriesDir();
  if (!fs::exists(dir, error))
    return keys;
  for (fs::directory_iterator shard(dir, error), end; !error && shard != end;
       shard.increment(error)) {
    std::string prefix = shard->path().filename().string();
    if (prefix.size() != 2 || !shard->is_directory(error))
      continue;
    for (fs::directory_iterator file(shard->path(), error);
         !error && file != end; file.increment(error)) {
      std::string name = file->path().filename().string();
      if (isValidKey(name) && name.compare(0, 2, prefix) == 0)
        keys.push_back(std::move(name));
    }
  }
  if (error)
    return Status::error("cannot list cache ", dir.string(), ": ",
                         error.message());
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status DiskCache::clear() const {
  std::error_code error;
  fs::remove_all(entriesDir(), error);
  if (error)
    return Status::error("cannot clear cache ", entriesDir().string(), ": ",
                         error.message());
  return Status::success();
}

} // namespace tessel::rt
