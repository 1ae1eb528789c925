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

/// One stderr line: [#####-----] done/total  best X ms (config)  Y s left.
void drawProgress(ns::TunedLine line, const tune::TuneProgress &p) {
  const int width = 20;
  int filled = p.total ? width * p.done / p.total : width;
  std::string bar(filled, '#');
  bar.append(width - filled, '-');
  std::string best = p.bestMs ? std::to_string(*p.bestMs).substr(0, 7) +
                                    " ms (" + tune::configString(p.best) + ")"
                              : "none yet";
  double left = std::max(0.0, p.budgetSeconds - p.elapsedSeconds);
  std::fprintf(stderr, "\r  %s [%s] %d/%d configs  best %s  %.1f s left   ",
               ns::lineName(line), bar.c_str(), p.done, p.total, best.c_str(),
               left);
  if (p.done == p.total)
    std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

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
  // named on its own is tuned anyway (for Options::fuseSmall = false).
  if (allLines) {
    std::vector<ns::Shape> tuned;
    for (const ns::Shape &shape : shapes) {
      auto plan = ns::makePlan(shape, ns::Variant::Aol4);
      if (plan && ns::oneLaunch(*plan))
        std::cerr << ns::shapeString(shape)
                  << ": one launch (small.mlir) by default, nothing to tune; "
                     "name a line (line1, line2, line3) to tune it for "
                     "Options::fuseSmall = false\n";
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
    auto records = ns::tuneShape(shape, target, *device, stream->handle(),
                                 options, drawProgress, lines);
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
