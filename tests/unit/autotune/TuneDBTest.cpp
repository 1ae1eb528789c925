//===- TuneDBTest.cpp - the per-GPU tuning database -----------------------===//
//
// TuneDB against a scratch directory: names and buckets, round trips,
// merging, the lookup fallbacks, recovery from corrupt files, and four
// processes recording into one file at once. No GPU.
//
//===----------------------------------------------------------------------===//
#include "tessel/autotune/TuneDB.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace tessel::tune;

namespace {

DeviceKey h100() { return DeviceKey{"NVIDIA H100 80GB HBM3", 9, 0, 132}; }

ProblemKey problem(std::vector<int64_t> shape, std::string hash = "abc123") {
  return ProblemKey{"syrk", std::move(hash), "bf16", "rowmajor",
                    std::move(shape)};
}

Trial timed(Config config, double ms) {
  return Trial{std::move(config), ms, ""};
}

Trial failed(Config config, std::string why) {
  return Trial{std::move(config), std::nullopt, std::move(why)};
}

/// A record of `shape` whose only trial is `config` at `ms`.
Record tuned(std::vector<int64_t> shape, Config config, double ms) {
  Record record;
  record.key = problem(std::move(shape));
  record.trials = {timed(std::move(config), ms)};
  return record;
}

std::string readBytes(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void writeBytes(const fs::path &path, const std::string &bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// Files in `dir` other than the database, its lock and `allowed`: leftover
/// temporaries would show up here.
std::vector<std::string> strayFiles(const fs::path &dir,
                                    const std::set<std::string> &allowed) {
  std::vector<std::string> stray;
  for (const auto &entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!allowed.count(name))
      stray.push_back(name);
  }
  return stray;
}

class TuneDBTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "tessel-tunedb-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    root = pattern;
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(root, error);
  }

  /// A fresh database file, moved aside and rewritten as `bytes` is meant
  /// to be corrupt: every read path must survive it.
  void expectRecovers(const std::string &bytes) {
    TuneDB db(root, h100());
    writeBytes(db.file(), bytes);
    fs::path aside = db.file().string() + ".corrupt";

    std::string warning;
    auto records = db.all(&warning);
    ASSERT_TRUE(records) << records.status().message();
    EXPECT_TRUE(records->empty());
    EXPECT_NE(warning.find(aside.string()), std::string::npos) << warning;
    EXPECT_FALSE(fs::exists(db.file()));
    EXPECT_EQ(readBytes(aside), bytes);

    auto found = db.lookup(problem({64}));
    ASSERT_TRUE(found) << found.status().message();
    EXPECT_FALSE(*found);

    ASSERT_TRUE(db.record(tuned({64}, {{"BLOCK", 64}}, 1.0)).ok());
    records = db.all(&warning);
    ASSERT_TRUE(records) << records.status().message();
    EXPECT_EQ(records->size(), 1u);
    EXPECT_TRUE(warning.empty()) << warning;
    EXPECT_TRUE(nlohmann::json::accept(readBytes(db.file())));
  }

  fs::path root;
};

TEST_F(TuneDBTest, SlugIsLowercaseDashesAndTheComputeCapability) {
  EXPECT_EQ(h100().slug(), "nvidia-h100-80gb-hbm3-sm90-132sm");
  EXPECT_EQ((DeviceKey{"  NVIDIA GeForce RTX 4090 (ES) ", 8, 9, 128}.slug()),
            "nvidia-geforce-rtx-4090-es-sm89-128sm");
  EXPECT_EQ((DeviceKey{"A100-SXM4--40GB", 8, 0, 108}.slug()),
            "a100-sxm4-40gb-sm80-108sm");
  EXPECT_EQ((DeviceKey{"", 8, 0, 108}.slug()), "unknown-sm80-108sm");
}

TEST_F(TuneDBTest, FileIsUnderAutotuneV1AndNothingIsCreatedEarly) {
  TuneDB db(root, h100());
  EXPECT_EQ(db.file(),
            root / "autotune-v1" / "nvidia-h100-80gb-hbm3-sm90-132sm.json");
  EXPECT_EQ(db.device(), h100());
  EXPECT_FALSE(fs::exists(root / "autotune-v1"));
  std::string warning = "stale";
  auto records = db.all(&warning);
  ASSERT_TRUE(records) << records.status().message();
  EXPECT_TRUE(records->empty());
  EXPECT_TRUE(warning.empty());
  auto found = db.lookup(problem({64}));
  ASSERT_TRUE(found) << found.status().message();
  EXPECT_FALSE(*found);
  EXPECT_FALSE(fs::exists(root / "autotune-v1"));
}

