//===- Commands.h - the tessel CLI's subcommands in their own files -------===//
//
// tessel.cpp parses the command word and hands the rest of the arguments to
// one of these; each returns the process exit code.
//
//===----------------------------------------------------------------------===//
#ifndef TESSEL_TOOLS_COMMANDS_H
#define TESSEL_TOOLS_COMMANDS_H

#include "NewtonSchulz.h"

#include <string>

namespace tessel::cli {

/// `tessel tune line1|line2|line3 --shape BxMxN [--budget S]` and
/// `tessel tune --ns --shapes BxMxN[,BxMxN...] [--budget S]`.
int tuneCommand(int argc, char **argv);

/// `tessel cache ls|clear|show KEY [--stage NAME]`.
int cacheCommand(int argc, char **argv);

/// Parses "BxMxN" (e.g. 1x4096x4096).
bool parseShape(const std::string &text, ns::Shape &shape);

/// Prints "tessel: error: MESSAGE" to stderr; returns 1.
int fail(const std::string &message);

} // namespace tessel::cli

#endif // TESSEL_TOOLS_COMMANDS_H
