#pragma once
// bttnode's command line (DESIGN §9):
//   bttnode --config FILE.toml [--check-config] [--<dotted.key> VALUE ...]
// Every configuration key is also a flag of the same dotted name (`--channels.fee_bps 25`),
// listed in --help with its meaning and default; flags win over the file. Exit codes:
// 0 ok (and --help, --version), 2 bad command line or configuration.
//
// Parsing here only splits the command line; the values are read and checked by
// load_config (config.h), so a flag and a file value get exactly the same checks.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <btt/base/expected.h>
#include <btt/node/app/config.h>

namespace btt::node {

struct CommandLine {
    std::string config_path;          // --config
    bool check_config = false;        // --check-config: validate config and key files, exit
    std::vector<Override> overrides;  // --<dotted.key> VALUE, in config_keys() order
};

// Why the command line does not start a node: main prints `text` and exits with `code`.
struct CommandLineExit {
    int code;          // 0: --help or --version (print text on stdout); 2: usage error (stderr)
    std::string text;  // ends with a newline
};

// The parsed command line, or what to print and the exit code: 0 with the help or
// "bttnode <version>", 2 with a one-line usage error (unknown flag, missing --config,
// missing value, extra argument). Reads no files.
[[nodiscard]] Expected<CommandLine, CommandLineExit> parse_command_line(int argc,
                                                                        const char* const* argv);

// The build's version (CMake's project version), e.g. "0.1.0"; NodeInfo.version.
[[nodiscard]] std::string_view node_version();

// --check-config: loads the config file with the overrides, then the key files
// (load_keys). Returns 0 after printing one line on `out`:
//   config ok: escrow T..., token 1002000, database <url without password>
// or 2 after printing one line on `err`: "bttnode: " and the problem. Never prints a key
// or the database password.
[[nodiscard]] int run_check_config(const CommandLine& command_line, std::ostream& out,
                                   std::ostream& err);

}  // namespace btt::node