TEST_F(TuneDBTest, ShapeBucketAndShapeString) {
  EXPECT_EQ(shapeBucket({0, 1, 2, 3, 64, 65, 1000, 4096}),
            (std::vector<int64_t>{0, 1, 2, 4, 64, 128, 1024, 4096}));
  EXPECT_EQ(shapeBucket({(int64_t(1) << 40) + 1}),
            (std::vector<int64_t>{int64_t(1) << 41}));
  EXPECT_TRUE(shapeBucket({}).empty());
  EXPECT_EQ(shapeString({8, 4096, 1024}), "8x4096x1024");
  EXPECT_EQ(shapeString({7}), "7");
  EXPECT_EQ(shapeString({}), "");
  EXPECT_EQ(problem({1}).family(), "syrk/abc123/bf16/rowmajor");
}

TEST_F(TuneDBTest, RoundTripKeepsEveryField) {
  TuneDB db(root, h100());
  Record record;
  record.key = problem({8, 4096, 1000});
  record.trials = {timed({{"BLOCK_M", 128}, {"stages", 3}}, 0.4123456789),
                   failed({{"BLOCK_M", 256}, {"stages", 4}}, "needs 256 KiB"),
                   timed({{"BLOCK_M", 64}, {"stages", 2}}, 0.63)};
  record.defaults = {{"BLOCK_M", 64}, {"stages", 2}};
  record.defaultMs = 0.63;
  ASSERT_TRUE(db.record(record).ok());

  auto records = db.all();
  ASSERT_TRUE(records) << records.status().message();
  ASSERT_EQ(records->size(), 1u);
  const Record &back = records->front();
  EXPECT_EQ(back.key.kernel, "syrk");
  EXPECT_EQ(back.key.kernelHash, "abc123");
  EXPECT_EQ(back.key.dtypes, "bf16");
  EXPECT_EQ(back.key.layout, "rowmajor");
  EXPECT_EQ(back.key.shape, (std::vector<int64_t>{8, 4096, 1000}));
  ASSERT_EQ(back.trials.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.trials[i].config, record.trials[i].config);
    EXPECT_EQ(back.trials[i].ms, record.trials[i].ms);
    EXPECT_EQ(back.trials[i].failure, record.trials[i].failure);
  }
  EXPECT_EQ(back.best, (Config{{"BLOCK_M", 128}, {"stages", 3}}));
  EXPECT_EQ(back.bestMs, 0.4123456789);
  EXPECT_EQ(back.defaults, record.defaults);
  EXPECT_EQ(back.defaultMs, 0.63);
  EXPECT_TRUE(std::regex_match(
      back.updated, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << back.updated;

  // The documented layout, configs as objects.
  auto file = nlohmann::json::parse(readBytes(db.file()));
  EXPECT_EQ(file["format"], "tessel-autotune-v1");
  EXPECT_EQ(file["device"]["name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(file["device"]["cc_major"], 9);
  EXPECT_EQ(file["device"]["cc_minor"], 0);
  EXPECT_EQ(file["device"]["sm_count"], 132);
  const auto &json = file["records"][0];
  EXPECT_EQ(json["bucket"], nlohmann::json({8, 4096, 1024}));
  EXPECT_EQ(json["best"]["BLOCK_M"], 128);
  EXPECT_EQ(json["trials"][1]["failure"], "needs 256 KiB");
  EXPECT_FALSE(json["trials"][1].contains("ms"));
  EXPECT_EQ(json["default_ms"], 0.63);

  auto found = db.lookup(record.key);
  ASSERT_TRUE(found) << found.status().message();
  ASSERT_TRUE(*found);
  EXPECT_TRUE((*found)->exact);
  EXPECT_EQ((*found)->config, back.best);
  EXPECT_EQ((*found)->ms, 0.4123456789);
  EXPECT_EQ((*found)->shape, record.key.shape);
}

TEST_F(TuneDBTest, UnmeasuredDefaultIsLeftOut) {
  TuneDB db(root, h100());
  Record record = tuned({64}, {{"BLOCK", 64}}, 1.0);
  record.defaults = {{"BLOCK", 32}};
  ASSERT_TRUE(db.record(record).ok());
  auto records = db.all();
  ASSERT_TRUE(records);
  EXPECT_EQ(records->front().defaults, (Config{{"BLOCK", 32}}));
  EXPECT_FALSE(records->front().defaultMs);
  auto file = nlohmann::json::parse(readBytes(db.file()));
  EXPECT_FALSE(file["records"][0].contains("default_ms"));
}

TEST_F(TuneDBTest, MergeUnitesTrialsAndRecomputesBest) {
  TuneDB db(root, h100());
  Record first;
  first.key = problem({1024, 1024});
  first.trials = {timed({{"BLOCK", 64}}, 2.0), timed({{"BLOCK", 128}}, 1.5)};
  first.defaults = {{"BLOCK", 64}};
  first.defaultMs = 2.0;
  ASSERT_TRUE(db.record(first).ok());

  // 128 tried again and slower now: the new time counts, and 256 wins.
  Record second;
  second.key = first.key;
  second.trials = {timed({{"BLOCK", 128}}, 3.0), timed({{"BLOCK", 256}}, 1.8)};
  ASSERT_TRUE(db.record(second).ok());

  auto records = db.all();
  ASSERT_TRUE(records) << records.status().message();
  ASSERT_EQ(records->size(), 1u);
  const Record &merged = records->front();
  ASSERT_EQ(merged.trials.size(), 3u);
  EXPECT_EQ(merged.trials[0].config, (Config{{"BLOCK", 64}}));
  EXPECT_EQ(merged.trials[0].ms, 2.0);
  EXPECT_EQ(merged.trials[1].config, (Config{{"BLOCK", 128}}));
  EXPECT_EQ(merged.trials[1].ms, 3.0);
  EXPECT_EQ(merged.trials[2].config, (Config{{"BLOCK", 256}}));
  EXPECT_EQ(merged.best, (Config{{"BLOCK", 256}}));
  EXPECT_EQ(merged.bestMs, 1.8);
  // The second record had no defaults: the first's stay.
  EXPECT_EQ(merged.defaults, (Config{{"BLOCK", 64}}));
  EXPECT_EQ(merged.defaultMs, 2.0);

  // Other defaults without a time: the old time no longer applies.
  Record third;
  third.key = first.key;
  third.defaults = {{"BLOCK", 128}};
  ASSERT_TRUE(db.record(third).ok());
  records = db.all();
  ASSERT_TRUE(records);
  EXPECT_EQ(records->front().defaults, (Config{{"BLOCK", 128}}));
  EXPECT_FALSE(records->front().defaultMs);
  EXPECT_EQ(records->front().trials.size(), 3u);
}

TEST_F(TuneDBTest, MergeKeepsShapesAndFamiliesApart) {
  TuneDB db(root, h100());
  ASSERT_TRUE(db.record(tuned({1024}, {{"BLOCK", 64}}, 1.0)).ok());
  ASSERT_TRUE(db.record(tuned({2048}, {{"BLOCK", 128}}, 2.0)).ok());
  Record otherDtype = tuned({1024}, {{"BLOCK", 32}}, 3.0);
  otherDtype.key.dtypes = "f16";
  ASSERT_TRUE(db.record(otherDtype).ok());

  auto records = db.all();
  ASSERT_TRUE(records) << records.status().message();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].key.shape, (std::vector<int64_t>{1024}));
  EXPECT_EQ((*records)[0].best, (Config{{"BLOCK", 64}}));
  EXPECT_EQ((*records)[1].key.shape, (std::vector<int64_t>{2048}));
  EXPECT_EQ((*records)[1].best, (Config{{"BLOCK", 128}}));
  EXPECT_EQ((*records)[2].key.dtypes, "f16");
  EXPECT_EQ((*records)[2].trials.size(), 1u);
}

// One write for several records (the NS lines of a shape): each is merged
// as record() would merge it alone; an invalid one writes none of them.
TEST_F(TuneDBTest, BatchRecordsInOneWrite) {
  TuneDB db(root, h100());
  ASSERT_TRUE(db.record(tuned({1024}, {{"BLOCK", 64}}, 1.0)).ok());
  std::vector<Record> batch{tuned({1024}, {{"BLOCK", 32}}, 0.5),
                            tuned({2048}, {{"BLOCK", 128}}, 2.0)};
  ASSERT_TRUE(db.record(batch).ok());
  auto records = db.all();
  ASSERT_TRUE(records) << records.status().message();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].trials.size(), 2u); // merged with the first
  EXPECT_EQ((*records)[0].best, (Config{{"BLOCK", 32}}));
  EXPECT_EQ((*records)[1].key.shape, (std::vector<int64_t>{2048}));

  std::vector<Record> bad{tuned({4096}, {{"BLOCK", 64}}, 1.0),
                          tuned({8192}, {{"BLOCK", 64}}, std::nan(""))};
  tessel::rt::Status s = db.record(bad);
  EXPECT_FALSE(s.ok());
  records = db.all();
  ASSERT_TRUE(records);
  EXPECT_EQ(records->size(), 2u);
}

