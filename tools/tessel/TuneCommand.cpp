//===- TuneCommand.cpp - `tessel tune`: tune NS lines per shape -----------===//
//
// Tunes on device 0 and records in its tuning database (under
// $TESSEL_CACHE_DIR, default ~/.cache/tessel), which tessel::ns reads at
// launch. Progress goes to stderr as one line rewritten in place; the final
// table goes to stdout.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "Tuning.h"

#include "tessel/autotune/TuneDB.h"
#include "tessel/runtime/Device.h"
#include "tessel/runtime/DiskCache.h"
#include "tessel/runtime/Stream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>

namespace tessel::cli {

namespace {

/// One stderr line for a shape, rewritten after each config: a bar of the
/// configs done over all lines, each line's count and best time so far,
/// and the time left of the shape's budget (the lines are tuned together).
class ProgressLine {
public:
  explicit ProgressLine(std::vector<ns::TunedLine> lines)
      : lines_(std::move(lines)), last_(lines_.size()) {}
  void update(const tune::TuneProgress &p) {
    last_[p.target] = p;
    int done = 0, total = 0;
    for (const tune::TuneProgress &l : last_) {
      done += l.done;
      total += l.total;
    }
    const int width = 20;
    int filled = total ? width * done / total : width;
    std::string bar(filled, '#');
    bar.append(width - filled, '-');
    std::string text = "\r  [" + bar + "]";
    for (size_t i = 0; i < lines_.size(); ++i) {
      const tune::TuneProgress &l = last_[i];
      char one[96];
      if (l.bestMs)
        std::snprintf(one, sizeof one, " %s %d/%d best %.4f ms",
                      ns::lineName(lines_[i]), l.done, l.total, *l.bestMs);
      else
        std::snprintf(one, sizeof one, " %s %d/%d", ns::lineName(lines_[i]),
                      l.done, l.total);
      text += one;
    }
    char left[48];
    std::snprintf(left, sizeof left, "  %.1f s left   ",
                  std::max(0.0, p.budgetSeconds - p.elapsedSeconds));
    std::fputs((text + left).c_str(), stderr);
    std::fflush(stderr);
  }
  /// Ends the line (the shape is done).
  void finish() const { std::fputs("\n", stderr); }

private:
  std::vector<ns::TunedLine> lines_;
  std::vector<tune::TuneProgress> last_;
};

} // namespace

int tuneCommand(int argc, char **argv) {
  std::vector<ns::TunedLine> lines;
  std::vector<ns::Shape> shapes;
  double budget = 5.0;
  bool allLines = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    if (a == "--ns") {
      lines.assign(ns::kTunedLines.begin(), ns::kTunedLines.end());
      allLines = true;
    } else if (a == "line1" || a == "line2" || a == "line3") {
      lines.push_back(a == "line1"   ? ns::TunedLine::Line1
                      : a == "line2" ? ns::TunedLine::Line2
                                     : ns::TunedLine::Line3);
    } else if (a == "--shape" || a == "--shapes") {
      const char *v = value();
      if (!v)
        return fail(a + " needs a value");
      std::stringstream list(v);
      std::string one;
      while (std::getline(list, one, ',')) {
        ns::Shape s;
        if (!parseShape(one, s))
          return fail(a + ": '" + one + "' is not BxMxN");
        shapes.push_back(s);
      }
    } else if (a == "--budget") {
      const char *v = value();
      char *end = nullptr;
      budget = v ? std::strtod(v, &end) : -1;
      if (!v || *end || budget <= 0)
        return fail("--budget needs a positive number of seconds");
    } else {
      return fail("tune: unexpected argument '" + a +
                  "'; usage: tessel tune line1|line2|line3|--ns --shape "
                  "BxMxN[,BxMxN...] [--budget SECONDS]");
    }
  }
  if (lines.empty())
    return fail("tune: name a line (line1, line2, line3) or --ns");
  if (shapes.empty())
    return fail("tune: --shape BxMxN is required");
  // --ns tunes what tessel::ns runs: a shape a default call runs as one
  // launch (small.mlir, no knobs left to tune) has nothing to tune. A line
  // named on its own is tuned anyway (for Options::small = SmallPath::Lines).
  if (allLines) {
    std::vector<ns::Shape> tuned;
    for (const ns::Shape &shape : shapes) {
      auto plan = ns::makePlan(shape, ns::Variant::Aol4);
      // (As on sm_90a, the only target with TMA lines: one launch there is
      // one launch on every target; a shape that takes the lines only on
      // sm_90a is tuned here on any.)
      if (plan && ns::oneLaunch("sm_90a", *plan))
        std::cerr << ns::shapeString(shape)
                  << ": one launch (small.mlir) by default, nothing to tune; "
                     "name a line (line1, line2, line3) to tune it for "
                     "Options::small = SmallPath::Lines\n";
      else
        tuned.push_back(shape);
    }
    if (tuned.empty())
      return 0;
    shapes = std::move(tuned);
  }

  auto ctx = rt::Context::acquire(0);
  if (!ctx)
    return fail("no CUDA device: " + ctx.status().message());
  auto device = rt::queryDevice(0);
  if (!device)
    return fail(device.status().message());
  std::string target = rt::targetFor(*device);
  auto stream = rt::Stream::create();
  if (!stream)
    return fail(stream.status().message());
  tune::TuneDB db(rt::DiskCache::defaultRoot(),
                  tune::DeviceKey::of(*device));
  std::cout << "tuning on " << device->name << " (" << target << "), "
            << "database " << db.file().string() << "\n";

  struct Row {
    std::string shape;
    tune::Record record;
  };
  std::vector<Row> rows;
  for (const ns::Shape &shape : shapes) {
    std::string name = ns::shapeString(shape);
    std::cerr << name << ":\n";
    tune::TuneOptions options;
    options.budgetSeconds = budget;
    auto start = std::chrono::steady_clock::now();
    ProgressLine bar(lines);
    auto records = ns::tuneShape(
        shape, target, *device, stream->handle(), options,
        [&](ns::TunedLine, const tune::TuneProgress &p) { bar.update(p); },
        lines);
    bar.finish();
    if (!records)
      return fail(name + ": " + records.status().message());
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    std::cerr << "  tuned in " << seconds << " s\n";
    for (tune::Record &r : *records)
      rows.push_back({name, std::move(r)});
  }

  std::printf("\n%-14s %-6s %-34s %10s %-34s %10s %7s %5s %6s\n", "shape",
              "line", "default", "ms", "best", "ms", "speedup", "tried",
              "failed");
  for (const Row &row : rows) {
    const tune::Record &r = row.record;
    int failed = 0;
    for (const tune::Trial &t : r.trials)
      failed += !t.ms;
    std::printf("%-14s %-6s %-34s %10.4f %-34s %10.4f %6.2fx %5zu %6d\n",
                row.shape.c_str(), r.key.layout.c_str(),
                tune::configString(r.defaults).c_str(),
                r.defaultMs ? *r.defaultMs : NAN,
                tune::configString(r.best).c_str(), r.bestMs,
                r.defaultMs ? *r.defaultMs / r.bestMs : NAN, r.trials.size(),
                failed);
  }
  return 0;
}

} // namespace tessel::cli
