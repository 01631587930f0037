#pragma once
// trondev's command line: `trondev [run flags]` and `trondev genesis ...` (see --help).
namespace btt::trondev {
// Parses argv and runs; returns the process exit code (0 ok, 1 runtime failure, 2 usage).
int run(int argc, char** argv);
}  // namespace btt::trondev