TEST_F(TuneDBTest, LookupExactThenSameBucketThenFamilyThenNone) {
  TuneDB db(root, h100());
  ASSERT_TRUE(db.record(tuned({1000, 1000}, {{"B", 1}}, 1.0)).ok());
  ASSERT_TRUE(db.record(tuned({600, 600}, {{"B", 2}}, 2.0)).ok());
  ASSERT_TRUE(db.record(tuned({500, 500}, {{"B", 3}}, 3.0)).ok());
  ASSERT_TRUE(db.record(tuned({4096, 4096}, {{"B", 4}}, 4.0)).ok());

  auto lookup = [&](const ProblemKey &key) -> std::optional<Found> {
    auto found = db.lookup(key);
    EXPECT_TRUE(found) << found.status().message();
    if (!found)
      return std::nullopt;
    return *found;
  };

  std::optional<Found> exact = lookup(problem({1000, 1000}));
  ASSERT_TRUE(exact);
  EXPECT_TRUE(exact->exact);
  EXPECT_EQ(exact->config, (Config{{"B", 1}}));
  EXPECT_EQ(exact->ms, 1.0);

  // 520 is nearest to 500, but 500 is in bucket 512 and 520 in 1024: of
  // the bucket's records (600 and 1000), 600 is nearer.
  std::optional<Found> bucket = lookup(problem({520, 520}));
  ASSERT_TRUE(bucket);
  EXPECT_FALSE(bucket->exact);
  EXPECT_EQ(bucket->shape, (std::vector<int64_t>{600, 600}));
  EXPECT_EQ(bucket->config, (Config{{"B", 2}}));

  // Nothing in bucket 8192: the nearest of the family.
  std::optional<Found> family = lookup(problem({8000, 8000}));
  ASSERT_TRUE(family);
  EXPECT_FALSE(family->exact);
  EXPECT_EQ(family->shape, (std::vector<int64_t>{4096, 4096}));

  // Another kernel hash is another family; another rank is not comparable.
  EXPECT_FALSE(lookup(problem({1000, 1000}, "def456")));
  ProblemKey otherKernel = problem({1000, 1000});
  otherKernel.kernel = "gemm";
  EXPECT_FALSE(lookup(otherKernel));
  EXPECT_FALSE(lookup(problem({1000})));
}

