#pragma once
// bttload's entry point: parse, reach the node, open or reuse channels, presign, stream,
// report. main() is this alone, so tests drive the same code.

namespace btt::load {

// Runs bttload with these arguments; the summary goes to std::cout, progress and
// diagnostics to std::cerr. Returns the process exit code (ExitCode); never throws.
int run(int argc, const char* const* argv);

}  // namespace btt::load
