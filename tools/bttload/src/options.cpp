#include <btt/load/options.h>

#include <charconv>
#include <sstream>
#include <string_view>

#include <CLI/CLI.hpp>

#include <btt/load/attack.h>

namespace btt::load {

namespace {

constexpr const char* kDescription =
    "bttload: load generator for bttnode. Opens payment channels on chain (or reuses them),\n"
    "signs balance proofs before the timed phase, streams them over StreamProofs and checks\n"
    "every answer and every batch receipt (audit path, batch signature against the node's\n"
    "receipt_address, batch seqs chained).\n"
    "\n"
    "Open:   bttload --node H:P --tron H:P --tron-solidity H:P --keys-file G.keys.json\n"
    "                --payers N --payees M --deposit A [--write-channels F] ...\n"
    "Reuse:  bttload --node H:P --channels-file F ...\n"
    "\n"
    "Payer i pays payee i % M. A channels file (--write-channels) holds one line per channel:\n"
    "  <channel id hex> <payer PRIVATE KEY hex> <last amount sent>\n"
    "after a '# btt-load-channels/1' line. It contains the payers' private keys: it is\n"
    "written only when --write-channels is given, with mode 0600; guard it like a key file.\n"
    "A rerun continues above max(last amount sent, the node's accepted amount).\n"
    "\n"
    "Every call has a deadline: unary calls --call-timeout-s, streams the run's time bound\n"
    "(--duration-s, or --proofs / --rate x 1.5, or 1 h) + --drain-timeout-s + 30 s.\n"
    "Progress goes to stderr (a live line on a terminal, a line every 5 s otherwise).\n"
    "\n"
    "With --attack the honest load runs twice, each phase --duration-s (or half of --proofs):\n"
    "alone, then beside the attacker; both phases are reported (JSON: `baseline`, the\n"
    "top-level keys for the phase under attack, and `attack` with the attacker's counts).\n"
    "\n"
    "Exit codes: 0 every answer checked out, 1 any error (wrong or missing answer, bad\n"
    "receipt, channels not OPEN in time), 2 bad usage or input, 3 node or chain unreachable.";

Expected<std::vector<long>, std::string> parse_pid_list(const std::string& text) {
    std::vector<long> out;
    std::string_view rest = text;
    while (true) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        long v = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v <= 0) {
            return unexpected("--pg-pids: '" + std::string(item) +
                              "' is not a process id (expected PID,PID,...)");
        }
        out.push_back(v);
        if (comma == std::string_view::npos)
            break;
        rest = rest.substr(comma + 1);
    }
    return out;
}

ParseStop usage(std::string text) {
    return ParseStop{ExitCode::Usage, std::move(text)};
}

}  // namespace