TEST_F(TuneDBTest, LookupTreatsZeroAsOneAndTiesGoToTheEarlierRecord) {
  TuneDB db(root, h100());
  ASSERT_TRUE(db.record(tuned({128, 0}, {{"B", 1}}, 1.0)).ok());
  ASSERT_TRUE(db.record(tuned({32, 1}, {{"B", 2}}, 1.0)).ok());
  // 64 is one doubling from either; neither is in bucket 64.
  auto found = db.lookup(problem({64, 0}));
  ASSERT_TRUE(found) << found.status().message();
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->shape, (std::vector<int64_t>{128, 0}));
}

TEST_F(TuneDBTest, FailedTrialsAreNeverBest) {
  TuneDB db(root, h100());
  Record record;
  record.key = problem({64});
  record.trials = {failed({{"B", 1}}, "compile: out of registers"),
                   timed({{"B", 2}}, 5.0), timed({{"B", 3}}, 4.0)};
  ASSERT_TRUE(db.record(record).ok());
  auto records = db.all();
  ASSERT_TRUE(records);
  EXPECT_EQ(records->front().best, (Config{{"B", 3}}));

  // The winner fails when tried again: the next fastest takes over.
  Record retry;
  retry.key = record.key;
  retry.trials = {failed({{"B", 3}}, "launch: too many resources")};
  ASSERT_TRUE(db.record(retry).ok());
  records = db.all();
  ASSERT_TRUE(records);
  EXPECT_EQ(records->front().best, (Config{{"B", 2}}));
  EXPECT_EQ(records->front().bestMs, 5.0);
  EXPECT_EQ(records->front().trials[2].failure, "launch: too many resources");
  EXPECT_FALSE(records->front().trials[2].ms);
}

