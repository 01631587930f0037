#pragma once
// bttload's command line (issue 10, "bttload, the load generator"): what to open or reuse,
// how to stream, what to report. Parsing only: no file, network or clock is touched here;
// the values are checked for form (ranges, exclusive flags), run() checks them against the
// node.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <btt/base/expected.h>

namespace btt::load {

// Process exit codes (issue 10): 0 every answer was right, 1 any error, 2 bad usage or
// input, 3 the node or the chain could not be reached.
enum class ExitCode : int { Ok = 0, Errors = 1, Usage = 2, Unreachable = 3 };

// Why a run stopped before or instead of its timed phase: the exit code and one sentence.
struct RunError {
    ExitCode code = ExitCode::Errors;
    std::string message;
};

// bttload --attack (attack.h): what the stranger beside the honest load does.
enum class AttackKind { None, Replay, BadSignature, WrongSigner, CloseSpam, Idle };

struct Options {
    // The node.
    std::string node;  // HOST:PORT
    bool node_tls = false;
    double call_timeout_s = 10;  // deadline of each unary call (GetNodeInfo, GetChannel)

    // (a) Opening channels on chain.
    std::string tron = "127.0.0.1:50051";
    std::string tron_solidity = "127.0.0.1:50061";
    bool tron_tls = false;
    std::string keys_file;                     // trondev genesis keys: [{address, private_key}]
    std::vector<std::string> payer_key_files;  // or one key file per payer
    std::size_t payers = 0;                    // 0: every key given
    std::size_t payees = 1;                    // fresh addresses, unless payees_file
    std::string payees_file;                   // base58 addresses, one a line
    std::size_t channels_per_payer = 1;
    std::int64_t deposit = 0;     // base units; 0: the node's min_deposit
    std::int64_t expiry_s = 0;    // expiry - head block time; 0: chosen inside the node's bounds
    double open_timeout_s = 120;  // wait for every channel to be OPEN

    // (b) Reusing channels.
    std::string channels_file;

    // Either mode: where to write the channels (with payer keys) after the run.
    std::string write_channels;

    // Streaming.
    std::size_t streams = 4;
    std::size_t window = 128;     // unanswered proofs per stream
    double rate = 0;              // proofs per second over all streams; 0: as fast as answered
    double duration_s = 0;        // stop after this long (0: not by time)
    std::uint64_t proofs = 0;     // stop after this many proofs (0: not by count)
    std::uint64_t step = 1;       // cumulative amount increase per proof
    std::uint64_t presign = 0;    // proofs signed before the timed phase; 0: derived
    unsigned sign_threads = 0;    // 0: every core
    double drain_timeout_s = 30;  // after the stop, wait this long for unanswered proofs

    // An attacker beside the honest load (attack.h): the honest load runs twice, alone and
    // then under attack, each phase --duration-s (or --proofs / 2).
    AttackKind attack = AttackKind::None;
    std::size_t attack_streams = 1;    // the attacker's streams, one connection each
    std::size_t attack_window = 256;   // in flight per attacking stream or call slot
    std::size_t attack_connections = 256;  // idle: connections holding an empty stream

    // Reporting.
    bool json = false;
    std::optional<long> node_pid;
    std::vector<long> pg_pids;

    [[nodiscard]] bool is_reuse() const { return !channels_file.empty(); }
};

// Why parsing stopped without Options: --help (exit 0, the help text) or bad usage (exit 2,
// one sentence naming the flag).
struct ParseStop {
    ExitCode code = ExitCode::Usage;
    std::string text;
};

// Options, or ParseStop for --help and for every usage error: unknown flag, a value out
// of range, flags of both modes, neither mode, --keys-file with --payer-key-file, a
// malformed --pg-pids list. Reads nothing but argv and the BTT_NODE environment variable.
[[nodiscard]] Expected<Options, ParseStop> parse_options(int argc, const char* const* argv);

}  // namespace btt::load