Expected<Options, ParseStop> parse_options(int argc, const char* const* argv) {
    Options o;
    std::string pg_pids;
    long node_pid = 0;

    CLI::App app{kDescription, "bttload"};
    app.get_formatter()->column_width(34);

    app.add_option("--node", o.node, "bttnode gRPC HOST:PORT (env BTT_NODE)")->envname("BTT_NODE");
    app.add_flag("--node-tls", o.node_tls, "TLS to the node (system roots)");
    app.add_option("--call-timeout-s", o.call_timeout_s, "deadline of each unary call")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    const char* open_group = "Opening channels on chain";
    auto* keys = app.add_option("--keys-file", o.keys_file,
                                "trondev genesis keys file ([{address, private_key}]); "
                                "payers are its first --payers accounts")
                     ->group(open_group);
    auto* key_files = app.add_option("--payer-key-file", o.payer_key_files,
                                     "a payer's key file (64 hex, mode 0600); repeat per payer")
                          ->group(open_group);
    auto* tron = app.add_option("--tron", o.tron, "Tron full node gRPC HOST:PORT")
                     ->group(open_group)
                     ->capture_default_str();
    auto* solidity =
        app.add_option("--tron-solidity", o.tron_solidity, "solidity node gRPC HOST:PORT")
            ->group(open_group)
            ->capture_default_str();
    auto* tron_tls =
        app.add_flag("--tron-tls", o.tron_tls, "TLS to the Tron endpoints")->group(open_group);
    auto* payers = app.add_option("--payers", o.payers, "payers N (default: every key given)")
                       ->group(open_group)
                       ->check(CLI::PositiveNumber);
    auto* payees = app.add_option("--payees", o.payees, "payees M: fresh generated addresses")
                       ->group(open_group)
                       ->check(CLI::PositiveNumber)
                       ->capture_default_str();
    auto* payees_file = app.add_option("--payees-file", o.payees_file,
                                       "payee base58 addresses, one a line (instead of fresh ones)")
                            ->group(open_group);
    auto* per_payer =
        app.add_option("--channels-per-payer", o.channels_per_payer, "channels K per payer")
            ->group(open_group)
            ->check(CLI::PositiveNumber)
            ->capture_default_str();
    auto* deposit =
        app.add_option("--deposit", o.deposit,
                       "deposit per channel, base units (default: the node's min_deposit)")
            ->group(open_group)
            ->check(CLI::PositiveNumber);
    auto* expiry = app.add_option("--expiry-s", o.expiry_s,
                                  "channel expiry, seconds after the head block (default: 7 days, "
                                  "kept inside the node's horizon)")
                       ->group(open_group)
                       ->check(CLI::PositiveNumber);
    app.add_option("--open-timeout-s", o.open_timeout_s,
                   "wait at most this long for every channel to be OPEN (reused ones too)")
        ->group(open_group)
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    const char* reuse_group = "Reusing channels";
    auto* channels_file =
        app.add_option("--channels-file", o.channels_file,
                       "reuse the channels of this file (written by --write-channels)")
            ->group(reuse_group);
    app.add_option("--write-channels", o.write_channels,
                   "after the run, write the channels WITH THEIR PAYERS' PRIVATE KEYS to this file "
                   "(mode 0600; may equal --channels-file)")
        ->group(reuse_group);

    const char* load_group = "Load";
    app.add_option("--streams", o.streams, "bidirectional StreamProofs calls, one connection each")
        ->group(load_group)
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    app.add_option("--window", o.window, "unanswered proofs per stream")
        ->group(load_group)
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    app.add_option("--rate", o.rate, "proofs per second over all streams (0: as fast as answered)")
        ->group(load_group)
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--duration-s", o.duration_s,
                   "stop sending after this long (10 when neither this nor --proofs is given)")
        ->group(load_group)
        ->check(CLI::PositiveNumber);
    app.add_option("--proofs", o.proofs, "stop after this many proofs")
        ->group(load_group)
        ->check(CLI::PositiveNumber);
    app.add_option("--step", o.step, "cumulative amount increase per proof")
        ->group(load_group)
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--presign", o.presign,
                   "proofs to sign before the timed phase (default: --proofs, or rate x duration, "
                   "or 40,000/s x duration)")
        ->group(load_group)
        ->check(CLI::PositiveNumber);
    app.add_option("--sign-threads", o.sign_threads, "signing threads (default: every core)")
        ->group(load_group)
        ->check(CLI::PositiveNumber);
    app.add_option("--drain-timeout-s", o.drain_timeout_s,
                   "after the stop, wait this long for the last answers (then they are errors)")
        ->group(load_group)
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    const char* attack_group = "Attacker beside the load (DESIGN §10)";
    std::string attack;
    app.add_option("--attack", attack,
                   "replay|bad-signature|wrong-signer|close-spam|idle: run the honest load "
                   "alone, then again beside this attacker, and report both phases")
        ->group(attack_group);
    app.add_option("--attack-streams", o.attack_streams,
                   "the attacker's proof streams, a connection each (idle: streams per "
                   "connection)")
        ->group(attack_group)
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    app.add_option("--attack-window", o.attack_window,
                   "the attacker's proofs in flight per stream, or CloseChannel calls in flight")
        ->group(attack_group)
        ->check(CLI::Range(1, 1 << 16))
        ->capture_default_str();
    app.add_option("--attack-connections", o.attack_connections,
                   "idle: connections holding a stream that sends nothing")
        ->group(attack_group)
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();

    const char* report_group = "Report";
    app.add_flag("--json", o.json, "print the summary as one JSON object on stdout")
        ->group(report_group);
    app.add_option("--node-pid", node_pid, "bttnode's pid: report its CPU seconds (node_cpu_s)")
        ->group(report_group)
        ->check(CLI::PositiveNumber);
    app.add_option("--pg-pids", pg_pids,
                   "PostgreSQL pids (postmaster...), children included: report pg_cpu_s")
        ->group(report_group);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return unexpected(ParseStop{ExitCode::Ok, app.help()});
    } catch (const CLI::ParseError& e) {
        return unexpected(usage(e.what()));
    }

    // Checked here rather than with CLI11's excludes(), which would list them all in --help.
    if (keys->count() > 0 && key_files->count() > 0) {
        return unexpected(usage("--keys-file and --payer-key-file exclude each other"));
    }
    if (channels_file->count() > 0) {
        for (const auto* opening : {keys, key_files, tron, solidity, tron_tls, payers, payees,
                                    payees_file, per_payer, deposit, expiry}) {
            if (opening->count() > 0) {
                return unexpected(usage(opening->get_name() +
                                        " opens channels; --channels-file reuses them: "
                                        "give one or the other"));
            }
        }
    }

    if (o.node.empty())
        return unexpected(usage("--node HOST:PORT is required (or BTT_NODE)"));
    const bool opening = !o.keys_file.empty() || !o.payer_key_files.empty();
    if (!opening && !o.is_reuse()) {
        return unexpected(
            usage("give channels to open (--keys-file or --payer-key-file) or to reuse "
                  "(--channels-file)"));
    }
    if (!o.keys_file.empty() && o.payers == 0) {
        return unexpected(usage("--keys-file needs --payers N"));
    }
    if (!o.payer_key_files.empty() && o.payers > o.payer_key_files.size()) {
        return unexpected(usage("--payers is larger than the number of --payer-key-file given"));
    }
    if (!o.payees_file.empty() && app.count("--payees") > 0) {
        return unexpected(usage("--payees and --payees-file exclude each other"));
    }
    if (o.duration_s == 0 && o.proofs == 0)
        o.duration_s = 10;
    if (!attack.empty()) {
        const auto kind = attack_kind_from(attack);
        if (!kind) {
            return unexpected(usage("--attack: '" + attack +
                                    "' is not replay, bad-signature, wrong-signer, close-spam "
                                    "or idle"));
        }
        o.attack = *kind;
        if (o.proofs == 1)
            return unexpected(usage("--attack with --proofs needs at least 2 (half a phase)"));
    }
    if (!pg_pids.empty()) {
        auto list = parse_pid_list(pg_pids);
        if (!list)
            return unexpected(usage(list.error()));
        o.pg_pids = std::move(list).value();
    }
    if (node_pid > 0)
        o.node_pid = node_pid;
    return o;
}

}  // namespace btt::load