// A record whose trials all failed is kept (it says what was tried) with no
// best, and lookup() skips it as if it were absent: it has no config to
// offer, so the exact shape falls through to the nearest tuned shape.
TEST_F(TuneDBTest, RecordWhereEveryTrialFailedHasNoBest) {
  TuneDB db(root, h100());
  Record record;
  record.key = problem({64});
  record.trials = {failed({{"B", 1}}, "compile"), failed({{"B", 2}}, "pruned")};
  ASSERT_TRUE(db.record(record).ok());
  auto records = db.all();
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_TRUE(records->front().best.empty());
  EXPECT_EQ(records->front().bestMs, 0);
  EXPECT_EQ(records->front().trials.size(), 2u);
  auto found = db.lookup(record.key);
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);

  ASSERT_TRUE(db.record(tuned({128}, {{"B", 4}}, 1.0)).ok());
  found = db.lookup(record.key);
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_FALSE((*found)->exact);
  EXPECT_EQ((*found)->shape, (std::vector<int64_t>{128}));
}

// best is derived from the trials; a winner named without its trial
// becomes one rather than being lost.
TEST_F(TuneDBTest, BestWithoutItsTrialBecomesATrial) {
  TuneDB db(root, h100());
  Record record;
  record.key = problem({64});
  record.best = {{"B", 7}};
  record.bestMs = 0.5;
  ASSERT_TRUE(db.record(record).ok());
  auto records = db.all();
  ASSERT_TRUE(records);
  ASSERT_EQ(records->front().trials.size(), 1u);
  EXPECT_EQ(records->front().trials[0].ms, 0.5);
  EXPECT_EQ(records->front().best, (Config{{"B", 7}}));
  EXPECT_EQ(records->front().bestMs, 0.5);
}

TEST_F(TuneDBTest, RejectsTimesThatAreNotFinite) {
  TuneDB db(root, h100());
  tessel::rt::Status status = db.record(tuned({64}, {{"B", 1}}, std::nan("")));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("syrk"), std::string::npos)
      << status.message();
  EXPECT_FALSE(db.record(tuned({64}, {{"B", 1}}, -1.0)).ok());
  Record noKernel = tuned({64}, {{"B", 1}}, 1.0);
  noKernel.key.kernel.clear();
  EXPECT_FALSE(db.record(noKernel).ok());
  EXPECT_FALSE(fs::exists(db.file()));
}

TEST_F(TuneDBTest, TruncatedFileIsMovedAside) {
  TuneDB db(root, h100());
  ASSERT_TRUE(db.record(tuned({64}, {{"B", 1}}, 1.0)).ok());
  ASSERT_TRUE(db.record(tuned({128}, {{"B", 2}}, 1.0)).ok());
  std::string bytes = readBytes(db.file());
  expectRecovers(bytes.substr(0, bytes.size() / 2));
}

TEST_F(TuneDBTest, GarbageIsMovedAside) {
  expectRecovers(std::string("\x7f"
                             "ELF not json {{{",
                             17));
  fs::remove(TuneDB(root, h100()).file().string() + ".corrupt");
  expectRecovers("");
}

TEST_F(TuneDBTest, FileOfAnotherSchemaIsMovedAside) {
  expectRecovers(R"({"format": "tessel-autotune-v1",
    "device": {"name": "NVIDIA H100 80GB HBM3", "cc_major": 9,
               "cc_minor": 0, "sm_count": 132},
    "records": [{"kernel": 1}]})");
}

TEST_F(TuneDBTest, FileForAnotherDeviceIsMovedAside) {
  // Same slug, so the same file name, but another device.
  DeviceKey other{"nvidia h100 80gb hbm3", 9, 0, 132};
  TuneDB theirs(root, other);
  ASSERT_EQ(theirs.file(), TuneDB(root, h100()).file());
  ASSERT_TRUE(theirs.record(tuned({64}, {{"B", 1}}, 1.0)).ok());
  std::string warning;
  auto records = TuneDB(root, h100()).all(&warning);
  ASSERT_TRUE(records);
  EXPECT_NE(warning.find("is for device 'nvidia h100 80gb hbm3'"),
            std::string::npos)
      << warning;
  expectRecovers(R"({"format": "tessel-autotune-v1",
    "device": {"name": "NVIDIA H100 80GB HBM3", "cc_major": 9,
               "cc_minor": 0, "sm_count": 114}, "records": []})");
}

TEST_F(TuneDBTest, RecordRecoversFromACorruptFile) {
  TuneDB db(root, h100());
  writeBytes(db.file(), "garbage");
  ASSERT_TRUE(db.record(tuned({64}, {{"B", 1}}, 1.0)).ok());
  EXPECT_EQ(readBytes(db.file().string() + ".corrupt"), "garbage");
  std::string warning;
  auto records = db.all(&warning);
  ASSERT_TRUE(records) << records.status().message();
  EXPECT_TRUE(warning.empty()) << warning;
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().best, (Config{{"B", 1}}));
}

// Atomicity across processes: four children record 25 shapes each into one
// file at once; every record must survive and the file must parse.
TEST_F(TuneDBTest, FourProcessesRecordAtOnce) {
  constexpr int kChildren = 4, kEach = 25;
  int gate[2];
  ASSERT_EQ(::pipe(gate), 0);
  std::vector<pid_t> children;
  for (int child = 0; child < kChildren; ++child) {
    pid_t pid = ::fork();
    if (pid == 0) {
      // Wait until every child exists, so that the writes overlap.
      ::close(gate[1]);
      char byte;
      while (::read(gate[0], &byte, 1) < 0 && errno == EINTR) {
      }
      TuneDB db(root, h100());
      for (int i = 0; i < kEach; ++i) {
        Record record;
        record.key = problem({child, i + 1, 7});
        record.trials = {timed({{"CHILD", child}, {"I", i}}, 1.0 + i),
                         failed({{"CHILD", child}, {"I", -1}}, "pruned")};
        tessel::rt::Status status = db.record(record);
        if (!status.ok()) {
          std::fprintf(stderr, "child %d: %s\n", child,
                       status.message().c_str());
          ::_exit(1);
        }
      }
      ::_exit(0);
    }
    if (pid < 0)
      break;
    children.push_back(pid);
  }
  ::close(gate[0]);
  ::close(gate[1]); // the children's reads return: go
  ASSERT_EQ(children.size(), std::size_t(kChildren)) << "fork failed";
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "child " << pid << " status " << status;
  }

  TuneDB db(root, h100());
  EXPECT_TRUE(nlohmann::json::accept(readBytes(db.file())));
  std::string warning;
  auto records = db.all(&warning);
  ASSERT_TRUE(records) << records.status().message();
  EXPECT_TRUE(warning.empty()) << warning;
  ASSERT_EQ(records->size(), std::size_t(kChildren * kEach));
  std::set<std::vector<int64_t>> shapes;
  for (const Record &record : *records) {
    shapes.insert(record.key.shape);
    ASSERT_EQ(record.trials.size(), 2u);
    EXPECT_EQ(record.best, (Config{{"CHILD", record.key.shape[0]},
                                   {"I", record.key.shape[1] - 1}}));
  }
  EXPECT_EQ(shapes.size(), std::size_t(kChildren * kEach));
  std::string name = db.file().filename().string();
  EXPECT_TRUE(
      strayFiles(db.file().parent_path(), {name, name + ".lock"}).empty());
}

TEST_F(TuneDBTest, ClearRemovesTheFile) {
  TuneDB db(root, h100());
  EXPECT_TRUE(db.clear().ok()); // nothing there yet
  ASSERT_TRUE(db.record(tuned({64}, {{"B", 1}}, 1.0)).ok());
  ASSERT_TRUE(fs::exists(db.file()));
  ASSERT_TRUE(db.clear().ok());
  EXPECT_FALSE(fs::exists(db.file()));
  auto records = db.all();
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
  auto found = db.lookup(problem({64}));
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
  EXPECT_TRUE(db.clear().ok());
  ASSERT_TRUE(db.record(tuned({64}, {{"B", 2}}, 1.0)).ok());
  records = db.all();
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().best, (Config{{"B", 2}}));
}

} // namespace
